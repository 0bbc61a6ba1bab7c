#!/usr/bin/env node
// The `kabar` command. Compiled code lives in ../dist (built by `npm install` through the root `prepare` script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('kabar: not built yet; run `npm run build` in the Kabar checkout first\n');
  process.exit(1);
}
await import(main.href);
