import { randomUUID } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/core';

import { answerClocks } from './answer-clock.js';
import { type Audited,audited } from './audit.repository.js';
import { arrayParam, insertColumns, insertRows, Json } from './bulk.js';
import { type NewNotification, NOTIFICATION_COLUMNS, notificationRow } from './event.repository.js';
import { query } from './query.js';

/** The source and type of the event a complaint's messages are sent as: Kabar's own, not an agency's. */
export const COMPLAINT_SOURCE = 'urn:kabar:complaint';
export const COMPLAINT_EVENT_TYPE = 'id.kabar.complaint.v1';

/** A route as stored, with the agency it names. */
export interface InboundRouteRow {
  readonly id: string;
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly channel: string;
  readonly to: string;
  readonly keyword: string;
  readonly createdAt: Date;
}

/** The latest complaint of one address on one channel: where its next message may go. */
export interface ThreadRow {
  readonly id: string;
  readonly fromHash: string;
  readonly channel: string;
  readonly agencyId: string;
  readonly state: string;
  readonly lastActivityAt: Date;
}

/** What the desk says of an agency to citizens and on the bus. */
export interface DeskAgency {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly defaultLocale: string;
}

/** The registered citizen behind an address (a verified contact point's keyed hash), and the language they read. */
export interface KnownSender {
  readonly citizenId: string;
  readonly locale: string;
}

export interface NewComplaint {
  readonly id: string;
  readonly agencyId: string;
  readonly eventId: string;
  readonly channel: string;
  readonly plugin: string;
  readonly fromHash: string;
  readonly fromSealed: string;
  readonly replyFrom: string | null;
  readonly citizenId: string | null;
  readonly locale: string;
}

export interface NewComplaintMessage {
  readonly id: string;
  readonly complaintId: string;
  readonly direction: 'in' | 'out';
  readonly kind: string;
  readonly text: string | null;
  readonly media: unknown;
  readonly notificationId: string | null;
  readonly at: Date;
}

export interface ComplaintMessageRow {
  readonly id: string;
  readonly direction: string;
  readonly kind: string;
  readonly text: string | null;
  readonly media: unknown;
  readonly notificationId: string | null;
  readonly at: Date;
}

/** A complaint as its agency reads it; `fromSealed` stays inside the hub (answers are sent there). */
export interface ComplaintRow {
  readonly id: string;
  readonly number: number;
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly agencyName: string;
  readonly eventId: string;
  readonly channel: string;
  /** The plugin install the first message came through: where its files are fetched from. */
  readonly plugin: string;
  readonly fromSealed: string | null;
  readonly replyFrom: string | null;
  readonly citizenId: string | null;
  readonly registered: boolean;
  readonly locale: string;
  readonly state: string;
  readonly openedAt: Date;
  readonly lastActivityAt: Date;
  readonly closedAt: Date | null;
  /** While the agency's answer is awaited, when it is due; null once answered or closed. */
  readonly dueAt: Date | null;
}

/** A complaint whose answer time passed without an answer, for the reminder to its agency. */
/** How one agency's complaints stand (see `ComplaintRepository.performance`). */
export interface ComplaintPerformanceRow {
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly opened: number;
  /** Still waiting for the agency's answer. */
  readonly waiting: number;
  /** Answered in words at least once. */
  readonly answered: number;
  readonly closed: number;
  /** Went past a due time at least once. */
  readonly wentOverdue: number;
  readonly answeredInTime: number;
  readonly medianFirstAnswerSeconds: number | null;
}

export interface OverdueComplaint {
  readonly id: string;
  readonly number: number;
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly channel: string;
  readonly openedAt: Date;
  readonly dueAt: Date;
  /** The agency to escalate to, when the late agency has one. */
  readonly escalation: { readonly agencyId: string; readonly agencyCode: string } | null;
}

