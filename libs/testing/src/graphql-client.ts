export interface GraphqlResponse<Data> {
  readonly status: number;
  readonly data?: Data;
  readonly errors?: readonly { message: string; extensions?: { code?: string } }[];
}

/** POSTs one operation to `<baseUrl>/graphql` the way any GraphQL client does. */
export async function graphql<Data>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphqlResponse<Data>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphqlResponse<Data>, 'status'>;
  return { status: response.status, ...body };
}
