import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ImportRowError')
export class ImportRowErrorModel {
  @Field(() => Int, { description: 'Position of the row in the call, from 0.' })
  index!: number;

  @Field({ description: 'nationalId, name, regionCode, timezone, language, phone, email, fcmToken, whatsapp, or contact (none given).' })
  field!: string;

  @Field()
  message!: string;
}

@ObjectType('CitizenImportResult', { description: 'With any error nothing is written; a dry run writes nothing either way.' })
export class CitizenImportResultModel {
  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => [ImportRowErrorModel])
  errors!: readonly ImportRowErrorModel[];
}

@ObjectType('CsvRowError')
export class CsvRowErrorModel {
  @Field(() => Int, { description: 'The line of the file where the row starts; the header is line 1.' })
  line!: number;

  @Field({ description: 'The CSV column, contact (no contact point given), or empty for the whole row or file.' })
  column!: string;

  @Field()
  message!: string;
}

@ObjectType('CitizenCsvImportResult', { description: 'With any error nothing is written; a dry run writes nothing either way.' })
export class CitizenCsvImportResultModel {
  @Field(() => Int, { description: 'Data rows in the file, blank lines not counted.' })
  rows!: number;

  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => [CsvRowErrorModel])
  errors!: readonly CsvRowErrorModel[];
}
