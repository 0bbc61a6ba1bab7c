import { appendTo } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { query } from './query.js';

/** A citizen's preferences as stored; the hub turns them into the policy engine's `PolicyCitizen`. */
export interface CitizenPolicyRow {
  readonly id: string;
  readonly subjectHash: string;
  readonly locale: string;
  readonly timezone: string;
  readonly quietStart: number | null;
  readonly quietEnd: number | null;
  readonly digest: boolean;
  readonly caps: Record<string, { count: number; periodSeconds: number }>;
  readonly channelOrder: Record<string, string[]>;
  /** Contact points that may receive: verified and not invalidated, in the citizen's order. */
  readonly contacts: { id: string; channel: string; verified: boolean }[];
  readonly consents: { purpose: string; action: string; at: Date; noticeVersion: string }[];
}

export interface CountedNotification {
  readonly citizenId: string;
  readonly messageClass: string;
  readonly at: Date;
}

export interface StoredDedupHit {
  readonly citizenId: string;
  readonly keyHash: string;
  readonly notificationId: string;
  readonly agencyName: string;
  readonly at: Date;
}

/** States that count against frequency caps: the message went, or will go, out. */
export const COUNTED_STATES = ['accepted', 'held', 'dispatching', 'sent', 'delivered'] as const;

interface CitizenRow {
  id: string;
  subject_hash: string;
  locale: string;
  timezone: string;
  quiet_start: number | null;
  quiet_end: number | null;
  digest: boolean;
  caps: Record<string, { count: number; periodSeconds: number }> | string;
  channel_order: Record<string, string[]> | string;
}

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** The policy engine's reads, one statement per kind of fact per batch. */
export class PolicyRepository {
  constructor(private readonly em: EntityManager) {}

