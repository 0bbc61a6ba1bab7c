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
    const [refusal] = await this.consumeMany([{ keyId, n, limits }], now);
    if (refusal !== null && refusal !== undefined) throw refusal;
  }

  /**
   * Counts the events of several requests (of one key or many) in one statement, and answers each, in order, as if
   * they had come one after another: null for admitted, or its RATE_LIMITED / QUOTA_EXCEEDED. As with one request, a
   * refused request's events are counted too.
   */
  async consumeMany(requests: readonly CountRequest[], now = new Date()): Promise<(IngestError | null)[]> {
    const minuteStart = Math.floor(now.getTime() / 60_000) * 60_000;
    const minute = `m${minuteStart / 60_000}`;
    const day = dayBucket(now);
    const totals = await this.counters.addMany(requests, [{ name: minute, expiresAt: new Date(minuteStart + 120_000) }, day]);
    // Each key's totals before this call (what it added taken off), then each request's running total, in order.
    const added = new Map<string, number>();
    for (const { keyId, n } of requests) added.set(keyId, (added.get(keyId) ?? 0) + n);
    const running = new Map(
      [...added].map(([keyId, sum]) => [keyId, { minute: (totals.get(keyId)?.get(minute) ?? sum) - sum, day: (totals.get(keyId)?.get(day.name) ?? sum) - sum }]),
    );
    return requests.map(({ keyId, n, limits }) => {
      const entry = running.get(keyId) ?? { minute: 0, day: 0 };
      entry.minute += n;
      entry.day += n;
      if (entry.day > limits.perDay) return quotaExceeded(limits.perDay, now);
      if (entry.minute > limits.perMinute) {
        const retryAfterSeconds = Math.max(1, Math.ceil((minuteStart + 60_000 - now.getTime()) / 1000));
        return new IngestError(IngestErrorCode.RateLimited, `rate limit of ${limits.perMinute} events per minute for this key reached`, { retryAfterSeconds });
      }
      return null;
    });
  }

  /**
   * The daily quota for a batch of Kafka records, several keys at once in one statement: counts each key's records
   * and answers how many of them, in order, fit in what was left of its quota (the rest are QUOTA_EXCEEDED). Only
   * the day is counted: a Kafka producer is not answered, and the consumer's own pace already bounds the rate.
   */
  async admitDaily(requests: readonly DailyRequest[], now = new Date()): Promise<Map<string, number>> {
    const day = dayBucket(now);
    const totals = await this.counters.addMany(requests, [day]);
    return new Map(
      requests.map(({ keyId, n, perDay }) => {
        const before = (totals.get(keyId)?.get(day.name) ?? n) - n;
        return [keyId, Math.max(0, Math.min(n, perDay - before))];
      }),
    );
  }

  /** Takes back what admitDaily counted, at the same instant, for a batch that failed and will be delivered again. */
  async giveBackDaily(requests: readonly DailyRequest[], now: Date): Promise<void> {
    await this.counters.addMany(requests.map(({ keyId, n }) => ({ keyId, n: -n })), [dayBucket(now)]);
  }
}

export interface CountRequest {
  readonly keyId: string;
  /** Events of the request. */
  readonly n: number;
  readonly limits: Limits;
}

export interface DailyRequest {
  readonly keyId: string;
  /** Records of the batch signed with the key. */
  readonly n: number;
  readonly perDay: number;
}

/** The UTC day's counter, kept a day after it ends. */
function dayBucket(now: Date): { name: string; expiresAt: Date } {
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { name: `d${dayStart / 86_400_000}`, expiresAt: new Date(dayStart + 2 * 86_400_000) };
}

/** QUOTA_EXCEEDED, with the seconds until the UTC day ends. */
export function quotaExceeded(perDay: number, now: Date): IngestError {
  const dayEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + 86_400_000;
  return new IngestError(IngestErrorCode.QuotaExceeded, `daily quota of ${perDay} events for this key is used up`, { retryAfterSeconds: Math.ceil((dayEnd - now.getTime()) / 1000) });
}
