import type { BusRecord, OutboxRow } from '@kabar/messaging';
import type { EntityManager } from '@mikro-orm/core';

import { type Audited, audited } from './audit.repository.js';
import { type ColumnCell, type ColumnType, insertColumns, Json } from './bulk.js';
import { OutboxRepository } from './outbox.repository.js';
import { query } from './query.js';
import { type NewJob, ScheduleRepository } from './schedule.repository.js';

export interface NewEvent {
  readonly id: string;
  readonly agencyId: string;
  readonly source: string;
  readonly ceId: string;
  readonly type: string;
  readonly subjectHash: string | null;
  readonly time: Date | null;
  readonly expiresAt: Date | null;
  readonly data: unknown;
  readonly receivedVia: string;
  readonly status: string;
  /** Test mode: published with a test key; nothing reaches a provider. */
  readonly sandbox?: boolean;
  /** When the hub received it (stored as `created_at`); the time of the write when not given. */
  readonly receivedAt?: Date;
}

export interface NewNotification {
  readonly id: string;
  readonly eventId: string;
  readonly agencyId: string;
  readonly citizenId: string | null;
  readonly contactPointId: string | null;
  readonly channel: string | null;
  readonly locale: string | null;
  readonly templateVersion: number | null;
  readonly state: string;
  readonly reason: string | null;
  readonly renderedSubject: string | null;
  readonly renderedBody: string | null;
  readonly renderedHtml: string | null;
  readonly recipientRole: string;
  readonly onBehalfOf: string | null;
  /** Null for a survey's later questions: they answer the citizen's own reply and count against no limit. */
  readonly messageClass: string | null;
  /** The policy's decisions (libs/core `Decision[]`), stored as JSON. */
  readonly decisions: readonly unknown[];
  readonly dedupKeyHash: string | null;
  readonly dueAt: Date | null;
  readonly mergedInto: string | null;
  readonly fallback: readonly { channel: string; contactPointId: string | null }[];
  readonly fallbackAfterSeconds: number | null;
  /** Test mode: the magic address that decides the outcome. */
  readonly sandboxTo?: string | null;
  /** An address that is no contact point (a complaint's sender), sealed. */
  readonly addressSealed?: string | null;
  /** Sent from this instead of the agency's sender id (a complaint's answer, from the short code it was sent to). */
  readonly sender?: string | null;
  /** Answers offered as buttons where the channel shows them (WhatsApp). */
  readonly replyOptions?: readonly { readonly id: string; readonly title: string }[] | null;
}

export const NOTIFICATION_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['id', 'uuid'], ['event_id', 'uuid'], ['agency_id', 'uuid'], ['citizen_id', 'uuid'], ['contact_point_id', 'uuid'], ['channel', 'text'],
  ['locale', 'text'], ['template_version', 'integer'], ['state', 'text'], ['reason', 'text'], ['rendered_subject', 'text'], ['rendered_body', 'text'],
  ['rendered_html', 'text'], ['recipient_role', 'text'], ['on_behalf_of', 'uuid'], ['message_class', 'text'], ['decisions', 'jsonb'],
  ['dedup_key_hash', 'text'], ['due_at', 'timestamptz'], ['merged_into', 'uuid'], ['fallback', 'jsonb'], ['fallback_after_seconds', 'integer'],
  ['sandbox_to', 'text'], ['address_sealed', 'text'], ['sender', 'text'], ['reply_options', 'jsonb'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
];

/** A notification as a row for `insertColumns` with NOTIFICATION_COLUMNS. */
export function notificationRow(n: NewNotification, now: Date): ColumnCell[] {
  return [
    n.id, n.eventId, n.agencyId, n.citizenId, n.contactPointId, n.channel, n.locale, n.templateVersion, n.state, n.reason,
    n.renderedSubject, n.renderedBody, n.renderedHtml, n.recipientRole, n.onBehalfOf, n.messageClass, new Json(n.decisions), n.dedupKeyHash,
    n.dueAt, n.mergedInto, new Json(n.fallback), n.fallbackAfterSeconds, n.sandboxTo ?? null, n.addressSealed ?? null, n.sender ?? null, n.replyOptions == null ? null : new Json(n.replyOptions), now, now,
  ];
}

const EVENT_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ['id', 'uuid'], ['agency_id', 'uuid'], ['source', 'text'], ['ce_id', 'text'], ['type', 'text'], ['subject_hash', 'text'], ['time', 'timestamptz'],
  ['expires_at', 'timestamptz'], ['data', 'jsonb'], ['received_via', 'text'], ['status', 'text'], ['sandbox', 'boolean'], ['created_at', 'timestamptz'],
];

