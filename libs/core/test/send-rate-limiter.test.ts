import { SendRateLimiter } from '@kabar/core';
import { describe, expect, it } from 'vitest';

const NOW = Date.UTC(2026, 11, 1, 9, 0, 0);

describe('SendRateLimiter', () => {
  it('lets an idle provider take one second of its rate at once', () => {
    const limiter = new SendRateLimiter(50);
    expect(limiter.admit(50, NOW, 0)).toEqual({ admitted: 50, readyAt: NOW });
    expect(limiter.admit(1, NOW, 0)).toEqual({ admitted: 0, readyAt: NOW });
  });

  it('admits what fits the wait and says when the last one may go', () => {
    const limiter = new SendRateLimiter(50);
    const { admitted, readyAt } = limiter.admit(80, NOW, 1_000);
    expect(admitted).toBe(80);
    // 50 at once, then 30 more 20 ms apart.
    expect(readyAt).toBe(NOW + 30 * 20);
  });

  it('holds back what would wait too long, without reserving slots for it', () => {
    const limiter = new SendRateLimiter(10);
    expect(limiter.admit(100, NOW, 500).admitted).toBe(10 + 5);
    // The held ones take the next slots when they come back: 100 ms apart from where the admitted ones end.
    expect(limiter.slotAfter(0, NOW)).toBe(NOW + 600);
    expect(limiter.slotAfter(3, NOW)).toBe(NOW + 900);
    expect(limiter.admit(1, NOW + 600, 0)).toEqual({ admitted: 1, readyAt: NOW + 600 });
  });

  it('keeps the long-run rate: ten seconds of traffic take ten seconds', () => {
    const limiter = new SendRateLimiter(200);
    let sent = 0;
    for (let t = NOW; t < NOW + 10_000; t += 100) sent += limiter.admit(1_000, t, 0).admitted;
    // One second's burst at the start, then 20 per 100 ms round for the other 99 rounds.
    expect(sent).toBe(200 + 99 * 20);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new SendRateLimiter(0)).toThrow(RangeError);
    expect(() => new SendRateLimiter(Number.NaN)).toThrow(RangeError);
  });
});
