import { randomUUID } from 'node:crypto';

import type { DatabaseConfig } from '@kabar/config';
import { SILENT_LOGGER } from '@kabar/core';
import { AgencyRepository, type CallbackOutcome, CallbackRepository, type ClaimedCallback, migrate, type NewCallbackDelivery, openDatabase } from '@kabar/persistence';
import { createTestDatabase, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

const T0 = new Date('2026-11-24T08:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** An outcome builder: a failed attempt at T0 retried a minute later unless told otherwise. */
const anOutcome = (claimed: ClaimedCallback, overrides: Partial<CallbackOutcome> = {}): CallbackOutcome => ({
  deliveryId: claimed.id,
  previousAttempts: claimed.attempts,
  attemptedAt: T0,
  status: 500,
  error: null,
  latencyMs: 12,
  deliveredAt: null,
  nextAttemptAt: at(60_000),
  lastError: null,
  ...overrides,
});

// Real PostgreSQL (production) and embedded PGlite (`npm start`): the claim statement must work on both.
describe.each(['postgres', 'pglite'] as const)('callback repository on %s', (kind) => {
  let database: TestDatabase | undefined;
  let orm: MikroORM;
  let callbacks: CallbackRepository;
  let agencyId: string;

  /** Both drivers are SQL drivers; the core EntityManager type just does not say so. */
  const db = (): SqlEntityManager => orm.em.fork() as SqlEntityManager;

  const deliveries = (n: number): NewCallbackDelivery[] =>
    Array.from({ length: n }, () => ({ agencyId, webhookId: `${randomUUID()}.delivered`, payload: '{"specversion":"1.0"}' }));

  const count = async (table: 'callback_delivery' | 'callback_attempt'): Promise<number> => {
    const [row] = await db().execute<{ n: string | number }[]>(`select count(*) as n from "${table}"`);
    return Number(row?.n);
  };

  /** What is stored for one delivery; drivers return timestamps as text, so they are read back as Dates. */
  const state = async (webhookId: string): Promise<{ attempts: number; lastStatus: number | null; lastError: string | null; deliveredAt: Date | null }> => {
    const [row] = await db().execute<{ attempts: number; last_status: number | null; last_error: string | null; delivered_at: string | Date | null }[]>(
        'select "attempts", "last_status", "last_error", "delivered_at" from "callback_delivery" where "webhook_id" = ?',
        [webhookId],
      );
    if (row === undefined) throw new Error(`no delivery ${webhookId}`);
    return { attempts: row.attempts, lastStatus: row.last_status, lastError: row.last_error, deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at) };
  };

  beforeAll(async () => {
    let config: DatabaseConfig;
    if (kind === 'postgres') {
      database = await createTestDatabase(inject('services').databaseUrl);
      config = { kind: 'postgres', url: database.url };
    } else {
      config = { kind: 'pglite', dataDir: 'memory://' };
    }
    orm = await openDatabase(config, 10_000, SILENT_LOGGER);
    await migrate(orm);
    callbacks = new CallbackRepository(orm.em);
    const agencies = new AgencyRepository(orm.em);
    const base = { name: 'Agency', defaultLocale: 'id', senderIds: {}, ratePerMinute: 60, dailyQuota: 1000 };
    const withCallback = await agencies.create({ ...base, code: 'bapenda', sources: ['urn:bapenda'], callbackUrl: 'https://bapenda.example/hook', callbackSecretSealed: 'sealed' }, () => null);
    await agencies.create({ ...base, code: 'dukcapil', sources: ['urn:dukcapil'], callbackUrl: null, callbackSecretSealed: null }, () => null);
    agencyId = withCallback?.id ?? '';
  });

  afterAll(async () => {
    await orm.close();
    await database?.drop();
  });

  beforeEach(async () => {
    await db().execute('truncate "callback_attempt", "callback_delivery"');
  });

  it('finds only the agencies of a batch that registered a callback', async () => {
    expect(await callbacks.agenciesWithCallback(['bapenda', 'dukcapil', 'nobody', 'bapenda'])).toEqual(new Map([['bapenda', agencyId]]));
    expect(await callbacks.agenciesWithCallback([])).toEqual(new Map());
  });

  it('adds nothing for a replayed webhook id', async () => {
    const [first, second] = deliveries(2);
    expect(await callbacks.enqueue([first!, second!], T0)).toBe(2);
    expect(await callbacks.enqueue([first!], T0)).toBe(0);
    expect(await callbacks.enqueue([second!, ...deliveries(1)], T0)).toBe(1);
    expect(await count('callback_delivery')).toBe(3);
  });

  it('claims due rows oldest first, leases them, and hands them out again only when the lease ends', async () => {
    const [early, late] = deliveries(2);
    await callbacks.enqueue([late!], at(1_000));
    await callbacks.enqueue([early!], T0);
    await callbacks.enqueue(deliveries(1), at(10 * 60_000)); // not due yet

    const claimed = await callbacks.claimDue(at(5_000), 1, at(65_000));
    expect(claimed.map((c) => c.webhookId)).toEqual([early!.webhookId]);
    expect(claimed[0]).toMatchObject({ agencyId, payload: early!.payload, attempts: 0, url: 'https://bapenda.example/hook', secretSealed: 'sealed', firstAttemptAt: null });

    expect((await callbacks.claimDue(at(5_000), 10, at(65_000))).map((c) => c.webhookId)).toEqual([late!.webhookId]);
    expect(await callbacks.claimDue(at(64_999), 10, at(125_000))).toEqual([]);
    // The worker holding both crashed: once the lease has passed, another worker gets them.
    expect((await callbacks.claimDue(at(65_000), 10, at(125_000))).map((c) => c.webhookId).sort()).toEqual([early!.webhookId, late!.webhookId].sort());
  });

  it('never hands the same row to two workers claiming at once', async () => {
    await callbacks.enqueue(deliveries(30), T0);
    const claims = await Promise.all(Array.from({ length: 6 }, () => callbacks.claimDue(T0, 7, at(60_000))));
    const ids = claims.flat().map((c) => c.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('records attempts and outcomes, and remembers when the first attempt was made', async () => {
    const [failing, succeeding] = deliveries(2);
    await callbacks.enqueue([failing!, succeeding!], T0);
    const claimed = await callbacks.claimDue(T0, 10, at(60_000));
    const byId = new Map(claimed.map((c) => [c.webhookId, c]));
    const updated = await callbacks.record([
      anOutcome(byId.get(failing!.webhookId)!, { status: null, error: 'connect ECONNREFUSED', lastError: 'connect ECONNREFUSED', nextAttemptAt: at(30_000) }),
      anOutcome(byId.get(succeeding!.webhookId)!, { status: 204, deliveredAt: T0, nextAttemptAt: null }),
    ]);
    expect(updated).toBe(2);

    const again = await callbacks.claimDue(at(30_000), 10, at(90_000));
    expect(again).toEqual([expect.objectContaining({ webhookId: failing!.webhookId, attempts: 1, firstAttemptAt: T0 })]);
    expect(await state(failing!.webhookId)).toEqual({ attempts: 1, lastStatus: null, lastError: 'connect ECONNREFUSED', deliveredAt: null });
    expect(await state(succeeding!.webhookId)).toEqual({ attempts: 1, lastStatus: 204, lastError: null, deliveredAt: T0 });
    expect(await count('callback_attempt')).toBe(2);
  });

  it('keeps the attempt but drops the outcome of a worker whose lease ran out and whose row was recorded by another', async () => {
    await callbacks.enqueue(deliveries(1), T0);
    const [slow] = await callbacks.claimDue(T0, 10, at(60_000));
    const [fast] = await callbacks.claimDue(at(60_000), 10, at(120_000));
    expect(await callbacks.record([anOutcome(fast!, { status: 200, deliveredAt: at(60_000), nextAttemptAt: null })])).toBe(1);
    expect(await callbacks.record([anOutcome(slow!, { attemptedAt: at(61_000) })])).toBe(0);
    expect(await count('callback_attempt')).toBe(2);
    expect(await state(fast!.webhookId)).toEqual({ attempts: 1, lastStatus: 200, lastError: null, deliveredAt: at(60_000) });
  });

  it('clips error texts to the column width', async () => {
    await callbacks.enqueue(deliveries(1), T0);
    const [claimed] = await callbacks.claimDue(T0, 10, at(60_000));
    const long = 'x'.repeat(1_000);
    expect(await callbacks.record([anOutcome(claimed!, { status: null, error: long, lastError: long })])).toBe(1);
    expect((await state(claimed!.webhookId)).lastError).toBe('x'.repeat(255));
  });
});
