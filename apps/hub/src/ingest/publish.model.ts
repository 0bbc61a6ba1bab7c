import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';

import { GraphQLJSON, GraphQLJSONObject } from '../graphql/json.scalar.js';

@InputType({ description: 'A CloudEvents 1.0 event. `subject` addresses the citizen (national ID or linked reference).' })
export class CloudEventInput {
  @Field({ defaultValue: '1.0' })
  specversion!: string;

  @Field({ description: 'Unique per source; a replay with the same source and id is answered, not sent again.' })
  id!: string;

  @Field()
  source!: string;

  @Field()
  type!: string;

  @Field(() => String, { nullable: true })
  subject?: string | null;

  @Field(() => String, { nullable: true, description: 'RFC 3339 timestamp.' })
  time?: string | null;

  @Field(() => String, { nullable: true })
  datacontenttype?: string | null;

  @Field(() => String, { nullable: true })
  dataschema?: string | null;

  @Field(() => GraphQLJSON, { nullable: true })
  data?: unknown;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Extension attributes (lowercase names, scalar values).' })
  extensions?: Record<string, unknown> | null;
}

@ObjectType('PublishError')
export class PublishErrorModel {
  @Field()
  code!: string;

  @Field()
  message!: string;
}

@ObjectType('PublishResult')
export class PublishResultModel {
  @Field(() => ID, { nullable: true, description: "Kabar's id for the event; null when it was rejected." })
  eventId!: string | null;

  @Field()
  source!: string;

  @Field()
  id!: string;

  @Field({ description: 'True when this (source, id) was published before: nothing new was sent.' })
  duplicate!: boolean;

  @Field({ description: '`accepted`, `suppressed` (nobody to notify, see the notification reason) or `rejected`.' })
  status!: string;

  @Field(() => PublishErrorModel, { nullable: true })
  error!: PublishErrorModel | null;
}
