import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

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

@ObjectType('SurveySessionCounts', { description: 'Surveys begun in the period, by how they stand: `expired` closed unanswered at their deadline.' })
export class SurveySessionCountsModel {
  @Field(() => Int)
  asked!: number;

  @Field(() => Int)
  completed!: number;

  @Field(() => Int)
  abandoned!: number;

  @Field(() => Int)
  expired!: number;

  @Field(() => Int)
  open!: number;
}

@ObjectType('SurveyChoiceCount')
export class SurveyChoiceCountModel {
  @Field()
  code!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType('SurveyScoreCount')
export class SurveyScoreCountModel {
  @Field(() => Int)
  score!: number;

  @Field(() => Int)
  count!: number;
}

@ObjectType('SurveyQuestionSummary', { description: 'One question: how many answered it, and what they chose or scored (text answers are in surveyResponses).' })
export class SurveyQuestionSummaryModel {
  @Field()
  id!: string;

  @Field({ description: 'choice, rating or text.' })
  kind!: string;

  @Field(() => Int, { description: 'Answers given, by every session begun in the period, finished or not.' })
  answered!: number;

  @Field(() => [SurveyChoiceCountModel], { description: 'A choice question: each choice, in order, with its count.' })
  choices!: SurveyChoiceCountModel[];

  @Field(() => [SurveyScoreCountModel], { description: 'A rating question: each score from min to max, with its count.' })
  scores!: SurveyScoreCountModel[];

  @Field(() => Float, { nullable: true, description: 'A rating question: the mean score, two decimals.' })
  mean!: number | null;
}

@ObjectType('SatisfactionIndex', {
  description:
    'The community satisfaction index (Indeks Kepuasan Masyarakat, PermenPAN-RB 14/2017) over the rating questions on the 1–4 scale: the mean of their mean scores × 25, from completed questionnaires.',
})
export class SatisfactionIndexModel {
  @Field(() => Float, { description: '25 to 100, two decimals.' })
  value!: number;

  @Field({ description: 'A (88.31–100, very good), B (76.61–88.30, good), C (65.00–76.60, poor) or D (below 65, very poor).' })
  grade!: string;

  @Field(() => [String], { description: 'The questions counted as its elements.' })
  questions!: string[];

  @Field(() => Int, { description: 'Completed questionnaires it was computed from.' })
  respondents!: number;
}

@ObjectType('SurveySummary')
export class SurveySummaryModel {
  @Field()
  survey!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => SurveySessionCountsModel)
  sessions!: SurveySessionCountsModel;

  @Field(() => Float, { nullable: true, description: 'Completed out of asked, 0 to 1; null when none was asked.' })
  completionRate!: number | null;

  @Field(() => [SurveyQuestionSummaryModel], { description: 'In the order of the definition.' })
  questions!: SurveyQuestionSummaryModel[];

  @Field(() => SatisfactionIndexModel, { nullable: true, description: 'Null without a rating question on the 1–4 scale answered in a completed questionnaire.' })
  satisfaction!: SatisfactionIndexModel | null;
}
