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

/**
 * Socket errors and PostgreSQL's SQLSTATEs that mean the server is away or refusing connections for now (class 08,
 * shutting down or starting up), short of resources (class 53: disk full, out of memory, too many connections), too
 * busy to finish a statement within DATABASE_QUERY_TIMEOUT_MS (57014, the statement timeout), or a standby now (25006:
 * a connection still on the old primary after a failover refuses writes), as opposed to a statement it refused.
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '57014', '25006']);

/** pg's own words for a connection that broke or never came; it sets no code for them. */
const UNREACHABLE_MESSAGES = /Connection terminated|connection error|timeout exceeded when trying to connect|Connection ended unexpectedly/i;

/**
 * True when an error from a query means the database could not be reached (it went away, restarts, fails over, or
 * is full), so the same request may well succeed in a moment. Looks through `cause` chains and aggregated errors
 * (a host that resolves to several addresses).
 */
export function isDatabaseUnreachable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if (error instanceof DatabaseUnavailableError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || /^(08|53)/.test(code))) return true;
  if (UNREACHABLE_MESSAGES.test(error.message)) return true;
  if (error instanceof AggregateError && error.errors.some((e) => isDatabaseUnreachable(e, depth + 1))) return true;
  return isDatabaseUnreachable(error.cause, depth + 1);
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
