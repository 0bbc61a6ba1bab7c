import { SILENT_LOGGER } from '@kabar/core';
import { type BusRecord, type DrainLeaves, InProcessBus, OutboxRelay, type OutboxRow, type OutboxStore, type ReceivedRecord } from '@kabar/messaging';
import { eventually } from '@kabar/testing';
import { describe, expect, it } from 'vitest';

/**
 * The store's contract in memory: one table of rows by id; rows leave only when publish resolves; the drain takes the
 * oldest not in `skip`. (The SQL version, with its row locks, is tested on PostgreSQL.)
 */
class MemoryOutbox implements OutboxStore {
  readonly table = new Map<number, readonly BusRecord[]>();
  /** When each row was written (Date.now()). */
  private readonly writtenAt = new Map<number, number>();
  drains = 0;
  private nextId = 1_000;

  /** Rows written without a hand-off, one record each: only a drain publishes them. */
  push(...records: BusRecord[]): void {
    for (const record of records) this.put(this.nextId++, [record]);
  }

  async drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>, leave: DrainLeaves = {}): Promise<number> {
    this.drains++;
    const ids: number[] = [];
    let count = 0;
    const settledBy = Date.now() - (leave.youngerThanMs ?? 0);
    for (const id of [...this.table.keys()].sort((a, b) => a - b)) {
      if (count >= limit) break;
      if (leave.ids?.includes(id) === true || (this.writtenAt.get(id) ?? 0) > settledBy) continue;
      ids.push(id);
      count += this.table.get(id)?.length ?? 0;
    }
    const records = ids.flatMap((id) => this.table.get(id) ?? []);
    if (records.length === 0) return 0;
    await publish(records);
    for (const id of ids) this.table.delete(id);
    return records.length;
  }

  async release(rows: readonly OutboxRow[], publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number> {
    const mine = rows.filter((r) => this.table.has(r.id));
    const records = mine.flatMap((r) => r.records);
    if (records.length > 0) await publish(records);
    for (const r of mine) this.table.delete(r.id);
    return records.length;
  }

  /** Writes records as one row, as a writer does before handing it off. */
  write(id: number, records: readonly BusRecord[]): OutboxRow {
    this.put(id, records);
    return { id, records };
  }

  private put(id: number, records: readonly BusRecord[]): void {
    this.table.set(id, records);
    this.writtenAt.set(id, Date.now());
  }
}

/** A bus that refuses every publish ("broker down") until `recover()`, then keeps what it is given. */
function flakyBus(): { flaky: InProcessBus; published: BusRecord[]; recover: () => void } {
  let refuse = true;
  const published: BusRecord[] = [];
  const flaky = Object.assign(Object.create(new InProcessBus(SILENT_LOGGER)) as InProcessBus, {
    publish: (records: readonly BusRecord[]) => {
      if (refuse) return Promise.reject(new Error('broker down'));
      published.push(...records);
      return Promise.resolve();
    },
  });
  return { flaky, published, recover: () => (refuse = false) };
}

/** An in-process bus with a subscriber on topic `t` that keeps the values it receives, in order. */
async function watchedBus(): Promise<{ bus: InProcessBus; seen: string[] }> {
  const bus = new InProcessBus(SILENT_LOGGER);
  const seen: string[] = [];
  await bus.subscribe({ groupId: 'g', topics: ['t'], handler: (r: readonly ReceivedRecord[]) => Promise.resolve(void seen.push(...r.map((x) => x.value.toString()))) });
  return { bus, seen };
}

/** A bus whose publishes wait until the test resolves them, each call kept with its records. */
function slowBus(): { slow: InProcessBus; calls: { records: readonly BusRecord[]; resolve: () => void }[] } {
  const calls: { records: readonly BusRecord[]; resolve: () => void }[] = [];
  const slow = Object.assign(Object.create(new InProcessBus(SILENT_LOGGER)) as InProcessBus, {
    publish: (records: readonly BusRecord[]) => new Promise<void>((resolve) => calls.push({ records, resolve })),
  });
  return { slow, calls };
}

const row = (n: number): BusRecord => ({ topic: 't', key: null, value: Buffer.from(String(n)), headers: {} });

