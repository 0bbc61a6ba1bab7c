import 'reflect-metadata';

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createHub } from '@kabar/hub';
import { aConfig, closedPort } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { kabar } from './support/run-kabar.js';

// `kabar demo` against an embedded hub (in-memory PGlite, in-process bus) that seeded its demo data on start.
describe('kabar demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kabar-cli-demo-'));
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await createHub(aConfig().with({ dataDir, demo: true }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  });

  it('publishes events with the demo keys and shows what the policy made of them, duplicates and unknown subjects, then the notification states', async () => {
    const run = await kabar(['demo', '--url', url], { KABAR_DATA_DIR: dataDir });
    expect(run.stderr).toContain('console');
    expect(run.code).toBe(0);
    const [published = '', states = ''] = run.stdout.split('\n\n');
    const results = published.split('\n').slice(2);
    // Siti already had this week's one reminder (her own cap): deferred to her digest; Budi is in his quiet hours.
    expect(results.map((line) => line.trim().split(/\s{2,}/)[3])).toEqual(['deferred', 'held', 'accepted', 'accepted', 'accepted', 'duplicate', 'suppressed']);
    expect(results.map((line) => line.trim().split(/\s+/)[0])).toEqual(['bapenda-bdg', 'disdukcapil-bdg', 'lapor-bdg', 'rsud-bdg', 'bapenda-bdg', 'bapenda-bdg', 'bapenda-bdg']);
    const notifications = states.trimEnd().split('\n').slice(2).map((line) => line.trim().split(/\s{2,}/));
    expect(notifications).toHaveLength(6);
    expect(notifications.slice(0, 5).map((cells) => [cells[2], cells[3], cells[4]])).toEqual([
      ['sms', 'deferred (DEFERRED)', 'v1'],
      ['sms', 'held (HELD)', 'v1'],
      ['email', 'sent', 'v1'],
      ['sms', 'sent', 'v1'],
      ['email', 'sent', 'v1'],
    ]);
    expect(notifications[5]?.slice(2)).toEqual(['-', 'suppressed (UNKNOWN_SUBJECT)', '-']);
  });

  it('says where demo.json should be when there is none', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kabar-cli-nodemo-'));
    const run = await kabar(['demo', '--url', url], { KABAR_DATA_DIR: empty });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`kabar: no demo data at ${join(empty, 'demo.json')}: start the hub in the embedded mode`);
  });

  it('exits 3 when the hub does not answer', async () => {
    const run = await kabar(['demo', '--url', `http://127.0.0.1:${await closedPort()}`], { KABAR_DATA_DIR: dataDir });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('ECONNREFUSED');
  });
});
