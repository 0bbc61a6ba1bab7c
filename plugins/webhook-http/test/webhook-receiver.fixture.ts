import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

import { type Certificate, closeNow, selfSignedCertificate } from '@kabar/testing';
import { Webhook } from 'standardwebhooks';

export { type Certificate, selfSignedCertificate };


export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether the standardwebhooks reference library accepted the signature (POSTs only). */
  readonly verified: boolean;
}

export interface WebhookReceiver {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** `webhook-id`s of verified POSTs to `/ok`: what the receiver accepted. */
  accepted(): string[];
  close(): Promise<void>;
}

/**
 * An agency's receiver over real TLS: `/ok` answers 204, `/status/<code>` answers that code, `/hang` never answers.
 * Every POST is verified with the official Standard Webhooks library.
 */
export async function startWebhookReceiver(certificate: Certificate, secret: string): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const verifier = new Webhook(secret);
  const server = https.createServer(certificate, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = request.method ?? '';
      const path = request.url ?? '';
      requests.push({ method, path, headers: request.headers, body, verified: method === 'POST' && verifies(verifier, body, request.headers) });
      respond(path, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    requests,
    accepted: () => requests.filter((r) => r.verified && r.path === '/ok').map((r) => String(r.headers['webhook-id'])),
    close: () => closeNow(server),
  };
}

function respond(path: string, response: ServerResponse): void {
  if (path === '/hang') return;
  const status = /^\/status\/(\d{3})$/.exec(path)?.[1];
  if (status === '429') response.setHeader('retry-after', '30');
  response.writeHead(status === undefined ? 204 : Number(status)).end();
}

function verifies(verifier: Webhook, body: string, headers: IncomingHttpHeaders): boolean {
  const flat = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
  try {
    verifier.verify(body, flat);
    return true;
  } catch {
    return false;
  }
}
