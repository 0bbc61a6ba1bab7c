import { storableJson } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { type Audited,audited } from './audit.repository.js';
import { arrayParam } from './bulk.js';
import { ComplaintRepository } from './complaint.repository.js';
import { DISPATCH_CLAIM_LEASE_MS } from './dispatch.repository.js';
import { INBOUND_DEDUP_DAYS } from './inbound.repository.js';
import { query } from './query.js';
import { RateCounterRepository } from './rate-counter.repository.js';

/** A notification coming out of waiting, with what its status message and dispatch need. */
export interface ReleasedNotification {
  readonly id: string;
  readonly eventId: string;
  readonly source: string;
  readonly ceId: string;
  readonly agencyCode: string;
  readonly citizenId: string | null;
  readonly channel: string | null;
  readonly fallback: { channel: string; contactPointId: string | null }[];
  readonly fallbackAfterSeconds: number | null;
}

/** A deferred notification waiting for its citizen's digest. */
export interface DeferredNotification {
  readonly id: string;
  readonly agencyName: string;
  readonly channel: string | null;
  readonly contactPointId: string | null;
  readonly locale: string | null;
  readonly subject: string | null;
  readonly body: string | null;
  readonly createdAt: Date;
}

/** What the fallback step needs to move a notification to its next channel. */
export interface FallbackCandidate {
  readonly id: string;
  readonly state: string;
  readonly channel: string | null;
  readonly fallback: { channel: string; contactPointId: string | null }[];
  readonly fallbackAfterSeconds: number | null;
  readonly decisions: unknown[];
  readonly eventTypeId: string;
  readonly data: unknown;
  readonly citizenLocale: string;
  readonly agencyLocale: string;
}

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

const RELEASED_COLUMNS = `n."id", n."event_id", e."source", e."ce_id", a."code", n."citizen_id", n."channel", n."fallback", n."fallback_after_seconds"`;
interface ReleasedRow {
  id: string;
  event_id: string;
  source: string;
  ce_id: string;
  code: string;
  citizen_id: string | null;
  channel: string | null;
  fallback: ReleasedNotification['fallback'] | string;
  fallback_after_seconds: number | null;
}
const toReleased = (r: ReleasedRow): ReleasedNotification => ({
  id: r.id,
  eventId: r.event_id,
  source: r.source,
  ceId: r.ce_id,
  agencyCode: r.code,
  citizenId: r.citizen_id,
  channel: r.channel,
  fallback: json(r.fallback),
  fallbackAfterSeconds: r.fallback_after_seconds,
});

/** Notifications purged per transaction: bounded work and locks however much falls due at once. */
const PURGE_BATCH = 5_000;

/** The SQL of waiting: held notifications released, digests gathered, fallbacks taken, content purged. */
export class WaitingRepository {
  private readonly complaints: ComplaintRepository;

  constructor(private readonly em: EntityManager) {
    this.complaints = new ComplaintRepository(em);
  }

  /**
   * Moves held notifications to `accepted` (only those still held: a cancelled one stays cancelled). One whose event
   * expired while it waited is suppressed as `EXPIRED` instead, and not returned.
   */
  async release(tx: EntityManager, ids: readonly string[], now: Date): Promise<ReleasedNotification[]> {
    if (ids.length === 0) return [];
    await this.expireWaiting(tx, ids, now);
    const rows = await query<ReleasedRow>(
      tx,
      `update "notification" n set "state" = 'accepted', "reason" = null, "due_at" = null, "updated_at" = now()
       from "event" e, "agency" a
       where n."id" = any(?::uuid[]) and n."state" = 'held' and e."id" = n."event_id" and a."id" = n."agency_id"
       returning ${RELEASED_COLUMNS}`,
      [[...ids]],
    );
    return rows.map(toReleased);
  }

  /**
   * Notifications waiting to retry go back to dispatch (unless something else, e.g. a fallback, moved them on), and so
   * do those still `dispatching` under a claim older than DISPATCH_CLAIM_LEASE_MS (the worker that claimed them died).
   */
  async resume(tx: EntityManager, ids: readonly string[]): Promise<ReleasedNotification[]> {
    if (ids.length === 0) return [];
    const rows = await query<ReleasedRow>(
      tx,
      `update "notification" n set "state" = 'accepted', "updated_at" = now()
       from "event" e, "agency" a
       where n."id" = any(?::uuid[]) and (n."state" = 'retrying' or (n."state" = 'dispatching' and n."updated_at" < now() - ? * interval '1 millisecond'))
         and e."id" = n."event_id" and a."id" = n."agency_id"
       returning ${RELEASED_COLUMNS}`,
      [[...ids], DISPATCH_CLAIM_LEASE_MS],
    );
    return rows.map(toReleased);
  }

