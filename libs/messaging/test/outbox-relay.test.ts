import { SILENT_LOGGER } from '@kabar/core';
import { type BusRecord, InProcessBus, OutboxRelay, type OutboxStore, type ReceivedRecord } from '@kabar/messaging';
import { eventually } from '@kabar/testing';
import { describe, expect, it } from 'vitest';

/** The store's contract in memory: rows leave only when publish resolves. (The SQL version is tested on Postgres.) */
class MemoryOutbox implements OutboxStore {
  rows: BusRecord[] = [];
  drains = 0;

  async drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number> {
    this.drains++;
    const batch = this.rows.slice(0, limit);
    if (batch.length === 0) return 0;
    await publish(batch);
    this.rows = this.rows.slice(batch.length);
    return batch.length;
  }
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
    const bus = new InProcessBus(SILENT_LOGGER);
    let refuse = true;
    const published: BusRecord[] = [];
    const flaky = Object.assign(Object.create(bus) as InProcessBus, {
      publish: (records: readonly BusRecord[]) => {
        if (refuse) return Promise.reject(new Error('broker down'));
        published.push(...records);
        return Promise.resolve();
      },
    });
    store.rows.push(row(1));
    const relay = new OutboxRelay(store, flaky, SILENT_LOGGER, { batchSize: 10, pollIntervalMs: 10 });
    relay.start();
    await eventually(() => Promise.resolve(store.drains >= 2 ? true : undefined));
    expect(store.rows).toHaveLength(1);
    refuse = false;
    await eventually(() => Promise.resolve(published.length === 1 ? true : undefined));
    expect(store.rows).toEqual([]);
    await relay.stop();
  });
});
