import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';

export interface PollingLoopOptions {
  /** A round that handled this many items probably left more: the next round starts at once. */
  readonly batchSize: number;
  /** Safety-net poll for work written elsewhere (other instances, retries coming due); local writers call `wake()`. */
  readonly pollIntervalMs: number;
  /** Reports a failed round before the loop backs off and tries again. */
  readonly onError: (error: unknown, failures: number) => void;
}

/**
 * Runs `round` until stopped: again at once after a full batch, after the poll interval when idle, sooner when
 * woken, and with exponential backoff after failures. Used by the outbox relay and the callback scheduler.
 * @example const loop = new PollingLoop(() => relay.drainOnce(), { batchSize: 500, pollIntervalMs: 1000, onError }); loop.start();
 */
export class PollingLoop {
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  /** Bumped by `wake()`; a change during a round means work arrived meanwhile, so the loop must not sleep. */
  private wakes = 0;

  constructor(
    private readonly round: () => Promise<number>,
    private readonly options: PollingLoopOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Work was just committed: run a round now rather than at the next poll. */
  wake(): void {
    this.wakes++;
    this.wakeUp?.();
  }

  /** Lets the current round finish, then resolves. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const wakesBefore = this.wakes;
      try {
        const handled = await this.round();
        failures = 0;
        if (handled >= this.options.batchSize) continue;
      } catch (error) {
        failures++;
        this.options.onError(error, failures);
        await this.sleep(backoffDelay(DEFAULT_BACKOFF, failures));
        continue;
      }
      if (this.wakes === wakesBefore) await this.sleep(this.options.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
