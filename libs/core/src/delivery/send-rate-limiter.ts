/** How far ahead of its slot a limiter lets a burst go: an idle provider gets one second's worth at once. */
const BURST_MS = 1_000;

/**
 * A provider's cap in messages per second, as a virtual schedule (the generic cell rate algorithm): every admitted
 * message takes the next slot, 1/rate apart, and a message may go once its slot is less than one second ahead. No
 * timers and no clock of its own: callers pass `now`, so it is exact in tests and cheap per batch.
 *
 * @example
 * const limiter = new SendRateLimiter(50);
 * limiter.admit(80, now, 1_000) // { admitted: 80, readyAt: now + ~600 } — one second's burst, the rest within the wait
 */
export class SendRateLimiter {
  private readonly intervalMs: number;
  /** When the next message would be exactly on schedule (ms since the epoch). */
  private theoretical = Number.NEGATIVE_INFINITY;

  constructor(readonly perSecond: number) {
    if (!Number.isFinite(perSecond) || perSecond <= 0) throw new RangeError(`a send rate must be positive, got ${String(perSecond)}`);
    this.intervalMs = 1_000 / perSecond;
  }

  /**
   * Admits up to `count` messages whose slots come within `maxWaitMs` of `now`, reserving those slots; `readyAt` is
   * when the last admitted one may go (the caller waits until then). The rest are not reserved.
   */
  admit(count: number, now: number, maxWaitMs: number): { admitted: number; readyAt: number } {
    let admitted = 0;
    let readyAt = now;
    while (admitted < count) {
      const earliest = Math.max(now, this.theoretical - (BURST_MS - this.intervalMs));
      if (earliest > now + maxWaitMs) break;
      this.theoretical = Math.max(this.theoretical, earliest) + this.intervalMs;
      readyAt = earliest;
      admitted++;
    }
    return { admitted, readyAt };
  }

  /** When the `index`-th message after those admitted so far could go, without reserving anything. */
  slotAfter(index: number, now: number): number {
    return Math.max(now, this.theoretical - (BURST_MS - this.intervalMs)) + index * this.intervalMs;
  }
}
