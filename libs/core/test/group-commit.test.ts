import { GroupCommit } from '@kabar/core';
import { describe, expect, it } from 'vitest';

/** A writer whose writes finish only when the test says so, recording each batch it was given. */
function gatedWriter(): { batches: number[][]; write: (items: readonly number[]) => Promise<void>; finish: (error?: Error) => void } {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  return {
    batches,
    write: (items) =>
      new Promise<void>((resolve, reject) => {
        batches.push([...items]);
        pending.push({ resolve, reject });
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
    const commits = new GroupCommit(writer.write, 2);
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

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new GroupCommit(() => Promise.resolve(), 0)).toThrow(RangeError);
  });
});
