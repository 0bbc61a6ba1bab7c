import type { EntityManager } from '@mikro-orm/core';

import { RateCounterSchema } from './entities/index.js';
import { query } from './query.js';

export interface Bucket {
  readonly name: string;
  readonly expiresAt: Date;
}

/** Shared counters for rate limits and quotas: every hub instance adds to the same rows. */
export class RateCounterRepository {
  constructor(private readonly em: EntityManager) {}

  /** Adds `n` to each bucket of the key in one statement and returns the new totals by bucket name. */
  async add(keyId: string, n: number, buckets: readonly Bucket[]): Promise<Map<string, number>> {
    return (await this.addMany([{ keyId, n }], buckets)).get(keyId) ?? new Map<string, number>();
  }

  /**
   * Adds each key's `n` (negative to give counts back) to each of its buckets in one statement, for a whole batch of
   * Kafka records signed by several keys; returns the new totals by key, then by bucket name.
   */
  async addMany(counts: readonly { readonly keyId: string; readonly n: number }[], buckets: readonly Bucket[]): Promise<Map<string, Map<string, number>>> {
    const totals = new Map<string, Map<string, number>>();
    // One row per (key, bucket): an upsert may not touch the same row twice in one statement.
    const byKey = new Map<string, number>();
    for (const { keyId, n } of counts) byKey.set(keyId, (byKey.get(keyId) ?? 0) + n);
    if (byKey.size === 0 || buckets.length === 0) return totals;
    // Rows are locked in the order they are written: in key order, two statements over the same keys (two hubs'
    // batches) wait for each other instead of deadlocking.
    const ordered = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const params = ordered.flatMap(([keyId, n]) => buckets.flatMap((b) => [keyId, b.name, n, b.expiresAt]));
    const rows = await query<{ key_id: string; bucket: string; count: number | string }>(this.em.fork(),
      `insert into "rate_counter" ("key_id", "bucket", "count", "expires_at") values ${ordered.flatMap(() => buckets.map(() => '(?, ?, ?, ?)')).join(', ')}
       on conflict ("key_id", "bucket") do update set "count" = "rate_counter"."count" + excluded."count"
       returning "key_id", "bucket", "count"`,
      params,
    );
    for (const row of rows) {
      const byBucket = totals.get(row.key_id) ?? new Map<string, number>();
      byBucket.set(row.bucket, Number(row.count));
      totals.set(row.key_id, byBucket);
    }
    return totals;
  }

  /** Drops counters whose window has passed. */
  async purgeExpired(now: Date): Promise<number> {
    return this.em.fork().nativeDelete(RateCounterSchema, { expiresAt: { $lt: now } });
  }
}
