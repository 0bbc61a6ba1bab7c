import { mkdirSync } from 'node:fs';

import type { DatabaseConfig } from '@kabar/config';
import { type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PgliteDriver } from '@mikro-orm/pglite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { DEFAULT_QUERY_TIMEOUT_MS, postgresTimeouts } from './postgres-timeouts.js';

/** Connections per process when the config names none (tests, scripts); the hub's comes from DATABASE_POOL_SIZE. */
const DEFAULT_POOL_SIZE = 10;

/**
 * ORM options for either driver. Services use the driver-neutral EntityManager, so nothing above this file knows
 * whether it runs on embedded PGlite or a PostgreSQL server.
 */
export function ormOptions(database: DatabaseConfig): Partial<Options> {
  const common = {
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, snapshot: false, transactional: true, allOrNothing: true, silent: true },
    // Entity data never goes to the query log: it may hold personal data.
    debug: false,
    allowGlobalContext: false,
  } satisfies Partial<Options>;
  switch (database.kind) {
    case 'pglite':
      if (!database.dataDir.startsWith('memory:')) mkdirSync(database.dataDir, { recursive: true });
      return { ...common, driver: PgliteDriver, dbName: database.dataDir };
    case 'postgres':
      return {
        ...common,
        driver: PostgreSqlDriver,
        clientUrl: database.url,
        pool: { min: 0, max: database.poolSize ?? DEFAULT_POOL_SIZE },
        driverOptions: postgresTimeouts(database.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS),
      };
  }
}