interface ComplaintDbRow {
  id: string;
  number: string | number;
  agency_id: string;
  code: string;
  name: string;
  event_id: string;
  channel: string;
  plugin: string;
  from_sealed: string | null;
  reply_from: string | null;
  citizen_id: string | null;
  locale: string;
  state: string;
  opened_at: Date | string;
  last_activity_at: Date | string;
  closed_at: Date | string | null;
  due_at: Date | string | null;
}

const COMPLAINT_COLUMNS = `c."id", c."number", c."agency_id", a."code", a."name", c."event_id", c."channel", c."plugin", c."from_sealed", c."reply_from", c."citizen_id",
  c."locale", c."state", c."opened_at", c."last_activity_at", c."closed_at", c."due_at"`;

const toComplaint = (r: ComplaintDbRow): ComplaintRow => ({
  id: r.id,
  number: Number(r.number),
  agencyId: r.agency_id,
  agencyCode: r.code,
  agencyName: r.name,
  eventId: r.event_id,
  channel: r.channel,
  plugin: r.plugin,
  fromSealed: r.from_sealed,
  replyFrom: r.reply_from,
  citizenId: r.citizen_id,
  registered: r.citizen_id !== null,
  locale: r.locale,
  state: r.state,
  openedAt: new Date(r.opened_at),
  lastActivityAt: new Date(r.last_activity_at),
  closedAt: r.closed_at === null ? null : new Date(r.closed_at),
  dueAt: r.due_at === null ? null : new Date(r.due_at),
});

// A complaint's answer is due its agency's response target after it starts waiting.

/**
 * The complaint desk's tables: routes, complaints and their threads. Writes take the caller's transaction; the
 * inbound stage handles a batch in one, with a statement per table.
 */
export class ComplaintRepository {
  constructor(private readonly em: EntityManager) {}

  async routes(em: EntityManager = this.em.fork()): Promise<InboundRouteRow[]> {
    const rows = await query<{ id: string; agency_id: string; code: string; channel: string; to: string; keyword: string; created_at: Date | string }>(
      em,
      `select r."id", r."agency_id", a."code", r."channel", r."to", r."keyword", r."created_at" from "inbound_route" r join "agency" a on a."id" = r."agency_id"
       order by r."channel", r."to", r."keyword"`,
    );
    return rows.map((r) => ({ id: r.id, agencyId: r.agency_id, agencyCode: r.code, channel: r.channel, to: r.to, keyword: r.keyword, createdAt: new Date(r.created_at) }));
  }

  /** Sets the agency for a channel, address and keyword: a new route, or the existing one handed to another agency. */
  async setRoute(route: { readonly agencyId: string; readonly channel: string; readonly to: string; readonly keyword: string }, audit: Audited<InboundRouteRow>): Promise<InboundRouteRow> {
    return audited(this.em, audit, async (tx) => {
      const [row] = await query<{ id: string }>(
        tx,
        `insert into "inbound_route" ("id", "agency_id", "channel", "to", "keyword", "created_at") values (?, ?, ?, ?, ?, now())
         on conflict ("channel", "to", "keyword") do update set "agency_id" = excluded."agency_id" returning "id"`,
        [randomUUID(), route.agencyId, route.channel, route.to, route.keyword],
      );
      const stored = (await this.routes(tx)).find((r) => r.id === row?.id);
      if (stored === undefined) throw new Error('inbound route not stored');
      return stored;
    });
  }

  /** Removes a route; what it removed, or null for none of that id. */
  async removeRoute(id: string, audit: Audited<InboundRouteRow | null>): Promise<boolean> {
    const removed = await audited(this.em, audit, async (tx) => {
      const route = (await this.routes(tx)).find((r) => r.id === id) ?? null;
      if (route !== null) await query(tx, 'delete from "inbound_route" where "id" = ?', [id]);
      return route;
    });
    return removed !== null;
  }

