/** One message on the bus. `key` decides the partition: Kabar keys by citizen/subject so their events stay in order. */
export interface BusRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReceivedRecord extends BusRecord {
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: number;
}

/**
 * Handles a batch. Resolving commits the batch's offsets; rejecting makes the bus retry the same batch with backoff,
 * so handlers must be idempotent and must dead-letter records they can never process instead of throwing for them.
 */
export type BatchHandler = (records: readonly ReceivedRecord[]) => Promise<void>;

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly handler: BatchHandler;
  /**
   * Where a group with no committed offset starts: the oldest record (default, so nothing is missed) or only new
   * ones (for per-instance fan-out groups such as live subscriptions).
   */
  readonly from?: 'earliest' | 'latest';
  /**
   * Resolve only once the group owns its partitions (Kafka's group join), so that a `latest` group started on demand
   * sees every record published after the promise resolved.
   */
  readonly waitUntilAssigned?: boolean;
}

export interface Subscription {
  close(): Promise<void>;
}

export type BusKind = 'kafka' | 'in-process';

export interface BusHealth {
  readonly kind: BusKind;
  readonly up: boolean;
  /** One line for operators, e.g. "3 brokers" or the connection error. */
  readonly detail: string;
}

/** The bus port. Adapters: Kafka (kafkajs) for full mode, in-process for the embedded default. */
export interface Bus {
  readonly kind: BusKind;
  /** Connects (retrying with backoff where the adapter can fail) and creates missing topics. */
  start(): Promise<void>;
  publish(records: readonly BusRecord[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  health(): Promise<BusHealth>;
  close(): Promise<void>;
}
