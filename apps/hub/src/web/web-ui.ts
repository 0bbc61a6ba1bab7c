import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import express, { type Response, type Router } from 'express';

const require = createRequire(import.meta.url);

/** Where `npm run build` puts the web UI (apps/web, built by Vite); null when the package is missing. */
export function webUiRoot(): string | null {
  try {
    return join(dirname(require.resolve('@kabar/web/package.json')), 'dist');
  } catch {
    return null;
  }
}

/**
 * The page runs only the bundle it came with: no inline script or style, no other origin, not framed (a framed
 * sign-in page invites clickjacking), and it sends no Referer that could carry a URL to another site.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function pageHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/**
 * Serves the web UI: the citizen preference centre at `/`, the admin console at `/console`. Its files are content-hashed by Vite, so assets are cached for a year
 * and the page itself never is (a new build is picked up at the next visit). Returns false when the build is absent:
 * the API runs without it (e.g. a worker image built without the web app).
 */
export function mountWebUi(router: Router, root: string | null = webUiRoot()): boolean {
  const page = root === null ? null : join(root, 'index.html');
  if (root === null || page === null || !existsSync(page)) return false;
  // One page for both apps: the citizen preference centre at /, the admin console at /console.
  router.get(['/', '/index.html', '/console'], (_req, res) => {
    pageHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').sendFile(page);
  });
  router.use(
    '/assets',
    express.static(join(root, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      // Unknown asset names are a 404 here, not a fall through to the API's routes.
      fallthrough: false,
      setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
    }),
  );
  return true;
}