describe('OutboxRelay', () => {
  it('publishes rows in order, in batches, as soon as it is woken', async () => {
    const store = new MemoryOutbox();
    const { bus, seen } = await watchedBus();
    // A poll interval far longer than the test: only wake() can explain prompt delivery.
    const relay = new OutboxRelay(store, bus, SILENT_LOGGER, { batchSize: 2, pollIntervalMs: 600_000 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains > 0 ? true : undefined));
    store.push(row(1), row(2), row(3), row(4), row(5));
    relay.wake();
    await eventually(() => Promise.resolve(seen.length === 5 ? true : undefined));
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
    expect(store.table.size).toBe(0);
    await relay.stop();
    await bus.close();
  });

  it('leaves young rows to their writers on a regular poll, and takes them when woken', async () => {
    const store = new MemoryOutbox();
    const { bus, seen } = await watchedBus();
    const relay = new OutboxRelay(store, bus, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 5 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains > 0 ? true : undefined));
    // Committed, its writer about to hand it off: polls pass it by.
    store.write(1, [row(1)]);
    const drainsBefore = store.drains;
    await eventually(() => Promise.resolve(store.drains > drainsBefore + 5 ? true : undefined));
    expect(seen).toEqual([]);
    relay.wake();
    await eventually(() => Promise.resolve(seen.length === 1 ? true : undefined));
    expect(store.table.size).toBe(0);
    await relay.stop();
    await bus.close();
  });

  it('keeps rows when the bus refuses them and publishes them once it recovers', async () => {
    const store = new MemoryOutbox();
    const { flaky, published, recover } = flakyBus();
    store.push(row(1));
    const relay = new OutboxRelay(store, flaky, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 10 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains >= 2 ? true : undefined));
    expect(store.table.size).toBe(1);
    recover();
    await eventually(() => Promise.resolve(published.length === 1 ? true : undefined));
    expect(store.table.size).toBe(0);
    await relay.stop();
  });

  it('publishes handed-off rows from the records in hand, without a drain', async () => {
    const store = new MemoryOutbox();
    const { bus, seen } = await watchedBus();
    const relay = new OutboxRelay(store, bus, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 600_000 });
    relay.handOff([store.write(1, [row(1), row(2)]), store.write(2, [row(3)])]);
    await eventually(() => Promise.resolve(seen.length === 3 ? true : undefined));
    expect(seen).toEqual(['1', '2', '3']);
    expect(store.table.size).toBe(0);
    expect(store.drains).toBe(0);
    await relay.stop();
    await bus.close();
  });

  it('leaves rows it could not publish to the drain, and wakes it', async () => {
    const store = new MemoryOutbox();
    const { flaky, published, recover } = flakyBus();
    const relay = new OutboxRelay(store, flaky, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 600_000 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains > 0 ? true : undefined));
    const drainsBefore = store.drains;
    relay.handOff([store.write(1, [row(1)])]);
    await eventually(() => Promise.resolve(store.drains > drainsBefore ? true : undefined));
    expect(store.table.has(1)).toBe(true);
    expect(published).toEqual([]);
    recover();
    relay.handOff([store.write(2, [row(2)])]);
    // Row 2 by its hand-off; row 1 by the drain, backing off after the refusal until a writer's wake.
    relay.wake();
    await eventually(() => Promise.resolve(published.length === 2 ? true : undefined));
    expect(published).toEqual(expect.arrayContaining([row(1), row(2)]));
    expect(store.table.size).toBe(0);
    await relay.stop();
  });

  it('drains the rows of a failed hand-off as soon as it fails, not at the next poll', async () => {
    const store = new MemoryOutbox();
    const published: BusRecord[] = [];
    let refusals = 1;
    const once = Object.assign(Object.create(new InProcessBus(SILENT_LOGGER)) as InProcessBus, {
      publish: (records: readonly BusRecord[]) => {
        if (refusals-- > 0) return Promise.reject(new Error('broker hiccup'));
        published.push(...records);
        return Promise.resolve();
      },
    });
    // A poll far longer than the test: only the failed hand-off's wake can explain the drain.
    const relay = new OutboxRelay(store, once, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 600_000 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains > 0 ? true : undefined));
    relay.handOff([store.write(1, [row(1)])]);
    await eventually(() => Promise.resolve(published.length === 1 ? true : undefined));
    expect(published).toEqual([row(1)]);
    expect(store.table.size).toBe(0);
    await relay.stop();
  });

  it('hands at most eight batches to the bus at once; rows handed off meanwhile wait, untouched by the drain, and go out together', async () => {
    const store = new MemoryOutbox();
    const { slow, calls } = slowBus();
    const relay = new OutboxRelay(store, slow, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 600_000 });
    relay.start();
    for (let id = 1; id <= 10; id++) relay.handOff([store.write(id, [row(id)])]);
    await eventually(() => Promise.resolve(calls.length === 8 ? true : undefined));
    // A drain now (woken by another writer) must leave rows 9 and 10 to their hand-off.
    const drainsBefore = store.drains;
    relay.wake();
    await eventually(() => Promise.resolve(store.drains > drainsBefore ? true : undefined));
    expect(calls).toHaveLength(8);
    for (const call of calls.splice(0)) call.resolve();
    await eventually(() => Promise.resolve(calls.length === 1 ? true : undefined));
    expect(calls[0]?.records).toEqual([row(9), row(10)]);
    calls[0]?.resolve();
    await relay.stop();
    expect(store.table.size).toBe(0);
  });

  it('publishes priority rows ahead of the rows waiting for a slot; their statuses and what follows wait in order', async () => {
    const store = new MemoryOutbox();
    const { slow, calls } = slowBus();
    const relay = new OutboxRelay(store, slow, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 600_000, priorityTopics: ['next-stage'] });
    for (let id = 1; id <= 8; id++) relay.handOff([store.write(id, [row(id)])]);
    relay.handOff([store.write(9, [row(9)])]);
    const nextStage: BusRecord = { ...row(99), topic: 'next-stage' };
    // The next stage's row goes ahead; the status written beside it (11) waits, and so does what the next stage
    // reports afterwards (12), behind it.
    relay.handOff([store.write(10, [nextStage]), store.write(11, [row(11)])]);
    relay.handOff([store.write(12, [row(12)])]);
    await eventually(() => Promise.resolve(calls.length === 9 ? true : undefined));
    expect(calls[8]?.records).toEqual([nextStage]);
    for (const call of calls.splice(0)) call.resolve();
    await eventually(() => Promise.resolve(calls.length === 1 ? true : undefined));
    expect(calls[0]?.records).toEqual([row(9), row(11), row(12)]);
    calls[0]?.resolve();
    await relay.stop();
    expect(store.table.size).toBe(0);
  });

  it('lets priority rows go ahead only while fewer than twelve hand-offs publish', async () => {
    const store = new MemoryOutbox();
    const { slow, calls } = slowBus();
    const relay = new OutboxRelay(store, slow, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 600_000, priorityTopics: ['next-stage'] });
    const nextStage = (n: number): BusRecord => ({ ...row(n), topic: 'next-stage' });
    for (let id = 1; id <= 13; id++) relay.handOff([store.write(id, [nextStage(id)])]);
    await eventually(() => Promise.resolve(calls.length === 12 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toHaveLength(12);
    for (const call of calls.splice(0)) call.resolve();
    await eventually(() => Promise.resolve(calls.length === 1 ? true : undefined));
    expect(calls[0]?.records).toEqual([nextStage(13)]);
    calls[0]?.resolve();
    await relay.stop();
    expect(store.table.size).toBe(0);
  });

  it('leaves rows to the drain once too many records wait for a hand-off', async () => {
    const store = new MemoryOutbox();
    const { slow, calls } = slowBus();
    const relay = new OutboxRelay(store, slow, SILENT_LOGGER, { batchSize: 100_000, pollIntervalMs: 600_000 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains > 0 ? true : undefined));
    for (let id = 1; id <= 8; id++) relay.handOff([store.write(id, [row(id)])]);
    const many = Array.from({ length: 50_001 }, (_, n) => row(n));
    relay.handOff([store.write(9, many)]);
    // Not waiting in memory: the woken drain publishes it from the table.
    await eventually(() => Promise.resolve(calls.some((c) => c.records.length === 50_001) ? true : undefined));
    for (const call of calls.splice(0)) call.resolve();
    await relay.stop();
    expect(store.table.size).toBe(0);
  });
});
