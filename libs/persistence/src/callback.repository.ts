import type { EntityManager } from '@mikro-orm/core';

import { arrayParam, insertRows } from './bulk.js';
import { query } from './query.js';

/** A status CloudEvent to deliver to an agency's callback URL. */
export interface NewCallbackDelivery {
  readonly agencyId: string;
  /** The CloudEvent id: stable across retries and replays, so receivers (and this table) de-duplicate on it. */
  readonly webhookId: string;
  /** The structured CloudEvent JSON, exactly the bytes that will be signed and sent. */
  readonly payload: string;
}

/** A due delivery, leased to one worker, with where and how to send it. */
export interface ClaimedCallback {
  readonly id: string;
  readonly agencyId: string;
  readonly webhookId: string;
  readonly payload: string;
  /** Attempts recorded before this one. */
  readonly attempts: number;
  /** Null when the agency removed its callback since the row was written. */
  readonly url: string | null;
  readonly secretSealed: string | null;
  /** When the first attempt was made; null before any attempt. */
  readonly firstAttemptAt: Date | null;
}

/** What one attempt did and what the delivery becomes. */
export interface CallbackOutcome {
  readonly deliveryId: string;
  /** `attempts` as claimed: the update applies only if no other worker recorded an attempt meanwhile. */
  readonly previousAttempts: number;
  readonly attemptedAt: Date;
  /** The receiver's HTTP status; null when no answer came. */
  readonly status: number | null;
  /** Why no (acceptable) answer came, for the attempt row. */
  readonly error: string | null;
  readonly latencyMs: number;
  readonly deliveredAt: Date | null;
  /** Null once delivered or given up. */
  readonly nextAttemptAt: Date | null;
  readonly lastError: string | null;
}

/** The callback outbox: status events owed to agencies' callback URLs, and every attempt to deliver them. */
export class CallbackRepository {
  constructor(private readonly em: EntityManager) {}