export interface StoredEvent {
  readonly id: string;
  readonly agencyId: string;
  readonly source: string;
  readonly ceId: string;
  readonly type: string;
  readonly status: string;
  readonly receivedVia: string;
  readonly createdAt: Date;
}

interface NotificationDbRow {
  id: string;
  event_id: string;
  channel: string | null;
  state: string;
  reason: string | null;
  template_version: number | string | null;
  recipient_role: string;
  codes: string[] | null;
  due_at: Date | string | null;
  updated_at: Date | string;
}

/** What an agency reads of a notification, from the `notification` table under the alias `n`. */
const NOTIFICATION_VIEW_COLUMNS = `n."id", n."event_id", n."channel", n."state", n."reason", n."template_version", n."recipient_role", n."due_at", n."updated_at",
  (select array_agg(d->>'code') from jsonb_array_elements(n."decisions") d) as "codes"`;

const toNotificationView = (n: NotificationDbRow): NotificationView => ({
  id: n.id,
  eventId: n.event_id,
  channel: n.channel,
  state: n.state,
  reason: n.reason,
  templateVersion: n.template_version === null ? null : Number(n.template_version),
  recipientRole: n.recipient_role,
  decisionCodes: n.codes ?? [],
  dueAt: n.due_at === null ? null : new Date(n.due_at),
  updatedAt: new Date(n.updated_at),
});

export interface NotificationView {
  readonly id: string;
  readonly eventId: string;
  readonly channel: string | null;
  readonly state: string;
  readonly reason: string | null;
  readonly templateVersion: number | null;
  readonly recipientRole: string;
  /** The policy decisions' codes only: what an agency may see of the citizen's trail. */
  readonly decisionCodes: string[];
  readonly dueAt: Date | null;
  readonly updatedAt: Date;
}

/** One of an agency's notifications to a citizen, with the event it was about (a helpdesk's view). */
export type SubjectNotification = NotificationView & { readonly event: Pick<StoredEvent, 'source' | 'ceId' | 'type'>; readonly createdAt: Date };

/** A helpdesk lookup's result: the citizen found (null for none) and what the agency sent them. */
export interface SubjectLookup {
  readonly citizenId: string | null;
  readonly notifications: SubjectNotification[] | null;
}

/** A batch ingested in one transaction: what was new, what was a replay. */
export interface IngestWrite {
  readonly events: readonly NewEvent[];
  /**
   * Runs first in the transaction: a plan that rests on citizens' history locks them here and checks the history is
   * unchanged, throwing to abandon the write when it is not.
   */
  readonly before?: (tx: EntityManager) => Promise<void>;
  /** Built only for events that turned out to be new (the callback sees which). */
  readonly notificationsFor: (inserted: ReadonlySet<string>) => { notifications: NewNotification[]; outbox: BusRecord[]; jobs: NewJob[] };
}

interface EventRow {
  id: string;
  agency_id: string;
  source: string;
  ce_id: string;
  type: string;
  status: string;
  received_via: string;
  created_at: Date | string;
}

const toStored = (r: EventRow): StoredEvent => ({
  id: r.id,
  agencyId: r.agency_id,
  source: r.source,
  ceId: r.ce_id,
  type: r.type,
  status: r.status,
  receivedVia: r.received_via,
  createdAt: new Date(r.created_at),
});

/** Events, notifications and their states: one statement per table per batch. */
export class EventRepository {
  private readonly outbox: OutboxRepository;
  private readonly schedule: ScheduleRepository;

  constructor(private readonly em: EntityManager) {
    this.outbox = new OutboxRepository(em);
    this.schedule = new ScheduleRepository(em);
  }

  /**
   * Inserts the batch's events; replays of `(source, id)` are skipped by the unique key. For the new ones, the
   * notifications and outbox messages are written in the same transaction. Returns the ids actually inserted, and
   * the outbox rows written, for the relay's hand-off.
   */
  async ingest(write: IngestWrite): Promise<{ inserted: Set<string>; outbox: OutboxRow[] }> {
    return this.em.fork().transactional(async (tx) => {
      await write.before?.(tx);
      const inserted = await insertColumns<{ id: string }>(
        tx,
        'event',
        EVENT_COLUMNS,
        write.events.map((e) => [e.id, e.agencyId, e.source, e.ceId, e.type, e.subjectHash, e.time, e.expiresAt, new Json(e.data ?? null), e.receivedVia, e.status, e.sandbox ?? false, e.receivedAt ?? new Date()]),
        'on conflict ("source", "ce_id") do nothing returning "id"',
      );
      const ids = new Set(inserted.map((r) => r.id));
      const { notifications, outbox, jobs } = write.notificationsFor(ids);
      const now = new Date();
      await insertColumns(tx, 'notification', NOTIFICATION_COLUMNS, notifications.map((n) => notificationRow(n, now)));
      const rows = await this.outbox.enqueue(tx, outbox);
      await this.schedule.schedule(tx, jobs);
      return { inserted: ids, outbox: rows };
    });
  }

