import { describeError, type Logger, PollingLoop } from '@kabar/core';

import type { Bus, BusRecord } from './bus.js';

/** Where outbox rows live (the database). Implemented by @kabar/persistence. */
export interface OutboxStore {
  /**
   * Claims up to `limit` of the oldest unclaimed rows, passes them to `publish`, and removes them only if `publish`
   * resolves — all in one transaction, so a failed publish or a crash leaves them for the next round.
   * Returns how many rows were published.
   */
  drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number>;
}

export interface OutboxRelayOptions {
  readonly batchSize: number;
  /** Safety-net poll for rows written by other instances or left by a crash; local writers call `wake()`. */
  readonly pollIntervalMs: number;
}

/** Moves committed outbox rows to the bus. Any number of hub instances may run one; rows are claimed, not shared. */
export class OutboxRelay {
  private readonly loop: PollingLoop;

  constructor(store: OutboxStore, bus: Bus, logger: Logger, options: OutboxRelayOptions) {
    this.loop = new PollingLoop(() => store.drain(options.batchSize, (records) => bus.publish(records)), {
      ...options,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'outbox relay could not publish; will retry'),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Tells the relay that rows were just committed, so it need not wait for the next poll. */
  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
