import 'reflect-metadata';

import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmbeddedHub } from './support/embedded-hub.js';

// How the hub serves the built web UI (apps/web/dist, from `npm run build`): the page under its policy, never
// cached; the hashed assets cached for good; nothing else from that folder or outside it.
describe('the web UI as the hub serves it (embedded)', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startEmbeddedHub());
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves one page at / and /console under a Content-Security-Policy without inline code, never cached', async () => {
    for (const path of ['/', '/console']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy'), path).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      expect(await res.text(), path).not.toMatch(/<script>|<style>|https?:\/\//);
    }
  });

  it('serves the hashed assets the page names for a year, and refuses the rest with problem+json', async () => {
    const page = await (await fetch(`${url}/`)).text();
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const res = await fetch(`${url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
    }
    // An unknown asset; a way out of the folder (refused by the file server); one the client resolves to /package.json.
    for (const [path, status] of [['/assets/nope.js', 404], ['/assets/..%2Fpackage.json', 403], ['/assets/../../package.json', 404]] as const) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
      expect(await res.json(), path).toMatchObject({ status, code: `HTTP_${status}`, title: status === 403 ? 'Forbidden' : 'Not Found' });
    }
  });
});
