import type { ApolloServerPlugin } from '@apollo/server';
import { unstorableText, unstorableTextIn } from '@kabar/core';
import { BREAK, type DocumentNode, GraphQLError, visit } from 'graphql';

/** Where the first string of an operation's literals or variables holds text no column can store, and what. */
function unstorableIn(document: DocumentNode, variables: Readonly<Record<string, unknown>>): { readonly path: string; readonly problem: string } | undefined {
  let found: { path: string; problem: string } | undefined;
  // graphql-js refuses half a character in a literal as it parses, but takes the escape "\u0000".
  visit(document, {
    StringValue(node) {
      const problem = unstorableText(node.value);
      if (problem === undefined) return undefined;
      found = { path: 'a string in the query', problem };
      return BREAK;
    },
  });
  return found ?? unstorableTextIn(variables, 'variables');
}

/**
 * Refuses an operation holding text no column can store with MALFORMED_TEXT, naming where: the character U+0000, or
 * half a character (a UTF-16 surrogate without its other half, JSON's `"\ud83d"` alone). PostgreSQL refused both (a
 * 500 for createAgency and registerEventType once), or turned the half into U+FFFD, so a name would be stored other
 * than sent.
 */
export function storableTextPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ document, request }) => {
          const found = unstorableIn(document, request.variables ?? {});
          if (found !== undefined) {
            throw new GraphQLError(`${found.path} holds ${found.problem}, which cannot be stored`, {
              extensions: { code: 'MALFORMED_TEXT', http: { status: 400 } },
            });
          }
          return Promise.resolve();
        },
      }),
  };
}
