import { randomBytes } from 'node:crypto';

import type { KabarConfig, KafkaConfig } from '@kabar/config';

/** A unique Kafka namespace so parallel test files never share topics or consumer groups. */
export function uniqueNamespace(): string {
  return `t${randomBytes(4).toString('hex')}.`;
}

/**
 * One master key per test process: hubs a test starts one after another on the same database must hold the key its
 * registry knows under the id, as a real deployment's instances do.
 */
const TEST_KEY = randomBytes(32);

/**
 * Builder for hub configurations in tests: embedded (in-memory PGlite + in-process bus) unless told otherwise.
 * @example aConfig().withPostgres(url).withKafka(brokers).build()
 */
export function aConfig(): ConfigBuilder {
  return new ConfigBuilder();
}

/** What a PostgreSQL database config holds besides its URL (pool size, query timeout). */
type PostgresSettings = Omit<Extract<KabarConfig['database'], { kind: 'postgres' }>, 'kind' | 'url'>;

class ConfigBuilder {
  private config: KabarConfig = {
    port: 0,
    host: '127.0.0.1',
    trustProxy: false,
    role: 'all',
    dataDir: '.kabar',
    database: { kind: 'pglite', dataDir: 'memory://' },
    databaseConnectTimeoutMs: 10_000,
    kafka: null,
    // The production default: tests that write kabar.events.v1 sign their records as an agency must.
    kafkaEventAuth: 'signed',
    logLevel: 'warn',
    secretKey: { id: 'test', key: TEST_KEY },
    retiredSecretKeys: [],
    plugins: {},
    // Tests build their own agencies; the demo seed would collide with them.
    demo: false,
    // No platform quiet hours and no platform caps: a test's outcome must not depend on the hour it runs at or on how
    // many events earlier cases sent. Policy tests set a citizen's own window and caps, or override these.
    policy: {
      quietHours: null,
      digestAt: 19 * 60,
      caps: {},
      fallbackAfterSeconds: 600,
      retentionDays: { critical: 90, transactional: 7, reminder: 7, informational: 7 },
      privacyNoticeVersion: '1',
      broadcastPage: 5_000,
    },
    delivery: { maxAttempts: 6, breakerThreshold: 5, breakerCooldownMs: 30_000 },
  };

  withPostgres(url: string, settings: PostgresSettings = {}): this {
    this.config = { ...this.config, database: { kind: 'postgres', url, ...settings } };
    return this;
  }

  /** Reaches the database already set through another address (a proxy), same user, password and database. */
  withPostgresThrough(hostAndPort: string, settings: PostgresSettings = {}): this {
    const database = this.config.database;
    if (database.kind !== 'postgres') throw new Error('withPostgresThrough needs withPostgres first');
    const url = new URL(database.url);
    url.host = hostAndPort;
    return this.withPostgres(url.toString(), settings);
  }

  withKafka(brokers: string, overrides: Partial<KafkaConfig> = {}): this {
    const kafka: KafkaConfig = {
      brokers: brokers.split(','),
      clientId: 'kabar-test',
      namespace: uniqueNamespace(),
      partitions: 2,
      replicationFactor: 1,
      connectTimeoutMs: 30_000,
      ...overrides,
    };
    this.config = { ...this.config, kafka };
    return this;
  }

  /** Changes some of the platform policy, keeping the rest. */
  withPolicy(overrides: Partial<KabarConfig['policy']>): this {
    this.config = { ...this.config, policy: { ...this.config.policy, ...overrides } };
    return this;
  }

  with(overrides: Partial<KabarConfig>): this {
    this.config = { ...this.config, ...overrides };
    return this;
  }

  build(): KabarConfig {
    return this.config;
  }
}
