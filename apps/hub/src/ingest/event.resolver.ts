import { type AuditActor, SecretBox } from '@kabar/core';
import { EventRepository, type NotificationView } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Args, Int, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';

import { type AgencyPrincipal, CurrentActor, CurrentAgency, RequireScope } from '../auth/index.js';
import type { DeliveryStatus } from '../delivery/status-event.js';
import { LiveEvents } from '../live/live-events.js';
import { CancelService } from './cancel.service.js';
import { DeliveryStatusModel, EventModel, NotificationModel, SubjectNotificationModel } from './event-query.model.js';
import { normalizeSubject } from './ingest.service.js';
import { StatusFanout } from './status-fanout.js';

/** A notification as the schema shows it, as a plain object (the model is a class only for its decorators). */
const toNotification = (n: NotificationView): Pick<NotificationModel, keyof NotificationModel> => ({
  id: n.id,
  channel: n.channel,
  state: n.state,
  reason: n.reason,
  templateVersion: n.templateVersion,
  recipientRole: n.recipientRole,
  decisions: n.decisionCodes,
  dueAt: n.dueAt,
  updatedAt: n.updatedAt,
});

/** An agency's view of its own events and their notifications' states; never another agency's. */
@Resolver(() => EventModel)
@RequireScope('agency')
export class EventResolver {
  private readonly events: EventRepository;

  constructor(
    em: EntityManager,
    private readonly live: LiveEvents,
    private readonly cancellation: CancelService,
    private readonly fanout: StatusFanout,
    private readonly box: SecretBox,
  ) {
    this.events = new EventRepository(em);
  }

  @Query(() => EventModel, { nullable: true, description: 'One of your events by its CloudEvents source and id, with its notifications.' })
  async event(@CurrentAgency() agency: AgencyPrincipal, @Args('source') source: string, @Args('id') id: string): Promise<EventModel | null> {
    const found = await this.events.findForAgency(agency.agencyId, source, id);
    if (found === null) return null;
    const { event, notifications } = found;
    return {
      eventId: event.id,
      source: event.source,
      id: event.ceId,
      type: event.type,
      status: event.status,
      receivedVia: event.receivedVia,
      receivedAt: event.createdAt,
      notifications: notifications.map(toNotification),
    };
  }

  @Query(() => [SubjectNotificationModel], {
    nullable: true,
    description:
      'Your notifications to the citizen your events name by this subject (e.g. a national ID), newest first, `first` of them (default 20, at most 100), each with its state, reason and policy decisions: what a helpdesk needs to answer "did you send me that SMS?". Null when no citizen is registered with that subject; never another agency\'s notifications, never a contact point. Each lookup, found or not, is recorded in the audit trail (citizen.looked_up) with your key.',
  })
  async notificationsTo(
    @CurrentAgency() agency: AgencyPrincipal,
    @CurrentActor() actor: AuditActor,
    @Args('subject') subject: string,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
  ): Promise<SubjectNotificationModel[] | null> {
    // The trail names the citizen by their id, never by the national ID asked for.
    const found = await this.events.toSubjectForAgency(agency.agencyId, this.box.lookupHash(normalizeSubject(subject)), Math.min(Math.max(Math.trunc(first), 1), 100), (lookup) => ({
      action: 'citizen.looked_up',
      actor,
      agencyId: agency.agencyId,
      target: { kind: 'citizen', id: lookup.citizenId ?? '' },
      details: { found: lookup.citizenId !== null, shown: lookup.notifications?.length ?? 0 },
    }));
    return found === null ? null : found.map((n) => ({ ...toNotification(n), eventSource: n.event.source, eventId: n.event.ceId, eventType: n.event.type, createdAt: n.createdAt }));
  }

  @Mutation(() => Int, {
    description:
      'Cancels what still waits of one of your events (held for quiet hours or a scheduled time, deferred to a digest, broadcast pages not yet sent); returns how many notifications were cancelled. What has gone out stays.',
  })
  cancelEvent(@CurrentAgency() agency: AgencyPrincipal, @CurrentActor() actor: AuditActor, @Args('source') source: string, @Args('id') id: string): Promise<number> {
    return this.cancellation.cancel(agency.agencyId, source, id, actor);
  }

  @Subscription(() => DeliveryStatusModel, {
    description: 'Every state change of your notifications (accepted, suppressed, sent, delivered, failed), as they happen.',
    resolve: (payload: DeliveryStatus) => payload,
  })
  async deliveryStatus(@CurrentAgency() agency: AgencyPrincipal): Promise<AsyncIterableIterator<DeliveryStatus>> {
    await this.fanout.follow();
    return filterAgency(this.live.iterator('deliveryStatus'), agency.agencyCode);
  }
}

/** Only this agency's statuses reach its subscription. */
async function* filterAgency(source: AsyncIterableIterator<DeliveryStatus>, agencyCode: string): AsyncIterableIterator<DeliveryStatus> {
  for await (const status of source) if (status.agency === agencyCode) yield status;
}