  /** Agency code -> agency id, for those of `codes` that have a callback URL (one query for a whole batch). */
  async agenciesWithCallback(codes: readonly string[]): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows = await query<{ id: string; code: string }>(this.em.fork(), 
      'select "id", "code" from "agency" where "code" = any(?::text[]) and "callback_url" is not null',
      [[...new Set(codes)]],
    );
    return new Map(rows.map((r) => [r.code, r.id]));
  }

  /** Writes new deliveries, due at `at`, in one statement; a replayed webhook id adds nothing. Returns how many are new. */
  async enqueue(deliveries: readonly NewCallbackDelivery[], at: Date): Promise<number> {
    const rows = await insertRows<{ id: string | number }>(
      this.em.fork(),
      'callback_delivery',
      ['agency_id', 'webhook_id', 'payload', 'attempts', 'next_attempt_at', 'created_at'],
      deliveries.map((d) => [d.agencyId, d.webhookId, d.payload, 0, at, at]),
      'on conflict ("webhook_id") do nothing returning "id"',
    );
    return rows.length;
  }

  /**
   * Writes new deliveries leased at once to the writer until `leaseUntil` (so no round claims them meanwhile), in one
   * statement, and returns the new ones ready to send: the writer's own scheduler sends them without a claim, which
   * would scan the table and write each row once more. If it cannot (it stopped, or its lease ran out), the rows come
   * due when the lease ends and any worker's round claims them, as it would a crashed worker's.
   */
  async enqueueLeased(deliveries: readonly NewCallbackDelivery[], at: Date, leaseUntil: Date): Promise<ClaimedCallback[]> {
    const rows = await insertRows<{ id: string | number; webhook_id: string }>(
      this.em.fork(),
      'callback_delivery',
      ['agency_id', 'webhook_id', 'payload', 'attempts', 'next_attempt_at', 'created_at'],
      deliveries.map((d) => [d.agencyId, d.webhookId, d.payload, 0, leaseUntil, at]),
      'on conflict ("webhook_id") do nothing returning "id", "webhook_id"',
    );
    if (rows.length === 0) return [];
    const byWebhookId = new Map(deliveries.map((d) => [d.webhookId, d]));
    const agencies = await query<{ id: string; callback_url: string | null; callback_secret_sealed: string | null }>(
      this.em.fork(),
      'select "id", "callback_url", "callback_secret_sealed" from "agency" where "id" = any(?::uuid[])',
      [arrayParam([...new Set(deliveries.map((d) => d.agencyId))])],
    );
    const agencyById = new Map(agencies.map((a) => [a.id, a]));
    return rows.flatMap((row) => {
      const d = byWebhookId.get(row.webhook_id);
      if (d === undefined) return [];
      const agency = agencyById.get(d.agencyId);
      return [{ id: String(row.id), agencyId: d.agencyId, webhookId: d.webhookId, payload: d.payload, attempts: 0, url: agency?.callback_url ?? null, secretSealed: agency?.callback_secret_sealed ?? null, firstAttemptAt: null }];
    });
  }

  /**
   * In the writer's transaction `em`: deliveries for those of the agencies that registered a callback URL (the rest
   * are dropped), due at `at`, in one statement; a replayed webhook id adds nothing.
   */
  async enqueueIn(em: EntityManager, deliveries: readonly NewCallbackDelivery[], at: Date): Promise<void> {
    if (deliveries.length === 0) return;
    await query(
      em,
      `insert into "callback_delivery" ("agency_id", "webhook_id", "payload", "attempts", "next_attempt_at", "created_at")
       select d."agency_id", d."webhook_id", d."payload", 0, ?, ? from unnest(?::uuid[], ?::text[], ?::text[]) as d("agency_id", "webhook_id", "payload")
       join "agency" a on a."id" = d."agency_id" and a."callback_url" is not null
       on conflict ("webhook_id") do nothing`,
      [at, at, arrayParam(deliveries.map((d) => d.agencyId)), arrayParam(deliveries.map((d) => d.webhookId)), arrayParam(deliveries.map((d) => d.payload))],
    );
  }

  /**
   * Leases up to `limit` deliveries due at `now` until `leaseUntil`, in one statement that commits at once: the row
   * locks last only for the claim, not for the HTTP calls, and a crashed worker's rows become due again when the
   * lease ends. SKIP LOCKED lets workers claim side by side without waiting on each other.
   */
  async claimDue(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedCallback[]> {
    // MATERIALIZED: the locking sub-select must run exactly once, whatever the planner would prefer.
    const rows = await query<
      {
        id: string | number;
        agency_id: string;
        webhook_id: string;
        payload: string;
        attempts: number | string;
        callback_url: string | null;
        callback_secret_sealed: string | null;
        first_attempt_at: Date | string | null;
      }>(this.em.fork(), 
      `with "due" as materialized (
         select "id" from "callback_delivery" where "delivered_at" is null and "next_attempt_at" <= ?
         order by "next_attempt_at" limit ? for update skip locked
       )
       update "callback_delivery" d set "next_attempt_at" = ?
       from "due", "agency" a
       where d."id" = "due"."id" and a."id" = d."agency_id"
       returning d."id", d."agency_id", d."webhook_id", d."payload", d."attempts", a."callback_url", a."callback_secret_sealed",
                 (select min(ca."created_at") from "callback_attempt" ca where ca."delivery_id" = d."id") as "first_attempt_at"`,
      [now, limit, leaseUntil],
    );
    return rows.map((r) => ({
      id: String(r.id),
      agencyId: r.agency_id,
      webhookId: r.webhook_id,
      payload: r.payload,
      attempts: Number(r.attempts),
      url: r.callback_url,
      secretSealed: r.callback_secret_sealed,
      firstAttemptAt: r.first_attempt_at === null ? null : new Date(r.first_attempt_at),
    }));
  }

  /**
   * Callbacks not yet delivered nor given up, per agency code, with the age of each agency's oldest, for monitoring:
   * an agency whose endpoint is down shows here for the 25 hours its callbacks are retried.
   */
  async backlog(): Promise<{ agencyCode: string; pending: number; oldestSeconds: number }[]> {
    const rows = await query<{ code: string; pending: string | number; oldest: string | number }>(
      this.em.fork(),
      `select a."code", count(*) as "pending", extract(epoch from now() - min(d."created_at")) as "oldest"
       from "callback_delivery" d join "agency" a on a."id" = d."agency_id"
       where d."next_attempt_at" is not null group by a."code" order by a."code"`,
    );
    return rows.map((r) => ({ agencyCode: r.code, pending: Number(r.pending), oldestSeconds: Math.max(0, Number(r.oldest)) }));
  }

  /**
   * Records a batch of attempts and the deliveries' new state in one transaction, one statement per table.
   * Attempts are written after the calls, not before: receivers de-duplicate on `webhook-id`, so a crash between a call
   * and this write costs at most a repeated, harmless request. Returns how many deliveries were updated.
   */
  async record(outcomes: readonly CallbackOutcome[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    return this.em.fork().transactional(async (tx) => {
      await insertRows(
        tx,
        'callback_attempt',
        ['delivery_id', 'attempt_no', 'status', 'error', 'latency_ms', 'created_at'],
        outcomes.map((o) => [o.deliveryId, o.previousAttempts + 1, o.status, clip(o.error), Math.round(o.latencyMs), o.attemptedAt]),
      );
      // The guard on "attempts" drops an outcome whose lease ran out and whose row another worker has since recorded.
      const params = outcomes.flatMap((o) => [o.deliveryId, o.previousAttempts, o.deliveredAt, o.nextAttemptAt, o.status, clip(o.lastError)]);
      const updated = await query<{ id: string | number }>(tx, 
        `update "callback_delivery" d set "attempts" = d."attempts" + 1, "delivered_at" = v.delivered_at, "next_attempt_at" = v.next_attempt_at,
                "last_status" = v.status, "last_error" = v.error
         from (values ${outcomes.map(() => '(?::bigint, ?::int, ?::timestamptz, ?::timestamptz, ?::int, ?::varchar)').join(', ')})
           as v(id, previous, delivered_at, next_attempt_at, status, error)
         where d."id" = v.id and d."attempts" = v.previous and d."delivered_at" is null
         returning d."id"`,
        params,
      );
      return updated.length;
    });
  }
}

/** Error texts come from sockets and peers; the columns hold 255 characters. */
function clip(text: string | null): string | null {
  return text === null ? null : text.slice(0, 255);
}
