import type { SurveyRow } from '@kabar/persistence';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';

import { type AgencyPrincipal, CurrentAgency, RequireScope } from '../auth/index.js';
import { GraphQLJSONObject } from '../graphql/json.scalar.js';
import { SurveyModel } from './survey.model.js';
import { SurveyService } from './survey.service.js';

const toModel = (row: SurveyRow): SurveyModel => ({ code: row.code, version: row.version, definition: row.definition, savedAt: row.createdAt });

/** An agency's own surveys. */
@Resolver(() => SurveyModel)
@RequireScope('agency')
export class SurveyResolver {
  constructor(private readonly service: SurveyService) {}

  @Mutation(() => SurveyModel, {
    description: 'Saves the next version of a survey: choice, rating and text questions with skip logic, in id and en. SURVEY_INVALID lists every problem.',
  })
  async saveSurvey(@CurrentAgency() agency: AgencyPrincipal, @Args('definition', { type: () => GraphQLJSONObject }) definition: Record<string, unknown>): Promise<SurveyModel> {
    return toModel(await this.service.save(agency.agencyId, definition));
  }

  @Query(() => [SurveyModel], { description: 'The latest version of each of your surveys.' })
  async surveys(@CurrentAgency() agency: AgencyPrincipal): Promise<SurveyModel[]> {
    return (await this.service.list(agency.agencyId)).map(toModel);
  }
}
