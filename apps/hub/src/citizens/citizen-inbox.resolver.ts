import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { type CitizenPrincipal, CurrentCitizen, RequireScope } from '../auth/index.js';
import { InboxPageModel } from './citizen.model.js';
import { CitizenInboxService } from './citizen-inbox.service.js';

/** The signed-in citizen's Kabar inbox: messages the in-app channel delivered, and their read state. */
@Resolver(() => InboxPageModel)
@RequireScope('citizen')
export class CitizenInboxResolver {
  constructor(private readonly inbox: CitizenInboxService) {}

  @Query(() => InboxPageModel, { description: 'Your inbox, newest first, with the number unread.' })
  myInbox(
    @CurrentCitizen() citizen: CitizenPrincipal,
    @Args('limit', { type: () => Int, defaultValue: 50 }) limit: number,
    @Args('after', { type: () => String, nullable: true, description: '`next` of the previous page.' }) after: string | null,
  ): Promise<InboxPageModel> {
    return this.inbox.page(citizen.citizenId, limit, after ?? null);
  }

  @Mutation(() => Int, { description: 'Marks these inbox messages read; returns how many were unread and yours.' })
  markInboxRead(@CurrentCitizen() citizen: CitizenPrincipal, @Args('notificationIds', { type: () => [ID] }) notificationIds: string[]): Promise<number> {
    return this.inbox.markRead(citizen.citizenId, notificationIds);
  }

  @Mutation(() => Int, { description: 'Marks every unread inbox message read; returns how many.' })
  markAllInboxRead(@CurrentCitizen() citizen: CitizenPrincipal): Promise<number> {
    return this.inbox.markAllRead(citizen.citizenId);
  }
}
