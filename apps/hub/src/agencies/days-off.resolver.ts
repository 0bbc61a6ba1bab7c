import type { AuditActor } from '@kabar/core';
import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { type AgencyPrincipal, CurrentActor, CurrentAgency, RequireScope } from '../auth/index.js';
import { DayOffInput, DayOffModel, DaysOffChangeModel } from './days-off.model.js';
import { DaysOffService } from './days-off.service.js';

/** Platform admins keep the working calendar that complaint answer times in working days count on. */
@Resolver(() => DayOffModel)
@RequireScope('admin')
export class DaysOffResolver {
  constructor(private readonly service: DaysOffService) {}

  @Query(() => [DayOffModel], { description: "A year's days off, national and every agency's (or national and one agency's). DAY_OFF_INVALID, AGENCY_NOT_FOUND." })
  daysOff(@Args('year', { type: () => Int }) year: number, @Args('agencyCode', { type: () => String, nullable: true }) agencyCode: string | null): Promise<DayOffModel[]> {
    return this.service.year(year, agencyCode ?? null);
  }

  @Mutation(() => DaysOffChangeModel, {
    description: 'Adds days off (up to 400 at a time; one already there is renamed); complaints waiting in working days move. DAY_OFF_INVALID, AGENCY_NOT_FOUND.',
  })
  setDaysOff(@CurrentActor() actor: AuditActor, @Args('days', { type: () => [DayOffInput] }) days: DayOffInput[]): Promise<DaysOffChangeModel> {
    return this.service.set(days.map((d) => ({ day: d.day, name: d.name, agencyCode: d.agencyCode ?? null })), actor);
  }

  @Mutation(() => DaysOffChangeModel, { description: 'Removes a day off; complaints waiting in working days move. DAY_OFF_INVALID, AGENCY_NOT_FOUND, DAY_OFF_NOT_FOUND.' })
  removeDayOff(
    @CurrentActor() actor: AuditActor,
    @Args('day') day: string,
    @Args('agencyCode', { type: () => String, nullable: true }) agencyCode: string | null,
  ): Promise<DaysOffChangeModel> {
    return this.service.remove(day, agencyCode ?? null, actor);
  }
}

/** An agency reads the calendar its answer times count on: the national days off and its own. */
@Resolver(() => DayOffModel)
@RequireScope('agency')
export class AgencyDaysOffResolver {
  constructor(private readonly service: DaysOffService) {}

  @Query(() => [DayOffModel], { description: "A year's days off that count for your complaint answer times: every agency's and your own. DAY_OFF_INVALID." })
  myDaysOff(@CurrentAgency() agency: AgencyPrincipal, @Args('year', { type: () => Int }) year: number): Promise<DayOffModel[]> {
    return this.service.year(year, agency.agencyCode);
  }
}