  /** Citizens by id, with their usable contact points and every consent record. */
  async citizens(ids: readonly string[]): Promise<Map<string, CitizenPolicyRow>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const em = this.em.fork();
    // Three statements in turn on one connection: the batch's whole need, whatever its size.
    const rows = await query<CitizenRow>(
        em,
        'select "id", "subject_hash", "locale", "timezone", "quiet_start", "quiet_end", "digest", "caps", "channel_order" from "citizen" where "id" = any(?::uuid[])',
        [unique],
      );
    const contacts = await query<{ id: string; citizen_id: string; channel: string; verified: boolean }>(
        em,
        `select "id", "citizen_id", "channel", "verified_at" is not null as "verified" from "contact_point"
         where "citizen_id" = any(?::uuid[]) and "invalid_at" is null order by "citizen_id", "position", "created_at"`,
        [unique],
      );
    const consents = await query<{ citizen_id: string; purpose: string; action: string; recorded_at: Date | string; notice_version: string }>(
        em,
        'select "citizen_id", "purpose", "action", "recorded_at", "notice_version" from "consent_record" where "citizen_id" = any(?::uuid[]) order by "id"',
        [unique],
      );
    const result = new Map<string, CitizenPolicyRow>();
    for (const r of rows) {
      result.set(r.id, {
        id: r.id,
        subjectHash: r.subject_hash,
        locale: r.locale,
        timezone: r.timezone,
        quietStart: r.quiet_start,
        quietEnd: r.quiet_end,
        digest: r.digest,
        caps: json(r.caps),
        channelOrder: json(r.channel_order),
        contacts: [],
        consents: [],
      });
    }
    for (const c of contacts) result.get(c.citizen_id)?.contacts.push({ id: c.id, channel: c.channel, verified: c.verified });
    for (const c of consents) result.get(c.citizen_id)?.consents.push({ purpose: c.purpose, action: c.action, at: new Date(c.recorded_at), noticeVersion: c.notice_version });
    return result;
  }

  /** Citizen ids by subject hash. */
  async bySubjectHashes(hashes: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(hashes)];
    if (unique.length === 0) return new Map();
    const rows = await query<{ id: string; subject_hash: string }>(this.em.fork(), 'select "id", "subject_hash" from "citizen" where "subject_hash" = any(?::text[])', [unique]);
    return new Map(rows.map((r) => [r.subject_hash, r.id]));
  }

  /** Active delegates (e.g. guardians) of each citizen: principal id -> delegate citizen ids. */
  async delegatesOf(citizenIds: readonly string[]): Promise<Map<string, string[]>> {
    const unique = [...new Set(citizenIds)];
    if (unique.length === 0) return new Map();
    const rows = await query<{ citizen_id: string; delegate_id: string }>(
      this.em.fork(),
      'select "citizen_id", "delegate_id" from "delegate" where "citizen_id" = any(?::uuid[]) and "ended_at" is null order by "created_at"',
      [unique],
    );
    const result = new Map<string, string[]>();
    for (const r of rows) appendTo(result, r.citizen_id, r.delegate_id);
    return result;
  }

  /**
   * Locks citizens' rows (in id order, so two writers never wait on each other in a circle) until the transaction
   * ends: a writer whose decisions depend on a citizen's history holds it while it checks and writes, so the next
   * one sees what it wrote. `for no key update` leaves the foreign-key checks of other writers free.
   */
  async lockCitizens(tx: EntityManager, citizenIds: readonly string[]): Promise<void> {
    const unique = [...new Set(citizenIds)];
    if (unique.length > 0) await query(tx, 'select "id" from "citizen" where "id" = any(?::uuid[]) order by "id" for no key update', [unique]);
  }

  /** Notifications that count against caps since `since`, for these citizens. */
  async counted(citizenIds: readonly string[], since: Date, em: EntityManager = this.em.fork()): Promise<CountedNotification[]> {
    const unique = [...new Set(citizenIds)];
    if (unique.length === 0) return [];
    const rows = await query<{ citizen_id: string; message_class: string; created_at: Date | string }>(
      em,
      `select "citizen_id", "message_class", "created_at" from "notification"
       where "citizen_id" = any(?::uuid[]) and "created_at" > ? and "message_class" is not null and "message_class" <> 'critical'
         and "state" = any(?::text[])`,
      [unique, since, [...COUNTED_STATES]],
    );
    return rows.map((r) => ({ citizenId: r.citizen_id, messageClass: r.message_class, at: new Date(r.created_at) }));
  }

  /** The latest notification per (citizen, dedup key hash) since `since` that was not itself merged away. */
  async dedupHits(pairs: readonly { citizenId: string; keyHash: string }[], since: Date, em: EntityManager = this.em.fork()): Promise<StoredDedupHit[]> {
    if (pairs.length === 0) return [];
    const rows = await query<{ citizen_id: string; dedup_key_hash: string; id: string; name: string; created_at: Date | string }>(
      em,
      `select distinct on (n."citizen_id", n."dedup_key_hash") n."citizen_id", n."dedup_key_hash", n."id", a."name", n."created_at"
       from "notification" n join "agency" a on a."id" = n."agency_id"
       where n."citizen_id" = any(?::uuid[]) and n."dedup_key_hash" is not null and n."dedup_key_hash" = any(?::text[]) and n."created_at" > ? and n."state" <> 'merged'
       order by n."citizen_id", n."dedup_key_hash", n."created_at" desc`,
      [[...new Set(pairs.map((p) => p.citizenId))], [...new Set(pairs.map((p) => p.keyHash))], since],
    );
    const wanted = new Set(pairs.map((p) => `${p.citizenId} ${p.keyHash}`));
    return rows
      .filter((r) => wanted.has(`${r.citizen_id} ${r.dedup_key_hash}`))
      .map((r) => ({ citizenId: r.citizen_id, keyHash: r.dedup_key_hash, notificationId: r.id, agencyName: r.name, at: new Date(r.created_at) }));
  }
}
