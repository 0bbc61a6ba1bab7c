import { AUDIT_GENESIS, type AuditActor, type AuditDetails, auditPayload, type AuditRecord, type AuditRow, type SealedAuditRow, timeOrderedId } from '@kabar/core';
import { storableJson } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { query } from './query.js';

/** What a change records about itself once it knows its result; null when it changed nothing. */
export type Audited<T> = (result: T) => AuditRecord | null;

/** Records one entry in the transaction `tx` (unsealed: the hub's sealer gives it its place in the chain). */
export async function appendAudit(tx: EntityManager, record: AuditRecord, at: Date = new Date()): Promise<void> {
  const { actor } = record;
  await query(
    tx,
    `insert into "audit_log" ("id", "at", "actor_kind", "actor_id", "credential_id", "ip", "agency_id", "action", "target_kind", "target_id", "details")
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)`,
    [
      timeOrderedId(),
      at,
      actor.kind,
      actor.id,
      actor.kind === 'agency' ? actor.keyId : null,
      actor.kind === 'system' ? null : actor.ip,
      record.agencyId,
      record.action,
      record.target.kind,
      record.target.id,
      storableJson(record.details),
    ],
  );
}

/** Runs `work` in one transaction with the audit entry of its result, so no change is committed without its entry. */
export async function audited<T>(em: EntityManager, audit: Audited<T>, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return em.fork().transactional(async (tx) => {
    const result = await work(tx);
    const record = audit(result);
    if (record !== null) await appendAudit(tx, record);
    return result;
  });
}

export interface AuditFilter {
  /** Only entries about this agency (what an agency is shown of the trail). */
  readonly agencyId?: string | undefined;
  readonly action?: string | undefined;
  /** Entries before this place in the chain (the previous page's last `seq`). */
  readonly before?: number | undefined;
  readonly limit: number;
}

interface AuditDbRow {
  id: string;
  seq: string | number;
  at: Date | string;
  actor_kind: string;
  actor_id: string;
  credential_id: string | null;
  ip: string | null;
  agency_id: string | null;
  action: string;
  target_kind: string;
  target_id: string;
  details: Record<string, unknown>;
  key_id: string;
  mac: string;
}

const COLUMNS = '"id", "seq", "at", "actor_kind", "actor_id", "credential_id", "ip", "agency_id", "action", "target_kind", "target_id", "details", "key_id", "mac"';

// One chain for the whole platform: sealers on every hub instance take turns under this transaction-scoped lock.
const SEAL_LOCK = 0x4b_61_62_61;

/** Reads and seals the audit trail. Entries are written by `appendAudit`/`audited` inside the changes they record. */
export class AuditRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Gives up to `limit` unsealed entries, oldest first, their place after the chain's head and their MAC under `keyId`
   * (`macOf` gets core's `auditPayload`). Returns how many were sealed.
   */
  async seal(keyId: string, macOf: (payload: string) => string, limit = 500): Promise<{ readonly sealed: number; readonly head: { readonly seq: number; readonly mac: string } | null }> {
    return this.em.fork().transactional(async (tx) => {
      await query(tx, 'select pg_advisory_xact_lock(?)', [SEAL_LOCK]);
      const pending = await query<Omit<AuditDbRow, 'seq' | 'key_id' | 'mac'>>(
        tx,
        `select ${COLUMNS} from "audit_log" where "seq" is null order by "id" limit ?`,
        [limit],
      );
      if (pending.length === 0) return { sealed: 0, head: null };
      const [head] = await query<{ seq: string | number; mac: string }>(tx, 'select "seq", "mac" from "audit_log" where "seq" is not null order by "seq" desc limit 1');
      let seq = head === undefined ? 0 : Number(head.seq);
      let previous = head?.mac ?? AUDIT_GENESIS;
      const ids: string[] = [];
      const seqs: number[] = [];
      const macs: string[] = [];
      for (const row of pending) {
        seq++;
        const mac = macOf(auditPayload({ ...toUnsealed(row), seq }, previous));
        ids.push(row.id);
        seqs.push(seq);
        macs.push(mac);
        previous = mac;
      }
      await query(
        tx,
        `update "audit_log" a set "seq" = u."seq", "key_id" = ?, "mac" = u."mac"
         from unnest(?::uuid[], ?::bigint[], ?::text[]) as u("id", "seq", "mac") where a."id" = u."id"`,
        [keyId, ids, seqs, macs],
      );
      return { sealed: pending.length, head: { seq, mac: previous } };
    });
  }

  /** Sealed entries, newest first. */
  async page(filter: AuditFilter): Promise<SealedAuditRow[]> {
    const where = ['"seq" is not null'];
    const params: unknown[] = [];
    if (filter.agencyId !== undefined) {
      where.push('"agency_id" = ?');
      params.push(filter.agencyId);
    }
    if (filter.action !== undefined) {
      where.push('"action" = ?');
      params.push(filter.action);
    }
    if (filter.before !== undefined) {
      where.push('"seq" < ?');
      params.push(filter.before);
    }
    const rows = await query<AuditDbRow>(this.em.fork(), `select ${COLUMNS} from "audit_log" where ${where.join(' and ')} order by "seq" desc limit ?`, [...params, filter.limit]);
    return rows.map(toSealed);
  }

  /** Sealed entries after `afterSeq`, in chain order: for checking the chain a page at a time. */
  async chain(afterSeq: number, limit: number): Promise<SealedAuditRow[]> {
    const rows = await query<AuditDbRow>(this.em.fork(), `select ${COLUMNS} from "audit_log" where "seq" > ? order by "seq" limit ?`, [afterSeq, limit]);
    return rows.map(toSealed);
  }

  async unsealedCount(): Promise<number> {
    const [row] = await query<{ n: string | number }>(this.em.fork(), 'select count(*) as n from "audit_log" where "seq" is null');
    return Number(row?.n ?? 0);
  }
}

function toUnsealed(row: Omit<AuditDbRow, 'seq' | 'key_id' | 'mac'>): Omit<AuditRow, 'seq' | 'keyId' | 'mac'> {
  return {
    id: row.id,
    at: new Date(row.at),
    actor: actorOf(row),
    agencyId: row.agency_id,
    action: row.action,
    target: { kind: row.target_kind, id: row.target_id },
    details: row.details as AuditDetails,
  };
}

function toSealed(row: AuditDbRow): SealedAuditRow {
  return { ...toUnsealed(row), seq: Number(row.seq), keyId: row.key_id, mac: row.mac };
}

function actorOf(row: { actor_kind: string; actor_id: string; credential_id: string | null; ip: string | null }): AuditActor {
  switch (row.actor_kind) {
    case 'admin':
      return { kind: 'admin', id: row.actor_id, ip: row.ip };
    case 'agency':
      return { kind: 'agency', id: row.actor_id, keyId: row.credential_id ?? '', ip: row.ip };
    default:
      return { kind: 'system', id: row.actor_id };
  }
}
