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
  contacts: { id: string; channel: string; verified: boolean }[] | string;
  consents: { purpose: string; action: string; at: string; noticeVersion: string }[] | string;
  delegates: string[] | string;
}

/** An ingest batch's recipients (PolicyRepository.recipients). */
export interface Recipients {
  /** Citizen id by subject hash, for the subjects that name a citizen. */
  readonly subjectIds: Map<string, string>;
  /** Active delegates (e.g. guardians) of those citizens, in the order they were added: principal id -> delegate ids. */
  readonly delegates: Map<string, string[]>;
  /** Every citizen read: the subjects', the ids asked for and the delegates. */
  readonly citizens: Map<string, CitizenPolicyRow>;
}

const json = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

/** The policy engine's reads, one statement per kind of fact per batch. */
export class PolicyRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Who an ingest batch reaches, in one statement in the common case: the citizens its subjects name (by subject hash)
   * and those of `ids` (a broadcast page), each with usable contact points, consent records and active delegates; a
   * second statement only for delegates not already read. With agencies posting one event per request a batch holds a
   * few events, so the statements per batch, not the rows, were the cost (there were five).
   */
  async recipients(subjectHashes: readonly string[], ids: readonly string[] = []): Promise<Recipients> {
    const hashes = [...new Set(subjectHashes)];
    const wanted = [...new Set(ids)];
    if (hashes.length === 0 && wanted.length === 0) return { subjectIds: new Map(), delegates: new Map(), citizens: new Map() };
    // Two plain index lookups rather than one with `or`, which PostgreSQL may answer by reading the whole table.
    // Only subjects' delegates are asked for: a broadcast page (ids alone) skips that subquery.
    const found = [
      ...(hashes.length === 0 ? [] : await this.citizenRows('"subject_hash" = any(?::text[])', [hashes], true)),
      ...(wanted.length === 0 ? [] : await this.citizenRows('"id" = any(?::uuid[])', [wanted], false)),
    ];
    const hashSet = new Set(hashes);
    const subjectIds = new Map<string, string>();
    const delegates = new Map<string, string[]>();
    for (const { row, delegateIds } of found) {
      if (!hashSet.has(row.subjectHash)) continue;
      subjectIds.set(row.subjectHash, row.id);
      if (delegateIds.length > 0) delegates.set(row.id, delegateIds);
    }
    const citizens = new Map(found.map(({ row }) => [row.id, row]));
    const missing = [...new Set([...delegates.values()].flat())].filter((id) => !citizens.has(id));
    if (missing.length > 0) for (const { row } of await this.citizenRows('"id" = any(?::uuid[])', [missing], false)) citizens.set(row.id, row);
    return { subjectIds, delegates, citizens };
  }

  private async citizenRows(where: string, params: readonly unknown[], withDelegates: boolean): Promise<{ row: CitizenPolicyRow; delegateIds: string[] }[]> {
    const rows = await query<CitizenRow>(
      this.em.fork(),
      `select c."id", c."subject_hash", c."locale", c."timezone", c."quiet_start", c."quiet_end", c."digest", c."caps", c."channel_order",
              (select coalesce(json_agg(json_build_object('id', p."id", 'channel', p."channel", 'verified', p."verified_at" is not null)
                                        order by p."position", p."created_at"), '[]')
                 from "contact_point" p where p."citizen_id" = c."id" and p."invalid_at" is null) as "contacts",
              (select coalesce(json_agg(json_build_object('purpose', r."purpose", 'action', r."action", 'at', r."recorded_at", 'noticeVersion', r."notice_version")
                                        order by r."id"), '[]')
                 from "consent_record" r where r."citizen_id" = c."id") as "consents",
              ${withDelegates ? `(select coalesce(json_agg(d."delegate_id" order by d."created_at"), '[]') from "delegate" d where d."citizen_id" = c."id" and d."ended_at" is null)` : `'[]'::json`} as "delegates"
         from "citizen" c where ${where}`,
      params,
    );
    return rows.map((r) => ({
      row: {
        id: r.id,
        subjectHash: r.subject_hash,
        locale: r.locale,
        timezone: r.timezone,
        quietStart: r.quiet_start,
        quietEnd: r.quiet_end,
        digest: r.digest,
        caps: json(r.caps),
        channelOrder: json(r.channel_order),
        contacts: json(r.contacts),
        consents: json(r.consents).map((c) => ({ purpose: c.purpose, action: c.action, at: new Date(c.at), noticeVersion: c.noticeVersion })),
      },
      delegateIds: json(r.delegates),
    }));
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
