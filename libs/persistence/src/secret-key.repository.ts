import { type AuditRecord } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { appendAudit } from './audit.repository.js';
import { arrayParam } from './bulk.js';
import { query } from './query.js';

/** Every column that holds SecretBox ciphertexts, in the order a re-encryption walks them. */
export const SEALED_COLUMNS = [
  { table: 'agency', column: 'callback_secret_sealed', idType: 'uuid' },
  { table: 'api_key', column: 'secret_sealed', idType: 'text' },
  { table: 'plugin_install', column: 'config_sealed', idType: 'uuid' },
  { table: 'citizen', column: 'national_id_sealed', idType: 'uuid' },
  { table: 'citizen', column: 'name_sealed', idType: 'uuid' },
  { table: 'contact_point', column: 'value_sealed', idType: 'uuid' },
  { table: 'complaint', column: 'from_sealed', idType: 'uuid' },
  { table: 'notification', column: 'address_sealed', idType: 'uuid' },
] as const;

type SealedColumn = (typeof SEALED_COLUMNS)[number];

export interface RegisteredKey {
  readonly keyId: string;
  readonly checkValue: string;
  readonly lookup: boolean;
  readonly createdAt: Date;
}

/** How many values one column holds under one key id. */
export interface SealedCount {
  readonly table: string;
  readonly column: string;
  readonly keyId: string;
  readonly count: number;
}

/** Where a re-encryption stands: the column (index into SEALED_COLUMNS) and the last id done in it. */
export interface ReencryptCursor {
  readonly column: number;
  readonly after: string | null;
}

/** A ciphertext under an old key, and its replacement, or the error that kept it where it was. */
export type Reseal = (sealed: string) => string | null;

/** Takes turns between hub instances starting at once: 'Kabk' in ASCII. */
const KEY_LOCK = 0x4b61626b;

/** The key registry (`secret_key`) and the walk over sealed columns that moves ciphertexts to the current key. */
export class SecretKeyRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Runs `decide` over the registered keys in one transaction, holding a lock so two instances starting together do
   * not both register a lookup key, and writes the rows (and their audit entries) it returns.
   */
  async reconcile<T>(decide: (registered: readonly RegisteredKey[], tx: EntityManager) => Promise<{ readonly add: readonly RegisteredKey[]; readonly audit: readonly AuditRecord[]; readonly result: T }>): Promise<T> {
    return this.em.fork().transactional(async (tx) => {
      await query(tx, 'select pg_advisory_xact_lock(?)', [KEY_LOCK]);
      const { add, audit, result } = await decide(await this.registered(tx), tx);
      for (const key of add) {
        await query(tx, 'insert into "secret_key" ("key_id", "check_value", "lookup", "created_at") values (?, ?, ?, ?)', [key.keyId, key.checkValue, key.lookup, key.createdAt]);
      }
      for (const record of audit) await appendAudit(tx, record);
      return result;
    });
  }

  async registered(em: EntityManager = this.em.fork()): Promise<RegisteredKey[]> {
    const rows = await query<{ key_id: string; check_value: string; lookup: boolean; created_at: Date | string }>(
      em,
      'select "key_id", "check_value", "lookup", "created_at" from "secret_key" order by "created_at", "key_id"',
    );
    return rows.map((r) => ({ keyId: r.key_id, checkValue: r.check_value, lookup: r.lookup, createdAt: new Date(r.created_at) }));
  }

  /**
   * One address with its lookup hash, to tell which key a database's hashes were made with when it has no registry
   * yet (a database from before the registry, possibly started for the first time with its key already rotated).
   */
  async sampleAddress(em: EntityManager): Promise<{ readonly valueSealed: string; readonly lookupHash: string } | null> {
    const [row] = await query<{ value_sealed: string; lookup_hash: string }>(em, 'select "value_sealed", "lookup_hash" from "contact_point" order by "created_at" limit 1');
    return row === undefined ? null : { valueSealed: row.value_sealed, lookupHash: row.lookup_hash };
  }

  /**
   * Ciphertexts per column and key id. Each column is read whole (the notification table too), which is why this is
   * an operator's question and never asked on a hot path.
   */
  async sealedCounts(): Promise<{ readonly columns: SealedCount[]; readonly auditEntries: ReadonlyMap<string, number> }> {
    const em = this.em.fork();
    const columns: SealedCount[] = [];
    for (const { table, column } of SEALED_COLUMNS) {
      const rows = await query<{ key_id: string; count: string | number }>(
        em,
        `select split_part("${column}", ':', 2) as "key_id", count(*) as "count" from "${table}" where "${column}" is not null group by 1 order by 1`,
      );
      for (const r of rows) columns.push({ table, column, keyId: r.key_id, count: Number(r.count) });
    }
    const audit = await query<{ key_id: string; count: string | number }>(em, 'select "key_id", count(*) as "count" from "audit_log" where "key_id" is not null group by 1 order by 1');
    return { columns, auditEntries: new Map(audit.map((r) => [r.key_id, Number(r.count)])) };
  }

  /**
   * Moves up to `limit` ciphertexts not yet under `currentKeyId` to it, from `cursor` on, each column in id order, one
   * transaction per column batch. A value changed meanwhile (a new address, a new callback secret) is left as the
   * change wrote it: the update only replaces the exact ciphertext it read. Returns how many moved and where to go on
   * (null when every column is done).
   */
  async reencrypt(currentKeyId: string, reseal: Reseal, cursor: ReencryptCursor, limit: number): Promise<{ readonly moved: number; readonly next: ReencryptCursor | null }> {
    let moved = 0;
    let at: ReencryptCursor | null = cursor;
    while (at !== null && moved < limit) {
      const spec: SealedColumn | undefined = SEALED_COLUMNS[at.column];
      if (spec === undefined) return { moved, next: null };
      const { table, column, idType } = spec;
      const batch = Math.min(REENCRYPT_BATCH, limit - moved);
      const rows: { id: string; sealed: string }[] = await query<{ id: string; sealed: string }>(
        this.em.fork(),
        `select "id"::text as "id", "${column}" as "sealed" from "${table}"
         where "${column}" is not null and not starts_with("${column}", ?)${at.after === null ? '' : ` and "id" > ?::${idType}`}
         order by "${table}"."id" limit ?`,
        at.after === null ? [`v1:${currentKeyId}:`, batch] : [`v1:${currentKeyId}:`, at.after, batch],
      );
      const changes = rows.flatMap((r) => {
        const sealed = reseal(r.sealed);
        return sealed === null ? [] : [{ id: r.id, old: r.sealed, sealed }];
      });
      if (changes.length > 0) {
        const updated = await query<{ id: string }>(
          this.em.fork(),
          `update "${table}" t set "${column}" = v."sealed"
           from unnest(?::${idType}[], ?::text[], ?::text[]) as v("id", "old", "sealed")
           where t."id" = v."id" and t."${column}" = v."old" returning t."id"`,
          [arrayParam(changes.map((c) => c.id)), arrayParam(changes.map((c) => c.old)), arrayParam(changes.map((c) => c.sealed))],
        );
        moved += updated.length;
      }
      const last = rows.at(-1);
      at = rows.length < batch || last === undefined ? (at.column + 1 < SEALED_COLUMNS.length ? { column: at.column + 1, after: null } : null) : { column: at.column, after: last.id };
    }
    return { moved, next: at };
  }
}

/** Rows read, re-sealed and written back per statement. */
const REENCRYPT_BATCH = 500;
