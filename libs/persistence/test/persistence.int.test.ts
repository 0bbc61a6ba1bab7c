import type { DatabaseConfig } from '@kabar/config';
import { SILENT_LOGGER } from '@kabar/core';
import type { BusRecord, OutboxRow } from '@kabar/messaging';
import { insertColumns, insertRows, isDatabaseUnreachable, Json, migrate, MIGRATION_NAMES, openDatabase, OutboxRepository, ProbeRepository, schemaDrift } from '@kabar/persistence';
import { createTestDatabase, queryDatabase, type TcpProxy, tcpProxy, type TestDatabase } from '@kabar/testing';
import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const record = (n: number): BusRecord => ({ topic: 'kabar.test.v1', key: `k${n}`, value: Buffer.from([n, 0, 255]), headers: { n: String(n) } });

// The same contract on the real PostgreSQL server and on embedded PGlite (what `npm start` uses).
describe.each(['postgres', 'pglite'] as const)('persistence on %s', (kind) => {
  let database: TestDatabase | undefined;
  let orm: MikroORM;
  let firstMigration: string[];

  beforeAll(async () => {
    let config: DatabaseConfig;
    if (kind === 'postgres') {
      database = await createTestDatabase(inject('services').databaseUrl);
      config = { kind: 'postgres', url: database.url };
    } else {
      config = { kind: 'pglite', dataDir: 'memory://' };
    }
    orm = await openDatabase(config, 10_000, SILENT_LOGGER);
    firstMigration = await migrate(orm);
  });

  afterAll(async () => {
    await orm.close();
    await database?.drop();
  });

  it('migrates a fresh database once, to exactly the schema the entities describe', async () => {
    expect(firstMigration).toEqual(MIGRATION_NAMES);
    expect(MIGRATION_NAMES[0]).toBe('Migration20261123Foundation');
    expect(await migrate(orm)).toEqual([]);
    expect(await schemaDrift(orm)).toBe('');
  });

  it('bulk-inserts columns as arrays with every value intact: quotes, braces, backslashes, NULLs, JSON, dates', async () => {
    const em = orm.em.fork() as SqlEntityManager;
    await em.getConnection().execute('create table "bulk_probe" ("id" uuid primary key, "t" text, "n" int, "b" boolean, "at" timestamptz, "j" jsonb)');
    const at = new Date('2026-12-01T01:02:03.456Z');
    const awkward = ['say "hi"', 'a,b', '{x}', 'back\\slash', 'NULL', '', 'Pengingat — ½ 🚀', "it's"];
    const rows: (string | number | boolean | Date | Json | null)[][] = awkward.map((t, i) => [`00000000-0000-4000-8000-00000000000${String(i)}`, t, i, i % 2 === 0, at, new Json({ t, list: [i, null, 'x"y'] })]);
    rows.push(['00000000-0000-4000-8000-000000000009', null, null, null, null, new Json(null)]);
    const columns = [['id', 'uuid'], ['t', 'text'], ['n', 'integer'], ['b', 'boolean'], ['at', 'timestamptz'], ['j', 'jsonb']] as const;
    const inserted = await insertColumns<{ id: string }>(em, 'bulk_probe', columns, rows, 'on conflict ("id") do nothing returning "id"');
    expect(inserted).toHaveLength(rows.length);
    // A replayed batch inserts nothing.
    expect(await insertColumns(em, 'bulk_probe', columns, rows, 'on conflict ("id") do nothing returning "id"')).toEqual([]);
    const stored = await em.getConnection().execute<{ t: string | null; n: number | null; b: boolean | null; at: Date | string | null; j: unknown }[]>(
      'select "t", "n", "b", "at", "j" from "bulk_probe" order by "id"',
    );
    expect(stored.map((r) => r.t)).toEqual([...awkward, null]);
    expect(stored.map((r) => r.n)).toEqual([...awkward.map((_, i) => i), null]);
    expect(stored.map((r) => r.b)).toEqual([...awkward.map((_, i) => i % 2 === 0), null]);
    expect(stored.map((r) => (r.at === null ? null : new Date(r.at).toISOString()))).toEqual([...awkward.map(() => at.toISOString()), null]);
    expect(stored.map((r) => (typeof r.j === 'string' ? (JSON.parse(r.j) as unknown) : r.j))).toEqual([...awkward.map((t, i) => ({ t, list: [i, null, 'x"y'] })), null]);
    await em.getConnection().execute('drop table "bulk_probe"');
  });

  it('stores half a character and U+0000 in JSON as U+FFFD (as text columns store a half), where jsonb refused the whole value', async () => {
    const em = orm.em.fork() as SqlEntityManager;
    await em.getConnection().execute('create table "bulk_halves" ("k" int, "t" text, "j" jsonb)');
    // A citizen's text cut between the two halves of an emoji; a literal backslash-u that only looks like an escape.
    const texts = ['Lampu \ud83d', '\udc4d ok', 'C:\\ud800\\x', 'whole \u{1F44D}', 'both \\\ud83d'];
    const stored = ['Lampu \ufffd', '\ufffd ok', 'C:\\ud800\\x', 'whole \u{1F44D}', 'both \\\ufffd'];
    const columns = [['k', 'integer'], ['t', 'text'], ['j', 'jsonb']] as const;
    await insertColumns(em, 'bulk_halves', columns, texts.map((t, k) => [k, t, new Json({ [t]: [t] })]));
    // U+0000, which jsonb refuses too (text refuses it as well: only JSON is mended here).
    await insertColumns(em, 'bulk_halves', columns, [[8, 'nul', new Json({ ['a\u0000']: 'b\u0000\\u0000' })]]);
    await insertRows(em, 'bulk_halves', ['k', 't', 'j'], [[9, texts[0] ?? '', new Json({ one: texts[0] })]]);
    const rows = await em.getConnection().execute<{ t: string; j: unknown }[]>('select "t", "j" from "bulk_halves" order by "k"');
    const json = (j: unknown): unknown => (typeof j === 'string' ? (JSON.parse(j) as unknown) : j);
    expect(rows.map((r) => r.t)).toEqual([...stored, 'nul', stored[0]]);
    expect(rows.map((r) => json(r.j))).toEqual([...stored.map((t) => ({ [t]: [t] })), { ['a\ufffd']: 'b\ufffd\\u0000' }, { one: stored[0] }]);
    await em.getConnection().execute('drop table "bulk_halves"');
  });

  it('bulk-inserts a column with one value in every row (sent once) exactly as the others', async () => {
    const em = orm.em.fork() as SqlEntityManager;
    await em.getConnection().execute('create table "bulk_same" ("k" int, "t" text, "n" int, "b" boolean, "at" timestamptz, "j" jsonb, "none" text)');
    const at = new Date('2026-12-01T01:02:03.456Z');
    const columns = [['k', 'integer'], ['t', 'text'], ['n', 'integer'], ['b', 'boolean'], ['at', 'timestamptz'], ['j', 'jsonb'], ['none', 'text']] as const;
    const same = ['say "hi", {x} back\\slash ½ 🚀', 7, false, at, new Json({ list: [1, null, 'x"y'] }), null] as const;
    // Varying only in k; then every column the same (two identical rows); then a single row.
    await insertColumns(em, 'bulk_same', columns, [1, 2, 3].map((k) => [k, ...same]));
    await insertColumns(em, 'bulk_same', columns, [[4, ...same], [4, ...same]]);
    await insertColumns(em, 'bulk_same', columns, [[5, ...same]]);
    // A Date equal in value but not the same object still counts as the same instant.
    await insertColumns(em, 'bulk_same', columns, [[6, ...same], [6, same[0], same[1], same[2], new Date(at.getTime()), same[4], same[5]]]);
    const stored = await em.getConnection().execute<{ k: number; t: string; n: number; b: boolean; at: Date | string; j: unknown; none: string | null }[]>(
      'select * from "bulk_same" order by "k"',
    );
    expect(stored.map((r) => r.k)).toEqual([1, 2, 3, 4, 4, 5, 6, 6]);
    for (const r of stored) {
      expect(r).toMatchObject({ t: same[0], n: 7, b: false, none: null });
      expect(new Date(r.at).toISOString()).toBe(at.toISOString());
      expect(typeof r.j === 'string' ? (JSON.parse(r.j) as unknown) : r.j).toEqual({ list: [1, null, 'x"y'] });
    }
    await em.getConnection().execute('drop table "bulk_same"');
  });

  it('writes outbox rows only when the surrounding transaction commits', async () => {
    const outbox = new OutboxRepository(orm.em);
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await outbox.enqueue(tx, [record(1)]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await outbox.count()).toBe(0);
  });

  it('drains in write order, byte for byte, and deletes only what was published', async () => {
    const outbox = new OutboxRepository(orm.em);
    for (const n of [1, 2, 3]) await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [record(n)]));
    const published: BusRecord[] = [];
    expect(await outbox.drain(2, (records) => Promise.resolve(void published.push(...records)))).toBe(2);
    expect(published).toEqual([record(1), record(2)]);
    expect(await outbox.count()).toBe(1);
    expect(await outbox.drain(10, (records) => Promise.resolve(void published.push(...records)))).toBe(1);
    expect(published).toEqual([record(1), record(2), record(3)]);
    expect(await outbox.count()).toBe(0);
  });

  it('drains priority topics first, each topic still in write order', async () => {
    const outbox = new OutboxRepository(orm.em, ['kabar.dispatch.v1']);
    const on = (topic: string, n: number): BusRecord => ({ ...record(n), topic });
    const written = [on('kabar.status.v1', 1), on('kabar.dispatch.v1', 2), on('kabar.status.v1', 3), on('kabar.dispatch.v1', 4), on('kabar.status.v1', 5)];
    for (const r of written) await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [r]));
    const published: BusRecord[] = [];
    expect(await outbox.drain(3, (records) => Promise.resolve(void published.push(...records)))).toBe(3);
    expect(published).toEqual([written[1], written[3], written[0]]);
    await outbox.drain(10, (records) => Promise.resolve(void published.push(...records)));
    expect(published.slice(3)).toEqual([written[2], written[4]]);
    expect(await outbox.count()).toBe(0);
  });

  it('leaves the rows a writer is handing off, and rows too young to have been handed off yet, with or without priority topics', async () => {
    for (const outbox of [new OutboxRepository(orm.em), new OutboxRepository(orm.em, ['kabar.dispatch.v1'])]) {
      const rows: OutboxRow[] = [];
      for (const n of [1, 2, 3]) rows.push(...(await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [record(n)]))));
      const handedOff = rows.slice(0, 2).map((r) => r.id);
      const published: BusRecord[] = [];
      expect(await outbox.drain(10, (records) => Promise.resolve(void published.push(...records)), { youngerThanMs: 60_000 })).toBe(0);
      expect(await outbox.drain(10, (records) => Promise.resolve(void published.push(...records)), { ids: handedOff, youngerThanMs: 0 })).toBe(1);
      expect(published).toEqual([record(3)]);
      expect(await outbox.release(rows.slice(0, 2), (records) => Promise.resolve(void published.push(...records)))).toBe(2);
      expect(published).toEqual([record(3), record(1), record(2)]);
      expect(await outbox.count()).toBe(0);
    }
  });

  it('stores a batch of one topic as few packed rows, and publishes them as the same records in order, never split', async () => {
    const outbox = new OutboxRepository(orm.em);
    const written = Array.from({ length: 1_200 }, (_, i) => ({ ...record(i % 250), key: `agency-${String(i % 7)}`, headers: { n: String(i) } }));
    await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [...written, { ...record(9), topic: 'kabar.other.v1' }]));
    const em = orm.em.fork() as SqlEntityManager;
    expect(await em.execute('select "topic", "records" from "outbox" order by "id"')).toEqual([
      { topic: 'kabar.test.v1', records: 500 },
      { topic: 'kabar.test.v1', records: 500 },
      { topic: 'kabar.test.v1', records: 200 },
      { topic: 'kabar.other.v1', records: 1 },
    ]);
    expect(await outbox.count()).toBe(1_201);
    const published: BusRecord[] = [];
    // 600 asked: the row that reaches it is taken whole.
    expect(await outbox.drain(600, (records) => Promise.resolve(void published.push(...records)))).toBe(1_000);
    await outbox.drain(600, (records) => Promise.resolve(void published.push(...records)));
    expect(published).toEqual([...written, { ...record(9), topic: 'kabar.other.v1' }]);
  });

  it('returns the rows it wrote with their records, which release publishes from memory and deletes', async () => {
    const outbox = new OutboxRepository(orm.em);
    const written = [...Array.from({ length: 3 }, (_, i) => record(i)), { ...record(9), topic: 'kabar.other.v1' }];
    const rows = await orm.em.fork().transactional((tx) => outbox.enqueue(tx, written));
    const em = orm.em.fork() as SqlEntityManager;
    const stored = await em.execute<{ id: string | number; records: number }[]>('select "id", "records" from "outbox" order by "id"');
    expect(rows.map((r) => [r.id, r.records.length])).toEqual(stored.map((r) => [Number(r.id), r.records]));
    expect(rows.flatMap((r) => r.records)).toEqual(written);
    // The rows' values are not what release publishes: it publishes the records in hand.
    await em.execute('update "outbox" set "value" = \'\\x00\'::bytea');
    const published: BusRecord[] = [];
    expect(await outbox.release(rows, (records) => Promise.resolve(void published.push(...records)))).toBe(4);
    expect(published).toEqual(written);
    expect(await outbox.count()).toBe(0);
  });

  it('keeps released rows whose publish failed, for the drain', async () => {
    const outbox = new OutboxRepository(orm.em);
    const rows = await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [record(5)]));
    await expect(outbox.release(rows, () => Promise.reject(new Error('broker down')))).rejects.toThrow('broker down');
    const published: BusRecord[] = [];
    await outbox.drain(10, (records) => Promise.resolve(void published.push(...records)));
    expect(published).toEqual([record(5)]);
  });

  it('keeps rows whose publish failed', async () => {
    const outbox = new OutboxRepository(orm.em);
    await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [record(7)]));
    await expect(outbox.drain(10, () => Promise.reject(new Error('broker down')))).rejects.toThrow('broker down');
    expect(await outbox.count()).toBe(1);
    const published: BusRecord[] = [];
    await outbox.drain(10, (records) => Promise.resolve(void published.push(...records)));
    expect(published).toEqual([record(7)]);
  });

  it('publishes holding no database connection: with the bus stalled, hand-offs and a drain leave the pool free and each other\'s rows alone', async () => {
    const outbox = new OutboxRepository(orm.em);
    const written = Array.from({ length: 14 }, (_, i) => record(i));
    const rows: OutboxRow[] = [];
    for (const r of written) rows.push(...(await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [r]))));
    let recover = (): void => undefined;
    const stalled = new Promise<void>((resolve) => (recover = resolve));
    const published: BusRecord[] = [];
    const publish = (records: readonly BusRecord[]): Promise<void> => stalled.then(() => void published.push(...records));
    // A dozen hand-offs (more than the pool's ten connections) and a drain of the two rows no hand-off holds, all
    // waiting on the bus.
    const inFlight = [...rows.slice(0, 12).map((row) => outbox.release([row], publish)), outbox.drain(10, publish, { ids: rows.slice(0, 12).map((r) => r.id) })];
    const claimed = async (): Promise<number> =>
      Number((await (orm.em.fork() as SqlEntityManager).execute<{ n: string | number }[]>('select count(*) as n from "outbox" where "claimed_until" > now()'))[0]?.n);
    while ((await claimed()) < 14) await new Promise((resolve) => setTimeout(resolve, 10));
    // The database still answers, and nothing claimed is taken again while its publisher waits.
    const idle: BusRecord[] = [];
    expect(await outbox.drain(100, (records) => Promise.resolve(void idle.push(...records)))).toBe(0);
    expect(await outbox.release(rows, (records) => Promise.resolve(void idle.push(...records)))).toBe(0);
    expect(idle).toEqual([]);
    recover();
    expect(await Promise.all(inFlight)).toEqual([...Array.from({ length: 12 }, () => 1), 2]);
    expect([...published].sort((a, b) => (a.key ?? '').localeCompare(b.key ?? '', 'en', { numeric: true }))).toEqual(written);
    expect(await outbox.count()).toBe(0);
  });

  it('takes again the rows of a relay whose claim ran out (it crashed, or the bus stalled past the lease)', async () => {
    const outbox = new OutboxRepository(orm.em);
    const rows = await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [record(3)]));
    let recover = (): void => undefined;
    const stalled = new Promise<void>((resolve) => (recover = resolve));
    const late: BusRecord[] = [];
    const handOff = outbox.release(rows, (records) => stalled.then(() => void late.push(...records)));
    const em = orm.em.fork() as SqlEntityManager;
    const claimed = async (): Promise<boolean> => Number((await em.execute<{ n: string | number }[]>('select count(*) as n from "outbox" where "claimed_until" > now()'))[0]?.n) === 1;
    while (!(await claimed())) await new Promise((resolve) => setTimeout(resolve, 10));
    const published: BusRecord[] = [];
    expect(await outbox.drain(10, (records) => Promise.resolve(void published.push(...records)))).toBe(0);
    // As if the lease's 30 s had passed.
    await em.execute('update "outbox" set "claimed_until" = now() - interval \'1 second\'');
    expect(await outbox.drain(10, (records) => Promise.resolve(void published.push(...records)))).toBe(1);
    expect(published).toEqual([record(3)]);
    expect(await outbox.count()).toBe(0);
    // The first publisher finishing late is a second copy, never a lost one: consumers are idempotent.
    recover();
    expect(await handOff).toBe(1);
    expect(late).toEqual([record(3)]);
    expect(await outbox.count()).toBe(0);
  });

  it('reports the backlog: records waiting (packed rows as the records they hold) and the age of the oldest', async () => {
    const outbox = new OutboxRepository(orm.em);
    expect(await outbox.backlog()).toEqual({ records: 0, oldestSeconds: 0 });
    await orm.em.fork().transactional((tx) => outbox.enqueue(tx, [...Array.from({ length: 3 }, (_, i) => record(i)), { ...record(9), topic: 'kabar.other.v1' }]));
    const em = orm.em.fork() as SqlEntityManager;
    await em.execute('update "outbox" set "created_at" = now() - interval \'90 seconds\' where "topic" = \'kabar.other.v1\'');
    const backlog = await outbox.backlog();
    expect(backlog.records).toBe(4);
    expect(backlog.oldestSeconds).toBeGreaterThanOrEqual(90);
    await outbox.drain(100, () => Promise.resolve());
    expect(await outbox.backlog()).toEqual({ records: 0, oldestSeconds: 0 });
  });

  it('never hands the same row to two relays draining at once', async () => {
    const outbox = new OutboxRepository(orm.em);
    await orm.em.fork().transactional((tx) => outbox.enqueue(tx, Array.from({ length: 40 }, (_, i) => record(i))));
    const seen: string[] = [];
    const relay = (): Promise<number> =>
      outbox.drain(10, async (records) => {
        seen.push(...records.map((r) => r.key ?? ''));
        await new Promise((resolve) => setTimeout(resolve, 20)); // hold the claim while the other relay runs
      });
    while ((await outbox.count()) > 0) await Promise.all([relay(), relay()]);
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
  });

  it('creates a probe together with its outbox message and marks it received idempotently', async () => {
    const probes = new ProbeRepository(orm.em);
    const outbox = new OutboxRepository(orm.em);
    const probe = await probes.create('diagnostic', (p) => ({ topic: 'kabar.probe.v1', key: p.id, value: Buffer.from(p.id), headers: {} }));
    expect(await outbox.count()).toBe(1);
    await outbox.drain(10, () => Promise.resolve());
    await probes.markReceived([probe.id]);
    const first = (await probes.findById(probe.id))?.receivedAt;
    expect(first).toBeInstanceOf(Date);
    await probes.markReceived([probe.id]);
    expect((await probes.findById(probe.id))?.receivedAt).toEqual(first);
  });
});

