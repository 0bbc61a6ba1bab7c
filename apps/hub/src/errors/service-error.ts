import { CodedError, describeError, type Logger } from '@kabar/core';
import { isDatabaseUnreachable } from '@kabar/persistence';

export enum ServiceErrorCode {
  /** PostgreSQL is away (restart, failover, network): try again shortly; a replay is safe (idempotent by (source, id)). */
  DatabaseUnavailable = 'DATABASE_UNAVAILABLE',
}

export class ServiceError extends CodedError<ServiceErrorCode> {}

/** What the answer tells clients to wait: a restart or failover is seconds, and clients retrying together would not help. */
const RETRY_AFTER_SECONDS = 5;
/** An outage fails every request: one line per this long, with the count, instead of one per request. */
const WARN_EVERY_MS = 10_000;

/**
 * Finds what an error no domain raised means for the client, at the edge (the HTTP filter, the GraphQL formatter):
 * today, that the database could not be reached, which a client should retry rather than report as a bug.
 */
export class ServiceErrors {
  private warnedAt = -Infinity;
  private since = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The ServiceError `error` means, or undefined when it is unexpected (the caller logs it and answers 500). */
  classify(error: unknown): ServiceError | undefined {
    if (!isDatabaseUnreachable(error)) return undefined;
    this.since += 1;
    if (this.now() - this.warnedAt >= WARN_EVERY_MS) {
      // The driver's words name the server and the socket error, never a statement's values.
      this.logger.warn({ error: describeError(error), refused: this.since }, 'the database is not reachable; requests are answered DATABASE_UNAVAILABLE');
      this.warnedAt = this.now();
      this.since = 0;
    }
    return new ServiceError(ServiceErrorCode.DatabaseUnavailable, 'the database is not reachable for the moment; send the request again shortly', { retryAfterSeconds: RETRY_AFTER_SECONDS });
  }
}