  /** Held or deferred notifications whose event expired while they waited: suppressed, with the decision recorded. */
  async expireWaiting(tx: EntityManager, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    const decision = JSON.stringify([{ step: 'validate', code: 'EXPIRED', params: { expiresAt: now.toISOString() } }]);
    await query(
      tx,
      `update "notification" n set "state" = 'suppressed', "reason" = 'EXPIRED', "due_at" = null, "decisions" = n."decisions" || ?::jsonb, "updated_at" = now()
       from "event" e
       where n."id" = any(?::uuid[]) and n."state" in ('held', 'deferred') and e."id" = n."event_id" and e."expires_at" is not null and e."expires_at" <= ?`,
      [decision, [...ids], now],
    );
  }

  /** A citizen's deferred notifications that are due and not expired, oldest first, locked for this transaction. */
  async deferred(tx: EntityManager, citizenId: string, now: Date): Promise<DeferredNotification[]> {
    const due = await query<{ id: string }>(tx, `select "id" from "notification" where "citizen_id" = ? and "state" = 'deferred' and "due_at" <= ?`, [citizenId, now]);
    await this.expireWaiting(
      tx,
      due.map((d) => d.id),
      now,
    );
    const rows = await query<{
      id: string;
      name: string;
      channel: string | null;
      contact_point_id: string | null;
      locale: string | null;
      rendered_subject: string | null;
      rendered_body: string | null;
      created_at: Date | string;
    }>(
      tx,
      `select n."id", a."name", n."channel", n."contact_point_id", n."locale", n."rendered_subject", n."rendered_body", n."created_at"
       from "notification" n join "agency" a on a."id" = n."agency_id"
       where n."citizen_id" = ? and n."state" = 'deferred' and n."due_at" <= ?
       order by n."created_at", n."id" for update of n`,
      [citizenId, now],
    );
    return rows.map((r) => ({
      id: r.id,
      agencyName: r.name,
      channel: r.channel,
      contactPointId: r.contact_point_id,
      locale: r.locale,
      subject: r.rendered_subject,
      body: r.rendered_body,
      createdAt: new Date(r.created_at),
    }));
  }

  /**
   * Turns the first deferred notification into the digest (its text replaced by the combined one, sent on its channel)
   * and marks the others `digested` into it.
   */
  async digest(tx: EntityManager, carrierId: string, others: readonly string[], subject: string, body: string, decision: unknown): Promise<ReleasedNotification | null> {
    const [carrier] = await query<ReleasedRow>(
      tx,
      `update "notification" n set "state" = 'accepted', "reason" = 'DIGEST', "due_at" = null, "rendered_subject" = ?, "rendered_body" = ?, "rendered_html" = null,
              "decisions" = n."decisions" || ?::jsonb, "updated_at" = now()
       from "event" e, "agency" a
       where n."id" = ? and e."id" = n."event_id" and a."id" = n."agency_id"
       returning ${RELEASED_COLUMNS}`,
      [subject, body, storableJson([decision]), carrierId],
    );
    if (others.length > 0) {
      await query(
        tx,
        `update "notification" set "state" = 'digested', "reason" = 'DIGEST', "merged_into" = ?, "due_at" = null,
                "decisions" = "decisions" || ?::jsonb, "updated_at" = now() where "id" = any(?::uuid[])`,
        [carrierId, storableJson([decision]), [...others]],
      );
    }
    return carrier === undefined ? null : toReleased(carrier);
  }

  async fallbackCandidate(tx: EntityManager, id: string): Promise<FallbackCandidate | null> {
    const [r] = await query<{
      id: string;
      state: string;
      channel: string | null;
      fallback: FallbackCandidate['fallback'] | string;
      fallback_after_seconds: number | null;
      decisions: unknown[] | string;
      event_type_id: string;
      data: unknown;
      locale: string | null;
      default_locale: string;
    }>(
      tx,
      `select n."id", n."state", n."channel", n."fallback", n."fallback_after_seconds", n."decisions", et."id" as "event_type_id", e."data",
              c."locale", a."default_locale"
       from "notification" n join "event" e on e."id" = n."event_id" join "event_type" et on et."type" = e."type"
         join "agency" a on a."id" = n."agency_id" left join "citizen" c on c."id" = n."citizen_id"
       where n."id" = ? for update of n`,
      [id],
    );
    if (r === undefined) return null;
    return {
      id: r.id,
      state: r.state,
      channel: r.channel,
      fallback: json(r.fallback),
      fallbackAfterSeconds: r.fallback_after_seconds,
      decisions: json(r.decisions),
      eventTypeId: r.event_type_id,
      data: r.data,
      citizenLocale: r.locale ?? 'id',
      agencyLocale: r.default_locale,
    };
  }

