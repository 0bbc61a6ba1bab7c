import 'reflect-metadata';

import { randomBytes } from 'node:crypto';

import type { SecretKeyConfig } from '@kabar/config';
import { SecretBox, SILENT_LOGGER } from '@kabar/core';
import { createHub, signJwt } from '@kabar/hub';
import { migrate, openDatabase, SEALED_COLUMNS } from '@kabar/persistence';
import { aConfig, createTestDatabase, eventually, queryDatabase, startHubProcess, type TestDatabase, uniqueNamespace } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';

import { type AgencyFixture, anAgency, as, typeOf } from './support/agency-fixture.js';
import { aCitizenRow, caller, importCitizens } from './support/citizen-fixture.js';

const K1: SecretKeyConfig = { id: 'k1', key: randomBytes(32) };
const K2: SecretKeyConfig = { id: 'k2', key: randomBytes(32) };
const K3: SecretKeyConfig = { id: 'k3', key: randomBytes(32) };
const STATUS = '{ secretKeys { keys { keyId current lookup held sealedValues auditEntries neededFor } columns { table column keyId count } } }';
const REENCRYPT = 'mutation($after: String, $limit: Int!) { reencryptSecrets(after: $after, limit: $limit) { moved unreadable cursor } }';
const PUBLISH = 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { eventId status } }';

interface KeyStatus {
  readonly keyId: string;
  readonly current: boolean;
  readonly lookup: boolean;
  readonly held: boolean;
  readonly sealedValues: number;
  readonly auditEntries: number;
  readonly neededFor: string[];
}

interface Status {
  readonly keys: KeyStatus[];
  readonly columns: { table: string; column: string; keyId: string; count: number }[];
}

