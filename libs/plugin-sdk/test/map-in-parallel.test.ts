import { describe, expect, it } from 'vitest';

import { mapInParallel } from '../src/index.js';

/** A call that resolves when told to, so a test decides the order calls finish in. */
function controlled(): { fn: (n: number) => Promise<number>; pending: () => number; finish: (n: number) => void; started: number[] } {
  const waiting = new Map<number, () => void>();
  const started: number[] = [];
  return {
    started,
    pending: () => waiting.size,
    fn: (n) =>
      new Promise<number>((resolve) => {
        started.push(n);
        waiting.set(n, () => resolve(n * 10));
      }),
    finish: (n) => {
      const resolve = waiting.get(n);
      waiting.delete(n);
      resolve?.();
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('mapInParallel', () => {
  it('keeps at most `limit` calls pending, starts the next as one finishes, and answers in input order', async () => {
    const calls = controlled();
    const all = mapInParallel([1, 2, 3, 4, 5], 2, calls.fn);
    await tick();
    expect(calls.started).toEqual([1, 2]);
    calls.finish(2);
    await tick();
    expect(calls.started).toEqual([1, 2, 3]);
    expect(calls.pending()).toBe(2);
    for (const n of [3, 1, 5, 4]) {
      calls.finish(n);
      await tick();
    }
    expect(await all).toEqual([10, 20, 30, 40, 50]);
  });

  it('answers an empty list at once, and runs one at a time for a limit below one', async () => {
    expect(await mapInParallel([], 8, () => Promise.reject(new Error('not called')))).toEqual([]);
    const calls = controlled();
    const all = mapInParallel([1, 2], 0, calls.fn);
    await tick();
    expect(calls.started).toEqual([1]);
    calls.finish(1);
    await tick();
    calls.finish(2);
    expect(await all).toEqual([10, 20]);
  });

  it('rejects with the first failure', async () => {
    await expect(mapInParallel([1, 2, 3], 2, (n) => (n === 2 ? Promise.reject(new Error('provider down')) : Promise.resolve(n)))).rejects.toThrow('provider down');
  });
});
