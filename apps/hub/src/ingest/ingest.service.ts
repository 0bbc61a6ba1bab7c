import type { CloudEvent } from '@kabar/contracts';
import { DataValidator, SecretBox, timeOrderedId } from '@kabar/core';
import { type BusRecord, OutboxRelay, type OutboxRow, TOPICS } from '@kabar/messaging';
import { AgencyRepository, CatalogRepository, EventRepository, type EventTypeRecord, type NewEvent, type NewJob, type NewNotification, type SourceOwner } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { statusRecord } from '../delivery/status-event.js';
import { holdPlan, MAX_PLANS, NotificationPlanner, type PlanInput, StalePlan } from '../policy/notification-planner.js';
import { IngestError, IngestErrorCode } from './ingest.errors.js';

/** A broadcast's subject: `region:<administrative code prefix>` or `programme:<name>`. */
export const AUDIENCE_SUBJECT = /^(region|programme):([A-Za-z0-9.-]{1,64})$/;

/**
 * The subject as the citizen store keys it: a national ID written with dots, spaces or dashes is its digits (the
 * import normalizes the same way); anything else (an agency's own linked reference) is taken as sent, trimmed.
 */
export function normalizeSubject(subject: string): string {
  const trimmed = subject.trim();
  return /^[\d.\s-]+$/.test(trimmed) ? trimmed.replace(/\D/g, '') : trimmed;
}

/** CloudEvents extension that puts a Kafka-published event in test mode (GraphQL and HTTP use the key's kind). */
export const SANDBOX_EXTENSION = 'kabarsandbox';

/** CloudEvents extension an agency sets to send no earlier than an RFC 3339 instant (a scheduled send). */
export const NOT_BEFORE_EXTENSION = 'kabarnotbefore';

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
  /** Published with a `test` key: the sandbox decides outcomes from the magic address in `subject`; nothing is sent. */
  readonly sandbox?: boolean;
}

export type IngestOutcome =
  | { readonly ok: true; readonly eventId: string; readonly source: string; readonly id: string; readonly duplicate: boolean; readonly status: string }
  | { readonly ok: false; readonly source: string; readonly id: string; readonly error: IngestError };

/**
 * One dispatch message per Kafka partition of the batch (keyed by one of its records' keys), or per citizen for
 * GraphQL and HTTP, listing the accepted notifications in ingest order.
 */
export function dispatchMessages(notifications: readonly Pick<NewNotification, 'id' | 'eventId' | 'citizenId' | 'state'>[], originOf: (eventId: string) => IngestItem['origin']): BusRecord[] {
  const groups = new Map<string, { key: string | null; ids: string[] }>();
  for (const n of notifications) {
    if (n.state !== 'accepted') continue;
    const origin = originOf(n.eventId);
    const group = origin === undefined ? `c:${n.citizenId ?? ''}` : `p:${String(origin.partition)}`;
    const key = origin === undefined ? n.citizenId : origin.key;
    const entry = groups.get(group) ?? { key, ids: [] };
    entry.key ??= key;
    entry.ids.push(n.id);
    groups.set(group, entry);
  }
  return [...groups.values()].map((g) => dispatchRecord(g.key, g.ids));
}

/** One message on the dispatch topic asking for these notifications to be sent, in order. */
export function dispatchRecord(key: string | null, notificationIds: readonly string[]): BusRecord {
  return { topic: TOPICS.dispatch, key, value: Buffer.from(JSON.stringify({ notificationIds })), headers: { 'content-type': 'application/json' } };
}

