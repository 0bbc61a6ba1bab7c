import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ComponentStatus {
  UP = 'UP',
  DOWN = 'DOWN',
}
registerEnumType(ComponentStatus, { name: 'ComponentStatus', description: 'Whether a dependency answers right now.' });

@ObjectType({ description: 'What the hub depends on, checked live.' })
export class Health {
  @Field(() => ComponentStatus, { description: 'UP when both the database and the bus answer.' })
  status!: ComponentStatus;

  @Field(() => ComponentStatus)
  database!: ComponentStatus;

  @Field(() => ComponentStatus)
  bus!: ComponentStatus;

  @Field({ description: 'Which database and bus, or why they are down.' })
  detail!: string;

  @Field({ description: '`embedded` (PGlite + in-process bus) or `full` (PostgreSQL and/or Kafka).' })
  mode!: string;

  @Field()
  version!: string;
}
