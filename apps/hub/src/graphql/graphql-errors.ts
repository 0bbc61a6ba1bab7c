import type { ApolloServerPlugin } from '@apollo/server';
import { describeError, isKabarError, type Logger } from '@kabar/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

import { ServiceErrors } from '../errors/service-error.js';

/** Codes Apollo and graphql-js (and the hub's request plugins) set for bad requests; they pass through unchanged. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'QUERY_TOO_LARGE',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'MALFORMED_TEXT',
]);

/** Details that help a client fix its request; anything else stays in the logs. */
const PUBLIC_DETAILS = ['retryAfterSeconds', 'problems', 'attribute'] as const;

function publicDetails(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(PUBLIC_DETAILS.filter((k) => details[k] !== undefined).map((k) => [k, details[k]]));
}

/**
 * The one place where errors become GraphQL errors: domain errors keep their code enum value as `extensions.code`,
 * as does DATABASE_UNAVAILABLE (with `retryAfterSeconds`) when the database could not be reached; anything else
 * unexpected becomes INTERNAL_SERVER_ERROR with no detail (it is logged instead).
 */
export function formatGraphqlError(logger: Logger) {
  const services = new ServiceErrors(logger);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const thrown = (error as { originalError?: unknown } | null)?.originalError ?? error;
    const original = isKabarError(thrown) ? thrown : (services.classify(thrown) ?? thrown);
    if (isKabarError(original)) {
      return { message: original.message, path: formatted.path, locations: formatted.locations, extensions: { code: original.code, ...publicDetails(original.details) } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) return { ...formatted, extensions: { code } };
    // graphql-js raises GraphQLErrors for requests that do not fit the schema (e.g. an enum variable with an unknown
    // value); those are the client's to fix, never an internal error.
    if (original instanceof GraphQLError) return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } };
    logger.error({ error: describeError(original), path: formatted.path?.join('.') }, 'unexpected error in a GraphQL operation');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/**
 * Apollo answers some malformed variables with HTTP 500 before our formatter has classified them; once every error of
 * a data-less response is a client error, the status becomes 400 so no client mistake is reported as a server fault.
 */
export function clientErrorStatusPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ response }) => {
          if (response.body.kind !== 'single' || response.http.status !== 500) return Promise.resolve();
          const { data, errors } = response.body.singleResult;
          const clientOnly = errors !== undefined && errors.every((e) => typeof e.extensions?.code === 'string' && (CLIENT_CODES.has(e.extensions.code) || e.extensions.code === 'BAD_USER_INPUT'));
          if (data == null && clientOnly) response.http.status = 400;
          return Promise.resolve();
        },
      }),
  };
}
