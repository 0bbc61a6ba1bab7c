import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Webhook } from 'standardwebhooks';

export interface CallbackReceiver {
  readonly url: string;
  /** What verified, in the order it came. */
  readonly events: Record<string, unknown>[];
  readonly server: Server;
}

/** An agency's callback URL: keeps what the `standardwebhooks` package verifies with `secret()`, refuses the rest (401). */
export async function callbackReceiver(secret: () => string): Promise<CallbackReceiver> {
  const events: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
      try {
        events.push(new Webhook(secret()).verify(body, headers) as Record<string, unknown>);
        res.writeHead(200).end();
      } catch {
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/kabar`, events, server };
}
