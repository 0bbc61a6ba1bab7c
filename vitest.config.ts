import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources: @kabar/<lib> -> libs/<lib>/src/index.ts (the build uses each package's exports).
    alias: [
      // graphql ships CommonJS and ES builds; Node (and Nest) load the CommonJS one, so tests must too, or schema
      // objects built in a test would come from a second graphql instance that Nest refuses.
      { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') },
      { find: /^@kabar\/hub$/, replacement: `${root}apps/hub/src/index.ts` },
      { find: /^@kabar\/plugin-(?!sdk$)([a-z-]+)$/, replacement: `${root}plugins/$1/src/index.ts` },
      { find: /^@kabar\/([a-z-]+)$/, replacement: `${root}libs/$1/src/index.ts` },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{apps,libs,plugins}/*/test/**/*.test.ts', 'k8s/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts'],
          // The embedded-hub tests boot PGlite and Nest in this project: upper bounds against hangs, not targets.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{apps,libs,plugins}/*/test/**/*.int.test.ts'],
          // Real PostgreSQL and Kafka, provisioned by scripts/services.sh (npm test runs it first).
          globalSetup: [`${root}libs/testing/src/global-setup.ts`],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // An upper bound on waiting, never a timing check: under the whole suite the browser, the hub, PostgreSQL and
          // Kafka share two cores, and vitest's 1 s default failed a console check in a clean-clone run.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
