import type { KabarConfig } from '@kabar/config';
import { SILENT_LOGGER } from '@kabar/core';
import { createHub } from '@kabar/hub';
import { migrate, openDatabase } from '@kabar/persistence';
import { aConfig, createTestDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import type { ProvidedContext } from 'vitest';

/** The test config builder that `aConfig()` returns; its class is not exported. */
export type HubConfigBuilder = ReturnType<typeof aConfig>;

/** Where the real services listen: what `inject('services')` gives an integration test. */
type Services = ProvidedContext['services'];

/** A hub listening on a fresh, migrated PostgreSQL database of its own, on the real Kafka broker. */
export interface FullHub {
  readonly app: INestApplication;
  /** The hub's base URL, on 127.0.0.1 even when Nest reports the IPv6 loopback. */
  readonly url: string;
  readonly database: TestDatabase;
  /** The config the hub runs with, e.g. for `config.kafka.namespace`. */
  readonly config: KabarConfig;
  /** Closes the hub, then drops its database (in that order: the hub holds connections to it). */
  close(): Promise<void>;
}

/**
 * Creates and migrates a database for one test file, then starts the hub on it and on Kafka, listening on a free port.
 * `configure` adds to the builder, which already has Kafka and the database.
 * @example const hub = await startFullHub(inject('services'), (config) => config.with({ plugins }))
 */
export async function startFullHub(services: Services, configure: (builder: HubConfigBuilder) => HubConfigBuilder = (builder) => builder): Promise<FullHub> {
  const database = await createTestDatabase(services.databaseUrl);
  try {
    const orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
    await orm.close();
    const config = configure(aConfig().withKafka(services.kafkaBrokers).withPostgres(database.url)).build();
    const app = await createHub(config, pino({ level: 'silent' }));
    try {
      await app.listen(0, '127.0.0.1');
      const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      return {
        app,
        url,
        database,
        config,
        close: async () => {
          await app.close();
          await database.drop();
        },
      };
    } catch (error) {
      await app.close();
      throw error;
    }
  } catch (error) {
    // A hub that never started leaves no afterAll able to drop its database.
    await database.drop();
    throw error;
  }
}
