import { SILENT_LOGGER } from '@kabar/core';
import { type BusRecord, InProcessBus, OutboxRelay, type OutboxRow, type OutboxStore, type ReceivedRecord } from '@kabar/messaging';
import { eventually } from '@kabar/testing';
import { describe, expect, it } from 'vitest';

/** The store's contract in memory: rows leave only when publish resolves. (The SQL version is tested on Postgres.) */
class MemoryOutbox implements OutboxStore {
  rows: BusRecord[] = [];
  drains = 0;
  /** Rows written for a hand-off, by id; `release` takes those still here. */
  readonly held = new Map<number, readonly BusRecord[]>();

  async drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number> {
    this.drains++;
    const batch = this.rows.slice(0, limit);
    if (batch.length === 0) return 0;
    await publish(batch);
    this.rows = this.rows.slice(batch.length);
    return batch.length;
  }

  async release(rows: readonly OutboxRow[], publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number> {
    const mine = rows.filter((r) => this.held.has(r.id));
    const records = mine.flatMap((r) => r.records);
    if (records.length > 0) await publish(records);
    for (const r of mine) this.held.delete(r.id);
    return records.length;
  }

  /** Writes records as one row for a hand-off; the drain sees them too (as rows a crashed writer left). */
  write(id: number, records: readonly BusRecord[]): OutboxRow {
    this.held.set(id, records);
    return { id, records };
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

const row = (n: number): BusRecord => ({ topic: 't', key: null, value: Buffer.from(String(n)), headers: {} });

describe('OutboxRelay', () => {
  it('publishes rows in order, in batches, as soon as it is woken', async () => {
    const store = new MemoryOutbox();
    const bus = new InProcessBus(SILENT_LOGGER);
    const seen: string[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: (r: readonly ReceivedRecord[]) => Promise.resolve(void seen.push(...r.map((x) => x.value.toString()))) });
    // A poll interval far longer than the test: only wake() can explain prompt delivery.
    const relay = new OutboxRelay(store, bus, SILENT_LOGGER, { batchSize: 2, pollIntervalMs: 600_000 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains > 0 ? true : undefined));
    store.rows.push(row(1), row(2), row(3), row(4), row(5));
    relay.wake();
    await eventually(() => Promise.resolve(seen.length === 5 ? true : undefined));
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
    expect(store.rows).toEqual([]);
    await relay.stop();
    await bus.close();
  });

  it('keeps rows when the bus refuses them and publishes them once it recovers', async () => {
    const store = new MemoryOutbox();
    const { flaky, published, recover } = flakyBus();
    store.rows.push(row(1));
    const relay = new OutboxRelay(store, flaky, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 10 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains >= 2 ? true : undefined));
    expect(store.rows).toHaveLength(1);
    recover();
    await eventually(() => Promise.resolve(published.length === 1 ? true : undefined));
    expect(store.rows).toEqual([]);
    await relay.stop();
  });

  it('publishes handed-off rows from the records in hand, without a drain', async () => {
    const store = new MemoryOutbox();
    const bus = new InProcessBus(SILENT_LOGGER);
    const seen: string[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: (r: readonly ReceivedRecord[]) => Promise.resolve(void seen.push(...r.map((x) => x.value.toString()))) });
    const relay = new OutboxRelay(store, bus, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 600_000 });
    relay.handOff([store.write(1, [row(1), row(2)]), store.write(2, [row(3)])]);
    await eventually(() => Promise.resolve(seen.length === 3 ? true : undefined));
    expect(seen).toEqual(['1', '2', '3']);
    expect(store.held.size).toBe(0);
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
    expect(store.held.size).toBe(1);
    expect(published).toEqual([]);
    recover();
    relay.handOff([store.write(2, [row(2)])]);
    await eventually(() => Promise.resolve(published.length === 1 ? true : undefined));
    expect(published).toEqual([row(2)]);
    await relay.stop();
  });

  it('hands at most eight batches to the bus at once and leaves the rest to the drain', async () => {
    const store = new MemoryOutbox();
    const bus = new InProcessBus(SILENT_LOGGER);
    const pending: (() => void)[] = [];
    const slow = Object.assign(Object.create(bus) as InProcessBus, {
      publish: () => new Promise<void>((resolve) => pending.push(resolve)),
    });
    const relay = new OutboxRelay(store, slow, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 600_000 });
    for (let id = 1; id <= 10; id++) relay.handOff([store.write(id, [row(id)])]);
    await eventually(() => Promise.resolve(pending.length === 8 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pending).toHaveLength(8);
    for (const resolve of pending) resolve();
    await relay.stop();
    expect([...store.held.keys()]).toEqual([9, 10]);
  });
});
