import { randomUUID } from 'node:crypto';

import type { CloudEvent } from '@kabar/contracts';
import {
  type ChannelName,
  chooseChannel,
  chooseLocale,
  DataValidator,
  isChannel,
  isLocale,
  type Locale,
  type Logger,
  SecretBox,
  TemplateRenderer,
} from '@kabar/core';
import { type BusRecord, OutboxRelay, TOPICS } from '@kabar/messaging';
import {
  AgencyRepository,
  CatalogRepository,
  type CitizenRef,
  CitizenRepository,
  type ContactRef,
  EventRepository,
  type EventType,
  type LatestTemplate,
  type NewEvent,
  type NewNotification,
  type SourceOwner,
} from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '../config/config.module.js';
import { type DeliveryStatus, statusRecord } from '../delivery/status-event.js';
import { IngestError, IngestErrorCode } from './ingest.errors.js';

export type IngestVia = 'kafka' | 'graphql' | 'http';

export interface IngestItem {
  readonly event: CloudEvent;
  readonly via: IngestVia;
  /** The authenticated agency (GraphQL, HTTP); null for Kafka, where the source decides. */
  readonly agencyId: string | null;
  /**
   * For Kafka records: the partition they came from and their key. Notifications from one partition travel to
   * dispatch as one message under one of those keys, which lands on the same partition number of the dispatch topic
   * (same partitioner, same partition count), so each citizen's order holds with one message per batch, not per event.
   */
  readonly origin?: { readonly partition: number; readonly key: string | null };
}

export type IngestOutcome =
  | { readonly ok: true; readonly eventId: string; readonly source: string; readonly id: string; readonly duplicate: boolean; readonly status: string }
  | { readonly ok: false; readonly source: string; readonly id: string; readonly error: IngestError };

interface Planned {
  readonly row: NewEvent;
  readonly notification: NewNotification;
  /** Status messages; dispatch messages are built per batch by `dispatchMessages`. */
  readonly outbox: BusRecord[];
  readonly origin: IngestItem['origin'];
}

/**
 * One dispatch message per Kafka partition of the batch (keyed by one of its records' keys), or per citizen for
 * GraphQL and HTTP, listing the accepted notifications in ingest order.
 */
function dispatchMessages(planned: readonly Planned[]): BusRecord[] {
  const groups = new Map<string, { key: string | null; ids: string[] }>();
  for (const p of planned) {
    if (p.notification.state !== 'accepted') continue;
    const group = p.origin === undefined ? `c:${p.notification.citizenId ?? ''}` : `p:${String(p.origin.partition)}`;
    const key = p.origin === undefined ? p.notification.citizenId : p.origin.key;
    const entry = groups.get(group) ?? { key, ids: [] };
    entry.key ??= key;
    entry.ids.push(p.notification.id);
    groups.set(group, entry);
  }
  return [...groups.values()].map((g) => ({
    topic: TOPICS.dispatch,
    key: g.key,
    value: Buffer.from(JSON.stringify({ notificationIds: g.ids })),
    headers: { 'content-type': 'application/json' },
  }));
}

interface Valid {
  readonly index: number;
  readonly item: IngestItem;
  readonly owner: SourceOwner;
  readonly type: EventType;
  readonly row: NewEvent;
}

/**
 * The one ingest path for every transport: checks each event, stores new ones with their notifications and outbox
 * messages in one transaction, and answers replays with the original result. Works on whole batches: a fixed number
 * of queries whatever the batch size.
 */