  /** One stored event with what a broadcast page needs (data, expiry, receipt time). */
  async findById(id: string): Promise<(StoredEvent & { data: unknown; expiresAt: Date | null }) | null> {
    const [row] = await query<EventRow & { data: unknown; expires_at: Date | string | null }>(
      this.em.fork(),
      'select "id", "agency_id", "source", "ce_id", "type", "status", "received_via", "created_at", "data", "expires_at" from "event" where "id" = ?',
      [id],
    );
    return row === undefined ? null : { ...toStored(row), data: row.data, expiresAt: row.expires_at === null ? null : new Date(row.expires_at) };
  }

  async setStatus(tx: EntityManager, id: string, status: string): Promise<void> {
    await query(tx, 'update "event" set "status" = ? where "id" = ?', [status, id]);
  }

  /** The agency as the owner of its events (code, name, default language). */
  async ownerOf(agencyId: string): Promise<{ agencyId: string; agencyCode: string; agencyName: string; defaultLocale: string } | null> {
    const [row] = await query<{ id: string; code: string; name: string; default_locale: string }>(this.em.fork(), 'select "id", "code", "name", "default_locale" from "agency" where "id" = ?', [
      agencyId,
    ]);
    return row === undefined ? null : { agencyId: row.id, agencyCode: row.code, agencyName: row.name, defaultLocale: row.default_locale };
  }

  /** The stored events for `(source, id)` pairs, for answering replays. */
  async findBySourceIds(pairs: readonly { source: string; ceId: string }[]): Promise<StoredEvent[]> {
    if (pairs.length === 0) return [];
    const params = pairs.flatMap((p) => [p.source, p.ceId]);
    const tuples = pairs.map(() => '(?, ?)').join(', ');
    const rows = await query<EventRow>(this.em.fork(), 
      `select "id", "agency_id", "source", "ce_id", "type", "status", "received_via", "created_at" from "event" where ("source", "ce_id") in (${tuples})`,
      params,
    );
    return rows.map(toStored);
  }

  /** One agency's event with its notifications; another agency's event is simply not found. */
  async findForAgency(agencyId: string, source: string, ceId: string): Promise<{ event: StoredEvent; notifications: NotificationView[] } | null> {
    const em = this.em.fork();
    const [row] = await query<EventRow>(
      em,
      'select "id", "agency_id", "source", "ce_id", "type", "status", "received_via", "created_at" from "event" where "source" = ? and "ce_id" = ? and "agency_id" = ?',
      [source, ceId, agencyId],
    );
    if (row === undefined) return null;
    const notifications = await query<NotificationDbRow>(
      em,
      `select ${NOTIFICATION_VIEW_COLUMNS} from "notification" n where n."event_id" = ? order by n."created_at"`,
      [row.id],
    );
    return {
      event: toStored(row),
      notifications: notifications.map(toNotificationView),
    };
  }

  /**
   * The agency's notifications to one registered citizen (found by the keyed hash of the event subject that names
   * them), newest first, each with the event it was about; null when no citizen has that subject. What a helpdesk
   * needs to answer "did you send me that SMS?", and never another agency's. `audit` records the lookup in the same
   * transaction: looking a person up by their national ID is an access to their data, found or not.
   */
  async toSubjectForAgency(agencyId: string, subjectHash: string, limit: number, audit: Audited<SubjectLookup>): Promise<SubjectNotification[] | null> {
    const found = await audited(this.em, audit, async (tx): Promise<SubjectLookup> => {
      const [citizen] = await query<{ id: string }>(tx, 'select "id" from "citizen" where "subject_hash" = ?', [subjectHash]);
      if (citizen === undefined) return { citizenId: null, notifications: null };
      const rows = await query<NotificationDbRow & { source: string; ce_id: string; type: string; created_at: Date | string }>(
        tx,
        `select ${NOTIFICATION_VIEW_COLUMNS}, e."source", e."ce_id", e."type", n."created_at"
         from "notification" n join "event" e on e."id" = n."event_id"
         where n."citizen_id" = ? and n."agency_id" = ? order by n."created_at" desc limit ?`,
        [citizen.id, agencyId, limit],
      );
      return {
        citizenId: citizen.id,
        notifications: rows.map((r) => ({ ...toNotificationView(r), event: { source: r.source, ceId: r.ce_id, type: r.type }, createdAt: new Date(r.created_at) })),
      };
    });
    return found.notifications;
  }

}
