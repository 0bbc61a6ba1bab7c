import { backoffDelay, type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';

export interface RetryOptions {
  readonly policy?: BackoffPolicy;
  /** Give up once this much time has passed since the first attempt. */
  readonly deadlineMs: number;
  /** Called before each wait, so callers can log a one-line reason instead of a stack trace. */
  readonly onRetry?: (failure: RetryFailure) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export interface RetryFailure {
  readonly attempt: number;
  readonly error: unknown;
  readonly nextDelayMs: number;
}

/** Thrown when `retryUntil` runs out of time; `cause` is the last failure. */
export class RetryExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    override readonly cause: unknown,
  ) {
    super(`gave up after ${attempts} attempts: ${describeError(cause)}`);
    this.name = 'RetryExhaustedError';
  }
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it resolves or the deadline passes, waiting with backoff in between.
 * @example await retryUntil(() => bus.connect(), { deadlineMs: 60_000, onRetry: (f) => log.warn(f) })
 */
export async function retryUntil<T>(attempt: () => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const startedAt = now();
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const nextDelayMs = backoffDelay(policy, n);
      if (now() - startedAt + nextDelayMs > options.deadlineMs) throw new RetryExhaustedError(n, error);
      options.onRetry?.({ attempt: n, error, nextDelayMs });
      await sleep(nextDelayMs);
    }
  }
}

/** One line describing an error, for operators: the message and, where present, a system error code. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const suffix = typeof code === 'string' && !error.message.includes(code) ? ` (${code})` : '';
    return `${error.message}${suffix}`;
  }
  return String(error);
}