@Injectable()
export class IngestService {
  private readonly agencies: AgencyRepository;
  private readonly catalog: CatalogRepository;
  private readonly citizens: CitizenRepository;
  private readonly events: EventRepository;
  private readonly validator = new DataValidator();
  private readonly renderer = new TemplateRenderer();

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly relay: OutboxRelay,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.agencies = new AgencyRepository(em);
    this.catalog = new CatalogRepository(em);
    this.citizens = new CitizenRepository(em);
    this.events = new EventRepository(em);
  }

  async ingest(items: readonly IngestItem[]): Promise<IngestOutcome[]> {
    const outcomes: (IngestOutcome | undefined)[] = new Array<IngestOutcome | undefined>(items.length);
    const owners = await this.agencies.ownersOf(items.map((i) => i.event.source));
    const types = await this.catalog.findEventTypes(items.map((i) => i.event.type));
    const valid: Valid[] = [];
    const firstOfKey = new Map<string, number>();
    items.forEach((item, index) => {
      const checked = this.check(item, owners, types);
      if (checked instanceof IngestError) {
        outcomes[index] = { ok: false, source: item.event.source, id: item.event.id, error: checked };
        return;
      }
      // The same (source, id) twice in one batch: the second is a replay of the first.
      const key = `${item.event.source}\u0000${item.event.id}`;
      if (firstOfKey.has(key)) return;
      firstOfKey.set(key, index);
      valid.push({ index, item, ...checked });
    });

    const citizens = await this.citizens.bySubjectHashes(valid.flatMap((v) => (v.row.subjectHash === null ? [] : [v.row.subjectHash])));
    const contacts = await this.citizens.contactsOf([...citizens.values()].map((c) => c.id));
    const templates = await this.catalog.latestTemplates([...new Set(valid.map((v) => v.type.id))]);

    // Decided before the transaction (rendering is CPU work that must not hold database locks); only the
    // decisions for events that turn out to be new are written.
    const planned = valid.map((v) => this.plan(v, citizens, contacts, templates));
    const inserted = await this.events.ingest({
      events: planned.map((p) => p.row),
      notificationsFor: (ids) => {
        const fresh = planned.filter((p) => ids.has(p.row.id));
        return { notifications: fresh.map((p) => p.notification), outbox: [...dispatchMessages(fresh), ...fresh.flatMap((p) => p.outbox)] };
      },
    });
    if (inserted.size > 0) this.relay.wake();
    const plannedById = new Map(planned.map((p) => [p.row.id, p.row]));

    const replays = valid.filter((v) => !inserted.has(v.row.id));
    const originals = await this.events.findBySourceIds(replays.map((v) => ({ source: v.row.source, ceId: v.row.ceId })));
    const originalOf = new Map(originals.map((o) => [`${o.source}\u0000${o.ceId}`, o]));
    for (const v of valid) {
      const key = `${v.row.source}\u0000${v.row.ceId}`;
      const original = inserted.has(v.row.id) ? undefined : originalOf.get(key);
      const row = plannedById.get(v.row.id) ?? v.row;
      outcomes[v.index] =
        original === undefined
          ? { ok: true, eventId: row.id, source: row.source, id: row.ceId, duplicate: false, status: row.status }
          : { ok: true, eventId: original.id, source: original.source, id: original.ceId, duplicate: true, status: original.status };
    }
    // Items that repeated an earlier item of the same batch answer like a replay of it.
    return items.map((item, index) => {
      const outcome = outcomes[index];
      if (outcome !== undefined) return outcome;
      const first = outcomes[firstOfKey.get(`${item.event.source}\u0000${item.event.id}`) ?? -1];
      if (first?.ok !== true) throw new Error('a repeated item has no first occurrence'); // unreachable by construction
      return { ...first, duplicate: true };
    });
  }

  private check(item: IngestItem, owners: ReadonlyMap<string, SourceOwner>, types: ReadonlyMap<string, EventType>): Omit<Valid, 'index' | 'item'> | IngestError {
    const { event } = item;
    const owner = owners.get(event.source);
    if (owner === undefined || (item.agencyId !== null && owner.agencyId !== item.agencyId)) {
      return item.agencyId === null
        ? new IngestError(IngestErrorCode.UnknownSource, `source "${event.source}" is not registered to any agency`)
        : new IngestError(IngestErrorCode.SourceNotAllowed, `source "${event.source}" is not registered to your agency`);
    }
    const type = types.get(event.type);
    if (type?.agency.id !== owner.agencyId) {
      return new IngestError(IngestErrorCode.UnknownType, `event type "${event.type}" is not registered for this agency`);
    }
    if (event.subject === undefined || event.subject.trim() === '') {
      return new IngestError(IngestErrorCode.MissingSubject, 'the "subject" attribute must address a citizen (national ID or linked reference)');
    }
    const problems = this.validator.problems(type.dataSchema, event.data, `${type.id}:${type.updatedAt.getTime()}`);
    if (problems.length > 0) {
      return new IngestError(IngestErrorCode.DataInvalid, `data does not match ${type.type}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { problems });
    }
    const time = event.time === undefined ? new Date() : new Date(event.time);
    const expiresAt = new Date(time.getTime() + type.defaultExpirySeconds * 1000);
    return {
      owner,
      type,
      row: {
        id: randomUUID(),
        agencyId: owner.agencyId,
        source: event.source,
        ceId: event.id,
        type: event.type,
        subjectHash: this.box.lookupHash(event.subject.trim()),
        time: event.time === undefined ? null : time,
        expiresAt,
        data: event.data ?? null,
        receivedVia: item.via,
        status: 'pending', // replaced by plan() with the notification's fate before anything is written
      },
    };
  }

  /** Decides one event's notification, its final status and the messages that follow from it. */
  private plan(
    v: Valid,
    citizens: ReadonlyMap<string, CitizenRef>,
    contacts: readonly ContactRef[],
    templates: readonly LatestTemplate[],
  ): Planned {
    const now = new Date();
    const citizen = v.row.subjectHash === null ? undefined : citizens.get(v.row.subjectHash);
    const decided = this.decide(v, citizen, contacts, templates, now);
    const notification: NewNotification = { id: randomUUID(), eventId: v.row.id, agencyId: v.owner.agencyId, citizenId: citizen?.id ?? null, ...decided };
    const outbox: BusRecord[] = [];
    const status: DeliveryStatus = {
      agency: v.owner.agencyCode,
      eventId: v.row.id,
      source: v.row.source,
      id: v.row.ceId,
      notificationId: notification.id,
      state: decided.state === 'accepted' ? 'accepted' : 'suppressed',
      reason: decided.reason,
      channel: decided.channel,
      at: now.toISOString(),
    };
    outbox.push(statusRecord(status));
    // The event's status is what happened to its notification.
    return { row: { ...v.row, status: decided.state }, notification, outbox, origin: v.item.origin };
  }

  private decide(
    v: Valid,
    citizen: CitizenRef | undefined,
    contacts: readonly ContactRef[],
    templates: readonly LatestTemplate[],
    now: Date,
  ): Omit<NewNotification, 'id' | 'eventId' | 'agencyId' | 'citizenId'> {
    const suppressed = (reason: string, channel: string | null = null): Omit<NewNotification, 'id' | 'eventId' | 'agencyId' | 'citizenId'> => ({
      contactPointId: null,
      channel,
      locale: null,
      templateVersion: null,
      state: 'suppressed',
      reason,
      renderedSubject: null,
      renderedBody: null,
      renderedHtml: null,
    });
    if (citizen === undefined) return suppressed('UNKNOWN_SUBJECT');
    if (v.row.expiresAt !== null && v.row.expiresAt.getTime() < now.getTime()) return suppressed('EXPIRED');
    const allowed = v.type.allowedChannels.filter(isChannel);
    const options = contacts
      .filter((c) => c.citizenId === citizen.id && isChannel(c.channel))
      .map((c) => ({ id: c.id, channel: c.channel as ChannelName, verified: c.verified, position: c.position }));
    // Only channels with templates can be used; the rest of the citizen's list is skipped.
    const templated = allowed.filter((channel) => templates.some((t) => t.eventTypeId === v.type.id && t.channel === channel));
    const choice = chooseChannel(templated, options);
    if (choice === null) return suppressed(templated.length === 0 ? 'NO_TEMPLATE' : 'NO_CHANNEL');
    const forChannel = templates.filter((t) => t.eventTypeId === v.type.id && t.channel === choice.channel);
    const locales = forChannel.map((t) => t.locale).filter(isLocale);
    const locale: Locale = chooseLocale(isLocale(citizen.locale) ? citizen.locale : 'id', isLocale(v.owner.defaultLocale) ? v.owner.defaultLocale : 'id', locales);
    const template = forChannel.find((t) => t.locale === locale);
    if (template === undefined) return suppressed('NO_TEMPLATE', choice.channel);
    try {
      const rendered = this.renderer.render(template, v.item.event.data ?? {}, locale, template.id);
      return {
        contactPointId: choice.contactPointId,
        channel: choice.channel,
        locale,
        templateVersion: template.version,
        state: 'accepted',
        reason: null,
        renderedSubject: rendered.subject ?? null,
        renderedBody: rendered.body,
        renderedHtml: rendered.html ?? null,
      };
    } catch (error) {
      this.logger.warn({ eventType: v.type.type, templateVersion: template.version, error: error instanceof Error ? error.message : 'render failed' }, 'template failed to render');
      return suppressed('RENDER_FAILED', choice.channel);
    }
  }
}
