import { backoffDelay, type BackoffPolicy } from '@kabar/core';
import { describe, expect, it } from 'vitest';

const policy: BackoffPolicy = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

describe('backoffDelay', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1_000],
    [50, 1_000],
  ])('attempt %i waits %i ms without jitter', (attempt, expected) => {
    expect(backoffDelay(policy, attempt)).toBe(expected);
  });

  it('spreads delays downwards by at most the jitter fraction', () => {
    const jittery = { ...policy, jitter: 0.5 };
    expect(backoffDelay(jittery, 3, () => 0)).toBe(400);
    expect(backoffDelay(jittery, 3, () => 1)).toBe(200);
    expect(backoffDelay(jittery, 3, () => 0.5)).toBe(300);
  });
});
