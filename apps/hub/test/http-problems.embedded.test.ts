import 'reflect-metadata';

import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmbeddedHub } from './support/embedded-hub.js';

// What the HTTP layer refuses before any of the hub's own code decides (no such route, a body Express cannot parse)
// answers in the shape every endpoint speaks: problem+json with a `code`, and a title that is not a class name.
describe('refusals of the HTTP layer itself (embedded)', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startEmbeddedHub());
  });

  afterAll(async () => {
    await app.close();
  });

  const problemOf = async (res: Response): Promise<{ status: number; contentType: string | null; body: unknown }> => ({
    status: res.status,
    contentType: res.headers.get('content-type'),
    body: await res.json(),
  });

  it('answers a route that does not exist with 404 and the code HTTP_404', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/v1/events'], ['DELETE', '/v1/events'], ['PUT', '/health']] as const) {
      expect(await problemOf(await fetch(`${url}${path}`, { method })), `${method} ${path}`).toEqual({
        status: 404,
        contentType: 'application/problem+json; charset=utf-8',
        body: { type: 'about:blank', status: 404, title: 'Not Found', detail: `Cannot ${method} ${path}`, code: 'HTTP_404' },
      });
    }
  });

  it('answers a JSON body that does not parse with 400 MALFORMED_JSON, and one over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const post = (body: string): Promise<Response> => fetch(`${url}/health`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(await problemOf(await post('{"a":'))).toEqual({
      status: 400,
      contentType: 'application/problem+json; charset=utf-8',
      body: { type: 'about:blank', status: 400, title: 'MALFORMED_JSON', detail: 'request body is not valid JSON', code: 'MALFORMED_JSON' },
    });
    expect(await problemOf(await post(`"${'x'.repeat(1024 * 1024)}"`))).toEqual({
      status: 413,
      contentType: 'application/problem+json; charset=utf-8',
      body: { type: 'about:blank', status: 413, title: 'PAYLOAD_TOO_LARGE', detail: 'request body is larger than 1mb', code: 'PAYLOAD_TOO_LARGE' },
    });
  });
});
