import { describe, expect, it } from 'vitest';

import { CALLBACK_GIVE_UP_AFTER_MS, isDelivered, nextCallbackAttempt, type RetryDecision } from '../src/callbacks/index.js';
import { mapConcurrent } from '../src/callbacks/map-concurrent.util.js';

const T0 = new Date('2026-11-24T08:00:00.000Z');
const HOUR = 60 * 60_000;

function delayOf(decision: RetryDecision, attemptedAt: Date): number {
  if (decision.kind !== 'retry') throw new Error('expected a retry');
  return decision.at.getTime() - attemptedAt.getTime();
}

/** Fails every attempt at the moment it is due; returns the times of all attempts, the last one being the give-up. */
function failForever(random: () => number): Date[] {
  const times = [T0];
  for (;;) {
    const attemptedAt = times[times.length - 1] ?? T0;
    const decision = nextCallbackAttempt({ attemptNo: times.length, attemptedAt, firstAttemptAt: T0 }, random);
    if (decision.kind === 'give-up') return times;
    times.push(decision.at);
  }
}

describe('callback retry policy', () => {
  it('waits 30 s after the first failure, less a jitter of at most a fifth', () => {
    const first = { attemptNo: 1, attemptedAt: T0, firstAttemptAt: T0 };
    expect(delayOf(nextCallbackAttempt(first, () => 0), T0)).toBe(30_000);
    expect(delayOf(nextCallbackAttempt(first, () => 1), T0)).toBe(24_000);
  });

  it('doubles the delay up to a cap of 2 h, each delay longer than the one before whatever the jitter', () => {
    const delays = (random: () => number): number[] =>
      Array.from({ length: 12 }, (_, i) => delayOf(nextCallbackAttempt({ attemptNo: i + 1, attemptedAt: T0, firstAttemptAt: T0 }, random), T0));
    expect(delays(() => 0)).toEqual([30, 60, 120, 240, 480, 960, 1_920, 3_840, 7_200, 7_200, 7_200, 7_200].map((s) => s * 1000));
    const worst = delays(() => 1);
    const best = delays(() => 0);
    for (let i = 1; i < 9; i++) expect(worst[i], `attempt ${i + 1}`).toBeGreaterThan(best[i - 1] ?? Infinity);
  });

  it('gives up only once the first attempt is more than 25 h old', () => {
    const at = (ms: number): Date => new Date(T0.getTime() + ms);
    expect(nextCallbackAttempt({ attemptNo: 20, attemptedAt: at(CALLBACK_GIVE_UP_AFTER_MS), firstAttemptAt: T0 }).kind).toBe('retry');
    expect(nextCallbackAttempt({ attemptNo: 20, attemptedAt: at(CALLBACK_GIVE_UP_AFTER_MS + 1), firstAttemptAt: T0 })).toEqual({ kind: 'give-up' });
    expect(CALLBACK_GIVE_UP_AFTER_MS).toBe(25 * HOUR);
  });

  it('keeps retrying for at least 24 h, with the shortest and the longest delays alike', () => {
    for (const random of [() => 0, () => 1, () => 0.5]) {
      const times = failForever(random);
      const last = times[times.length - 1] ?? T0;
      const beforeLast = times[times.length - 2] ?? T0;
      expect(last.getTime() - T0.getTime()).toBeGreaterThan(25 * HOUR);
      expect(beforeLast.getTime() - T0.getTime()).toBeLessThanOrEqual(25 * HOUR);
      for (let i = 1; i < times.length; i++) expect((times[i]?.getTime() ?? 0) - (times[i - 1]?.getTime() ?? 0)).toBeLessThanOrEqual(2 * HOUR);
    }
  });

  it('counts only 2xx answers as delivered', () => {
    expect([200, 201, 202, 204, 299].map(isDelivered)).toEqual([true, true, true, true, true]);
    expect([199, 301, 302, 400, 401, 404, 410, 429, 500, 503].map(isDelivered).some(Boolean)).toBe(false);
  });
});

describe('mapConcurrent', () => {
  it('keeps the order of the items and never runs more than the limit at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapConcurrent([5, 1, 4, 2, 3, 0, 2], 3, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 20]);
    expect(peak).toBe(3);
  });

  it('handles an empty list', async () => {
    expect(await mapConcurrent([], 8, () => Promise.resolve(1))).toEqual([]);
  });
});
