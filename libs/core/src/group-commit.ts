interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions<T> {
  /** Weight of a batch at most (items, unless `weigh` says otherwise); an item heavier than that goes alone. */
  readonly maxBatch?: number;
  /** An item's weight, e.g. the events of a publish request; 1 by default. */
  readonly weigh?: (item: T) => number;
  /** Batches written at once; while that many are in progress, new items wait for the next. 1 by default. */
  readonly concurrency?: number;
  /**
   * Items submitted in the same turn of the event loop go together even when a write could start at once (the batches
   * of one Kafka fetch, the requests read from several sockets in one poll): the drain waits for `setImmediate`,
   * which is no timer and no measurable latency.
   */
  readonly gatherTurn?: boolean;
}

/**
 * Coalesces work that arrives one item at a time (a provider's delivery receipts, agencies' publish requests) into
 * batches, as a database's group commit does: an item that comes while fewer than `concurrency` batches are being
 * written is written at once, alone; items that come while they are wait and go together in the next. Nothing waits
 * on a timer, so a lone item costs no latency and a burst costs one write per batch instead of one per item. `write`
 * answers each item of its batch, in order; each `submit` resolves with its item's answer, or rejects with the
 * batch's error.
 * @example const commits = new GroupCommit((receipts) => repository.apply(receipts)); await commits.submit(receipt);
 */
export class GroupCommit<T, R = void> {
  private waiting: Waiting<T, R>[] = [];
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly weigh: (item: T) => number;
  private readonly concurrency: number;
  private readonly gatherTurn: boolean;
  private drainScheduled = false;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<readonly R[]>,
    options: GroupCommitOptions<T> = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1_000;
    this.weigh = options.weigh ?? (() => 1);
    this.concurrency = options.concurrency ?? 1;
    this.gatherTurn = options.gatherTurn ?? false;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError('maxBatch must be a positive integer');
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError('concurrency must be a positive integer');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.gatherTurn) this.drain();
      else if (!this.drainScheduled) {
        this.drainScheduled = true;
        setImmediate(() => {
          this.drainScheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.inFlight < this.concurrency) {
      const batch = this.nextBatch();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  /** The longest run of waiting items, in arrival order, within `maxBatch`; at least one. */
  private nextBatch(): Waiting<T, R>[] {
    let weight = 0;
    let count = 0;
    for (const waiting of this.waiting) {
      weight += this.weigh(waiting.item);
      if (count > 0 && weight > this.maxBatch) break;
      count++;
    }
    const batch = this.waiting.slice(0, count);
    this.waiting = this.waiting.slice(count);
    return batch;
  }

  private async run(batch: readonly Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.write(batch.map((w) => w.item));
      if (results.length !== batch.length) throw new Error(`a group commit's write answered ${String(results.length)} of ${String(batch.length)} items`);
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
