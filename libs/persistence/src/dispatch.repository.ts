import type { BusRecord, OutboxRow } from '@kabar/messaging';
import type { EntityManager } from '@mikro-orm/core';

import { arrayParam, insertColumns } from './bulk.js';
import { OutboxRepository } from './outbox.repository.js';
import { query } from './query.js';
import { type NewJob, ScheduleRepository } from './schedule.repository.js';

/** A provider's delivery receipt, as `applyReceipts` takes it. */
export interface ReceiptToApply {
  readonly plugin: string;
  readonly providerMessageId: string;
  readonly state: 'delivered' | 'failed';
  readonly reason: string | null;
}

/** A notification a receipt changed, with what its status message needs. */
export interface ReceiptedNotification {
  readonly id: string;
  readonly eventId: string;
  readonly source: string;
  readonly ceId: string;
  readonly agencyCode: string;
  readonly channel: string | null;
}

/** Everything a plugin call needs for one notification. */
export interface DispatchRow {
  readonly notificationId: string;
  readonly eventId: string;
  readonly ceId: string;
  readonly source: string;
  readonly eventType: string;
  /** The event type's message class (critical, transactional, reminder, informational); plugins may act on it. */
  readonly messageClass: string;
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly senderIds: Record<string, string>;
  readonly citizenId: string | null;
  readonly channel: string;
  readonly locale: string;
  readonly subject: string | null;
  readonly body: string;
  readonly html: string | null;
  readonly contactSealed: string | null;
  /** This hand-over's number: 1 normally, more after retries or a crash between claim and outcome. */
  readonly attemptNo: number;
  readonly contactPointId: string | null;
  /** Test mode: the magic address; the hub's sandbox decides the outcome and no provider is called. */
  readonly sandboxTo: string | null;
  /** Overrides the agency's sender id for this message. */
  readonly sender: string | null;
  /** Answers offered as buttons, where the channel shows them. */
  readonly replyOptions: readonly { readonly id: string; readonly title: string }[] | null;
}

/** States dispatch takes a notification from: waiting to go, or claimed by a dispatch that did not finish. */
const CLAIMABLE = "'accepted', 'dispatching'";

/**
 * How long a claim keeps other workers from sending a notification again. A Kafka rebalance can hand a dispatch batch
 * to a new owner while the old one is still calling the provider; without it, the new owner re-sent what was in
 * flight. Longer than any one dispatch of a chunk; a claim older than this is a crashed worker's.
 */
export const DISPATCH_CLAIM_LEASE_MS = 5 * 60_000;

const ATTEMPT_COLUMNS = [
  ['notification_id', 'uuid'],
  ['plugin', 'text'],
  ['attempt_no', 'integer'],
  ['status', 'text'],
  ['provider_message_id', 'text'],
  ['error_code', 'text'],
  ['latency_ms', 'integer'],
  ['created_at', 'timestamptz'],
  ['finished_at', 'timestamptz'],
] as const;

export interface AttemptOutcome {
  readonly notificationId: string;
  readonly plugin: string;
  readonly attemptNo: number;
  readonly status: 'sent' | 'failed';
  readonly providerMessageId: string | null;
  readonly errorCode: string | null;
  readonly latencyMs: number;
  /** The notification's new state and reason. */
  readonly state: string;
  readonly reason: string | null;
  /**
   * Held back by the route's rate limit: no provider was called, so no attempt is recorded and its attempt number
   * is not spent (a throttled message must not run out of retries).
   */
  readonly held?: boolean;
}

export interface InboxRow {
  readonly notificationId: string;
  readonly citizenId: string;
  readonly agencyCode: string;
  readonly eventType: string;
  readonly subject: string | null;
  readonly body: string;
  readonly locale: string;
  readonly createdAt: Date;
}

/** A notification a provider message id was sent for, as a reply to it is routed. */
export interface SentNotification {
  readonly notificationId: string;
  readonly eventId: string;
  readonly agencyCode: string;
  readonly source: string;
  readonly ceId: string;
}