// A relay publishes the rows its own process wrote from memory; rows another instance wrote (or that outlived a
// restart) come from the table. Both must give the same records in the same order.
describe('outbox rows written by another instance', () => {
  let database: TestDatabase;
  let writer: MikroORM;
  let relay: MikroORM;

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
    writer = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(writer);
    relay = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
  });

  afterAll(async () => {
    await writer.close();
    await relay.close();
    await database.drop();
  });

  it('has the storage settings of migration LeanWrites: room for HOT updates, lz4 for packs, no hot-row foreign keys', async () => {
    const [table] = await queryDatabase<{ reloptions: string[] | null }>(database.url, `select "reloptions" from pg_class where "relname" = 'notification'`);
    expect(table?.reloptions).toContain('fillfactor=50');
    const [column] = await queryDatabase<{ attcompression: string }>(database.url, `select "attcompression" from pg_attribute where "attrelid" = 'outbox'::regclass and "attname" = 'value'`);
    expect(column?.attcompression).toBe('l');
    // LeanWrites took those to agencies, events and notifications, UnlockedReferences those to citizens and contact points.
    const keys = await queryDatabase<{ conname: string }>(
      database.url,
      `select "conname" from pg_constraint where "contype" = 'f' and "conrelid" in ('event'::regclass, 'notification'::regclass, 'delivery_attempt'::regclass, 'inbox_item'::regclass)`,
    );
    expect(keys).toEqual([]);
  });

  it('are read back from the table, packed and single, byte for byte and in write order', async () => {
    const packed = Array.from({ length: 700 }, (_, i) => ({ ...record(i % 256), key: i % 3 === 0 ? null : `k${String(i)}`, headers: { n: String(i), 'kabar-agency': 'ä"\\' } }));
    const single = { ...record(5), topic: 'kabar.other.v1' };
    const outbox = new OutboxRepository(writer.em);
    await writer.em.fork().transactional((tx) => outbox.enqueue(tx, packed));
    await writer.em.fork().transactional((tx) => outbox.enqueue(tx, [single]));
    const published: BusRecord[] = [];
    const elsewhere = new OutboxRepository(relay.em);
    while ((await elsewhere.count()) > 0) await elsewhere.drain(500, (records) => Promise.resolve(void published.push(...records)));
    expect(published).toEqual([...packed, single]);
    // The writer's memory of those rows is never used for rows already gone.
    expect(await outbox.drain(500, () => Promise.reject(new Error('nothing should be published')))).toBe(0);
  });

  it('are published by the instance that wrote them as the same records', async () => {
    const written = Array.from({ length: 20 }, (_, i) => record(i));
    const outbox = new OutboxRepository(writer.em);
    await writer.em.fork().transactional((tx) => outbox.enqueue(tx, written));
    const [row] = await queryDatabase<{ value: Buffer | null }>(database.url, 'select "value" from "outbox"');
    expect(row?.value?.length).toBeGreaterThan(0);
    const published: BusRecord[] = [];
    expect(await outbox.drain(100, (records) => Promise.resolve(void published.push(...records)))).toBe(20);
    expect(published).toEqual(written);
  });

  it('releases only rows nobody holds: a row a drain has claimed stays the drain\'s', async () => {
    const outbox = new OutboxRepository(writer.em);
    const first = await writer.em.fork().transactional((tx) => outbox.enqueue(tx, [record(1)]));
    const second = await writer.em.fork().transactional((tx) => outbox.enqueue(tx, [record(2)]));
    const drained: BusRecord[] = [];
    const released: BusRecord[] = [];
    // The drain claims the first row (limit 1) and, while it holds it, the writer releases both.
    await new OutboxRepository(relay.em).drain(1, async (records) => {
      drained.push(...records);
      await outbox.release([...first, ...second], (r) => Promise.resolve(void released.push(...r)));
    });
    expect(drained).toEqual([record(1)]);
    expect(released).toEqual([record(2)]);
    expect(await outbox.count()).toBe(0);
  });
});

