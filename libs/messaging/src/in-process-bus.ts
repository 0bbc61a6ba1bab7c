import { appendTo, backoffDelay, DEFAULT_BACKOFF, describeError, type Logger } from '@kabar/core';

import type { BatchHandler, Bus, BusHealth, BusRecord, ReceivedRecord, SubscribeOptions, Subscription } from './bus.js';

const MAX_BATCH = 500;

/** One consumer group's view of one topic: records not yet handled, in publish order. */
class GroupQueue {
  private readonly queue: ReceivedRecord[] = [];
  private draining = false;
  private closed = false;
  private failures = 0;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly groupId: string,
    private readonly handler: BatchHandler,
    private readonly logger: Logger,
  ) {}

  push(records: readonly ReceivedRecord[]): void {
    this.queue.push(...records);
    this.kick();
  }

  private kick(): void {
    if (this.draining || this.closed || this.queue.length === 0) return;
    this.draining = true;
    this.idle = this.drain();
  }

  private async drain(): Promise<void> {
    // Yield first so a publisher's caller finishes its own work before handlers run, as with a real broker.
    await new Promise((resolve) => setImmediate(resolve));
    while (!this.closed && this.queue.length > 0) {
      const batch = this.queue.slice(0, MAX_BATCH);
      try {
        await this.handler(batch);
        this.queue.splice(0, batch.length);
        this.failures = 0;
      } catch (error) {
        this.failures++;
        const delayMs = backoffDelay(DEFAULT_BACKOFF, this.failures);
        this.logger.warn({ groupId: this.groupId, error: describeError(error), delayMs }, 'bus handler failed; retrying the batch');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
    this.draining = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle;
  }
}

/**
 * The embedded-mode bus: same contract as Kafka (batches, at-least-once, retry on handler failure), in memory.
 * Messages published to a topic before any group subscribes wait for the first subscriber, so boot order does not
 * lose them. Nothing survives a restart; state that must survive lives in the database outbox.
 */
export class InProcessBus implements Bus {
  readonly kind = 'in-process' as const;
  private readonly groups = new Map<string, Map<string, GroupQueue>>();
  private readonly waiting = new Map<string, ReceivedRecord[]>();
  private readonly offsets = new Map<string, number>();
  private closed = false;

  constructor(private readonly logger: Logger) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  publish(records: readonly BusRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the in-process bus is closed'));
    const byTopic = new Map<string, ReceivedRecord[]>();
    for (const record of records) {
      const offset = this.offsets.get(record.topic) ?? 0;
      this.offsets.set(record.topic, offset + 1);
      const received: ReceivedRecord = { ...record, partition: 0, offset: String(offset), timestamp: Date.now() };
      appendTo(byTopic, record.topic, received);
    }
    for (const [topic, received] of byTopic) {
      const groups = this.groups.get(topic);
      if (groups === undefined || groups.size === 0) for (const r of received) appendTo(this.waiting, topic, r);
      else for (const queue of groups.values()) queue.push(received);
    }
    return Promise.resolve();
  }

  subscribe(options: SubscribeOptions): Promise<Subscription> {
    const created: { topic: string; queue: GroupQueue }[] = [];
    for (const topic of options.topics) {
      const groups = this.groups.get(topic) ?? new Map<string, GroupQueue>();
      if (groups.has(options.groupId)) {
        return Promise.reject(new Error(`group ${options.groupId} already consumes ${topic} on the in-process bus`));
      }
      const queue = new GroupQueue(options.groupId, options.handler, this.logger);
      groups.set(options.groupId, queue);
      this.groups.set(topic, groups);
      created.push({ topic, queue });
      const waiting = this.waiting.get(topic);
      if (waiting !== undefined) {
        this.waiting.delete(topic);
        queue.push(waiting);
      }
    }
    return Promise.resolve({
      close: async () => {
        for (const { topic, queue } of created) {
          this.groups.get(topic)?.delete(options.groupId);
          await queue.close();
        }
      },
    });
  }

  health(): Promise<BusHealth> {
    return Promise.resolve({ kind: this.kind, up: !this.closed, detail: this.closed ? 'closed' : 'in-process' });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const groups of this.groups.values()) for (const queue of groups.values()) await queue.close();
    this.groups.clear();
  }
}
