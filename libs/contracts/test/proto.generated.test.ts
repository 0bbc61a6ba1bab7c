import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

// Real: the buf binary and the protoc-gen-es plugin from node_modules, as `npm run proto` (scripts/proto.sh) runs them.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROTO = join(ROOT, 'proto');
const COMMITTED = join(ROOT, 'libs/contracts/src/gen');
const BUF = join(ROOT, 'node_modules/.bin/buf');
const PROTOC_GEN_ES = join(ROOT, 'node_modules/@bufbuild/protoc-gen-es/bin/protoc-gen-es');

const run = promisify(execFile);

interface GenerateTemplate {
  plugins: { local: unknown; out: string; opt: unknown }[];
  [key: string]: unknown;
}

async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = new Map<string, Buffer>();
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), await readFile(path));
  }
  return files;
}

describe('generated code from proto/', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'kabar-proto-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('passes buf lint', async () => {
    // execFile rejects on a non-zero exit, with buf's findings in the error message.
    await expect(run(BUF, ['lint'], { cwd: PROTO })).resolves.toMatchObject({ stdout: '', stderr: '' });
  });

  it('is committed exactly as `npm run proto` generates it, so a .proto edit without regeneration fails here', async () => {
    // The committed buf.gen.yaml with only the output folder (and this Node, by absolute path) swapped, so the options
    // under test are the ones the script uses.
    const template = parse(await readFile(join(PROTO, 'buf.gen.yaml'), 'utf8')) as GenerateTemplate;
    expect(template.plugins).toHaveLength(1);
    const out = join(scratch, 'gen');
    template.plugins = template.plugins.map((plugin) => ({ ...plugin, local: [process.execPath, PROTOC_GEN_ES], out }));
    const templatePath = join(scratch, 'buf.gen.yaml');
    await writeFile(templatePath, stringify(template));

    await run(BUF, ['generate', '--template', templatePath], { cwd: PROTO });

    const fresh = await filesUnder(out);
    const committed = await filesUnder(COMMITTED);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    expect([...fresh.keys()]).toContain(join('kabar', 'v1', 'plugin_pb.ts'));
    for (const [path, bytes] of fresh) {
      expect(committed.get(path)?.equals(bytes), `${path} is up to date (run \`npm run proto\`)`).toBe(true);
    }
  });
});
