import 'reflect-metadata';

import { AgencyService, createHub, StartupError } from '@kabar/hub';
import { aConfig, createTestDatabase, eventually, graphql, queryDatabase, type TestDatabase } from '@kabar/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type FullHub, startFullHub } from './support/full-hub.js';

// The hub on real PostgreSQL and a real Kafka broker: the same slice as the embedded test, through real parts.
describe('hub on PostgreSQL and Kafka', () => {
  const services = inject('services');
  let hub: FullHub;
  let database: TestDatabase;
  let url: string;

  beforeAll(async () => {
    hub = await startFullHub(services);
    ({ database, url } = hub);
  });

  afterAll(async () => {
    await hub.close();
  });

  it('reports PostgreSQL and Kafka up', async () => {
    const res = await graphql<{ health: { status: string; database: string; bus: string; mode: string; detail: string } }>(
      url,
      '{ health { status database bus mode detail } }',
    );
    expect(res.data?.health).toEqual({
      status: 'UP',
      database: 'UP',
      bus: 'UP',
      mode: 'full',
      detail: 'database: postgres; bus: kafka: 1 broker(s)',
    });
  });

  it('reports the outbox backlog on /metrics: records waiting and the age of the oldest', async () => {
    const metric = async (name: string): Promise<number> => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
    await expect.poll(() => metric('kabar_outbox_records')).toBe(0);
    expect(await metric('kabar_outbox_oldest_seconds')).toBe(0);
    // As a broker that stopped taking records leaves them: written an hour ago, claimed by a relay still waiting on it.
    await queryDatabase(
      database.url,
      `insert into outbox (topic, key, value, headers, records, created_at, claimed_until)
       values ('kabar.test.v1', null, '\\x00', '{}', 40, now() - interval '1 hour', now() + interval '1 hour'),
              ('kabar.test.v1', 'k', '\\x00', '{}', 1, now() - interval '5 minutes', now() + interval '1 hour')`,
    );
    expect(await metric('kabar_outbox_records')).toBe(41);
    expect(await metric('kabar_outbox_oldest_seconds')).toBeGreaterThanOrEqual(3_600);
    await queryDatabase(database.url, "delete from outbox where topic = 'kabar.test.v1'");
    expect(await metric('kabar_outbox_records')).toBe(0);
  });

  it('round-trips a probe through PostgreSQL, the outbox, Kafka and the consumer', async () => {
    const admin = await hub.app.get(AgencyService).createAdmin('probe admin', { kind: 'system', id: 'test' });
    const sent = await graphql<{ sendProbe: { id: string } }>(url, 'mutation { sendProbe(input: { note: "full" }) { id } }', {}, { authorization: `Bearer ${admin}` });
    const id = sent.data?.sendProbe.id ?? '';
    const rows = await eventually(async () => {
      const found = await queryDatabase<{ received_at: Date | null }>(database.url, 'select received_at from probe where id = $1', [id]);
      return found[0]?.received_at === null ? undefined : found;
    });
    expect(rows[0]?.received_at).toBeInstanceOf(Date);
    expect(await queryDatabase(database.url, 'select id from outbox')).toEqual([]);
  });
});

describe('hub on a PostgreSQL database nobody migrated', () => {
  it('refuses to start and says to run `kabar migrate`', async () => {
    const database = await createTestDatabase(inject('services').databaseUrl);
    try {
      const app = await createHub(aConfig().withPostgres(database.url).build(), pino({ level: 'silent' }));
      const error = await app.init().catch((e: unknown) => e);
      await app.close();
      expect(error).toBeInstanceOf(StartupError);
      expect((error as StartupError).code).toBe('SCHEMA_BEHIND');
      expect((error as StartupError).message).toContain('run `kabar migrate` first');
    } finally {
      await database.drop();
    }
  });
});

