import type { AuditActor } from '@kabar/core';
import type { SurveyResponseRow, SurveyRow } from '@kabar/persistence';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { type AgencyPrincipal, CurrentActor, CurrentAgency, RequireScope } from '../auth/index.js';
import { GraphQLJSONObject } from '../graphql/json.scalar.js';
import { SurveyModel, SurveyResponseModel, SurveyResponseState, SurveySummaryModel } from './survey.model.js';
import { SurveyService } from './survey.service.js';

const toModel = (row: SurveyRow): SurveyModel => ({ code: row.code, version: row.version, definition: row.definition, savedAt: row.createdAt });

function stateOf(row: SurveyResponseRow, now: Date): SurveyResponseState {
  if (row.state === 'completed') return SurveyResponseState.completed;
  if (row.state === 'abandoned') return SurveyResponseState.abandoned;
  // Closed at its deadline, or past it and not yet closed by the worker that will.
  return row.state === 'expired' || row.expiresAt <= now ? SurveyResponseState.expired : SurveyResponseState.open;
}

const toResponse = (row: SurveyResponseRow, now: Date): SurveyResponseModel => {
  const state = stateOf(row, now);
  return {
    id: row.id,
    survey: row.code,
    version: row.version,
    state,
    answers: row.answers.map((a) => ({ questionId: a.questionId, value: a.value })),
    waitingFor: state === SurveyResponseState.open ? row.questionId : null,
    notificationId: row.notificationId,
    source: row.source,
    eventId: row.ceId,
    channel: row.channel,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt ?? (state === SurveyResponseState.expired ? row.expiresAt : null),
  };
};

/** An agency's own surveys. */
@Resolver(() => SurveyModel)
@RequireScope('agency')
export class SurveyResolver {
  constructor(private readonly service: SurveyService) {}

  @Mutation(() => SurveyModel, {
    description: 'Saves the next version of a survey: choice, rating and text questions with skip logic, in id and en. SURVEY_INVALID lists every problem.',
  })
  async saveSurvey(@CurrentAgency() agency: AgencyPrincipal, @CurrentActor() actor: AuditActor, @Args('definition', { type: () => GraphQLJSONObject }) definition: Record<string, unknown>): Promise<SurveyModel> {
    return toModel(await this.service.save(agency.agencyId, definition, actor));
  }

  @Query(() => [SurveyModel], { description: 'The latest version of each of your surveys.' })
  async surveys(@CurrentAgency() agency: AgencyPrincipal): Promise<SurveyModel[]> {
    return (await this.service.list(agency.agencyId)).map(toModel);
  }

  @Query(() => SurveySummaryModel, {
    description:
      'One of your surveys summed up: sessions by outcome, the completion rate, each question\'s answers by choice or score, and the satisfaction index (IKM) over its 1–4 rating questions. The latest version unless `version`; the sessions begun in [`from`, `to`), all when not given. UNKNOWN_SURVEY, SURVEY_PERIOD_INVALID.',
  })
  async surveySummary(
    @CurrentAgency() agency: AgencyPrincipal,
    @Args('survey') survey: string,
    @Args('version', { type: () => Int, nullable: true }) version: number | null,
    @Args('from', { type: () => Date, nullable: true }) from: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to: Date | null,
  ): Promise<SurveySummaryModel> {
    const { code, version: shown, summary } = await this.service.summary(agency.agencyId, survey, version ?? null, from ?? null, to ?? null);
    return {
      survey: code,
      version: shown,
      sessions: { ...summary.sessions },
      completionRate: summary.completionRate,
      questions: summary.questions.map((q) => ({ ...q, choices: q.choices.map((c) => ({ ...c })), scores: q.scores.map((s) => ({ ...s })) })),
      satisfaction: summary.satisfaction === null ? null : { ...summary.satisfaction, questions: [...summary.satisfaction.questions] },
    };
  }

  @Query(() => [SurveyResponseModel], {
    description: 'Citizens\' responses to one of your surveys, oldest first: `first` (default 50, at most 200) after the response `after`.',
  })
  async surveyResponses(
    @CurrentAgency() agency: AgencyPrincipal,
    @Args('survey') survey: string,
    @Args('after', { type: () => ID, nullable: true }) after: string | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<SurveyResponseModel[]> {
    const now = new Date();
    return (await this.service.responses(agency.agencyId, survey, after ?? null, first)).map((row) => toResponse(row, now));
  }
}
