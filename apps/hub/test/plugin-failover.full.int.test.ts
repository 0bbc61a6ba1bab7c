import 'reflect-metadata';

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { WaitingScheduler } from '@kabar/hub';
import { eventually, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { PASSWORD, type SmscPeer, startSmscPeer, SYSTEM_ID } from '../../../plugins/sms-smpp/test/smsc-peer.fixture.js';
import { as } from './support/agency-fixture.js';
import { deliveryAttemptsOf, notificationStateOf } from './support/delivery-records.js';
import { type FullHub, startFullHub } from './support/full-hub.js';
import { type InstalledPlugin, installedPlugin, packPlugin } from './support/plugin-install-fixture.js';
import { type PolicyAgency, policyAgency, registeredCitizen, registerType } from './support/policy-fixture.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Failover between two real installs: an admin installs the sms-smpp plugin twice from its `npm pack` tarball, each
 * install bound to its own real SMSC, and routes Bapenda's SMS to smsc-a first and smsc-b second. Citizens get their
 * SMS through smsc-a; smsc-a is taken down mid-run and the following messages go out through smsc-b while smsc-a's
 * circuit opens; once smsc-a is back, a half-open probe closes its circuit and the traffic returns to it. Nothing is
 * lost or sent twice: what each SMSC received is counted against the notifications.
 *
 * An open circuit shows only when no route is left to fail over to, so Disdukcapil, whose SMS have only the
 * platform route (smsc-a), is the witness: its messages are refused without a call (CIRCUIT_OPEN) while the circuit is
 * open, and go out on their retry once it has closed.
 *
 * Real: PostgreSQL, Kafka, the hub's admin API and dispatch, the packed plugin as the hub unpacks and loads it, two SMPP
 * peers on loopback. Timing: breaker threshold 2, cooldown 1 s; every wait is for a condition, never for a duration.
 */
describe('failover between two installs of sms-smpp on PostgreSQL and Kafka', () => {
  const services = inject('services');
  const work = mkdtempSync(join(tmpdir(), 'kabar-failover-'));
  // Unpacked plugins resolve their dependencies (@kabar/plugin-sdk, smpp) from the hub's node_modules, as in a deployment.
  const dataDir = join(ROOT, '.kabar', `failover-test-${String(process.pid)}`);
  let hub: FullHub;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let admin: string;
  /** Every peer that listened on smsc-a's port: the first until it went down, then the one that came back. */
  const smscA: SmscPeer[] = [];
  let smscB: SmscPeer;
  let installA: InstalledPlugin;
  let installB: InstalledPlugin;
  let bapenda: PolicyAgency;
  let disdukcapil: PolicyAgency;
  let bapendaType: string;
  let disdukcapilType: string;
  /** Every event published, by its id, with its citizen's phone. */
  const published = new Map<string, string>();
  let nik = 3273010101900700;
  let serial = 0;

  const stateOf = (ceId: string): Promise<string | undefined> => notificationStateOf(database.url, ceId);
  const attemptsOf = (ceId: string): Promise<[string, string | null][]> => deliveryAttemptsOf(database.url, ceId);
  const waitFor = (ceId: string, state: string): Promise<string> =>
    eventually(async () => ((await stateOf(ceId)) === state ? state : undefined)).catch(async (error: unknown) => {
      throw new Error(`${ceId} is ${String(await stateOf(ceId))}, not ${state}, after attempts ${JSON.stringify(await attemptsOf(ceId))}: ${String(error)}`);
    });
  /** How many submit_sm each SMSC received for a phone number. */
  const receivedBy = (phone: string): { a: number; b: number } => {
    const to = (peer: SmscPeer): number => peer.submits.filter((s) => s.destinationAddr === phone.slice(1)).length;
    return { a: smscA.reduce((n, peer) => n + to(peer), 0), b: to(smscB) };
  };

  /** A citizen with a phone of their own, and one event about them. */
  const publish = async (agency: PolicyAgency, type: string, ceId: string): Promise<void> => {
    const nationalId = String(nik++);
    const phone = `+6281277${String(++serial).padStart(6, '0')}`;
    await registeredCitizen(app, { nationalId, contacts: [{ channel: 'sms', value: phone }] });
    const res = await as(url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: ceId, source: agency.source, type, subject: nationalId, data: { note: ceId } },
    });
    if (res.errors !== undefined) throw new Error(JSON.stringify(res.errors));
    published.set(ceId, phone);
  };
  /** Each install's circuit, as the hub shows admins. */
  const circuits = async (): Promise<Record<string, string>> => {
    const res = await as<{ pluginInstalls: { name: string; circuit: string }[] }>(url, admin, '{ pluginInstalls { name circuit } }');
    return Object.fromEntries((res.data?.pluginInstalls ?? []).map((i) => [i.name, i.circuit]));
  };
  /** Publishes one Bapenda SMS and waits until an SMSC took it; returns the install that sent it. */
  const sendBapenda = async (ceId: string): Promise<string | undefined> => {
    await publish(bapenda, bapendaType, ceId);
    await waitFor(ceId, 'sent');
    return (await attemptsOf(ceId)).at(-1)?.[0];
  };

  beforeAll(async () => {
    smscA.push(await startSmscPeer());
    smscB = await startSmscPeer();
    hub = await startFullHub(services, (config) => config.with({ dataDir, delivery: { maxAttempts: 6, breakerThreshold: 2, breakerCooldownMs: 1_000 } }));
    ({ app, url, database } = hub);
    bapenda = await policyAgency(app, url, 'bapenda-bdg', 'Bapenda Kota Bandung');
    admin = bapenda.admin;
    disdukcapil = await policyAgency(app, url, 'disdukcapil-bdg', 'Disdukcapil Kota Bandung', admin);
    // SMS only: a message that no SMSC took stays visible instead of moving on to another channel.
    bapendaType = await registerType(url, bapenda, 'bill', { messageClass: 'transactional', channels: ['sms'] });
    disdukcapilType = await registerType(url, disdukcapil, 'akta', { messageClass: 'transactional', channels: ['sms'] });
  });

  afterAll(async () => {
    await hub.close();
    for (const peer of [...smscA, smscB]) await peer.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('installs sms-smpp twice, each install checked against its own SMSC, and routes Bapenda’s SMS to both by priority', async () => {
    const packed = packPlugin(join(ROOT, 'plugins/sms-smpp'), work);
    const config = (port: number): Record<string, unknown> => ({ host: '127.0.0.1', port, systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'KABAR', responseTimeoutMs: 2_000 });
    installA = await installedPlugin(url, admin, { packed, name: 'smsc-a', config: config(smscA[0]?.port ?? 0) });
    installB = await installedPlugin(url, admin, { packed, name: 'smsc-b', config: config(smscB.port) });
    expect([installA, installB].map((i) => [i.name, i.pluginId, i.enabled])).toEqual([
      ['smsc-a', 'sms-smpp', true],
      ['smsc-b', 'sms-smpp', true],
    ]);

    const route = async (agencyCode: string | null, installs: { installId: string; priority: number }[]) => {
      const res = await as<{ setPluginRoute: { agencyCode: string | null; installId: string; priority: number }[] }>(
        url,
        admin,
        'mutation($a: String, $i: [PluginRouteInput!]!) { setPluginRoute(channel: "sms", agencyCode: $a, installs: $i) { agencyCode installId priority } }',
        { a: agencyCode, i: installs },
      );
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data?.setPluginRoute;
    };
    expect(await route(null, [{ installId: installA.id, priority: 0 }])).toEqual([{ agencyCode: null, installId: installA.id, priority: 0 }]);
    expect(await route(bapenda.code, [{ installId: installB.id, priority: 1 }, { installId: installA.id, priority: 0 }])).toEqual(
      expect.arrayContaining([
        { agencyCode: bapenda.code, installId: installA.id, priority: 0 },
        { agencyCode: bapenda.code, installId: installB.id, priority: 1 },
      ]),
    );
  });

  it('sends through smsc-a, the first priority, while both SMSCs are up', async () => {
    for (const id of ['up-1', 'up-2', 'up-3']) expect(await sendBapenda(id)).toBe('smsc-a');
    expect(['up-1', 'up-2', 'up-3'].map((id) => receivedBy(published.get(id) ?? ''))).toEqual([
      { a: 1, b: 0 },
      { a: 1, b: 0 },
      { a: 1, b: 0 },
    ]);
  });

  it('fails over to smsc-b when smsc-a goes down mid-run, and opens smsc-a’s circuit', async () => {
    await smscA[0]?.close();
    for (const id of ['down-1', 'down-2', 'down-3', 'down-4']) {
      expect(await sendBapenda(id), id).toBe('smsc-b');
      expect(receivedBy(published.get(id) ?? ''), id).toEqual({ a: 0, b: 1 });
    }

    // Disdukcapil's only route is smsc-a: with its circuit open, a message is refused without calling the plugin. (A
    // message that comes while the circuit is half-open is its probe, which fails with the SMSC down: publish another.)
    let witness = 0;
    const refused = await eventually(
      async () => {
        const id = `witness-${String(++witness)}`;
        await publish(disdukcapil, disdukcapilType, id);
        await waitFor(id, 'retrying');
        const attempts = await attemptsOf(id);
        return attempts.at(-1)?.[1] === 'CIRCUIT_OPEN' ? attempts : undefined;
      },
      60_000,
      0,
    );
    expect(refused).toEqual([['smsc-a', 'CIRCUIT_OPEN']]);
    // Admins see it too (open, or half-open once the cooldown passed and a probe may go); smsc-b's stays closed.
    const seen = await circuits();
    expect(['open', 'halfOpen']).toContain(seen['smsc-a']);
    expect(seen['smsc-b']).toBe('closed');

    // Each install has its own circuit: smsc-a's being open does not stop Bapenda's SMS from going out through smsc-b.
    expect(await sendBapenda('down-5')).toBe('smsc-b');
  });

  it('returns to smsc-a after the half-open probe once smsc-a is back', async () => {
    smscA.push(await startSmscPeer(undefined, smscA[0]?.port));
    // Until smsc-a's circuit half-opens, Bapenda's SMS still go through smsc-b; the first let through is the probe,
    // whose success closes the circuit.
    let after = 0;
    await eventually(async () => ((await sendBapenda(`back-${String(++after)}`)) === 'smsc-a' ? true : undefined), 90_000, 0);
    for (const id of ['closed-1', 'closed-2', 'closed-3']) expect(await sendBapenda(id), id).toBe('smsc-a');
    expect(await circuits()).toEqual({ 'smsc-a': 'closed', 'smsc-b': 'closed' });

    // Disdukcapil's refused messages go out on their retries (run ahead of their backoff), through smsc-a.
    const witnesses = [...published.keys()].filter((id) => id.startsWith('witness-'));
    await eventually(async () => {
      await app.get(WaitingScheduler).runOnce(new Date(Date.now() + 2 * 60_000));
      const states = await Promise.all(witnesses.map(stateOf));
      return states.every((state) => state === 'sent') ? true : undefined;
    }, 60_000);
    for (const id of witnesses) expect((await attemptsOf(id)).at(-1), id).toEqual(['smsc-a', null]);
  }, 180_000);

  it('lost and doubled nothing: each notification reached exactly one SMSC, once, the one its attempts name', async () => {
    const rows = await Promise.all(
      [...published].map(async ([id, phone]) => ({ id, state: await stateOf(id), via: (await attemptsOf(id)).at(-1), received: receivedBy(phone) })),
    );
    expect(rows).toEqual(
      rows.map(({ id, via }) => ({
        id,
        state: 'sent',
        via: [expect.stringMatching(/^smsc-[ab]$/), null],
        received: via?.[0] === 'smsc-a' ? { a: 1, b: 0 } : { a: 0, b: 1 },
      })),
    );
    const submits = [...smscA.flatMap((peer) => peer.submits), ...smscB.submits];
    expect(submits).toHaveLength(published.size);
  });
});
