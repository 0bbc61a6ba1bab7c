import 'reflect-metadata';

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { createHub } from '@kabar/hub';
import { aConfig, createTestDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type DevSmsc, startDevSmsc } from '../src/commands/smsc.js';
import { kabar, type Run } from './support/run-kabar.js';

const ROOT = resolve(import.meta.dirname, '../../..');

interface ListedInstall {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly ratePerSecond: number | null;
}

// The built `kabar` binary against a real hub (in this process, on PostgreSQL), with the real sms-smpp tarball from
// `npm pack` and the CLI's own dev SMSC as the provider: one plugin installed twice under two names, both routed, a
// rate limit set and lifted, and bad input refused with the exit code and the words a person sees. Only the hub's
// Kafka is left out: nothing here is dispatched.
describe('kabar plugins against a hub: install names and rate limits', () => {
  const services = inject('services');
  const work = mkdtempSync(join(tmpdir(), 'kabar-cli-plugins-'));
  // Unpacked plugins resolve their dependencies from the checkout's node_modules, as in a deployment.
  const dataDir = join(ROOT, '.kabar', `cli-plugins-test-${String(process.pid)}`);
  let database: TestDatabase;
  let app: INestApplication | undefined;
  let smsc: DevSmsc | undefined;
  let env: Record<string, string>;
  let tarball: string;
  let integrity: string;

  /** `kabar plugins …args` as an admin who exported KABAR_URL and KABAR_TOKEN. */
  const plugins = (...args: string[]): Promise<Run> => kabar(['plugins', ...args], env);
  /** Runs one that must succeed, failing with its stderr otherwise. */
  const ok = async (...args: string[]): Promise<Run> => {
    const run = await plugins(...args);
    expect(run.code, `kabar plugins ${args.join(' ')}: ${run.stderr}`).toBe(0);
    return run;
  };
  const listed = async (): Promise<ListedInstall[]> => JSON.parse((await ok('list', '--json')).stdout) as ListedInstall[];

  beforeAll(async () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', join(ROOT, 'plugins/sms-smpp'), '--pack-destination', work, '--json'], { encoding: 'utf8' })) as { filename: string; integrity: string }[];
    if (packed === undefined) throw new Error('npm pack plugins/sms-smpp packed nothing');
    tarball = join(work, packed.filename);
    integrity = packed.integrity;
    smsc = await startDevSmsc({ port: 0, systemId: 'kabar', password: null, receipts: false, print: () => undefined });
    database = await createTestDatabase(services.databaseUrl);
    const migrated = await kabar(['migrate'], { DATABASE_URL: database.url });
    if (migrated.code !== 0) throw new Error(`kabar migrate failed: ${migrated.stderr}`);
    const admin = await kabar(['admin', 'create', '--name', 'Ops plugins'], { DATABASE_URL: database.url });
    if (admin.code !== 0) throw new Error(`kabar admin create failed: ${admin.stderr}`);
    app = await createHub(aConfig().withPostgres(database.url).with({ dataDir }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    env = { KABAR_URL: (await app.getUrl()).replace('[::1]', '127.0.0.1'), KABAR_TOKEN: admin.stdout.trim() };
  });

  afterAll(async () => {
    await app?.close();
    await smsc?.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('installs one plugin twice under two names, and refuses a taken or malformed name (exit 1)', async () => {
    const first = await ok('install', tarball, '--integrity', integrity, '--name', 'sms-tsel');
    expect(first.stdout).toMatch(/^installed sms-tsel \(sms-smpp \d+\.\d+\.\d+, sms, id [0-9a-f-]{36}\) from /);
    expect(first.stderr).toContain('next, after review: kabar plugins approve sms-tsel');
    await ok('install', tarball, '--integrity', integrity, '--name', 'sms-isat');

    const taken = await plugins('install', tarball, '--name', 'sms-tsel');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('PLUGIN_ALREADY_INSTALLED: an install named sms-tsel exists already');
    const malformed = await plugins('install', tarball, '--name', 'SMS_Isat');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('INVALID_PLUGIN_NAME: install names are 2–64 lower-case letters');
    expect((await listed()).map((i) => i.name).sort()).toEqual(['sms-isat', 'sms-tsel']);
  });

  it('takes each install through its steps by name and routes SMS through both; routes shows their names', async () => {
    const config = JSON.stringify({ host: '127.0.0.1', port: smsc?.port, systemId: 'kabar', password: 'rahasia1', defaultSender: 'KABAR' });
    for (const name of ['sms-tsel', 'sms-isat']) {
      await ok('approve', name);
      await ok('configure', name, '--config', config);
      expect((await ok('check', name)).stdout).toMatch(new RegExp(`^check of ${name} \\(sms-smpp .*\\) ok: `));
      await ok('enable', name);
    }
    await ok('route', 'sms', 'sms-tsel:0:80', 'sms-isat:0:20');
    const ids = new Map((await listed()).map((i) => [i.name, i.id]));
    const [header, ...rows] = (await ok('routes')).stdout.trimEnd().split('\n');
    expect(header).toBe('CHANNEL  AGENCY     PRIORITY  WEIGHT  INSTALL   PLUGIN    ID');
    // In the hub's order, which is not this test's concern.
    expect(rows.sort()).toEqual([
      `sms      (default)  0         20      sms-isat  sms-smpp  ${ids.get('sms-isat') ?? ''}`,
      `sms      (default)  0         80      sms-tsel  sms-smpp  ${ids.get('sms-tsel') ?? ''}`,
    ]);
  });

  it('refuses a plugin id that is no install\'s name, naming the installs (exit 1)', async () => {
    const run = await plugins('disable', 'sms-smpp');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^kabar: no plugin install named "sms-smpp": the sms-smpp plugin is installed as (sms-tsel, sms-isat|sms-isat, sms-tsel); give one of those names\n$/);
  });

  it('sets a rate limit by name, shows it in list, and lifts it with none', async () => {
    const set = await ok('rate-limit', 'sms-tsel', '50');
    expect(set.stdout).toMatch(/^sms-tsel \(sms-smpp .*\) now sends at most 50 messages per second per hub worker\n$/);
    expect((await listed()).map((i) => [i.name, i.ratePerSecond])).toEqual(expect.arrayContaining([['sms-tsel', 50], ['sms-isat', null]]));
    const table = (await ok('list')).stdout.split('\n');
    expect(table[0]).toMatch(/^ID\s+NAME\s+PLUGIN\s+CHANNEL\s+VERSION\s+APPROVED\s+CONFIGURED\s+ENABLED\s+RATE\s+CIRCUIT\s+CHECK$/);
    expect(table.find((line) => line.includes(' sms-tsel '))).toMatch(/ yes\s+50\/s\s+closed\s+ok$/);
    expect(table.find((line) => line.includes(' sms-isat '))).toMatch(/ yes\s+-\s+closed\s+ok$/);

    const lifted = await ok('rate-limit', 'sms-tsel', 'none');
    expect(lifted.stdout).toMatch(/^sms-tsel \(sms-smpp .*\) now has no rate limit\n$/);
    expect((await listed()).every((i) => i.ratePerSecond === null)).toBe(true);
  });

  it('refuses a rate that is not one before asking the hub (exit 2), and passes on the hub\'s own bound (exit 1)', async () => {
    const zero = await plugins('rate-limit', 'sms-tsel', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('"0" is not a rate limit: give a whole number of messages per second, 1 or more, or none to lift the limit');
    const missing = await plugins('rate-limit', 'sms-tsel');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('plugins rate-limit needs INSTALL N|none');
    const tooFast = await plugins('rate-limit', 'sms-tsel', '1000000');
    expect(tooFast.code).toBe(1);
    expect(tooFast.stderr).toContain('INVALID_RATE_LIMIT: ');
    expect((await listed()).every((i) => i.ratePerSecond === null)).toBe(true);
  });

  it('documents both options in its help', async () => {
    const help = await kabar(['help', 'plugins']);
    expect(help.stdout).toContain('kabar plugins install DIR|FILE.tgz [--integrity sha512-…] [--name NAME]');
    expect(help.stdout).toContain('kabar plugins rate-limit INSTALL N|none');
  });
});