/** The dispatch stage's reads and writes, each one statement per batch. */
export class DispatchRepository {
  private readonly outbox: OutboxRepository;
  private readonly schedule: ScheduleRepository;

  constructor(private readonly em: EntityManager) {
    this.outbox = new OutboxRepository(em);
    this.schedule = new ScheduleRepository(em);
  }

  /**
   * What the plugins need for these notifications, in one read. Sent, delivered or failed ones are not loaded again;
   * `attemptNo` is the next attempt. Nothing is written: `claim` does that for peers that need it.
   */
  async load(ids: readonly string[]): Promise<DispatchRow[]> {
    if (ids.length === 0) return [];
    const rows = await query<{
      id: string;
      event_id: string;
      ce_id: string;
      source: string;
      type: string;
      message_class: string;
      agency_id: string;
      code: string;
      sender_ids: Record<string, string> | string;
      citizen_id: string | null;
      channel: string;
      locale: string;
      rendered_subject: string | null;
      rendered_body: string;
      rendered_html: string | null;
      value_sealed: string | null;
      attempts: string | number;
      contact_point_id: string | null;
      sandbox_to: string | null;
      sender: string | null;
      reply_options: { id: string; title: string }[] | string | null;
    }>(
      this.em.fork(),
      // A left join: a complaint's messages are of Kabar's own event type, which no agency registers.
      `select n."id", n."event_id", e."ce_id", e."source", e."type", coalesce(et."message_class", 'transactional') as "message_class", n."agency_id", a."code", a."sender_ids", n."citizen_id", n."channel",
              n."locale", n."rendered_subject", n."rendered_body", n."rendered_html", n."attempts", n."contact_point_id", n."sandbox_to", n."sender", n."reply_options",
              coalesce((select cp."value_sealed" from "contact_point" cp where cp."id" = n."contact_point_id"), n."address_sealed") as "value_sealed"
       from "notification" n join "event" e on e."id" = n."event_id" join "agency" a on a."id" = n."agency_id"
       left join "event_type" et on et."type" = e."type"
       where n."id" = any(?::uuid[]) and n."state" in (${CLAIMABLE})`,
      [arrayParam([...new Set(ids)])],
    );
    return rows.map((r) => ({
      notificationId: r.id,
      eventId: r.event_id,
      ceId: r.ce_id,
      source: r.source,
      eventType: r.type,
      messageClass: r.message_class,
      agencyId: r.agency_id,
      agencyCode: r.code,
      senderIds: typeof r.sender_ids === 'string' ? (JSON.parse(r.sender_ids) as Record<string, string>) : r.sender_ids,
      citizenId: r.citizen_id,
      channel: r.channel,
      locale: r.locale,
      subject: r.rendered_subject,
      body: r.rendered_body,
      html: r.rendered_html,
      contactSealed: r.value_sealed,
      attemptNo: Number(r.attempts) + 1,
      contactPointId: r.contact_point_id,
      sandboxTo: r.sandbox_to,
      sender: r.sender,
      replyOptions: typeof r.reply_options === 'string' ? (JSON.parse(r.reply_options) as { id: string; title: string }[]) : r.reply_options,
    }));
  }

