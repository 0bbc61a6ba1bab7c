import type { ApolloServerPlugin } from '@apollo/server';
import { unpairedSurrogateIn } from '@kabar/core';
import { GraphQLError } from 'graphql';

/**
 * Refuses an operation whose variables hold half a character (a UTF-16 surrogate without its other half, JSON's
 * `"\ud83d"` alone) with MALFORMED_TEXT, naming where: such text is not Unicode, jsonb refuses it and text columns
 * turn it into U+FFFD, so an agency's name or a schema's description would be stored other than sent. The query text
 * itself needs no check: graphql-js refuses half a character in a string literal (GRAPHQL_PARSE_FAILED).
 */
export function wellFormedTextPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ request }) => {
          const half = unpairedSurrogateIn(request.variables ?? {}, 'variables');
          if (half !== undefined) {
            throw new GraphQLError(`${half.path} holds half a character (an unpaired surrogate, ${half.half}); send whole characters`, {
              extensions: { code: 'MALFORMED_TEXT', http: { status: 400 } },
            });
          }
          return Promise.resolve();
        },
      }),
  };
}
