import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { verifyWebhook } from '@kabar/core';
import { closeNow } from '@kabar/testing';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly webhookId: string | undefined;
  /** Whether the Standard Webhooks signature matched the shared secret (POSTs only). */
  readonly verified: boolean;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** `webhook-id`s of verified POSTs to `/ok`: what the receiver accepted. */
  accepted(): string[];
  close(): Promise<void>;
}

/**
 * An agency's webhook receiver on loopback (plain HTTP: the transport under test here is gRPC, not HTTPS): `/ok`
 * answers 204 and `/hang` never answers. Every POST's signature is checked against `secret`.
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = request.method ?? '';
      const path = request.url ?? '';
      const verified = method === 'POST' && verifyWebhook({ body, headers: request.headers, secret }).valid;
      requests.push({ method, path, webhookId: header(request.headers, 'webhook-id'), verified });
      if (path !== '/hang') response.writeHead(path === '/ok' ? 204 : 404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    accepted: () => requests.filter((r) => r.verified && r.path === '/ok').map((r) => r.webhookId ?? ''),
    close: () => closeNow(server),
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
