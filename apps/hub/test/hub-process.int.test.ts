import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { graphql, startHubProcess } from '@kabar/testing';
import { describe, expect, it } from 'vitest';

import { packPlugin } from './support/plugin-install-fixture.js';

// The built hub as an operator runs it (`node apps/hub/dist/main.js`): exit codes and messages at start.
const dataDir = (): string => mkdtempSync(join(tmpdir(), 'kabar-hub-'));
const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

describe('hub process', () => {
  it('starts on the embedded default, answers health, and stops cleanly on SIGTERM', async () => {
    const hub = startHubProcess({ KABAR_DATA_DIR: dataDir() });
    const url = await hub.listening;
    const res = await graphql<{ health: { database: string; bus: string } }>(url, '{ health { database bus } }');
    expect(res.data?.health).toEqual({ database: 'UP', bus: 'UP' });
    expect(await hub.stop()).toBe(0);
    expect(hub.output()).toContain('"msg":"stopped"');
  });

  it('exits with 2 and names every wrong variable and what it expects', async () => {
    const hub = startHubProcess({ PORT: 'abc', KABAR_ROLE: 'boss', KABAR_DATA_DIR: dataDir() });
    expect(await hub.exited).toBe(2);
    expect(hub.output()).toContain('PORT: expected an integer from 0 to 65535, got "abc"');
    expect(hub.output()).toContain('KABAR_ROLE: expected one of api, worker, all, got "boss"');
    expect(hub.output()).not.toMatch(STACK_FRAME);
  });

  it('exits with 3 and a one-line reason when the database does not answer', async () => {
    const hub = startHubProcess({
      DATABASE_URL: 'postgres://kabar:secret-pw@127.0.0.1:9/kabar',
      DATABASE_CONNECT_TIMEOUT_MS: '1500',
      KABAR_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(await hub.exited).toBe(3);
    expect(hub.output()).toContain('cannot start: the database is not reachable: PostgreSQL at 127.0.0.1:9/kabar');
    expect(hub.output()).not.toContain('secret-pw');
    expect(hub.output()).not.toMatch(STACK_FRAME);
  });

  it('retries an unreachable broker with backoff, then exits with 3 and what to check', async () => {
    const hub = startHubProcess({ KABAR_DATA_DIR: dataDir(), KAFKA_BROKERS: '127.0.0.1:9', KAFKA_CONNECT_TIMEOUT_MS: '3000' });
    expect(await hub.exited).toBe(3);
    const retries = hub.output().match(/Kafka at 127\.0\.0\.1:9 is not reachable yet \([^)]+\); retrying in \d+ s/g) ?? [];
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(hub.output()).toContain('cannot start: Kafka at 127.0.0.1:9 did not answer within 3000 ms');
    expect(hub.output()).toContain('Check KAFKA_BROKERS');
    expect(hub.output()).not.toMatch(STACK_FRAME);
  });

  it('exits with 2 when a PostgreSQL deployment has no master key', async () => {
    const hub = startHubProcess({ DATABASE_URL: 'postgres://kabar:pw@127.0.0.1:9/kabar' });
    expect(await hub.exited).toBe(2);
    expect(hub.output()).toContain('KABAR_SECRET_KEY: expected a base64 32-byte key when DATABASE_URL is set');
  });

  it('exits with 4 when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const hub = startHubProcess({ KABAR_DATA_DIR: dataDir(), PORT: String(port) });
      expect(await hub.exited).toBe(4);
      expect(hub.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(hub.output()).not.toMatch(STACK_FRAME);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('installs a plugin tarball with KABAR_DATA_DIR outside the application, its imports resolved from the hub', async () => {
    // Only the built hub under plain Node shows this: in-process test hubs resolve packages through the test runner.
    const data = dataDir();
    const { tarball, integrity } = packPlugin(fileURLToPath(new URL('../../../plugins/sms-smpp', import.meta.url)), data);
    const hub = startHubProcess({ KABAR_DATA_DIR: data });
    try {
      const url = await hub.listening;
      const { adminToken } = JSON.parse(readFileSync(join(data, 'demo.json'), 'utf8')) as { adminToken: string };
      const res = await graphql<{ installPlugin: { pluginId: string } }>(url, 'mutation($s: String!, $i: String) { installPlugin(source: $s, integrity: $i) { pluginId } }', { s: tarball, i: integrity }, {
        authorization: `Bearer ${adminToken}`,
      });
      expect(res.errors).toBeUndefined();
      expect(res.data?.installPlugin.pluginId).toBe('sms-smpp');
    } finally {
      expect(await hub.stop()).toBe(0);
    }
  });
});
