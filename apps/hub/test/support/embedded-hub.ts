import type { KabarConfig } from '@kabar/config';
import { createHub } from '@kabar/hub';
import { aConfig } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';

/**
 * A hub in the embedded mode (PGlite, in-process bus) listening on a free port, for tests of the GraphQL and HTTP
 * edge; `url` is on 127.0.0.1 even when Nest reports the IPv6 loopback.
 * @example const { app, url } = await startEmbeddedHub()
 */
export async function startEmbeddedHub(config: KabarConfig = aConfig().build()): Promise<{ app: INestApplication; url: string }> {
  const app = await createHub(config, pino({ level: 'silent' }));
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
