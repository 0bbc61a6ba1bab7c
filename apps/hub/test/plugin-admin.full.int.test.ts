import 'reflect-metadata';

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import { eventually, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type SmscPeer,startSmscPeer } from '../../../plugins/sms-smpp/test/smsc-peer.fixture.js';
import { as } from './support/agency-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';
import { packPlugin } from './support/plugin-install-fixture.js';
import { type PolicyAgency, policyAgency, registeredCitizen, registerType } from './support/policy-fixture.js';

const ROOT = resolve(import.meta.dirname, '../../..');

interface Install {
  id: string;
  name: string;
  pluginId: string;
  integrity: string;
  approved: boolean;
  configured: boolean;
  enabled: boolean;
  config: Record<string, unknown> | null;
  check: { ok: boolean; detail: string } | null;
}
const INSTALL_FIELDS = 'id name pluginId integrity approved configured enabled config check { ok detail }';

/**
 * The admin's path from a fresh hub to SMS at a local SMSC, through the public GraphQL API: install the sms-smpp plugin
 * from its `npm pack` tarball with its integrity, approve, configure (schema-checked, secrets masked), check against
 * the SMSC, enable, route SMS to it, and see a citizen's message arrive. Bad packages and wrong steps are refused.
 */
describe('plugin lifecycle on PostgreSQL and Kafka', () => {
  const services = inject('services');
  const work = mkdtempSync(join(tmpdir(), 'kabar-plugins-'));
  // Unpacked plugins resolve their dependencies (@kabar/plugin-sdk, smpp) from the hub's node_modules, as in a deployment.
  const dataDir = join(ROOT, '.kabar', `plugin-test-${String(process.pid)}`);
  let hub: FullHub;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let admin: string;
  let agency: PolicyAgency;
  let smsc: SmscPeer;
  let tarball: string;
  let integrity: string;
  let installed: Install;

  const gql = async <Data>(query: string, variables: Record<string, unknown> = {}) => as<Data>(url, admin, query, variables);

  beforeAll(async () => {
    ({ tarball, integrity } = packPlugin(join(ROOT, 'plugins/sms-smpp'), work));
    smsc = await startSmscPeer();
    hub = await startFullHub(services, (config) => config.with({ dataDir }));
    ({ app, url, database } = hub);
    agency = await policyAgency(app, url, 'bapenda-bdg', 'Bapenda Kota Bandung');
    admin = agency.admin;
  });

  afterAll(async () => {
    await hub.close();
    await smsc.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('discovers the plugin packages on the machine', async () => {
    const found = await gql<{ discoverPlugins: { pluginId: string; channel: string; installed: boolean }[] }>('{ discoverPlugins { pluginId channel installed } }');
    expect(found.data?.discoverPlugins).toEqual(expect.arrayContaining([{ pluginId: 'sms-smpp', channel: 'sms', installed: false }, { pluginId: 'push-fcm', channel: 'push', installed: false }]));
  });

  it.each([
    ['a tarball whose hash changed since review', () => ({ source: tarball, integrity: `sha512-${Buffer.alloc(64).toString('base64')}` }), 'PLUGIN_INTEGRITY_MISMATCH'],
    ['a file that is not a tarball', () => ({ source: writeTo('junk.tgz', Buffer.from('not gzip')), integrity: null }), 'INVALID_PLUGIN_PACKAGE'],
    ['a package without a Kabar manifest', () => ({ source: writeTo('plain.tgz', tarOf({ 'package/package.json': '{"name":"left-pad","version":"1.0.0"}' })), integrity: null }), 'INVALID_PLUGIN_PACKAGE'],
    ['a tarball that climbs out of its directory', () => ({ source: writeTo('evil.tgz', tarOf({ 'package/../../evil.js': 'x' })), integrity: null }), 'INVALID_PLUGIN_PACKAGE'],
    ['a path that does not exist', () => ({ source: join(work, 'missing.tgz'), integrity: null }), 'INVALID_PLUGIN_PACKAGE'],
  ])('refuses to install %s', async (_name, input, code) => {
    const res = await gql(`mutation($s: String!, $i: String) { installPlugin(source: $s, integrity: $i) { id } }`, { s: input().source, i: input().integrity });
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    const list = await gql<{ pluginInstalls: unknown[] }>('{ pluginInstalls { id } }');
    expect(list.data?.pluginInstalls).toEqual([]);
  });

  it('installs from the tarball with its integrity, and keeps every later step behind approval', async () => {
    const res = await gql<{ installPlugin: Install }>(`mutation($s: String!, $i: String) { installPlugin(source: $s, integrity: $i) { ${INSTALL_FIELDS} } }`, { s: tarball, i: integrity });
    expect(res.errors).toBeUndefined();
    installed = res.data?.installPlugin as Install;
    expect(installed).toMatchObject({ pluginId: 'sms-smpp', integrity, approved: false, configured: false, enabled: false, check: null });
    const early = await gql(`mutation($id: ID!) { configurePlugin(id: $id, config: { host: "127.0.0.1" }) { id } }`, { id: installed.id });
    expect(early.errors?.[0]?.extensions?.code).toBe('PLUGIN_WRONG_STATE');
    const again = await gql(`mutation($s: String!) { installPlugin(source: $s) { id } }`, { s: tarball });
    expect(again.errors?.[0]?.extensions?.code).toBe('PLUGIN_ALREADY_INSTALLED');
  });

  it('checks the configuration against the schema and never shows the secret again', async () => {
    await gql(`mutation($id: ID!) { approvePlugin(id: $id) { id } }`, { id: installed.id });
    const bad = await gql(`mutation($id: ID!, $c: JSON!) { configurePlugin(id: $id, config: $c) { id } }`, { id: installed.id, c: { host: '127.0.0.1', port: 'x' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_PLUGIN_CONFIG');
    expect((bad.errors?.[0]?.extensions as { problems?: unknown } | undefined)?.problems).toEqual(expect.arrayContaining([{ path: '/systemId', message: 'is required' }]));
    const config = { host: '127.0.0.1', port: smsc.port + 1, systemId: 'kabar', password: 'rahasia1', defaultSender: 'KABAR BDG', responseTimeoutMs: 2_000 };
    const ok = await gql<{ configurePlugin: Install }>(`mutation($id: ID!, $c: JSON!) { configurePlugin(id: $id, config: $c) { ${INSTALL_FIELDS} } }`, { id: installed.id, c: config });
    expect(ok.data?.configurePlugin.config).toMatchObject({ host: '127.0.0.1', systemId: 'kabar', password: '********' });
    const [row] = await queryDatabase<{ config_sealed: string }>(database.url, 'select config_sealed from plugin_install where id = $1', [installed.id]);
    expect(row?.config_sealed).not.toContain('rahasia1');
  });

  it('runs check() against the SMSC: fails on the wrong port, passes on the right one, and only then enables', async () => {
    const failed = await gql<{ checkPlugin: Install }>(`mutation($id: ID!) { checkPlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id: installed.id });
    expect(failed.data?.checkPlugin.check?.ok).toBe(false);
    const refused = await gql(`mutation($id: ID!) { enablePlugin(id: $id) { id } }`, { id: installed.id });
    expect(refused.errors?.[0]?.extensions?.code).toBe('PLUGIN_WRONG_STATE');

    // The admin corrects the port in the configuration as the hub shows it, password masked: the stored one is kept
    // (the SMSC peer refuses a bind with any other password, "********" included).
    const shown = failed.data?.checkPlugin.config ?? {};
    expect(shown.password).toBe('********');
    await gql(`mutation($id: ID!, $c: JSON!) { configurePlugin(id: $id, config: $c) { id } }`, { id: installed.id, c: { ...shown, port: smsc.port } });
    const passed = await gql<{ checkPlugin: Install }>(`mutation($id: ID!) { checkPlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id: installed.id });
    expect(passed.data?.checkPlugin.check).toMatchObject({ ok: true });
    const enabled = await gql<{ enablePlugin: Install }>(`mutation($id: ID!) { enablePlugin(id: $id) { ${INSTALL_FIELDS} } }`, { id: installed.id });
    expect(enabled.data?.enablePlugin.enabled).toBe(true);
  });

  it('routes SMS to the install, and a citizen message arrives at the SMSC', async () => {
    const wrong = await gql(`mutation($id: ID!) { setPluginRoute(channel: "email", installs: [{ installId: $id }]) { pluginId } }`, { id: installed.id });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('INVALID_ROUTE');
    const route = await gql<{ setPluginRoute: { channel: string; pluginId: string; priority: number; weight: number; agencyCode: string | null }[] }>(
      `mutation($id: ID!) { setPluginRoute(channel: "sms", installs: [{ installId: $id, priority: 0, weight: 100 }]) { channel pluginId priority weight agencyCode } }`,
      { id: installed.id },
    );
    expect(route.data?.setPluginRoute).toEqual([{ channel: 'sms', pluginId: 'sms-smpp', priority: 0, weight: 100, agencyCode: null }]);

    const type = await registerType(url, agency, 'bill', { messageClass: 'transactional', channels: ['sms', 'inbox'] });
    const nationalId = '3273010101900901';
    await registeredCitizen(app, { nationalId, contacts: [{ channel: 'sms', value: '+6281234567001' }] });
    const published = await as<{ publishEvent: { status: string } }>(url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'via-installed-plugin', source: agency.source, type, subject: nationalId, data: { note: 'tagihan PBB' } },
    });
    expect(published.data?.publishEvent.status).toBe('accepted');
    const submit = await eventually(() => Promise.resolve(smsc.submits.find((s) => s.destinationAddr === '6281234567001')));
    // The agency's own masked sender ID, as registered with the agency.
    expect(submit.sourceAddr).toBe('BAPENDA-BDG');
    expect(submit.shortMessage.toString('latin1')).toContain('tagihan PBB');
  });

  it('installs the same plugin again under another name (e.g. a second SMS contract), and refuses a bad name', async () => {
    const bad = await gql(`mutation($s: String!) { installPlugin(source: $s, name: "SMS Cadangan") { id } }`, { s: tarball });
    expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_PLUGIN_NAME');
    const second = await gql<{ installPlugin: { id: string; name: string; pluginId: string } }>(`mutation($s: String!) { installPlugin(source: $s, name: "sms-cadangan") { id name pluginId } }`, {
      s: tarball,
    });
    expect(second.data?.installPlugin).toMatchObject({ name: 'sms-cadangan', pluginId: 'sms-smpp' });
    const list = await gql<{ pluginInstalls: { name: string }[] }>('{ pluginInstalls { name } }');
    expect(list.data?.pluginInstalls.map((i) => i.name)).toEqual(['sms-cadangan', 'sms-smpp']);
    expect((await gql(`mutation { uninstallPlugin(id: "sms-cadangan") }`)).errors).toBeUndefined();
  });

  it('holds messages over the install rate limit back as scheduled retries, and sends each exactly once', async () => {
    for (const perSecond of [0, -5, 1_000_000]) {
      const bad = await gql(`mutation($id: ID!, $n: Int) { setPluginRateLimit(id: $id, perSecond: $n) { id } }`, { id: installed.id, n: perSecond });
      expect(bad.errors?.[0]?.extensions?.code).toBe('INVALID_RATE_LIMIT');
    }
    const limited = await gql<{ setPluginRateLimit: { ratePerSecond: number | null } }>(`mutation($id: ID!) { setPluginRateLimit(id: $id, perSecond: 2) { ratePerSecond } }`, { id: installed.id });
    expect(limited.data?.setPluginRateLimit.ratePerSecond).toBe(2);

    const type = await registerType(url, agency, 'reminder', { messageClass: 'transactional', channels: ['sms'] });
    const phones = Array.from({ length: 8 }, (_, i) => `+62812345671${String(i).padStart(2, '0')}`);
    const events = [];
    for (const [i, phone] of phones.entries()) {
      const nationalId = `32730101019009${String(10 + i)}`;
      await registeredCitizen(app, { nationalId, contacts: [{ channel: 'sms', value: phone }] });
      events.push({ specversion: '1.0', id: `rate-${String(i)}`, source: agency.source, type, subject: nationalId, data: { note: 'pengingat' } });
    }
    // One batch: a burst of eight at a limit of two per second must not reach the SMSC at once.
    const published = await as<{ publishEvents: { status: string }[] }>(url, agency.key, 'mutation($e: [CloudEventInput!]!) { publishEvents(events: $e) { status } }', { e: events });
    expect(published.data?.publishEvents.map((p) => p.status)).toEqual(phones.map(() => 'accepted'));
    const destinations = phones.map((p) => p.slice(1));
    const arrived = await eventually(() => {
      const got = smsc.submits.filter((s) => destinations.includes(s.destinationAddr));
      return Promise.resolve(got.length >= phones.length ? got : undefined);
    });
    expect(arrived.map((s) => s.destinationAddr).sort()).toEqual([...destinations].sort());
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const throttled = Number(/kabar_deliveries_total\{plugin="sms-smpp",outcome="throttled"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(throttled).toBeGreaterThan(0);
    // A hold is not an attempt: one attempt row and one attempt counted per message.
    const rows = await queryDatabase<{ attempts: number; tried: string }>(
      database.url,
      "select n.attempts, (select count(*) from delivery_attempt d where d.notification_id = n.id) as tried from notification n join event e on e.id = n.event_id where e.ce_id like 'rate-%'",
    );
    expect(rows.map((r) => [r.attempts, Number(r.tried)])).toEqual(phones.map(() => [1, 1]));
    await gql(`mutation($id: ID!) { setPluginRateLimit(id: $id, perSecond: null) { id } }`, { id: installed.id });
  });

  it('stops routing to a disabled install and forgets an uninstalled one', async () => {
    await gql(`mutation($id: ID!) { disablePlugin(id: $id) { id } }`, { id: installed.id });
    const removed = await gql<{ uninstallPlugin: boolean }>(`mutation($id: ID!) { uninstallPlugin(id: $id) }`, { id: 'sms-smpp' });
    expect(removed.errors, JSON.stringify(removed.errors)).toBeUndefined();
    expect(removed.data?.uninstallPlugin).toBe(true);
    const left = await gql<{ pluginInstalls: unknown[]; pluginRoutes: unknown[] }>('{ pluginInstalls { id } pluginRoutes { pluginId } }');
    expect(left.data).toEqual({ pluginInstalls: [], pluginRoutes: [] });
    const other = await gql(`mutation { approvePlugin(id: "sms-smpp") { id } }`);
    expect(other.errors?.[0]?.extensions?.code).toBe('PLUGIN_NOT_FOUND');
  });

  function writeTo(name: string, bytes: Buffer): string {
    mkdirSync(work, { recursive: true });
    const path = join(work, name);
    writeFileSync(path, bytes);
    return path;
  }
});

/** A gzip'd ustar archive of the given files, written by hand so a test can make ones `npm pack` never would. */
function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

