import { SILENT_LOGGER } from '@kabar/core';
import { migrate, openDatabase } from '@kabar/persistence';
import { createTestDatabase, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { RateLimiter } from '../src/ingest/rate-limiter.js';

// The per-key limits on PostgreSQL: the daily quota that Kafka batches count against, shared with requests, and the
// requests' minute and day counted for several at once.
describe('per-key limits on PostgreSQL', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let limiter: RateLimiter;
  const now = new Date('2026-12-10T09:30:00Z');
  const limits = { perMinute: 1_000, perDay: 5 };

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
    orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
    limiter = new RateLimiter(orm.em);
  });

  afterAll(async () => {
    await orm.close();
    await database.drop();
  });

  it('admits what is left of each key’s day, several keys in one call, after requests counted against it', async () => {
    await limiter.consume('key-a', 2, limits, now);
    const admitted = await limiter.admitDaily([{ keyId: 'key-a', n: 4, perDay: 5 }, { keyId: 'key-b', n: 3, perDay: 5 }], now);
    expect(Object.fromEntries(admitted)).toEqual({ 'key-a': 3, 'key-b': 3 });
    // key-a's day is spent (2 + 4 counted): a request is refused, and a later batch admits nothing.
    await expect(limiter.consume('key-a', 1, limits, now)).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect((await limiter.admitDaily([{ keyId: 'key-a', n: 2, perDay: 5 }], now)).get('key-a')).toBe(0);
  });

  it('takes back what a failed batch counted, so its redelivery is counted once', async () => {
    const batch = [{ keyId: 'key-c', n: 4, perDay: 5 }];
    expect((await limiter.admitDaily(batch, now)).get('key-c')).toBe(4);
    await limiter.giveBackDaily(batch, now);
    expect((await limiter.admitDaily(batch, now)).get('key-c')).toBe(4);
    expect((await limiter.admitDaily([{ keyId: 'key-c', n: 2, perDay: 5 }], now)).get('key-c')).toBe(1);
  });

  it('answers requests counted together (one per key or several) as if they had come one after another', async () => {
    const minute = { perMinute: 3, perDay: 1_000 };
    const answers = await limiter.consumeMany(
      [
        { keyId: 'key-d', n: 2, limits: minute },
        { keyId: 'key-e', n: 1, limits: minute },
        { keyId: 'key-d', n: 2, limits: minute }, // 4 of 3 this minute: refused, and counted
        { keyId: 'key-d', n: 1, limits: minute },
      ],
      now,
    );
    expect(answers.map((a) => a?.code ?? null)).toEqual([null, null, 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(answers[2]?.details.retryAfterSeconds).toBe(60); // now is on the minute
    // The next call starts from what this one counted: key-e has 2 left, key-d none.
    const next = await limiter.consumeMany([{ keyId: 'key-e', n: 2, limits: minute }, { keyId: 'key-d', n: 1, limits: minute }], now);
    expect(next.map((a) => a?.code ?? null)).toEqual([null, 'RATE_LIMITED']);
    await expect(limiter.consume('key-e', 1, minute, now)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('starts each key afresh on the next UTC day', async () => {
    const tomorrow = new Date('2026-12-11T00:00:01Z');
    expect((await limiter.admitDaily([{ keyId: 'key-a', n: 9, perDay: 5 }], tomorrow)).get('key-a')).toBe(5);
  });
});
