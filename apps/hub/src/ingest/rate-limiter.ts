import { RateCounterRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { IngestError, IngestErrorCode } from './ingest.errors.js';

export interface Limits {
  readonly perMinute: number;
  readonly perDay: number;
}

/**
 * Per-key limits on events per minute and per day, counted in PostgreSQL so they hold across every hub instance.
 * Windows are fixed (calendar minute, UTC day), which is what agencies can reason about and GOV.UK Notify does.
 */
@Injectable()
export class RateLimiter {
  private readonly counters: RateCounterRepository;

  constructor(em: EntityManager) {
    this.counters = new RateCounterRepository(em);
  }

  /** Counts `n` events for the key; throws RATE_LIMITED or QUOTA_EXCEEDED with the seconds to wait. */
  async consume(keyId: string, n: number, limits: Limits, now = new Date()): Promise<void> {
    const minuteStart = Math.floor(now.getTime() / 60_000) * 60_000;
    const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const minute = `m${minuteStart / 60_000}`;
    const day = `d${dayStart / 86_400_000}`;
    const totals = await this.counters.add(keyId, n, [
      { name: minute, expiresAt: new Date(minuteStart + 120_000) },
      { name: day, expiresAt: new Date(dayStart + 2 * 86_400_000) },
    ]);
    if ((totals.get(day) ?? 0) > limits.perDay) {
      const retryAfterSeconds = Math.ceil((dayStart + 86_400_000 - now.getTime()) / 1000);
      throw new IngestError(IngestErrorCode.QuotaExceeded, `daily quota of ${limits.perDay} events for this key is used up`, { retryAfterSeconds });
    }
    if ((totals.get(minute) ?? 0) > limits.perMinute) {
      const retryAfterSeconds = Math.max(1, Math.ceil((minuteStart + 60_000 - now.getTime()) / 1000));
      throw new IngestError(IngestErrorCode.RateLimited, `rate limit of ${limits.perMinute} events per minute for this key reached`, { retryAfterSeconds });
    }
  }
}
