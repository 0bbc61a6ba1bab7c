import { backoffDelay, DEFAULT_BACKOFF, describeError, type Logger, retryUntil } from '@kabar/core';
import { type Admin, type Consumer, type IHeaders, Kafka, type LogEntry, logLevel, Partitioners, type Producer } from 'kafkajs';

import type { Bus, BusHealth, BusRecord, ReceivedRecord, SubscribeOptions, Subscription } from './bus.js';

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Prepended to topic names and group ids on the wire; callers always use the canonical names. */
  readonly namespace: string;
  /** Topics created at start when missing. */
  readonly topics: readonly string[];
  readonly partitions: number;
  readonly replicationFactor: number;
  /** How long `start()` keeps retrying an unreachable broker. */
  readonly connectTimeoutMs: number;
  /** How long the group coordinator waits for a consumer's heartbeat before it gives its partitions away (30 s). */
  readonly sessionTimeoutMs?: number;
}

/** Bytes of record data per produce request; headers and framing fit in the rest of the broker's 1 MiB default. */
const MAX_REQUEST_BYTES = 512 * 1024;
/**
 * How often a consumer whose handler is still running tells the coordinator it is alive. kafkajs heartbeats only
 * between batches; a batch that takes longer than the session (a dispatch batch of thousands of SMS through one
 * SMSC window can) would otherwise lose its partitions mid-way, fail its commit and be handled again by the next owner.
 */
const HEARTBEAT_WHILE_HANDLING_MS = 3_000;
/** How long a subscriber that asked to wait for its group join waits at most. */
const JOIN_WAIT_MS = 30_000;

