interface Waiting<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Coalesces work that arrives one item at a time (a provider's delivery receipts) into batches, as a database's group
 * commit does: an item that comes while no batch is being written is written at once, alone; items that come while
 * one is being written wait and go together in the next. Nothing waits on a timer, so a lone item costs no latency and
 * a burst costs one write per batch instead of one per item. Each `submit` resolves when its batch is written and
 * rejects with the batch's error.
 * @example const commits = new GroupCommit((receipts) => repository.apply(receipts)); await commits.submit(receipt);
 */
export class GroupCommit<T> {
  private waiting: Waiting<T>[] = [];
  private writing = false;

  constructor(
    private readonly write: (items: readonly T[]) => Promise<void>,
    /** Items per batch at most; the rest wait for the next. */
    private readonly maxBatch = 1_000,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be a positive integer');
  }

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.slice(0, this.maxBatch);
      this.waiting = this.waiting.slice(batch.length);
      try {
        await this.write(batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.writing = false;
  }
}
