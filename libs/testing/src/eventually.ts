import { describeError } from '@kabar/core';

/**
 * Polls `check` until it returns a value other than undefined, or fails with the last reason after `timeoutMs`.
 * For asynchronous effects (a consumer catching up); it waits for a condition, never asserts a duration.
 */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms${lastError === undefined ? '' : `: ${describeError(lastError)}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
