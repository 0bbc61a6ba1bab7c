import { Field, Float, ID, InputType, ObjectType } from '@nestjs/graphql';

@ObjectType('Probe', { description: 'A diagnostic round trip: database row -> outbox -> bus -> consumer -> database.' })
export class ProbeModel {
  @Field(() => ID)
  id!: string;

  @Field()
  note!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When a bus consumer read the probe back; null until then.' })
  receivedAt!: Date | null;

  @Field(() => Float, { nullable: true, description: 'Milliseconds from write to consumption.' })
  roundTripMs!: number | null;
}

@InputType()
export class SendProbeInput {
  @Field({ description: 'Free text to recognise the probe by, at most 200 characters. Do not put personal data here.' })
  note!: string;
}
