import { SILENT_LOGGER } from '@kabar/core';
import { InboundRepository, migrate, openDatabase, WaitingRepository } from '@kabar/persistence';
import { createTestDatabase, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// A reply's key is taken once; the retention purge lets keys go after INBOUND_DEDUP_DAYS (8), not before.
describe('inbound reply keys on PostgreSQL', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  const repository = new InboundRepository();
  const day = 86_400_000;
  const now = new Date('2026-12-10T00:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
    orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
  });

  afterAll(async () => {
    await orm.close();
    await database.drop();
  });

  const sight = (key: string, at: Date): Promise<boolean> => orm.em.fork().transactional((tx) => repository.firstSighting(tx, key, at));

  it('says first once per key, in another transaction as in the same one', async () => {
    expect(await sight('k-1', now)).toBe(true);
    expect(await sight('k-1', now)).toBe(false);
    expect(await orm.em.fork().transactional(async (tx) => [await repository.firstSighting(tx, 'k-2', now), await repository.firstSighting(tx, 'k-2', now)])).toEqual([true, false]);
  });

  it('forgets a rolled-back sighting, so the reply is published when it comes again', async () => {
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await repository.firstSighting(tx, 'k-rolled-back', now);
        throw new Error('the outbox write failed');
      }),
    ).rejects.toThrow('the outbox write failed');
    expect(await sight('k-rolled-back', now)).toBe(true);
  });

  it('keeps keys through the retention purge for 8 days, then lets them go', async () => {
    expect(await sight('k-7-days', new Date(now.getTime() - 7 * day))).toBe(true);
    expect(await sight('k-9-days', new Date(now.getTime() - 9 * day))).toBe(true);
    await new WaitingRepository(orm.em).purge({ reminder: 7 }, now);
    const keys = await queryDatabase<{ key_hash: string }>(database.url, `select "key_hash" from "inbound_seen" where "key_hash" like 'k-%-days' order by 1`);
    expect(keys.map((k) => k.key_hash)).toEqual(['k-7-days']);
  });
});
