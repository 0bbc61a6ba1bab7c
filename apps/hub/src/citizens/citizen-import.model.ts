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
