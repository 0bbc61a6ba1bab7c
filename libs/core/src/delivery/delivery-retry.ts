import { backoffDelay, type BackoffPolicy } from '../backoff.js';

/** How often and how patiently a notification is handed to its plugin again after a retryable failure. */
export interface DeliveryRetryPolicy {
  /** Hand-overs in all, the first included; the last failure is final. */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
}

/** 30 s, 1 min, 2 min, 4 min… capped at 30 min, each less up to half at random so retries of one outage spread out. */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetryPolicy = { maxAttempts: 6, backoff: { initialMs: 30_000, maxMs: 30 * 60_000, factor: 2, jitter: 0.5 } };

/**
 * When to try again after attempt `attemptNo` failed, or null when it should not be tried again: a permanent error
 * (a refused message, a dead address, bad credentials) or the last allowed attempt. `notBefore` (an open circuit's
 * reopening, a provider's Retry-After) moves the retry later, never earlier.
 * @example nextDeliveryAttempt(DEFAULT_DELIVERY_RETRY, 1, true, now) // now + 15–30 s
 */
export function nextDeliveryAttempt(policy: DeliveryRetryPolicy, attemptNo: number, retryable: boolean, now: Date, notBefore?: Date, random: () => number = Math.random): Date | null {
  if (!retryable || attemptNo >= policy.maxAttempts) return null;
  const at = now.getTime() + backoffDelay(policy.backoff, attemptNo, random);
  return new Date(Math.max(at, notBefore?.getTime() ?? 0));
}