describe('connection pool', () => {
  it('opens at most DATABASE_POOL_SIZE connections, however many queries wait', async () => {
    const database = await createTestDatabase(inject('services').databaseUrl);
    const orm = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 2 }, 10_000, SILENT_LOGGER);
    try {
      const em = orm.em.fork() as SqlEntityManager;
      const pids = await Promise.all(Array.from({ length: 6 }, () => em.execute<{ pid: number }[]>('select pg_backend_pid() as pid, pg_sleep(0.05)')));
      expect(new Set(pids.map(([row]) => row?.pid)).size).toBe(2);
    } finally {
      await orm.close();
      await database.drop();
    }
  });
});

// DATABASE_QUERY_TIMEOUT_MS: every wait on PostgreSQL is bounded, so a server that hangs fails requests instead of
// holding them (and the pool) for the kernel's TCP timeout; and whatever way the server fails, the pool recovers.
describe('a server that hangs, drops connections or turns standby', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(inject('services').databaseUrl);
  });

  afterAll(async () => {
    await database.drop();
  });

  const caught = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

  it('has PostgreSQL cancel a statement that runs longer, and keeps the connection', async () => {
    const orm = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 2, queryTimeoutMs: 1_000 }, 10_000, SILENT_LOGGER);
    try {
      const em = orm.em.fork() as SqlEntityManager;
      const [{ pid }] = await em.execute<[{ pid: number }]>('select pg_backend_pid() as pid');
      const error = await caught(em.execute('select pg_sleep(3)'));
      expect(error).toMatchObject({ code: '57014' });
      expect(isDatabaseUnreachable(error)).toBe(true);
      const [{ again }] = await em.execute<[{ again: number }]>('select pg_backend_pid() as again');
      expect(again).toBe(pid);
    } finally {
      await orm.close();
    }
  });

  /** A pool of two that reaches the test database through a proxy the test freezes or cuts. */
  const throughProxy = async (queryTimeoutMs: number): Promise<{ proxy: TcpProxy; orm: MikroORM }> => {
    const target = new URL(database.url);
    const proxy = await tcpProxy(target.hostname, Number(target.port || '5432'));
    target.host = `127.0.0.1:${String(proxy.port)}`;
    return { proxy, orm: await openDatabase({ kind: 'postgres', url: target.toString(), poolSize: 2, queryTimeoutMs }, 10_000, SILENT_LOGGER) };
  };

  it('closes a connection whose server stops answering, and opens a fresh one once it answers again', async () => {
    const { proxy, orm } = await throughProxy(1_000);
    try {
      const em = orm.em.fork() as SqlEntityManager;
      const [{ pid }] = await em.execute<[{ pid: number }]>('select pg_backend_pid() as pid');
      proxy.freeze();
      // A pooled connection (its statement unanswered) and then new ones (their start-up unanswered): both give up.
      const silent = await Promise.all([caught(em.execute('select 1')), caught(em.execute('select 2')), caught(em.execute('select 3'))]);
      for (const error of silent) expect(isDatabaseUnreachable(error)).toBe(true);
      // In a transaction too: its rollback must not wait behind the statement still on the wire.
      const inTransaction = await caught(em.transactional((tx) => tx.execute('select 4')));
      expect(isDatabaseUnreachable(inTransaction)).toBe(true);

      // What the silent connections held back now arrives; they are closed, so nobody reads it as an answer.
      await proxy.restore();
      const [{ fresh }] = await em.execute<[{ fresh: number }]>('select pg_backend_pid() as fresh');
      expect(fresh).not.toBe(pid);
      expect(await em.execute('select 5 as five')).toEqual([{ five: 5 }]);
    } finally {
      await orm.close();
      await proxy.close();
    }
  });

  // Kysely released a transaction's connection only when its rollback succeeded: every transaction the server dropped
  // kept a pool slot for good, and after as many as the pool holds the hub could not reach the database again.
  it('gives back the connections of transactions the server dropped, so the pool serves once it is back', async () => {
    const { proxy, orm } = await throughProxy(2_000);
    try {
      const em = orm.em.fork() as SqlEntityManager;
      const inFlight = [1, 2].map(() => caught(em.transactional((tx) => tx.execute('select pg_sleep(1.5) as slept'))));
      // Cut while both are inside their transactions, their statements running on the server.
      const sleeping = "select count(*)::int as n from pg_stat_activity where query = 'select pg_sleep(1.5) as slept'";
      await expect.poll(async () => (await queryDatabase(database.url, sleeping))[0], { interval: 20 }).toEqual({ n: 2 });
      await proxy.cut();
      for (const error of await Promise.all(inFlight)) expect(isDatabaseUnreachable(error)).toBe(true);
      await proxy.restore();
      // Both slots: each statement below takes one, and they run at once.
      expect(await Promise.all([em.execute('select 1 as one'), em.execute('select 1 as one')])).toEqual([[{ one: 1 }], [{ one: 1 }]]);
    } finally {
      await orm.close();
      await proxy.close();
    }
  });

  it('replaces a connection that refuses writes as a standby does (a primary demoted at a failover)', async () => {
    const orm = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 2 }, 10_000, SILENT_LOGGER);
    try {
      const em = orm.em.fork() as SqlEntityManager;
      await em.execute('create table if not exists standby_probe (n int)');
      // A session that refuses writes answers them with 25006, as a standby does.
      const [{ pid }] = await em.transactional(async (tx) => {
        await tx.execute('set session default_transaction_read_only = on');
        return tx.execute<[{ pid: number }]>('select pg_backend_pid() as pid');
      });
      const pids = new Set<number>();
      let refused: unknown;
      // The pool hands out its idle connections in turn: write until the read-only one has been met.
      for (let i = 0; i < 4 && refused === undefined; i++) {
        refused = await caught(
          em.transactional(async (tx) => {
            const [row] = await tx.execute<[{ pid: number }]>('select pg_backend_pid() as pid');
            pids.add(row.pid);
            await tx.execute('insert into standby_probe values (1)');
          }),
        );
      }
      expect(pids).toContain(pid);
      expect(refused).toMatchObject({ code: '25006' });
      expect(isDatabaseUnreachable(refused)).toBe(true);
      // Ended and replaced: the connection that refused is gone, and writes go through again.
      await expect.poll(async () => (await queryDatabase(database.url, 'select count(*)::int as n from pg_stat_activity where pid = $1', [pid]))[0]).toEqual({ n: 0 });
      for (let i = 0; i < 4; i++) await em.execute('insert into standby_probe values (2)');
    } finally {
      await orm.close();
    }
  });

  it('is off for migrations (0): a statement runs as long as it needs', async () => {
    const orm = await openDatabase({ kind: 'postgres', url: database.url, queryTimeoutMs: 0 }, 10_000, SILENT_LOGGER);
    const bounded = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    try {
      expect(await (orm.em.fork() as SqlEntityManager).execute('show statement_timeout')).toEqual([{ statement_timeout: '0' }]);
      expect(await (bounded.em.fork() as SqlEntityManager).execute('show statement_timeout')).toEqual([{ statement_timeout: '30s' }]);
    } finally {
      await orm.close();
      await bounded.close();
    }
  });
});