  /**
   * Claims loaded notifications before their peer is called (state `dispatching`, attempts + 1), committed, so a
   * crash between the call and its outcome leaves a visible trace and a redelivery re-sends under the next attempt
   * number with the same idempotency key. Returns the attempt number per id claimed; one finished meanwhile (by
   * another worker) is not claimed and must not be sent. One claimed by another worker less than
   * DISPATCH_CLAIM_LEASE_MS ago is not claimed either: it gets a `retry` job for when that claim runs out, which sends
   * it again only if it is still `dispatching` then (its worker died).
   */
  async claim(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const unique = arrayParam([...new Set(ids)]);
    // Both parts read the same snapshot: a row claimed here was `accepted` (or stale) in it, so it is not in the second.
    // The retry comes due a second after the other claim runs out, so that claim has certainly run out by then.
    const rows = await query<{ id: string; attempts: string | number | null; lease_ends: Date | string | null }>(
      this.em.fork(),
      `with claimed as (
         update "notification" set "state" = 'dispatching', "attempts" = "attempts" + 1, "updated_at" = now()
         where "id" = any(?::uuid[]) and ("state" = 'accepted' or ("state" = 'dispatching' and "updated_at" < now() - ? * interval '1 millisecond'))
         returning "id", "attempts")
       select "id", "attempts", null::timestamptz as "lease_ends" from claimed
       union all
       select "id", null, "updated_at" + (? + 1000) * interval '1 millisecond' from "notification"
       where "id" = any(?::uuid[]) and "state" = 'dispatching' and "updated_at" >= now() - ? * interval '1 millisecond'`,
      [unique, DISPATCH_CLAIM_LEASE_MS, DISPATCH_CLAIM_LEASE_MS, unique, DISPATCH_CLAIM_LEASE_MS],
    );
    const inFlight = rows.flatMap((r) => (r.lease_ends === null ? [] : [{ kind: 'retry' as const, ref: r.id, dueAt: new Date(r.lease_ends) }]));
    await this.schedule.schedule(null, inFlight);
    return new Map(rows.flatMap((r) => (r.attempts === null ? [] : [[r.id, Number(r.attempts)]])));
  }

  /**
   * Records the attempts with their outcomes, the notifications' new states and the bus messages that announce them (statuses, dead letters), in one
   * transaction; contact points a provider called dead (e.g. an unregistered device token) are marked invalid with it.
   * Returns the outbox rows written, for the relay's hand-off.
   */
  async finish(outcomes: readonly AttemptOutcome[], messages: readonly BusRecord[], deadContactPoints: readonly string[] = [], jobs: readonly NewJob[] = []): Promise<OutboxRow[]> {
    if (outcomes.length === 0) return [];
    return this.em.fork().transactional(async (tx) => {
      await this.schedule.schedule(tx, jobs);
      if (deadContactPoints.length > 0) {
        await query(tx, 'update "contact_point" set "invalid_at" = now() where "id" = any(?::uuid[]) and "invalid_at" is null', [[...new Set(deadContactPoints)]]);
      }
      const now = new Date();
      await insertColumns(
        tx,
        'delivery_attempt',
        ATTEMPT_COLUMNS,
        outcomes.filter((o) => o.held !== true).map((o) => [o.notificationId, o.plugin, o.attemptNo, o.status, o.providerMessageId, o.errorCode, o.latencyMs, now, now]),
      );
      // One array per column: a few parameters for the whole batch.
      await query(
        tx,
        `update "notification" n set "state" = v.state, "reason" = v.reason, "attempts" = v.attempts, "updated_at" = now()
         from unnest(?::uuid[], ?::text[], ?::text[], ?::int[]) as v(id, state, reason, attempts) where n."id" = v.id`,
        [
          arrayParam(outcomes.map((o) => o.notificationId)),
          arrayParam(outcomes.map((o) => o.state)),
          arrayParam(outcomes.map((o) => o.reason)),
          arrayParam(outcomes.map((o) => (o.held === true ? o.attemptNo - 1 : o.attemptNo))),
        ],
      );
      return this.outbox.enqueue(tx, messages);
    });
  }

