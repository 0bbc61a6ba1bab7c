import { describeError, RetryExhaustedError, type RetryFailure, retryUntil } from '@kabar/core';
import { describe, expect, it } from 'vitest';

/** A clock that only moves when the code under test sleeps, so no test waits for real time. */
function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let time = 0;
  const slept: number[] = [];
  return {
    now: () => time,
    sleep: (ms) => {
      slept.push(ms);
      time += ms;
      return Promise.resolve();
    },
    slept,
  };
}

const policy = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

describe('retryUntil', () => {
  it('returns the first success and reports each failure before waiting', async () => {
    const clock = fakeClock();
    const failures: RetryFailure[] = [];
    let calls = 0;
    const result = await retryUntil(
      () => {
        calls++;
        return calls < 3 ? Promise.reject(new Error(`down ${calls}`)) : Promise.resolve('up');
      },
      { policy, deadlineMs: 10_000, onRetry: (f) => failures.push(f), ...clock },
    );
    expect(result).toBe('up');
    expect(clock.slept).toEqual([100, 200]);
    expect(failures.map((f) => [f.attempt, describeError(f.error), f.nextDelayMs])).toEqual([
      [1, 'down 1', 100],
      [2, 'down 2', 200],
    ]);
  });

  it('gives up before a wait would pass the deadline, carrying the last error', async () => {
    const clock = fakeClock();
    const attempt = (): Promise<never> => Promise.reject(Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }));
    const error = await retryUntil(attempt, { policy, deadlineMs: 350, ...clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryExhaustedError);
    expect((error as RetryExhaustedError).attempts).toBe(3);
    expect((error as RetryExhaustedError).message).toBe('gave up after 3 attempts: connect refused (ECONNREFUSED)');
    expect(clock.slept).toEqual([100, 200]);
  });
});
