export type Role = 'api' | 'worker' | 'all';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type DatabaseConfig =
  | { readonly kind: 'pglite'; readonly dataDir: string }
  /**
   * `poolSize`: connections this process opens at most (10 when not given). `queryTimeoutMs`: how long a statement
   * may run, and a connection stay silent, before it is given up (30,000 when not given; 0 for none, as migrations do).
   */
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize?: number; readonly queryTimeoutMs?: number };

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Prepended to every topic and consumer group id; '' in a dedicated cluster. */
  readonly namespace: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly connectTimeoutMs: number;
}

/** How the hub knows which agency wrote a record on `kabar.events.v1` (KABAR_KAFKA_EVENT_AUTH). */
export type KafkaEventAuth = 'signed' | 'source';
export const KAFKA_EVENT_AUTH: readonly [KafkaEventAuth, ...KafkaEventAuth[]] = ['signed', 'source'];

/** The whole configuration, parsed and checked once at boot. Nothing else reads `process.env`. */
export interface KabarConfig {
  readonly port: number;
  readonly host: string;
  /** Express' `trust proxy`: false for none, a hop count, or the proxies' addresses and ranges. */
  readonly trustProxy: false | number | readonly string[];
  readonly role: Role;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly databaseConnectTimeoutMs: number;
  /** `null` selects the in-process bus (embedded mode). */
  readonly kafka: KafkaConfig | null;
  /**
   * `signed`: each record names an API key and carries its HMAC, and the key's agency is the publisher (as over HTTP).
   * `source`: the agency that owns the event's source is taken as the publisher. Applies to whichever bus carries
   * the topic; in embedded mode only the hub itself writes it.
   */
  readonly kafkaEventAuth: KafkaEventAuth;
  readonly logLevel: LogLevel;
  /** Plugin id -> raw configuration, validated by the hub against each plugin's schema. */
  readonly plugins: Readonly<Record<string, unknown>>;
  /** `null` in embedded mode without KABAR_SECRET_KEY: the hub then uses a key file under `dataDir`. */
  readonly secretKey: SecretKeyConfig | null;
  /**
   * Master keys taken out of use (KABAR_RETIRED_SECRET_KEYS): they still open what was sealed under them, check the
   * audit entries they sealed and, for the key the database's lookup hashes were made with, keep making those.
   */
  readonly retiredSecretKeys: readonly SecretKeyConfig[];
  /** Seed demo data into an empty embedded database (KABAR_DEMO, default true). */
  readonly demo: boolean;
  readonly policy: PolicyConfig;
  readonly delivery: DeliveryConfig;
}

/** Retries and circuit breaking in dispatch. */
export interface DeliveryConfig {
  readonly maxAttempts: number;
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
}

/** The platform side of the notification policy (ARCHITECTURE §4); times are minutes after local midnight. */
export interface PolicyConfig {
  readonly quietHours: { readonly start: number; readonly end: number } | null;
  readonly digestAt: number;
  readonly caps: Readonly<Record<string, { readonly count: number; readonly periodSeconds: number }>>;
  readonly fallbackAfterSeconds: number;
  readonly retentionDays: Readonly<Record<string, number>>;
  /** The privacy notice version that consents given in the preference centre are recorded under. */
  readonly privacyNoticeVersion: string;
  /** Citizens per page of a broadcast audience, each planned and written in one transaction. */
  readonly broadcastPage: number;
}

export interface SecretKeyConfig {
  readonly id: string;
  readonly key: Buffer;
}

export const ROLES: readonly [Role, ...Role[]] = ['api', 'worker', 'all'];
export const LOG_LEVELS: readonly [LogLevel, ...LogLevel[]] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
