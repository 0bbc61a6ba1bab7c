/** A GraphQL error as the hub reports it: a stable code (extensions.code) and its message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
    /** What the hub listed as wrong (extensions.problems), e.g. each schema violation of a plugin configuration. */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The codes that mean the session is gone: the app returns to sign-in. */
export const SESSION_ENDED = new Set(['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'INVALID_CREDENTIALS']);

interface GraphqlError {
  readonly message?: unknown;
  readonly extensions?: { readonly code?: unknown; readonly retryAfterSeconds?: unknown; readonly problems?: unknown };
}

interface GraphqlBody<T> {
  readonly data?: T | null;
  readonly errors?: readonly GraphqlError[];
}

export type Variables = Readonly<Record<string, unknown>>;

/** Posts one operation to the hub this page came from; the token is the citizen's session (`cit_…`). */
export async function graphql<T>(query: string, variables: Variables, token: string | null): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('NETWORK', 'the hub could not be reached');
  }
  let body: GraphqlBody<T>;
  try {
    body = (await response.json()) as GraphqlBody<T>;
  } catch {
    throw new ApiError('BAD_RESPONSE', `the hub answered ${String(response.status)} without a GraphQL body`);
  }
  const [first] = body.errors ?? [];
  if (first !== undefined) {
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
    const retry = typeof first.extensions?.retryAfterSeconds === 'number' ? first.extensions.retryAfterSeconds : null;
    throw new ApiError(code, typeof first.message === 'string' ? first.message : code, retry, problemsOf(first.extensions?.problems));
  }
  if (body.data === undefined || body.data === null) throw new ApiError('BAD_RESPONSE', 'the hub answered without data');
  return body.data;
}

/** `graphql` with a fixed credential, ending the session (`onEnded`) when the hub says it is gone. */
export function callerWith(token: string | null, onEnded: () => void): <T>(query: string, variables?: Variables) => Promise<T> {
  return async <T>(query: string, variables: Variables = {}): Promise<T> => {
    try {
      return await graphql<T>(query, variables, token);
    } catch (error) {
      if (error instanceof ApiError && SESSION_ENDED.has(error.code)) onEnded();
      throw error;
    }
  };
}

/** `problems` as the hub sends them ({ path | field, message }), each as one line; anything else is left out. */
function problemsOf(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((p: unknown) => {
    if (typeof p !== 'object' || p === null) return [];
    const { path, field, message } = p as { path?: unknown; field?: unknown; message?: unknown };
    const where = typeof path === 'string' ? path : typeof field === 'string' ? field : '';
    return typeof message === 'string' ? [`${where} ${message}`.trim()] : [];
  });
}