  /** Points a notification at its next channel with freshly rendered content, ready for dispatch again. */
  async retarget(
    tx: EntityManager,
    id: string,
    next: { channel: string; contactPointId: string | null },
    rest: readonly { channel: string; contactPointId: string | null }[],
    rendered: {
      locale: string | null;
      templateVersion: number | null;
      renderedSubject: string | null;
      renderedBody: string | null;
      renderedHtml: string | null;
      replyOptions?: readonly { readonly id: string; readonly title: string }[] | null;
    },
    decisions: readonly unknown[],
  ): Promise<ReleasedNotification | null> {
    const [row] = await query<ReleasedRow>(
      tx,
      `update "notification" n set "state" = 'accepted', "reason" = null, "channel" = ?, "contact_point_id" = ?, "fallback" = ?::jsonb,
              "locale" = ?, "template_version" = ?, "rendered_subject" = ?, "rendered_body" = ?, "rendered_html" = ?,
              "reply_options" = ?::jsonb, "decisions" = n."decisions" || ?::jsonb, "updated_at" = now()
       from "event" e, "agency" a
       where n."id" = ? and e."id" = n."event_id" and a."id" = n."agency_id"
       returning ${RELEASED_COLUMNS}`,
      [
        next.channel,
        next.contactPointId,
        storableJson(rest),
        rendered.locale,
        rendered.templateVersion,
        rendered.renderedSubject,
        rendered.renderedBody,
        rendered.renderedHtml,
        rendered.replyOptions == null ? null : storableJson(rendered.replyOptions),
        storableJson(decisions),
        id,
      ],
    );
    return row === undefined ? null : toReleased(row);
  }

  /**
   * Retention: removes rendered content and the contact point from notifications older than their class's period,
   * their inbox copies, and event data once every notification of the event is purged. Outcomes (state, channel,
   * times) stay. The keys of citizens' replies go once no provider would send them again. A survey's later messages
   * (no class) go with the shortest period; its answers, the citizen's own words, are emptied after the longest.
   *
   * Also deletes what only expires: rate counters, sessions, one-time codes, finished status callbacks.
   *
   * Notifications go `batch` at a time, each batch with its inbox items and events in one transaction, found through
   * the index of notifications not yet purged: what is due this hour, never the table (migration PurgeIndex).
   */
  async purge(retentionDays: Readonly<Record<string, number>>, now: Date, batch = PURGE_BATCH): Promise<number> {
    let purged = 0;
    for (const [messageClass, days] of Object.entries(retentionDays)) {
      purged += await this.purgeNotifications(
        '"message_class" = ? and "created_at" < ? and "state" not in (\'held\', \'deferred\', \'accepted\', \'dispatching\')',
        [messageClass, new Date(now.getTime() - days * 86_400_000)],
        '',
        now,
        batch,
      );
    }
    const shortest = new Date(now.getTime() - Math.min(...Object.values(retentionDays)) * 86_400_000);
    // A survey's later questions and the complaint desk's messages carry no class: kept for the shortest period.
    purged += await this.purgeNotifications(
      '"message_class" is null and "recipient_role" in (\'survey\', \'complaint\') and "created_at" < ? and "state" not in (\'accepted\', \'dispatching\')',
      [shortest],
      ', "address_sealed" = null',
      now,
      batch,
    );
    const em = this.em.fork();
    const longest = new Date(now.getTime() - Math.max(...Object.values(retentionDays)) * 86_400_000);
    await query(em, `update "survey_session" set "answers" = '[]', "seen" = '[]' where "finished_at" < ? and "answers" <> '[]'`, [longest]);
    // A complaint is a case the agency may be asked about: its thread is kept as long as the longest-kept messages.
    await this.complaints.purge(em, longest, now);
    await query(em, 'delete from "inbound_seen" where "received_at" < ?', [new Date(now.getTime() - INBOUND_DEDUP_DAYS * 86_400_000)]);
    // What only ever expires, or nothing would ever remove: rate counters past their bucket, sessions past their
    // time, one-time codes a day after theirs (well past any count window), and status callbacks delivered or given
    // up, kept as long as the longest-kept messages (their attempts go with them).
    await new RateCounterRepository(this.em).purgeExpired(now);
    await query(em, 'delete from "citizen_session" where "expires_at" < ?', [now]);
    await query(em, 'delete from "one_time_code" where "expires_at" < ?', [new Date(now.getTime() - 86_400_000)]);
    await query(em, 'delete from "callback_delivery" where "next_attempt_at" is null and "created_at" < ?', [longest]);
    return purged;
  }

