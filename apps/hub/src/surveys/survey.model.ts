import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { GraphQLJSON, GraphQLJSONObject } from '../graphql/json.scalar.js';

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

export enum SurveyResponseState {
  open = 'open',
  completed = 'completed',
  abandoned = 'abandoned',
  expired = 'expired',
}
registerEnumType(SurveyResponseState, {
  name: 'SurveyResponseState',
  description: 'open: waiting for the next reply; completed; abandoned: three replies in a row could not be read; expired: no reply within 72 hours.',
});

@ObjectType('SurveyAnswer')
export class SurveyAnswerModel {
  @Field()
  questionId!: string;

  @Field(() => GraphQLJSON, { description: "A choice's code, a score (number) or the citizen's text." })
  value!: string | number;
}

@ObjectType('SurveyResponse', { description: "One citizen's way through one of your surveys; never their address." })
export class SurveyResponseModel {
  @Field(() => ID)
  id!: string;

  @Field()
  survey!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => SurveyResponseState)
  state!: SurveyResponseState;

  @Field(() => [SurveyAnswerModel], { description: 'In the order given, along the path the skip logic took.' })
  answers!: SurveyAnswerModel[];

  @Field(() => String, { nullable: true, description: 'The question awaiting a reply, while open.' })
  waitingFor!: string | null;

  @Field(() => ID, { description: 'The notification that asked the first question.' })
  notificationId!: string;

  @Field({ description: 'Your event it followed: its source.' })
  source!: string;

  @Field({ description: 'Your event it followed: its id.' })
  eventId!: string;

  @Field()
  channel!: string;

  @Field()
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}
