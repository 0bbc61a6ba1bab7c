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
    const params = buckets.flatMap((b) => [keyId, b.name, n, b.expiresAt]);
    const rows = await query<{ bucket: string; count: number | string }>(this.em.fork(), 
      `insert into "rate_counter" ("key_id", "bucket", "count", "expires_at") values ${buckets.map(() => '(?, ?, ?, ?)').join(', ')}
       on conflict ("key_id", "bucket") do update set "count" = "rate_counter"."count" + excluded."count"
       returning "bucket", "count"`,
      params,
    );
    return new Map(rows.map((r) => [r.bucket, Number(r.count)]));
  }

  /** Drops counters whose window has passed. */
  async purgeExpired(now: Date): Promise<number> {
    return this.em.fork().nativeDelete(RateCounterSchema, { expiresAt: { $lt: now } });
  }
}