  /** Purges the notifications `where` selects, `batch` per transaction, with their inbox copies and spent event data. */
  private async purgeNotifications(where: string, params: readonly unknown[], alsoSet: string, now: Date, batch: number): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await this.em.fork().transactional(async (tx) => {
        const rows = await query<{ id: string; event_id: string }>(
          tx,
          `update "notification" set "rendered_subject" = null, "rendered_body" = null, "rendered_html" = null, "contact_point_id" = null${alsoSet}, "purged_at" = ?
           where "id" in (select "id" from "notification" where "purged_at" is null and ${where} limit ? for update skip locked)
           returning "id", "event_id"`,
          [now, ...params, batch],
        );
        if (rows.length === 0) return 0;
        await query(tx, 'delete from "inbox_item" where "notification_id" = any(?::uuid[])', [arrayParam(rows.map((r) => r.id))]);
        // An event's data goes with its last notification (a guardian's copy may be purged in a later batch or run).
        await query(
          tx,
          `update "event" e set "data" = null where e."id" = any(?::uuid[]) and e."data" is not null
             and not exists (select 1 from "notification" n where n."event_id" = e."id" and n."purged_at" is null)`,
          [arrayParam([...new Set(rows.map((r) => r.event_id))])],
        );
        return rows.length;
      });
      total += done;
      if (done < batch) return total;
    }
  }

  /**
   * An agency withdraws an event: notifications still waiting (held, deferred) are cancelled and their jobs dropped; a
   * broadcast still paging stops. What has gone out stays as it is. Another agency's event is not found (null).
   */
  async cancel(
    agencyId: string,
    source: string,
    ceId: string,
    audit: Audited<{ eventId: string; agencyCode: string; cancelled: { id: string; channel: string | null }[] } | null>,
  ): Promise<{ eventId: string; agencyCode: string; cancelled: { id: string; channel: string | null }[] } | null> {
    return audited(this.em, audit, async (tx) => {
      const [event] = await query<{ id: string; code: string }>(
        tx,
        'select e."id", a."code" from "event" e join "agency" a on a."id" = e."agency_id" where e."source" = ? and e."ce_id" = ? and e."agency_id" = ? for update of e',
        [source, ceId, agencyId],
      );
      if (event === undefined) return null;
      const cancelled = await query<{ id: string; channel: string | null }>(
        tx,
        `update "notification" set "state" = 'cancelled', "reason" = 'CANCELLED_BY_AGENCY', "due_at" = null, "updated_at" = now()
         where "event_id" = ? and "state" in ('held', 'deferred') returning "id", "channel"`,
        [event.id],
      );
      await query(tx, `delete from "scheduled_job" where ("kind" = 'release' and "ref" = any(?::text[])) or ("kind" = 'broadcast' and "ref" = ?)`, [
        cancelled.map((c) => c.id),
        event.id,
      ]);
      await query(tx, `update "event" set "status" = 'cancelled' where "id" = ? and "status" in ('held', 'deferred', 'broadcasting')`, [event.id]);
      return { eventId: event.id, agencyCode: event.code, cancelled };
    });
  }

  /** Citizen ids of a broadcast audience page, in id order after `cursor`. */
  async audiencePage(audience: string, cursor: string | null, limit: number): Promise<string[]> {
    const [kind, value] = audience.split(':', 2);
    const after = cursor ?? '00000000-0000-0000-0000-000000000000';
    const rows =
      kind === 'programme'
        ? await query<{ id: string }>(
            this.em.fork(),
            'select "citizen_id" as "id" from "programme_member" where "programme" = ? and "citizen_id" > ?::uuid order by "citizen_id" limit ?',
            [value ?? '', after, limit],
          )
        : await query<{ id: string }>(
            this.em.fork(),
            'select "id" from "citizen" where ("region_code" = ? or "region_code" like ?) and "id" > ?::uuid order by "id" limit ?',
            [value ?? '', `${value ?? ''}.%`, after, limit],
          );
    return rows.map((r) => r.id);
  }
}
