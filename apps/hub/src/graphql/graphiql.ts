import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import type { NextFunction, Request, Response, Router } from 'express';

const require = createRequire(import.meta.url);
/** React 18's package exports hide its UMD builds, so resolve them from the package folder. */
const fromPackage = (name: string, file: string): string => join(dirname(require.resolve(`${name}/package.json`)), file);

/** The IDE's files, served from installed packages: nothing is fetched from a CDN at run time. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  'react.production.min.js': { file: fromPackage('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.production.min.js': { file: fromPackage('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.min.js': { file: fromPackage('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.min.css': { file: fromPackage('graphiql', 'graphiql.min.css'), type: 'text/css' },
};

const DEFAULT_QUERY = `# Kabar hub. Try:
{
  health {
    status
    database
    bus
    mode
    version
  }
}
`;

// Kept out of the HTML so the page can run under a CSP without 'unsafe-inline' scripts.
const INIT_SCRIPT = `(function () {
  var ws = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  var fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql', subscriptionUrl: ws });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)} })
  );
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Kabar GraphQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading the GraphQL IDE…</div>
  <script src="/graphiql/react.production.min.js"></script>
  <script src="/graphiql/react-dom.production.min.js"></script>
  <script src="/graphiql/graphiql.min.js"></script>
  <script src="/graphiql/init.js"></script>
</body>
</html>
`;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // GraphiQL sets inline styles from JavaScript.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
].join('; ');

/** GET /graphql from a browser (Accept: text/html, no `query` parameter) gets the IDE; everything else goes to Apollo. */
export function graphiqlPage(req: Request, res: Response, next: NextFunction): void {
  const wantsHtml = req.method === 'GET' && req.accepts(['application/json', 'text/html']) === 'text/html';
  if (!wantsHtml || req.query.query !== undefined) {
    next();
    return;
  }
  res.setHeader('Content-Security-Policy', CSP);
  res.type('html').send(PAGE);
}

export function mountGraphiqlAssets(router: Router): void {
  router.get('/graphiql/init.js', (_req, res) => {
    res.type('text/javascript').send(INIT_SCRIPT);
  });
  for (const [name, asset] of Object.entries(ASSETS)) {
    router.get(`/graphiql/${name}`, (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=86400');
      res.type(asset.type).sendFile(asset.file);
    });
  }
}