interface Valid {
  readonly index: number;
  readonly item: IngestItem;
  readonly owner: SourceOwner;
  readonly type: EventTypeRecord;
  readonly row: NewEvent;
  /** `region:32.73` or `programme:pkh` for a broadcast; null for an event about one citizen. */
  readonly audience: string | null;
  readonly notBefore: Date | null;
  readonly sandbox: boolean;
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
  private readonly events: EventRepository;
  private readonly validator = new DataValidator();

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly relay: OutboxRelay,
    private readonly planner: NotificationPlanner,
  ) {
    this.agencies = new AgencyRepository(em);
    this.catalog = new CatalogRepository(em);
    this.events = new EventRepository(em);
  }

  async ingest(items: readonly IngestItem[]): Promise<IngestOutcome[]> {
    // When the hub received the batch: the event's `created_at`, so latency counts the checks and the policy too.
    const now = new Date();
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

    // Decided before the transaction (the policy's reads and rendering must not hold database locks); only the
    // decisions for events that turn out to be new are written.
    const audiences = valid.filter((v) => v.audience !== null);
    const inputs = valid.filter((v) => v.audience === null).map((v) => ({
      eventId: v.row.id,
      source: v.row.source,
      ceId: v.row.ceId,
      type: v.type,
      owner: v.owner,
      subject: v.item.event.subject === undefined ? null : v.sandbox ? v.item.event.subject.trim() : normalizeSubject(v.item.event.subject),
      subjectHash: v.row.subjectHash,
      data: v.item.event.data,
      receivedAt: now,
      expiresAt: v.row.expiresAt,
      notBefore: v.notBefore,
      sandbox: v.sandbox,
    }));
    const originOf = new Map(valid.map((v) => [v.row.id, v.item.origin]));
    const { rows, inserted, outbox } = await this.planAndWrite(inputs, valid, audiences, originOf, now);
    this.relay.handOff(outbox);
    const plannedById = new Map(rows.map((r) => [r.id, r]));

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

  /**
   * Plans and writes the batch. Two batches about the same citizen planned at the same moment (two agencies on two
   * partitions, or two hubs) would each miss the other's notification, so a plan that rests on history (caps, dedup
   * keys) locks its citizens in the write and is planned again if their history changed since it was read.
   */
  private async planAndWrite(
    inputs: PlanInput[],
    valid: readonly Valid[],
    audiences: readonly Valid[],
    originOf: ReadonlyMap<string, IngestItem['origin']>,
    now: Date,
  ): Promise<{ rows: (NewEvent & { status: string })[]; inserted: Set<string>; outbox: OutboxRow[] }> {
    for (let attempt = 1; ; attempt++) {
      const plan = await this.planner.plan(inputs, now);
      const rows = valid.map((v) => ({ ...v.row, receivedAt: now, status: v.audience !== null ? 'broadcasting' : (plan.eventStatus.get(v.row.id) ?? 'suppressed') }));
      try {
        const { inserted, outbox } = await this.events.ingest({
          events: rows,
          // Past MAX_PLANS the batch fails whole with CONTENDED (503, Retry-After): Kafka redelivers it, and a GraphQL
          // or HTTP publisher may publish the same event again.
          ...(plan.guard === undefined ? {} : { before: (tx: EntityManager) => holdPlan(tx, plan) }),
          notificationsFor: (ids) => {
            const notifications = plan.notifications.filter((n) => ids.has(n.eventId));
            const statuses = plan.statuses.filter((st) => ids.has(st.eventId));
            const refs = new Set(notifications.flatMap((n) => [n.id, n.citizenId ?? '']));
            const jobs: NewJob[] = [
              ...plan.jobs.filter((j) => refs.has(j.ref)),
              // A broadcast is paged through by the scheduler, starting now; its cursor lives in the job.
              ...audiences.filter((v) => ids.has(v.row.id)).map((v) => ({ kind: 'broadcast' as const, ref: v.row.id, dueAt: now, payload: { audience: v.audience, cursor: null } })),
            ];
            return { notifications, outbox: [...dispatchMessages(notifications, (id) => originOf.get(id)), ...statuses.map(statusRecord)], jobs };
          },
        });
        return { rows, inserted, outbox };
      } catch (error) {
        if (!(error instanceof StalePlan)) throw error;
        if (attempt >= MAX_PLANS) {
          throw new IngestError(IngestErrorCode.Contended, `the citizens of this batch were written by others ${String(MAX_PLANS)} times while it was decided; publish it again`, { retryAfterSeconds: 1 });
        }
      }
    }
  }

  private check(item: IngestItem, owners: ReadonlyMap<string, SourceOwner>, types: ReadonlyMap<string, EventTypeRecord>): Omit<Valid, 'index' | 'item'> | IngestError {
    const { event } = item;
    const owner = owners.get(event.source);
    if (owner === undefined || (item.agencyId !== null && owner.agencyId !== item.agencyId)) {
      return item.agencyId === null
        ? new IngestError(IngestErrorCode.UnknownSource, `source "${event.source}" is not registered to any agency`)
        : new IngestError(IngestErrorCode.SourceNotAllowed, `source "${event.source}" is not registered to your agency`);
    }
    const type = types.get(event.type);
    if (type?.agencyId !== owner.agencyId) {
      return new IngestError(IngestErrorCode.UnknownType, `event type "${event.type}" is not registered for this agency`);
    }
    if (event.subject === undefined || event.subject.trim() === '') {
      return new IngestError(IngestErrorCode.MissingSubject, 'the "subject" attribute must address a citizen (national ID or linked reference)');
    }
    const problems = this.validator.problems(type.dataSchema, event.data, `${type.id}:${type.updatedAt.getTime()}`);
    if (problems.length > 0) {
      return new IngestError(IngestErrorCode.DataInvalid, `data does not match ${type.type}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, { problems });
    }
    const notBeforeText = event.extensions[NOT_BEFORE_EXTENSION];
    const notBefore = typeof notBeforeText === 'string' ? new Date(notBeforeText) : null;
    if (notBeforeText !== undefined && (notBefore === null || Number.isNaN(notBefore.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(String(notBeforeText)))) {
      return new IngestError(IngestErrorCode.DataInvalid, `extension "${NOT_BEFORE_EXTENSION}" must be an RFC 3339 instant such as 2026-12-01T08:00:00+07:00`);
    }
    const sandbox = item.sandbox === true || event.extensions[SANDBOX_EXTENSION] === true || event.extensions[SANDBOX_EXTENSION] === 'true';
    const audience = AUDIENCE_SUBJECT.test(event.subject.trim()) ? event.subject.trim() : null;
    if (sandbox && audience !== null) {
      return new IngestError(IngestErrorCode.DataInvalid, 'a test-mode event addresses one sandbox address (e.g. +6280000000001), not an audience: broadcasts need a live key');
    }
    const time = event.time === undefined ? new Date() : new Date(event.time);
    const expiresAt = new Date(time.getTime() + type.defaultExpirySeconds * 1000);
    return {
      owner,
      type,
      audience,
      notBefore,
      sandbox,
      row: {
        id: timeOrderedId(),
        agencyId: owner.agencyId,
        source: event.source,
        ceId: event.id,
        type: event.type,
        subjectHash: audience === null && !sandbox ? this.box.lookupHash(normalizeSubject(event.subject)) : null,
        time: event.time === undefined ? null : time,
        expiresAt,
        data: event.data ?? null,
        receivedVia: item.via,
        status: 'pending', // replaced by plan() with the notification's fate before anything is written
        sandbox,
      },
    };
  }
}