  /** Of these inbound record ids, those already in a thread: a redelivered batch adds nothing twice. */
  async recorded(tx: EntityManager, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await query<{ id: string }>(tx, 'select "id" from "complaint_message" where "id" = any(?::uuid[])', [arrayParam(ids)]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The latest complaint of each address on each channel. Not locked: one address's messages come on one partition
   * (the inbound topic is keyed by it), so one consumer places them, in order.
   */
  async threads(tx: EntityManager, keys: readonly { readonly fromHash: string; readonly channel: string }[]): Promise<ThreadRow[]> {
    if (keys.length === 0) return [];
    const rows = await query<{ id: string; from_hash: string; channel: string; agency_id: string; state: string; last_activity_at: Date | string }>(
      tx,
      `select distinct on ("from_hash", "channel") "id", "from_hash", "channel", "agency_id", "state", "last_activity_at" from "complaint"
       where "from_hash" = any(?::text[]) and "channel" = any(?::text[]) order by "from_hash", "channel", "last_activity_at" desc`,
      [arrayParam([...new Set(keys.map((k) => k.fromHash))]), arrayParam([...new Set(keys.map((k) => k.channel))])],
    );
    return rows.map((r) => ({ id: r.id, fromHash: r.from_hash, channel: r.channel, agencyId: r.agency_id, state: r.state, lastActivityAt: new Date(r.last_activity_at) }));
  }

  /** Registered citizens behind these addresses (verified contact points), by keyed hash. */
  async knownSenders(tx: EntityManager, hashes: readonly string[]): Promise<Map<string, KnownSender>> {
    if (hashes.length === 0) return new Map();
    const rows = await query<{ lookup_hash: string; citizen_id: string; locale: string }>(
      tx,
      `select distinct on (cp."lookup_hash") cp."lookup_hash", c."id" as "citizen_id", c."locale" from "contact_point" cp join "citizen" c on c."id" = cp."citizen_id"
       where cp."lookup_hash" = any(?::text[]) and cp."verified_at" is not null order by cp."lookup_hash", cp."verified_at" desc`,
      [arrayParam([...new Set(hashes)])],
    );
    return new Map(rows.map((r) => [r.lookup_hash, { citizenId: r.citizen_id, locale: r.locale }]));
  }

  async agencyIdOf(code: string): Promise<string | null> {
    const [row] = await query<{ id: string }>(this.em.fork(), 'select "id" from "agency" where "code" = ?', [code]);
    return row?.id ?? null;
  }

  async agencies(tx: EntityManager, ids: readonly string[]): Promise<Map<string, DeskAgency>> {
    if (ids.length === 0) return new Map();
    const rows = await query<{ id: string; code: string; name: string; default_locale: string }>(tx, 'select "id", "code", "name", "default_locale" from "agency" where "id" = any(?::uuid[])', [
      arrayParam([...new Set(ids)]),
    ]);
    return new Map(rows.map((r) => [r.id, { id: r.id, code: r.code, name: r.name, defaultLocale: r.default_locale }]));
  }

  /**
   * Opens complaints, each with the event its messages are sent as (Kabar's source, the complaint's id), and returns
   * their numbers by id.
   */
  async open(tx: EntityManager, complaints: readonly NewComplaint[], now: Date): Promise<Map<string, number>> {
    if (complaints.length === 0) return new Map();
    await insertRows(
      tx,
      'event',
      ['id', 'agency_id', 'source', 'ce_id', 'type', 'received_via', 'status', 'sandbox', 'created_at'],
      complaints.map((c) => [c.eventId, c.agencyId, COMPLAINT_SOURCE, c.id, COMPLAINT_EVENT_TYPE, 'inbound', 'accepted', false, now]),
    );
    const dueAt = await answerClocks(tx, complaints.map((c) => c.agencyId), now);
    const rows = await insertRows<{ id: string; number: string | number }>(
      tx,
      'complaint',
      ['id', 'agency_id', 'event_id', 'channel', 'plugin', 'from_hash', 'from_sealed', 'reply_from', 'citizen_id', 'locale', 'state', 'opened_at', 'last_activity_at', 'due_from', 'due_at'],
      complaints.map((c) => [c.id, c.agencyId, c.eventId, c.channel, c.plugin, c.fromHash, c.fromSealed, c.replyFrom, c.citizenId, c.locale, 'open', now, now, now, dueAt(c.agencyId, now)]),
      'returning "id", "number"',
    );
    return new Map(rows.map((r) => [r.id, Number(r.number)]));
  }

  async addMessages(tx: EntityManager, messages: readonly NewComplaintMessage[]): Promise<void> {
    await insertRows(
      tx,
      'complaint_message',
      ['id', 'complaint_id', 'direction', 'kind', 'text', 'media', 'notification_id', 'at'],
      messages.map((m) => [m.id, m.complaintId, m.direction, m.kind, m.text, m.media === null ? null : new Json(m.media), m.notificationId, m.at]),
    );
  }

  async numbers(tx: EntityManager, ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await query<{ id: string; number: string | number }>(tx, 'select "id", "number" from "complaint" where "id" = any(?::uuid[])', [arrayParam([...new Set(ids)])]);
    return new Map(rows.map((r) => [r.id, Number(r.number)]));
  }

  /** The desk's messages to citizens, as notifications dispatch sends like any other. */
  async addNotifications(tx: EntityManager, notifications: readonly NewNotification[], now: Date): Promise<void> {
    if (notifications.length === 0) return;
    await insertColumns(tx, 'notification', NOTIFICATION_COLUMNS, notifications.map((n) => notificationRow(n, now)));
  }

  /** The citizen wrote again: the complaints wait for their agencies once more. */
  async reopen(tx: EntityManager, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    const unique = [...new Set(ids)];
    const agencies = await query<{ id: string; agency_id: string }>(tx, 'select "id", "agency_id" from "complaint" where "id" = any(?::uuid[])', [arrayParam(unique)]);
    const dueAt = await answerClocks(tx, agencies.map((r) => r.agency_id), now);
    // A complaint already waiting keeps its due time: a citizen writing again does not give the agency longer.
    await query(
      tx,
      `update "complaint" c set "state" = 'open', "last_activity_at" = ?,
         "due_from" = case when c."state" = 'open' and c."due_at" is not null then c."due_from" else ?::timestamptz end,
         "due_at" = case when c."state" = 'open' and c."due_at" is not null then c."due_at" else v."due" end,
         "reminded_at" = case when c."state" = 'open' then c."reminded_at" end
       from unnest(?::uuid[], ?::timestamptz[]) as v("id", "due") where c."id" = v."id"`,
      [now, now, arrayParam(agencies.map((r) => r.id)), arrayParam(agencies.map((r) => dueAt(r.agency_id, now)))],
    );
  }

  /** The agency wrote back (`answered`) or closed it; `inWords` when it said something (its first answer is kept). */
  async setState(tx: EntityManager, id: string, state: 'answered' | 'closed', inWords: boolean, now: Date): Promise<void> {
    await query(
      tx,
      `update "complaint" set "state" = ?, "last_activity_at" = ?, "closed_at" = ?, "due_at" = null, "due_from" = null, "reminded_at" = null,
         "first_answered_at" = ${inWords ? 'coalesce("first_answered_at", ?::timestamptz)' : '"first_answered_at"'} where "id" = ?`,
      inWords ? [state, now, state === 'closed' ? now : null, now, id] : [state, now, state === 'closed' ? now : null, id],
    );
  }

  /**
   * How the agencies' complaints opened in [from, to) stand, per agency holding them (one agency's with `agencyId`):
   * one statement. `answeredInTime` had a first answer and never went past a due time.
   */
  async performance(agencyId: string | null, from: Date, to: Date): Promise<ComplaintPerformanceRow[]> {
    const rows = await query<{
      agency_id: string;
      code: string;
      opened: number;
      waiting: number;
      answered: number;
      closed: number;
      went_overdue: number;
      answered_in_time: number;
      median_first_answer_s: number | string | null;
    }>(
      this.em.fork(),
      `select c."agency_id", a."code", count(*)::int as "opened",
         count(*) filter (where c."state" = 'open')::int as "waiting",
         count(*) filter (where c."first_answered_at" is not null)::int as "answered",
         count(*) filter (where c."state" = 'closed')::int as "closed",
         count(*) filter (where c."overdue_count" > 0)::int as "went_overdue",
         count(*) filter (where c."first_answered_at" is not null and c."overdue_count" = 0)::int as "answered_in_time",
         percentile_cont(0.5) within group (order by extract(epoch from c."first_answered_at" - c."opened_at")) filter (where c."first_answered_at" is not null) as "median_first_answer_s"
       from "complaint" c join "agency" a on a."id" = c."agency_id"
       where c."opened_at" >= ? and c."opened_at" < ? ${agencyId === null ? '' : 'and c."agency_id" = ?'}
       group by c."agency_id", a."code" order by a."code"`,
      agencyId === null ? [from, to] : [from, to, agencyId],
    );
    return rows.map((r) => ({
      agencyId: r.agency_id,
      agencyCode: r.code,
      opened: r.opened,
      waiting: r.waiting,
      answered: r.answered,
      closed: r.closed,
      wentOverdue: r.went_overdue,
      answeredInTime: r.answered_in_time,
      medianFirstAnswerSeconds: r.median_first_answer_s === null ? null : Math.round(Number(r.median_first_answer_s)),
    }));
  }

  /** Hands the complaint, and the event its messages go out as, to another agency; it waits for that one's answer. */
  async transfer(tx: EntityManager, id: string, eventId: string, agencyId: string, now: Date): Promise<void> {
    // The new agency's own answer time starts now.
    const dueAt = await answerClocks(tx, [agencyId], now);
    await query(tx, `update "complaint" set "agency_id" = ?, "state" = 'open', "last_activity_at" = ?, "due_from" = ?, "due_at" = ?, "reminded_at" = null where "id" = ?`, [
      agencyId,
      now,
      now,
      dueAt(agencyId, now),
      id,
    ]);
    await query(tx, 'update "event" set "agency_id" = ? where "id" = ?', [agencyId, eventId]);
  }

  /** One of the agency's complaints (or, by `citizenId`, the citizen's own), locked when `tx` is a writer's; null when it is another's or none. */
  async one(em: EntityManager, owner: { readonly agencyId: string } | { readonly citizenId: string }, id: string, lock = false): Promise<ComplaintRow | null> {
    const [column, ownerId] = 'agencyId' in owner ? ['agency_id', owner.agencyId] : ['citizen_id', owner.citizenId];
    const [row] = await query<ComplaintDbRow>(
      em,
      `select ${COMPLAINT_COLUMNS} from "complaint" c join "agency" a on a."id" = c."agency_id" where c."id" = ? and c."${column}" = ?${lock ? ' for update of c' : ''}`,
      [id, ownerId],
    );
    return row === undefined ? null : toComplaint(row);
  }

  /** The agency's complaints, newest first, optionally in one state, after the one numbered `before`. */
  /** The agency's complaints, newest first; with `overdueAt`, only those still unanswered past their due time then. */
  async page(agencyId: string, state: string | null, before: number | null, limit: number, overdueAt: Date | null = null): Promise<ComplaintRow[]> {
    const rows = await query<ComplaintDbRow>(
      this.em.fork(),
      `select ${COMPLAINT_COLUMNS} from "complaint" c join "agency" a on a."id" = c."agency_id"
       where c."agency_id" = ? ${state === null ? '' : 'and c."state" = ?'} ${before === null ? '' : 'and c."number" < ?'} ${overdueAt === null ? '' : 'and c."due_at" <= ?'}
       order by c."number" desc limit ?`,
      [agencyId, ...(state === null ? [] : [state]), ...(before === null ? [] : [before]), ...(overdueAt === null ? [] : [overdueAt]), limit],
    );
    return rows.map(toComplaint);
  }

  /**
   * Complaints past their due time whose agency has not been told yet, oldest due first, locked so that one hub
   * instance reminds each once (`markReminded` in the same transaction).
   */
  async overdue(tx: EntityManager, now: Date, limit: number): Promise<OverdueComplaint[]> {
    const rows = await query<{
      id: string;
      number: string | number;
      agency_id: string;
      code: string;
      channel: string;
      opened_at: Date | string;
      due_at: Date | string;
      escalation_id: string | null;
      escalation_code: string | null;
    }>(
      tx,
      `select c."id", c."number", c."agency_id", a."code", c."channel", c."opened_at", c."due_at", e."id" as "escalation_id", e."code" as "escalation_code"
       from "complaint" c join "agency" a on a."id" = c."agency_id" left join "agency" e on e."id" = a."escalation_agency_id"
       where c."due_at" <= ? and c."reminded_at" is null order by c."due_at" limit ? for update of c skip locked`,
      [now, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      number: Number(r.number),
      agencyId: r.agency_id,
      agencyCode: r.code,
      channel: r.channel,
      openedAt: new Date(r.opened_at),
      dueAt: new Date(r.due_at),
      escalation: r.escalation_id === null || r.escalation_code === null ? null : { agencyId: r.escalation_id, agencyCode: r.escalation_code },
    }));
  }

  async markReminded(tx: EntityManager, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await query(tx, 'update "complaint" set "reminded_at" = ?, "overdue_count" = "overdue_count" + 1 where "id" = any(?::uuid[])', [now, arrayParam(ids)]);
  }

  /** A registered citizen's complaints (those sent from their verified contact points), newest first. */
  async ofCitizen(citizenId: string, limit: number): Promise<ComplaintRow[]> {
    const rows = await query<ComplaintDbRow>(
      this.em.fork(),
      `select ${COMPLAINT_COLUMNS} from "complaint" c join "agency" a on a."id" = c."agency_id" where c."citizen_id" = ? order by c."opened_at" desc, c."number" desc limit ?`,
      [citizenId, limit],
    );
    return rows.map(toComplaint);
  }

  /** The threads of these complaints, oldest message first. */
  async messages(complaintIds: readonly string[]): Promise<Map<string, ComplaintMessageRow[]>> {
    const byComplaint = new Map<string, ComplaintMessageRow[]>(complaintIds.map((id) => [id, []]));
    if (complaintIds.length === 0) return byComplaint;
    const rows = await query<{ id: string; complaint_id: string; direction: string; kind: string; text: string | null; media: unknown; notification_id: string | null; at: Date | string }>(
      this.em.fork(),
      'select "id", "complaint_id", "direction", "kind", "text", "media", "notification_id", "at" from "complaint_message" where "complaint_id" = any(?::uuid[]) order by "at", "id"',
      [arrayParam(complaintIds)],
    );
    for (const r of rows) {
      byComplaint.get(r.complaint_id)?.push({ id: r.id, direction: r.direction, kind: r.kind, text: r.text, media: r.media, notificationId: r.notification_id, at: new Date(r.at) });
    }
    return byComplaint;
  }

  /**
   * Retention: complaints quiet since `before` lose what citizens wrote (text, media) and the address they wrote from;
   * their numbers, states and dates stay. Returns how many were purged.
   */
  async purge(tx: EntityManager, before: Date, now: Date): Promise<number> {
    const rows = await query<{ id: string }>(
      tx,
      `update "complaint" set "from_sealed" = null, "purged_at" = ? where "purged_at" is null and "last_activity_at" < ? returning "id"`,
      [now, before],
    );
    if (rows.length === 0) return 0;
    await query(tx, 'update "complaint_message" set "text" = null, "media" = null where "complaint_id" = any(?::uuid[])', [arrayParam(rows.map((r) => r.id))]);
    return rows.length;
  }
}
