import { SURVEY_LIMITS } from '@kabar/core';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';

import { type CitizenPrincipal, CurrentCitizen, RequireScope } from '../auth/index.js';
import { InboxSurveyModel, SurveyResponseState } from './survey.model.js';
import type { InboxSurvey } from './survey-runner.js';
import { SurveyRunner } from './survey-runner.js';

const toModel = (s: InboxSurvey): InboxSurveyModel => {
  const q = s.question;
  return {
    notificationId: s.notificationId,
    agencyName: s.agencyName,
    title: s.definition.title[s.locale],
    state: SurveyResponseState[s.state],
    question:
      q === null
        ? null
        : {
            id: q.id,
            kind: q.kind,
            text: q.text[s.locale],
            choices: q.kind === 'choice' ? q.choices.map((c) => ({ code: c.code, label: c.label[s.locale] })) : [],
            min: q.kind === 'rating' ? q.min : null,
            max: q.kind === 'rating' ? q.max : null,
            maxLength: q.kind === 'text' ? (q.maxLength ?? SURVEY_LIMITS.answer) : null,
          },
    answered: s.answered,
  };
};

/** Surveys that came with messages in the signed-in citizen's inbox, answered in the preference centre. */
@Resolver(() => InboxSurveyModel)
@RequireScope('citizen')
export class CitizenSurveyResolver {
  constructor(private readonly runner: SurveyRunner) {}

  @Query(() => [InboxSurveyModel], { description: 'Surveys asked with your inbox messages in the last 72 hours, newest first.' })
  async mySurveys(@CurrentCitizen() citizen: CitizenPrincipal): Promise<InboxSurveyModel[]> {
    return (await this.runner.inboxSurveys(citizen.citizenId)).map(toModel);
  }

  @Mutation(() => InboxSurveyModel, {
    description:
      'Answers the question a survey waits for: a choice code, a score, or text. SURVEY_ANSWER_INVALID, SURVEY_NOT_WAITING (another question is next), SURVEY_CLOSED, SURVEY_NOT_FOUND.',
  })
  async answerSurvey(
    @CurrentCitizen() citizen: CitizenPrincipal,
    @Args('notificationId', { type: () => ID }) notificationId: string,
    @Args('questionId') questionId: string,
    @Args('answer') answer: string,
  ): Promise<InboxSurveyModel> {
    return toModel(await this.runner.answerInInbox(citizen.citizenId, notificationId, questionId, answer));
  }
}
