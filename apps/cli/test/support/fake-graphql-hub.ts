import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

import { closeNow } from '@kabar/testing';

/** One GraphQL request as the fake hub received it. */
export interface GraphqlRequest<Variables = Record<string, unknown>> {
  readonly authorization: string | undefined;
  readonly body: { readonly query: string; readonly variables: Variables };
}

export interface FakeGraphqlHub<Variables = Record<string, unknown>> {
  readonly url: string;
  readonly requests: GraphqlRequest<Variables>[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A real HTTP server on 127.0.0.1 standing in for the hub's GraphQL endpoint, so CLI tests see the exact requests a
 * command sends: it records each one and answers the n-th (0-based) with `answer(request, n)` as the JSON body.
 */
export async function startFakeGraphqlHub<Variables = Record<string, unknown>>(answer: (request: GraphqlRequest<Variables>, n: number) => unknown): Promise<FakeGraphqlHub<Variables>> {
  const requests: GraphqlRequest<Variables>[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then((text) => {
      const recorded = { authorization: request.headers.authorization, body: JSON.parse(text) as GraphqlRequest<Variables>['body'] };
      requests.push(recorded);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer(recorded, requests.length - 1)));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () => closeNow(server),
  };
}
