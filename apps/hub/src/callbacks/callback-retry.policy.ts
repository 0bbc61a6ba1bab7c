import { backoffDelay, type BackoffPolicy } from '@kabar/core';

/** 30 s, 1 min, 2 min, … capped at 2 h; jitter below 0.5 keeps each delay longer than the one before, until the cap. */
export const CALLBACK_BACKOFF: BackoffPolicy = { initialMs: 30_000, maxMs: 2 * 60 * 60_000, factor: 2, jitter: 0.2 };

/** Retrying stops once the first attempt is this old: with the 2 h cap, retries span at least 24 h. */
export const CALLBACK_GIVE_UP_AFTER_MS = 25 * 60 * 60_000;

/** Standard Webhooks: every 2xx means the receiver has the message; everything else (redirects included) is retried. */
export function isDelivered(status: number): boolean {
  return status >= 200 && status < 300;
}

export type RetryDecision = { readonly kind: 'retry'; readonly at: Date } | { readonly kind: 'give-up' };

export interface FailedAttempt {
  /** 1-based number of the attempt that just failed. */
  readonly attemptNo: number;
  readonly attemptedAt: Date;
  /** When the first attempt was made (equal to `attemptedAt` for the first one). */
  readonly firstAttemptAt: Date;
}

/**
 * After a failed attempt: when to try again, or to give up because the first attempt is more than 25 h old.
 * @example nextCallbackAttempt({ attemptNo: 1, attemptedAt: t, firstAttemptAt: t }, () => 0) // { kind: 'retry', at: t + 30 s }
 */
export function nextCallbackAttempt(failed: FailedAttempt, random: () => number = Math.random): RetryDecision {
  if (failed.attemptedAt.getTime() - failed.firstAttemptAt.getTime() > CALLBACK_GIVE_UP_AFTER_MS) return { kind: 'give-up' };
  return { kind: 'retry', at: new Date(failed.attemptedAt.getTime() + backoffDelay(CALLBACK_BACKOFF, failed.attemptNo, random)) };
}
