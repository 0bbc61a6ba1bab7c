import { type DatabaseConfig } from '@kabar/config';
import { describeError, type Logger, retryUntil } from '@kabar/core';
import { MikroORM } from '@mikro-orm/core';

import { ormOptions } from './orm-options.js';

/** The database did not answer within the configured time. */
export class DatabaseUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`the database is not reachable: ${reason}`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Where the database is, for logs: never the password. */
export function describeDatabase(database: DatabaseConfig): string {
  if (database.kind === 'pglite') return `embedded PGlite at ${database.dataDir}`;
  const url = new URL(database.url);
  return `PostgreSQL at ${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

/** Waits until the database answers, retrying with backoff, or throws `DatabaseUnavailableError`. */
export async function waitForDatabase(orm: MikroORM, timeoutMs: number, logger: Logger, where: string): Promise<void> {
  try {
    await retryUntil(
      async () => {
        // MikroORM 7 connects lazily; connect() is idempotent and makes the check below a real round trip.
        await orm.connect();
        const check = await orm.checkConnection();
        if (!check.ok) throw new Error(check.reason);
      },
      {
        deadlineMs: timeoutMs,
        onRetry: ({ error, nextDelayMs }) =>
          logger.warn({ reason: describeError(error), retryInMs: nextDelayMs }, `${where} is not reachable yet; retrying`),
      },
    );
  } catch (error) {
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    throw new DatabaseUnavailableError(`${where}: ${describeError(cause)}`);
  }
}

/** Opens the ORM for scripts and the CLI (the hub gets its ORM from the Nest module). */
export async function openDatabase(database: DatabaseConfig, timeoutMs: number, logger: Logger): Promise<MikroORM> {
  const orm = await MikroORM.init(ormOptions(database));
  await waitForDatabase(orm, timeoutMs, logger, describeDatabase(database));
  return orm;
}
