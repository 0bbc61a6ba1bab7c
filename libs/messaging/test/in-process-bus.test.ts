import { SILENT_LOGGER } from '@kabar/core';
import { type BusRecord, InProcessBus, type ReceivedRecord } from '@kabar/messaging';
import { eventually } from '@kabar/testing';
import { describe, expect, it } from 'vitest';

const record = (topic: string, n: number): BusRecord => ({ topic, key: `k${n}`, value: Buffer.from(String(n)), headers: { n: String(n) } });
const values = (records: readonly ReceivedRecord[]): string[] => records.map((r) => r.value.toString());

describe('InProcessBus', () => {
  it('delivers in publish order, in batches, to every group', async () => {
    const bus = new InProcessBus(SILENT_LOGGER);
    const a: string[] = [];
    const b: string[] = [];
    await bus.subscribe({ groupId: 'a', topics: ['t'], handler: (r) => Promise.resolve(void a.push(...values(r))) });
    await bus.subscribe({ groupId: 'b', topics: ['t'], handler: (r) => Promise.resolve(void b.push(...values(r))) });
    await bus.publish([1, 2, 3].map((n) => record('t', n)));
    await bus.publish([record('t', 4), record('other', 5)]);
    await eventually(() => Promise.resolve(a.length === 4 && b.length === 4 ? true : undefined));
    expect(a).toEqual(['1', '2', '3', '4']);
    expect(b).toEqual(['1', '2', '3', '4']);
    await bus.close();
  });

  it('keeps records published before anyone subscribed for the first subscriber', async () => {
    const bus = new InProcessBus(SILENT_LOGGER);
    await bus.publish([record('t', 1)]);
    const seen: ReceivedRecord[] = [];
    await bus.subscribe({ groupId: 'late', topics: ['t'], handler: (r) => Promise.resolve(void seen.push(...r)) });
    await eventually(() => Promise.resolve(seen.length === 1 ? true : undefined));
    expect(seen[0]).toMatchObject({ topic: 't', key: 'k1', headers: { n: '1' }, offset: '0' });
    await bus.close();
  });

  it('retries a failed batch until the handler succeeds, losing nothing and skipping nothing', async () => {
    const bus = new InProcessBus(SILENT_LOGGER);
    let calls = 0;
    const handled: string[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: (r) => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('database busy'));
        handled.push(...values(r));
        return Promise.resolve();
      },
    });
    await bus.publish([record('t', 1), record('t', 2)]);
    await eventually(() => Promise.resolve(handled.length === 2 ? true : undefined));
    expect(handled).toEqual(['1', '2']);
    expect(calls).toBe(2);
    await bus.close();
  });

  it('refuses a second consumer in the same group and publishing after close', async () => {
    const bus = new InProcessBus(SILENT_LOGGER);
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: () => Promise.resolve() });
    await expect(bus.subscribe({ groupId: 'g', topics: ['t'], handler: () => Promise.resolve() })).rejects.toThrow('already consumes');
    await bus.close();
    await expect(bus.publish([record('t', 1)])).rejects.toThrow('closed');
    expect(await bus.health()).toEqual({ kind: 'in-process', up: false, detail: 'closed' });
  });
});