/** The only file that imports kafkajs: a different client could replace it behind the `Bus` port. */
export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumers = new Set<Consumer>();

  constructor(
    private readonly options: KafkaBusOptions,
    private readonly logger: Logger,
  ) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      connectionTimeout: 3_000,
      // Our own retryUntil gives operators one clear line per attempt; kafkajs' inner retries stay short.
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.forwardLog(entry),
    });
    this.admin = this.kafka.admin();
    // At-least-once on purpose: every consumer is idempotent on its natural key, so a duplicate from a producer retry is
    // harmless, while kafkajs' idempotent mode would need unbounded retries that could hang the outbox relay.
    // One request in flight keeps per-partition order across retries.
    // The default partitioner is murmur2, like Java clients: an agency's Java producer and Kabar agree on partitions.
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: false, maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    const where = this.options.brokers.join(',');
    await retryUntil(
      async () => {
        await this.admin.connect();
        await this.ensureTopics();
        await this.producer.connect();
      },
      {
        deadlineMs: this.options.connectTimeoutMs,
        onRetry: ({ attempt, error, nextDelayMs }) =>
          this.logger.warn(
            { brokers: where, attempt, retryInMs: nextDelayMs, reason: describeError(error) },
            `Kafka at ${where} is not reachable yet (${describeError(error)}); retrying in ${Math.ceil(nextDelayMs / 1000)} s`,
          ),
      },
    );
  }

  private async ensureTopics(): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = this.options.topics.map((topic) => this.wire(topic)).filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: this.options.partitions,
        replicationFactor: this.options.replicationFactor,
      })),
    });
    this.logger.info({ topics: missing, partitions: this.options.partitions }, 'created Kafka topics');
  }

  async publish(records: readonly BusRecord[]): Promise<void> {
    // Brokers refuse requests over message.max.bytes (1 MiB by default): send in chunks well under it, in order.
    let chunk: BusRecord[] = [];
    let bytes = 0;
    for (const record of records) {
      const size = record.value.length + (record.key?.length ?? 0) + 64;
      if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
        await this.send(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(record);
      bytes += size;
    }
    if (chunk.length > 0) await this.send(chunk);
  }

  private async send(records: readonly BusRecord[]): Promise<void> {
    const byTopic = new Map<string, { key: string | null; value: Buffer; headers: IHeaders }[]>();
    for (const record of records) {
      const topic = this.wire(record.topic);
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: record.key, value: record.value, headers: { ...record.headers } });
      byTopic.set(topic, messages);
    }
    await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  /** Resolves at the consumer's first group join, or after JOIN_WAIT_MS with a warning (a slow join is not an error). */
  private joined(consumer: Consumer): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn({ waitedMs: JOIN_WAIT_MS }, 'consumer group has not joined yet; going on');
        stop();
        resolve();
      }, JOIN_WAIT_MS);
      const stop = consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: this.wire(options.groupId),
      allowAutoTopicCreation: false,
      // A fetch waits up to 100 ms for 16 KiB rather than answering with the first record: traffic that trickles in
      // (agencies publishing an event per HTTP request) then reaches each stage in batches of dozens instead of ones,
      // where every batch costs a transaction and the broker a request. Measured with one event per request: about a
      // fifth more events/s and two fifths less broker CPU; a backlog fills fetches at once, as before.
      minBytes: 16_384,
      maxWaitTimeInMs: 100,
      ...(this.options.sessionTimeoutMs === undefined ? {} : { sessionTimeout: this.options.sessionTimeoutMs }),
    });
    this.consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics.map((topic) => this.wire(topic)), fromBeginning: options.from !== 'latest' });
    const assigned = options.waitUntilAssigned === true ? this.joined(consumer) : Promise.resolve();
    await consumer.run({
      // Partitions are independent (ordering is per key, hence per partition), so their batches run side by side.
      partitionsConsumedConcurrently: this.options.partitions,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const records: ReceivedRecord[] = batch.messages.map((m) => ({
          topic: batch.topic.slice(this.options.namespace.length),
          partition: batch.partition,
          offset: m.offset,
          timestamp: Number(m.timestamp),
          key: m.key === null ? null : m.key.toString('utf8'),
          value: m.value ?? Buffer.alloc(0),
          headers: decodeHeaders(m.headers),
        }));
        // Offsets are resolved only after the handler's transaction committed: a crash replays, never skips.
        const alive = setInterval(() => void payload.heartbeat().catch(() => undefined), HEARTBEAT_WHILE_HANDLING_MS);
        try {
          for (let failures = 0; payload.isRunning() && !payload.isStale(); ) {
            try {
              await options.handler(records);
              break;
            } catch (error) {
              failures++;
              const delayMs = backoffDelay(DEFAULT_BACKOFF, failures);
              this.logger.warn(
                { groupId: options.groupId, topic: batch.topic, partition: batch.partition, error: describeError(error), delayMs },
                'bus handler failed; retrying the batch',
              );
              await new Promise((resolve) => setTimeout(resolve, delayMs));
            }
          }
        } finally {
          clearInterval(alive);
        }
        if (!payload.isRunning() || payload.isStale()) return;
        const last = batch.messages.at(-1);
        if (last !== undefined) payload.resolveOffset(last.offset);
        await payload.commitOffsetsIfNecessary();
        await payload.heartbeat();
      },
    });
    await assigned;
    return {
      close: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async health(): Promise<BusHealth> {
    try {
      const cluster = await this.admin.describeCluster();
      return { kind: this.kind, up: true, detail: `${cluster.brokers.length} broker(s)` };
    } catch (error) {
      return { kind: this.kind, up: false, detail: describeError(error) };
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private wire(name: string): string {
    return `${this.options.namespace}${name}`;
  }

  private forwardLog(entry: LogEntry): void {
    const { message, ...extra } = entry.log;
    // Connection errors surface through retryUntil and health(); repeating them here would flood the log.
    if (entry.level <= logLevel.ERROR && !/Connection error|connect ECONNREFUSED|Connection timeout/.test(message)) {
      this.logger.error({ kafka: entry.namespace, ...pickScalars(extra) }, message);
    } else if (entry.level === logLevel.WARN) {
      this.logger.warn({ kafka: entry.namespace, ...pickScalars(extra) }, message);
    }
  }
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

function pickScalars(extra: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(extra)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}
