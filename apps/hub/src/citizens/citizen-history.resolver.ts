import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';

import { type CitizenPrincipal, CurrentCitizen, RequireScope } from '../auth/index.js';
import { GraphQLJSON } from '../graphql/json.scalar.js';
import { CitizenNotificationModel } from './citizen.model.js';
import { CitizenHistoryService } from './citizen-history.service.js';

/** The signed-in citizen's notification history and data export. */
@Resolver(() => CitizenNotificationModel)
@RequireScope('citizen')
export class CitizenHistoryResolver {
  constructor(private readonly history: CitizenHistoryService) {}

  @Query(() => [CitizenNotificationModel], { description: 'Newest first, to you or about you to a delegate, including ones not sent, with the reasons.' })
  myNotifications(
    @CurrentCitizen() citizen: CitizenPrincipal,
    @Args('limit', { type: () => Int, defaultValue: 50 }) limit: number,
    @Args('before', { type: () => Date, nullable: true, description: 'Only notifications created before this instant.' }) before: Date | null,
    @Args('after', {
      type: () => ID,
      nullable: true,
      description: 'The next page: the id of the last notification of the previous one. Exact where `before` is not (a batch shares one instant).',
    })
    after: string | null,
  ): Promise<CitizenNotificationModel[]> {
    return this.history.notifications(citizen.citizenId, limit, before ?? null, after ?? null);
  }

  @Query(() => GraphQLJSON, { description: 'Everything Kabar holds about you, unmasked, and how long it is kept.' })
  exportMyData(@CurrentCitizen() citizen: CitizenPrincipal): Promise<Record<string, unknown>> {
    return this.history.export(citizen.citizenId);
  }
}
