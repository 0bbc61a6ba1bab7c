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

@ObjectType('SurveyChoice')
export class SurveyChoiceModel {
  @Field({ description: 'What to send as the answer.' })
  code!: string;

  @Field({ description: 'In the language of the message.' })
  label!: string;
}

@ObjectType('SurveyQuestion', { description: 'A question in the language of the message it follows.' })
export class SurveyQuestionModel {
  @Field()
  id!: string;

  @Field({ description: '`choice` (answer with a choice code), `rating` (a whole number from min to max) or `text`.' })
  kind!: string;

  @Field()
  text!: string;

  @Field(() => [SurveyChoiceModel])
  choices!: SurveyChoiceModel[];

  @Field(() => Int, { nullable: true })
  min!: number | null;

  @Field(() => Int, { nullable: true })
  max!: number | null;

  @Field(() => Int, { nullable: true, description: 'Longest text answer taken.' })
  maxLength!: number | null;
}

@ObjectType('InboxSurvey', { description: 'A survey an agency asked with a message in your inbox; answer it with answerSurvey.' })
export class InboxSurveyModel {
  @Field(() => ID, { description: 'The inbox message it came with.' })
  notificationId!: string;

  @Field()
  agencyName!: string;

  @Field()
  title!: string;

  @Field(() => SurveyResponseState)
  state!: SurveyResponseState;

  @Field(() => SurveyQuestionModel, { nullable: true, description: 'The question it waits for; null once it is over.' })
  question!: SurveyQuestionModel | null;

  @Field(() => Int, { description: 'Questions answered so far.' })
  answered!: number;
}
