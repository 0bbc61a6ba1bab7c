import type { Pool, PoolClient } from 'pg';

/** The statement timeout when the config names none (tests, scripts); the hub's comes from DATABASE_QUERY_TIMEOUT_MS. */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/**
 * How much longer than the statement timeout a connection may stay silent before it is closed: PostgreSQL cancels a
 * slow statement itself at the timeout and answers with an error, so only a server that cannot answer at all (a
 * network partition, a host that died without resetting its connections) reaches this.
 */
const SILENCE_GRACE_MS = 5_000;

/** pg's Pool options (passed through MikroORM's `driverOptions`) that bound every wait on the database. */
export interface PostgresTimeoutOptions {
  readonly statement_timeout?: number;
  readonly connectionTimeoutMillis?: number;
  readonly onPoolCreated?: (pool: Pool) => void;
}

/**
 * Bounds on every wait on PostgreSQL, so that a server that stops answering fails requests with an error the edge
 * maps to 503 instead of holding them, and the pool with them, until the kernel gives up on the TCP connection
 * (about 15 minutes on Linux). 0 sets none, for migrations, whose statements may run for as long as they need.
 * - `statement_timeout`: PostgreSQL cancels a statement that runs longer (SQLSTATE 57014).
 * - `connectionTimeoutMillis`: opening a connection, and waiting for a free one, take no longer.
 * - a connection that has not answered a statement within the timeout and a grace is closed: its statement and any
 *   queued behind it fail with "Connection terminated", and the pool drops it when it comes back (so is one that
 *   reached a standby). pg's own
 *   `query_timeout` fails the statement but keeps the connection with the statement still on the wire, so the
 *   transaction's rollback and the pool's next user would wait behind it.
 */
export function postgresTimeouts(queryTimeoutMs: number): PostgresTimeoutOptions {
  if (queryTimeoutMs === 0) return {};
  return {
    statement_timeout: queryTimeoutMs,
    connectionTimeoutMillis: queryTimeoutMs,
    onPoolCreated: (pool) => pool.on('connect', (client) => endUselessConnections(client, queryTimeoutMs + SILENCE_GRACE_MS)),
  };
}

/** SQLSTATE of a write refused by a server in recovery: this connection reached a standby (a demoted primary). */
const READ_ONLY_SERVER = '25006';

/** Transaction control: when one of these fails, the connection's state is unknown and it is not reused. */
const TRANSACTION_CONTROL = /^\s*(begin|start transaction|commit|rollback)\b/i;

type QueryFunction = (...args: unknown[]) => unknown;

/**
 * Wraps the client's `query` so that the connection is ended, and the pool opens another in its place, when a
 * statement goes unanswered for `limitMs`, when a BEGIN, COMMIT or ROLLBACK fails (the transaction's state is then
 * unknown), or when the server turns out to be a standby (the hub writes, and never asks for a read-only
 * transaction, so a connection left on a primary demoted at a failover is of no more use).
 */
function endUselessConnections(client: PoolClient, limitMs: number): void {
  // pg offers no hook around a statement, so the client's own method is wrapped; the result is returned untouched.
  const query = client.query.bind(client) as QueryFunction;
  const end = (): void => void client.end().catch(() => undefined);
  const watched: QueryFunction = (...args) => {
    const result = query(...args);
    if (result instanceof Promise) {
      const timer = setTimeout(end, limitMs);
      result.then(
        () => clearTimeout(timer),
        (error: unknown) => {
          clearTimeout(timer);
          const control = typeof args[0] === 'string' && TRANSACTION_CONTROL.test(args[0]);
          if (control || (error as { code?: unknown } | null)?.code === READ_ONLY_SERVER) end();
        },
      );
    }
    return result;
  };
  Object.assign(client, { query: watched });
}
