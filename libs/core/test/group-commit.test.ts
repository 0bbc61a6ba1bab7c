import { GroupCommit } from '@kabar/core';
import { describe, expect, it } from 'vitest';

/** A writer whose writes finish only when the test says so, recording each batch it was given. */
function gatedWriter(): { batches: number[][]; write: (items: readonly number[]) => Promise<readonly undefined[]>; finish: (error?: Error) => void } {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  return {
    batches,
    write: (items) =>
      new Promise<readonly undefined[]>((resolve, reject) => {
        batches.push([...items]);
        pending.push({ resolve: () => resolve(items.map(() => undefined)), reject });
      }),
    finish: (error) => {
      const next = pending.shift();
      if (next === undefined) throw new Error('no write is in progress');
      if (error === undefined) next.resolve();
      else next.reject(error);
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes a lone item at once, and batches the items that arrive while a write is in progress', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(writer.write);
    const first = commits.submit(1);
    expect(writer.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => commits.submit(n));
    await settle();
    expect(writer.batches).toEqual([[1]]);
    writer.finish();
    await first;
    await settle();
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
    writer.finish();
    await Promise.all(rest);
  });

  it('keeps batches to maxBatch items, in arrival order', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(writer.write, { maxBatch: 2 });
    const all = [1, 2, 3, 4, 5].map((n) => commits.submit(n));
    for (let i = 0; i < 3; i++) {
      await settle();
      writer.finish();
    }
    await Promise.all(all);
    expect(writer.batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it("rejects only the failed batch's items, and goes on with the next batch", async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(writer.write);
    const first = commits.submit(1);
    const second = commits.submit(2);
    const third = commits.submit(3);
    writer.finish(new Error('database unavailable'));
    await expect(first).rejects.toThrow('database unavailable');
    await settle();
    writer.finish();
    await expect(Promise.all([second, third])).resolves.toEqual([undefined, undefined]);
    expect(writer.batches).toEqual([[1], [2, 3]]);
    // Idle again: the next item is written alone, at once.
    const fourth = commits.submit(4);
    expect(writer.batches.at(-1)).toEqual([4]);
    writer.finish();
    await fourth;
  });

  it('refuses a batch size or a concurrency that is not a positive integer', () => {
    expect(() => new GroupCommit(() => Promise.resolve([]), { maxBatch: 0 })).toThrow(RangeError);
    expect(() => new GroupCommit(() => Promise.resolve([]), { concurrency: 1.5 })).toThrow(RangeError);
  });

  it("answers each item with the write's answer for it, in order", async () => {
    const commits = new GroupCommit<number, string>((items) => Promise.resolve(items.map((n) => `#${String(n)}`)));
    await expect(Promise.all([1, 2, 3].map((n) => commits.submit(n)))).resolves.toEqual(['#1', '#2', '#3']);
  });

  it('rejects a batch whose write answers another number of items than it was given', async () => {
    const commits = new GroupCommit<number, number>(() => Promise.resolve([1]));
    // 1 is written alone at once; 2 and 3 come while it is and go together.
    const first = commits.submit(1);
    const rest = Promise.all([commits.submit(2), commits.submit(3)]);
    await expect(first).resolves.toBe(1);
    await expect(rest).rejects.toThrow('answered 1 of 2 items');
  });

  it('weighs items: a batch holds what fits in maxBatch, and an item heavier than that goes alone', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(writer.write, { maxBatch: 10, weigh: (n) => n });
    const all = [1, 6, 4, 3, 20, 2].map((n) => commits.submit(n));
    for (let i = 0; i < 5; i++) {
      await settle();
      writer.finish();
    }
    await Promise.all(all);
    expect(writer.batches).toEqual([[1], [6, 4], [3], [20], [2]]);
  });

  it('writes up to `concurrency` batches at once; the items that come meanwhile wait together', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(writer.write, { concurrency: 2 });
    const first = commits.submit(1);
    const second = commits.submit(2);
    expect(writer.batches).toEqual([[1], [2]]);
    const rest = [3, 4, 5].map((n) => commits.submit(n));
    await settle();
    expect(writer.batches).toEqual([[1], [2]]);
    writer.finish();
    await first;
    await settle();
    expect(writer.batches).toEqual([[1], [2], [3, 4, 5]]);
    writer.finish();
    writer.finish();
    await Promise.all([second, ...rest]);
  });

  it('with gatherTurn, writes the items of one turn together though a write could start, and answers each', async () => {
    const writer = gatedWriter();
    const commits = new GroupCommit(writer.write, { concurrency: 4, gatherTurn: true });
    const turn = [1, 2, 3].map((n) => commits.submit(n));
    expect(writer.batches).toEqual([]);
    await settle();
    expect(writer.batches).toEqual([[1, 2, 3]]);
    // Another turn while that write is in progress: a slot is free, so it goes on its own.
    const next = commits.submit(4);
    await settle();
    expect(writer.batches).toEqual([[1, 2, 3], [4]]);
    writer.finish();
    writer.finish();
    await expect(Promise.all([...turn, next])).resolves.toEqual([undefined, undefined, undefined, undefined]);
  });
});
