/** How long to wait between attempts: exponential growth, capped, with "full jitter" spread. */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0 = no jitter; 1 = delay drawn uniformly from [0, computed]. Jitter stops many clients retrying in lockstep. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 10_000, factor: 2, jitter: 0.2 };

/**
 * Delay before retry number `attempt` (1-based).
 * @example backoffDelay({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 }, 3) // 400
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const raw = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const spread = raw * policy.jitter * random();
  return Math.round(raw - spread);
}
