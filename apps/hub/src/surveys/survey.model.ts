import { Field, Int, ObjectType } from '@nestjs/graphql';

import { GraphQLJSONObject } from '../graphql/json.scalar.js';

@ObjectType('Survey', { description: 'A version of one of your surveys.' })
export class SurveyModel {
  @Field()
  code!: string;

  @Field(() => Int, { description: 'Each save adds the next version; a survey under way keeps the one it began with.' })
  version!: number;

  @Field(() => GraphQLJSONObject, { description: 'The definition as saved: code, title, questions with their skip logic.' })
  definition!: Record<string, unknown>;

  @Field()
  savedAt!: Date;
}
