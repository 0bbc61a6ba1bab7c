import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';

@InputType('DayOffInput')
export class DayOffInput {
  @Field({ description: 'The local date, YYYY-MM-DD.' })
  day!: string;

  @Field({ description: 'What it is, e.g. "Hari Raya Idulfitri 1448 H" or "Cuti bersama".' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Only this agency does not work that day; leave out for every agency.' })
  agencyCode?: string | null;
}

@ObjectType('DayOff', { description: 'A date on which no agency (or one agency) works, besides Saturdays and Sundays.' })
export class DayOffModel {
  @Field()
  day!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'Null: every agency.' })
  agencyCode!: string | null;
}

@ObjectType('DaysOffChange')
export class DaysOffChangeModel {
  @Field(() => Int, { description: 'Days added, renamed or removed.' })
  changed!: number;

  @Field(() => Int, { description: 'Complaints waiting for an answer in working days whose due time moved.' })
  dueTimesMoved!: number;
}