  /**
   * Applies providers' delivery receipts, in the caller's transaction, in one statement: each to the notification whose
   * last attempt got that provider message id. Only a notification still `sent` changes (a late receipt after a
   * fallback moved it on changes nothing). Answers, by the receipt's index, the notifications that changed (with what
   * their status messages need) and the receipts whose message id no attempt has yet: a receipt can overtake the
   * attempt it answers, whose row is written once the plugin call returns.
   */
  async applyReceipts(tx: EntityManager, receipts: readonly ReceiptToApply[]): Promise<{ applied: Map<number, ReceiptedNotification>; unknown: number[] }> {
    if (receipts.length === 0) return { applied: new Map(), unknown: [] };
    // One index probe per receipt (LATERAL … LIMIT 1 on the partial index): as a join, the planner hashed the whole
    // delivery_attempt table for a batch of 80 receipts, 13 ms a batch at 100,000 attempts and growing with the table.
    const rows = await query<{ i: string; id: string | null; event_id: string | null; source: string | null; ce_id: string | null; code: string | null; channel: string | null }>(
      tx,
      `with r as (select * from unnest(?::text[], ?::text[], ?::text[], ?::text[]) with ordinality as r(plugin, message_id, state, reason, i)),
       found as (
         select r.i, r.state, r.reason, d."notification_id" from r
         cross join lateral (
           select d."notification_id" from "delivery_attempt" d
           where d."plugin" = r.plugin and d."provider_message_id" = r.message_id and d."provider_message_id" is not null
           order by d."id" desc limit 1) d),
       changed as (
         update "notification" n set "state" = f.state, "reason" = f.reason, "updated_at" = now()
         from found f
         where n."id" = f."notification_id" and n."state" = 'sent'
         returning f.i, n."id", n."event_id", n."agency_id", n."channel")
       select c.i, c."id", c."event_id", e."source", e."ce_id", a."code", c."channel"
         from changed c join "event" e on e."id" = c."event_id" join "agency" a on a."id" = c."agency_id"
       union all
       select r.i, null, null, null, null, null, null from r where not exists (select 1 from found f where f.i = r.i)`,
      [
        arrayParam(receipts.map((r) => r.plugin)),
        arrayParam(receipts.map((r) => r.providerMessageId)),
        arrayParam(receipts.map((r) => r.state)),
        arrayParam(receipts.map((r) => r.reason)),
      ],
    );
    const applied = new Map<number, ReceiptedNotification>();
    const unknown: number[] = [];
    for (const row of rows) {
      // Ordinality counts from 1.
      const index = Number(row.i) - 1;
      if (row.id === null || row.event_id === null || row.source === null || row.ce_id === null || row.code === null) unknown.push(index);
      else applied.set(index, { id: row.id, eventId: row.event_id, source: row.source, ceId: row.ce_id, agencyCode: row.code, channel: row.channel });
    }
    return { applied, unknown: unknown.sort((a, b) => a - b) };
  }

  /**
   * The notification a provider's message id was sent for (the last attempt that got it), with what tells the agency
   * which of its events it was: how a citizen's reply finds the notification it answers. Null when none was.
   */
  async sentAs(plugin: string, providerMessageId: string): Promise<SentNotification | null> {
    const [row] = await query<{ id: string; event_id: string; code: string; source: string; ce_id: string }>(
      this.em.fork(),
      `select n."id", n."event_id", a."code", e."source", e."ce_id"
       from "delivery_attempt" d join "notification" n on n."id" = d."notification_id" join "event" e on e."id" = n."event_id" join "agency" a on a."id" = n."agency_id"
       where d."plugin" = ? and d."provider_message_id" = ? order by d."id" desc limit 1`,
      [plugin, providerMessageId],
    );
    return row === undefined ? null : { notificationId: row.id, eventId: row.event_id, agencyCode: row.code, source: row.source, ceId: row.ce_id };
  }

  /** The in-app inbox; idempotent on notification id, so a redelivered batch adds nothing. */
  async putInbox(items: readonly InboxRow[]): Promise<void> {
    await insertColumns(
      this.em.fork(),
      'inbox_item',
      [
        ['notification_id', 'uuid'],
        ['citizen_id', 'uuid'],
        ['agency_code', 'text'],
        ['event_type', 'text'],
        ['subject', 'text'],
        ['body', 'text'],
        ['locale', 'text'],
        ['created_at', 'timestamptz'],
      ],
      items.map((i) => [i.notificationId, i.citizenId, i.agencyCode, i.eventType, i.subject, i.body, i.locale, i.createdAt]),
      'on conflict ("notification_id") do nothing',
    );
  }
}
