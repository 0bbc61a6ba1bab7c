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
   * resolves. The claim is a lease committed before `publish` is called, so no database connection waits on the bus;
   * a failed publish ends it at once and a crash leaves it to run out, after which the rows are the next round's.
   * `leave` names rows it must not take: their writer is handing them off.
   * Returns how many records were published.
   */
  drain(limit: number, publish: (records: readonly BusRecord[]) => Promise<void>, leave?: DrainLeaves): Promise<number>;
  /**
   * The same for rows whose records the caller holds (it just wrote them): claims those still there and unclaimed,
   * passes their records to `publish` and removes them if it resolves, without reading them back. A row another
   * relay has claimed is left to it. Returns how many records were published.
   */
  release(rows: readonly OutboxRow[], publish: (records: readonly BusRecord[]) => Promise<void>): Promise<number>;
}

/** Rows a drain leaves to the writers handing them off. */
export interface DrainLeaves {
  /** Rows this relay's hand-offs hold. */
  readonly ids?: readonly number[];
  /** Rows written less than this long ago: a writer, here or in another instance, is about to hand them off. */
  readonly youngerThanMs?: number;
}

export interface OutboxRelayOptions {
  readonly batchSize: number;
  /**
   * Topics whose handed-off rows go ahead of the rows waiting for a hand-off slot (the next stage of delivery waits on
   * them, and their records are small), up to MAX_PRIORITY_HANDOFFS publishing.
   */
  readonly priorityTopics?: readonly string[];
  /** Safety-net poll for rows written by other instances or left by a crash; local writers call `wake()`. */
  readonly pollIntervalMs: number;
}

/** Hand-offs publishing at once; rows handed off meanwhile wait in memory and go out together in the next one. */
const MAX_HANDOFFS = 8;
/**
 * Hand-offs publishing at once that a priority topic's rows may still join on their own: past the others, so the next
 * stage is not kept waiting behind status messages, but bounded all the same, as each is a request the bus queues.
 */
const MAX_PRIORITY_HANDOFFS = 12;
/**
 * Records waiting for a hand-off slot; past this, rows are left to the drain, so a bus slower than the writers never
 * makes the records in hand pile up in memory.
 */
const MAX_WAITING_RECORDS = 50_000;
/**
 * A drain on its regular poll leaves rows this young: their writers hand them off as soon as their transactions
 * commit, and a poll that read them back first cost the database and the hub a third of all status messages' work.
 * Rows a crash or a failed hand-off left are older, or the relay was woken for them.
 */
const SETTLE_MS = 10_000;

/** Moves committed outbox rows to the bus. Any number of hub instances may run one; rows are claimed, not shared. */
export class OutboxRelay {
  private readonly loop: PollingLoop;
  private readonly handOffs = new Set<Promise<void>>();
  /** Rows handed off while every slot was busy, in the order they came. */
  private waiting: OutboxRow[] = [];
  private waitingRecords = 0;
  /**
   * Ids of rows handed off and not yet published or given up: the drain leaves them alone. Reading them back from the
   * database while their writer publishes them from memory was the drain's work for a third of all status messages.
   */
  private readonly held = new Set<number>();
  /** Set by `wake()`: the next drain takes young rows too (a writer that does not hand off, or one that failed). */
  private woken = true;
  private readonly priority: ReadonlySet<string>;

  constructor(
    private readonly store: OutboxStore,
    private readonly bus: Bus,
    private readonly logger: Logger,
    options: OutboxRelayOptions,
  ) {
    this.priority = new Set(options.priorityTopics ?? []);
    this.loop = new PollingLoop(() => this.drainOnce(options.batchSize), {
      ...options,
      onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'outbox relay could not publish; will retry'),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Tells the relay that rows were just committed (and not handed off), so it need not wait for the next poll. */
  wake(): void {
    this.woken = true;
    this.loop.wake();
  }

  /**
   * Publishes rows the caller just committed from the records it still holds, in the background: the drain would
   * read them back from the database first, which for status messages was the larger part of their cost. While
   * MAX_HANDOFFS are publishing, rows wait and go out together in the next hand-off, except rows of a priority topic,
   * which go ahead. Rows it cannot publish (bus down, more than MAX_WAITING_RECORDS waiting) stay for the drain, which
   * is woken.
   */
  handOff(rows: readonly OutboxRow[]): void {
    if (rows.length === 0) return;
    if (this.handOffs.size < MAX_HANDOFFS) {
      this.release(rows);
      return;
    }
    // The next stage's rows go ahead on their own. The statuses written beside them wait here, and what the next
    // stage then reports (`delivered`) queues behind them, so it does not overtake them either.
    const ahead = this.handOffs.size < MAX_PRIORITY_HANDOFFS ? rows.filter((r) => this.isPriority(r)) : [];
    if (ahead.length > 0) {
      this.release(ahead);
      rows = rows.filter((r) => !ahead.includes(r));
      if (rows.length === 0) return;
    }
    const records = rows.reduce((n, r) => n + r.records.length, 0);
    if (this.waitingRecords + records > MAX_WAITING_RECORDS) {
      this.wake();
      return;
    }
    for (const r of rows) this.held.add(r.id);
    this.waiting.push(...rows);
    this.waitingRecords += records;
  }

  async stop(): Promise<void> {
    while (this.handOffs.size > 0) await Promise.all([...this.handOffs]);
    await this.loop.stop();
  }

  private async drainOnce(limit: number): Promise<number> {
    const woken = this.woken;
    this.woken = false;
    let full = false;
    let failed = true;
    try {
      const published = await this.store.drain(limit, (records) => this.bus.publish(records), { ids: [...this.held], youngerThanMs: woken ? 0 : SETTLE_MS });
      full = published >= limit;
      failed = false;
      return published;
    } finally {
      // Another round follows a full one at once and a failed one after its backoff: both still for the woken rows.
      if (woken && (full || failed)) this.woken = true;
    }
  }

  private release(rows: readonly OutboxRow[]): void {
    for (const r of rows) this.held.add(r.id);
    const done: Promise<void> = this.store
      .release(rows, (records) => this.bus.publish(records))
      .then(
        () => false,
        (error: unknown) => {
          this.logger.warn({ error: describeError(error) }, 'outbox hand-off could not publish; the relay will');
          return true;
        },
      )
      .then((failed) => {
        // Published, or left for the drain: either way no longer this hand-off's, and a drain woken now takes them.
        for (const r of rows) this.held.delete(r.id);
        this.handOffs.delete(done);
        if (failed) this.wake();
        this.next();
      });
    this.handOffs.add(done);
  }

  /** A packed row holds one topic's records: its first names it. */
  private isPriority(row: OutboxRow): boolean {
    return this.priority.has(row.records[0]?.topic ?? '');
  }

  /** Starts one hand-off for every row that waited for a slot. */
  private next(): void {
    if (this.waiting.length === 0 || this.handOffs.size >= MAX_HANDOFFS) return;
    const rows = this.waiting;
    this.waiting = [];
    this.waitingRecords = 0;
    this.release(rows);
  }
}
