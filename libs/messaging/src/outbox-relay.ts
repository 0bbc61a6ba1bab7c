import { describeError, type Logger, PollingLoop } from '@kabar/core';

import type { Bus, BusRecord } from './bus.js';

/** One committed outbox row as its writer knows it: its id and the records it holds, in order. */
export interface OutboxRow {
  readonly id: number;
  readonly records: readonly BusRecord[];
}

/** Where outbox rows live (the database). Implemented by @kabar/persistence. */
export interface OutboxStore {
  /**
   * Claims up to `limit` of the oldest unclaimed rows, passes them to `publish`, and removes them only if `publish`
   * resolves — all in one transaction, so a failed publish or a crash leaves them for the next round.
   * Returns how many rows were published.
   */
  drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number>;
  /**
   * The same for rows whose records the caller holds (it just wrote them): claims those still there and unclaimed,
   * passes their records to `publish` and removes them if it resolves, in one transaction, without reading them
   * back. A row a relay's drain holds is left to it. Returns how many records were published.
   */
  release(rows: readonly OutboxRow[], publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number>;
}

export interface OutboxRelayOptions {
  readonly batchSize: number;
  /** Safety-net poll for rows written by other instances or left by a crash; local writers call `wake()`. */
  readonly pollIntervalMs: number;
}

/**
 * Hand-offs publishing at once; past this, rows are left to the drain, so a bus slower than the writers never makes
 * the records in hand pile up in memory.
 */
const MAX_HANDOFFS = 8;

/** Moves committed outbox rows to the bus. Any number of hub instances may run one; rows are claimed, not shared. */
export class OutboxRelay {
  private readonly loop: PollingLoop;
  private readonly handOffs = new Set<Promise<void>>();

  constructor(
    private readonly store: OutboxStore,
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: OutboxRelayOptions,
  ) {
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

  /**
   * Publishes rows the caller just committed from the records it still holds, in the background: the drain would
   * read them back from the database first, which for status messages was the larger part of their cost. Rows it
   * cannot publish (bus down, too many hand-offs at once) stay for the drain, which is woken.
   */
  handOff(rows: readonly OutboxRow[]): void {
    if (rows.length === 0) return;
    if (this.handOffs.size >= MAX_HANDOFFS) {
      this.wake();
      return;
    }
    const done: Promise<void> = this.store
      .release(rows, (records) => this.bus.publish(records))
      .then(
        () => undefined,
        (error: unknown) => {
          this.logger.warn({ error: describeError(error) }, 'outbox hand-off could not publish; the relay will');
          this.wake();
        },
      )
      .finally(() => this.handOffs.delete(done));
    this.handOffs.add(done);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.handOffs]);
    await this.loop.stop();
  }
}