// Master-key rotation on real PostgreSQL and Kafka: data sealed under k1 stays readable once k2 is the current key,
// moves to k2 in resumable steps, and lookup hashes keep working because the database keeps the key it started with.
describe('master-key rotation', () => {
  const services = inject('services');
  const namespace = uniqueNamespace();
  let database: TestDatabase;
  let app: INestApplication | undefined;
  let url: string;
  let agency: AgencyFixture & { admin: string };
  let admin: string;
  const nationalId = '3273014507800042';

  const start = async (current: SecretKeyConfig, retired: SecretKeyConfig[] = []): Promise<void> => {
    const config = aConfig().withKafka(services.kafkaBrokers, { namespace }).withPostgres(database.url).with({ secretKey: current, retiredSecretKeys: retired }).build();
    app = await createHub(config, pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  };
  const stop = async (): Promise<void> => {
    await app?.close();
    app = undefined;
  };
  const must = async <Data>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Data> => {
    const res = await as<Data>(url, token, query, variables);
    if (res.errors !== undefined || res.data === undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  // The audit log seals every entry written so far before it answers, so the counts per key do not race the sealer.
  const status = async (): Promise<Status> => {
    await must(admin, '{ auditLog(first: 1) { seq } }');
    return (await must<{ secretKeys: Status }>(admin, STATUS)).secretKeys;
  };
  const key = (s: Status, id: string): KeyStatus | undefined => s.keys.find((k) => k.keyId === id);
  const sealedValues = async (): Promise<string[]> => {
    const values: string[] = [];
    for (const { table, column } of SEALED_COLUMNS) {
      const rows = await queryDatabase<{ v: string }>(database.url, `select "${column}" as v from "${table}" where "${column}" is not null`);
      values.push(...rows.map((r) => r.v));
    }
    return values;
  };
  const publish = async (id: string): Promise<void> => {
    await must(agency.key, PUBLISH, {
      e: { specversion: '1.0', id, source: agency.source, type: typeOf(agency.code), subject: nationalId, data: { amount: 1000, dueDate: '2026-12-31' } },
    });
  };
  const deliveredTo = async (id: string): Promise<string | null> =>
    (await queryDatabase<{ citizen_id: string | null }>(database.url, 'select n.citizen_id from notification n join event e on e.id = n.event_id where e.ce_id = $1', [id]))[0]?.citizen_id ?? null;

  beforeAll(async () => {
    database = await createTestDatabase(services.databaseUrl);
    const orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
    await orm.close();
    await start(K1);
    if (app === undefined) throw new Error('no hub');
    agency = await anAgency(app, url, 'bapenda-bdg');
    admin = agency.admin;
    await must(admin, 'mutation { setStatusCallback(agencyCode: "bapenda-bdg", url: "https://bapenda.example/hooks") { url } }');
    await importCitizens(caller(url, admin), [aCitizenRow(nationalId).withPhone('0812-3456-7000').build(), aCitizenRow().build()]);
    await publish('before-rotation');
    await eventually(async () => (await deliveredTo('before-rotation')) ?? undefined);
    await stop();
  });

  afterEach(async () => {
    await stop();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('keeps every value readable under a new current key, moves them to it in steps, and keeps lookups on the first key', async () => {
    const before = await sealedValues();
    // Agency: callback secret, API key secret; citizens: national ID, name, two e-mails and a phone.
    expect(before.length).toBeGreaterThanOrEqual(9);
    expect(before.every((v) => SecretBox.keyIdOf(v) === 'k1')).toBe(true);

    await start(K2, [K1]);
    const rotated = await status();
    expect(key(rotated, 'k1')).toMatchObject({ current: false, lookup: true, held: true, sealedValues: before.length, neededFor: ['lookup hashes', 'sealed values', 'audit entries'] });
    // Its own registration is the first audit entry k2 seals, so it is needed for that too.
    expect(key(rotated, 'k2')).toMatchObject({ current: true, lookup: false, held: true, sealedValues: 0, neededFor: ['current', 'audit entries'] });

    // An API key's secret sealed under k1 still verifies a JWT; a subject is still found by its k1 lookup hash.
    const [keyId, secret] = agency.key.split('.');
    const jwt = signJwt(keyId ?? '', secret ?? '', Math.floor(Date.now() / 1000));
    expect((await as(url, jwt, '{ eventTypes { type } }')).errors).toBeUndefined();
    await publish('after-rotation');
    await eventually(async () => expect(await deliveredTo('after-rotation')).toBe(await deliveredTo('before-rotation')));

    // Small steps, so the walk resumes within a column and across columns from the cursor.
    let after: string | null = null;
    let moved = 0;
    let steps = 0;
    do {
      const step: { moved: number; unreadable: number; cursor: string | null } = (await must<{ reencryptSecrets: { moved: number; unreadable: number; cursor: string | null } }>(admin, REENCRYPT, { after, limit: 2 })).reencryptSecrets;
      expect(step.unreadable).toBe(0);
      moved += step.moved;
      after = step.cursor;
      steps++;
    } while (after !== null && steps < 100);
    expect(after).toBeNull();
    expect(moved).toBe(before.length);
    expect(steps).toBeGreaterThan(before.length / 2);

    const moves = await sealedValues();
    const onlyK2 = new SecretBox({ k2: K2.key }, 'k2');
    expect(moves.map((v) => onlyK2.decrypt(v)).sort()).toEqual(before.map((v) => new SecretBox({ k1: K1.key }, 'k1').decrypt(v)).sort());
    const done = await status();
    expect(key(done, 'k1')).toMatchObject({ sealedValues: 0, neededFor: ['lookup hashes', 'audit entries'] });
    expect(key(done, 'k2')).toMatchObject({ sealedValues: before.length });
    // Nothing left to move: a second run moves nothing and writes no entry.
    expect((await must<{ reencryptSecrets: { moved: number } }>(admin, REENCRYPT, { after: null, limit: 50_000 })).reencryptSecrets.moved).toBe(0);

    // The trail: each key registered once, each step that moved something recorded; the chain holds across both keys.
    const entries = (
      await must<{ auditLog: { action: string; targetId: string; details: Record<string, unknown> }[] }>(admin, '{ auditLog(first: 200) { action targetId details } }')
    ).auditLog;
    expect(entries.filter((e) => e.action === 'secret_key.registered').map((e) => [e.targetId, e.details])).toEqual([
      ['k2', { current: true, lookup: false }],
      ['k1', { current: true, lookup: true }],
    ]);
    const reencrypted = entries.filter((e) => e.action === 'secrets.reencrypted');
    expect(reencrypted.reduce((sum, e) => sum + Number(e.details.moved), 0)).toBe(before.length);
    expect(reencrypted[0]?.details).toMatchObject({ done: true });
    expect((await must<{ auditIntegrity: { broken: unknown } }>(admin, '{ auditIntegrity { broken { seq reason } } }')).auditIntegrity.broken).toBeNull();
  });

  it('refuses a malformed cursor and anyone but an admin', async () => {
    await start(K2, [K1]);
    const bad = await as(url, admin, REENCRYPT, { after: 'bm90LWEtY3Vyc29y', limit: 10 });
    expect(bad.errors?.[0]?.extensions?.code).toBe('SECRETS_CURSOR_INVALID');
    const agencyCall = await as(url, agency.key, STATUS);
    expect(agencyCall.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('exits with 2 when a key id the database knows comes with another key, or the lookup key is missing', async () => {
    const base = { DATABASE_URL: database.url, KABAR_DEMO: 'false' };
    const wrong = startHubProcess({ ...base, KABAR_SECRET_KEY: randomBytes(32).toString('base64'), KABAR_SECRET_KEY_ID: 'k2', KABAR_RETIRED_SECRET_KEYS: `k1:${K1.key.toString('base64')}` });
    expect(await wrong.exited).toBe(2);
    expect(wrong.output()).toContain('cannot start: the master key configured under id k2 is not the key this database was written with under that id');
    const noLookup = startHubProcess({ ...base, KABAR_SECRET_KEY: K2.key.toString('base64'), KABAR_SECRET_KEY_ID: 'k2' });
    expect(await noLookup.exited).toBe(2);
    expect(noLookup.output()).toContain("cannot start: this database's lookup hashes (national IDs, addresses) were made with master key k1");
    expect(noLookup.output()).not.toContain(K2.key.toString('base64'));
  });

  it('finds the lookup key of a database from before the registry by the hashes it holds, whichever key is current', async () => {
    await queryDatabase(database.url, 'delete from secret_key');
    await start(K3, [K2, K1]);
    const found = await status();
    expect(key(found, 'k1')).toMatchObject({ lookup: true, current: false });
    expect(key(found, 'k3')).toMatchObject({ lookup: false, current: true });
    await publish('after-upgrade');
    await eventually(async () => expect(await deliveredTo('after-upgrade')).toBe(await deliveredTo('before-rotation')));
  });
});
