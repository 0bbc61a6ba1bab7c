import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type FragmentDefinitionNode, GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { getComplexity, simpleEstimator } from 'graphql-query-complexity';

/** Bounds for one GraphQL request; a public API without them can be made to do unbounded work. */
export const QUERY_LIMITS = { maxQueryBytes: 20_000, maxDepth: 10, maxComplexity: 1_000 } as const;

function depthOf(selectionSet: SelectionSetNode | undefined, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen: ReadonlySet<string>): number {
  if (selectionSet === undefined) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, fragments, seen));
    else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      // A fragment spread counts as its fields; `seen` stops fragment cycles (graphql-js rejects them anyway).
      const fragment = fragments.get(selection.name.value);
      deepest = Math.max(deepest, depthOf(fragment?.selectionSet, fragments, new Set([...seen, selection.name.value])));
    }
  }
  return deepest;
}

export function queryDepth(document: DocumentNode): number {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  return Math.max(0, ...document.definitions.map((d) => (d.kind === Kind.OPERATION_DEFINITION ? depthOf(d.selectionSet, fragments, new Set()) : 0)));
}

const reject = (code: string, message: string): GraphQLError => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

/** Refuses oversized, too deep and too complex operations before they run, each with its own code. */
export function queryLimitsPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        // Checked once the operation is known (errors thrown here become 400 responses with their code); the
        // parser's own cost is already bounded by the 1 MB body limit.
        didResolveOperation: ({ document, schema, request: resolved }) => {
          if ((resolved.query?.length ?? 0) > QUERY_LIMITS.maxQueryBytes) {
            throw reject('QUERY_TOO_LARGE', `queries are limited to ${QUERY_LIMITS.maxQueryBytes} characters`);
          }
          const depth = queryDepth(document);
          if (depth > QUERY_LIMITS.maxDepth) throw reject('QUERY_TOO_DEEP', `query depth ${depth} exceeds ${QUERY_LIMITS.maxDepth}`);
          const complexity = getComplexity({
            schema,
            query: document,
            ...(resolved.operationName === undefined ? {} : { operationName: resolved.operationName }),
            variables: resolved.variables ?? {},
            estimators: [simpleEstimator({ defaultComplexity: 1 })],
          });
          if (complexity > QUERY_LIMITS.maxComplexity) throw reject('QUERY_TOO_COMPLEX', `query complexity ${complexity} exceeds ${QUERY_LIMITS.maxComplexity}`);
          return Promise.resolve();
        },
      }),
  };
}
