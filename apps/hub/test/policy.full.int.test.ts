import 'reflect-metadata';

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { NotificationPlanner, WaitingScheduler } from '@kabar/hub';
import { type PreferencePatch, PreferenceRepository, WaitingRepository } from '@kabar/persistence';
import { eventually, queryDatabase, type TestDatabase } from '@kabar/testing';
import { EntityManager } from '@mikro-orm/core';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type SmscPeer,startSmscPeer } from '../../../plugins/sms-smpp/test/smsc-peer.fixture.js';
import { as } from './support/agency-fixture.js';
import { noDeliveryInFlight } from './support/delivery-records.js';
import { type FullHub, startFullHub } from './support/full-hub.js';
import { type PolicyAgency, policyAgency, registeredCitizen, registerType } from './support/policy-fixture.js';

const MINUTE = 60_000;

/** A citizen's app endpoint that accepts every webhook and never reports delivery. */
async function startReceiver(): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}/hooks`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * The policy through the public contract on real PostgreSQL and Kafka: cross-agency dedup, caps into a digest,
 * quiet hours with a critical exception, fallback to SMS at a real SMSC, consent withdrawal, delegates, broadcasts.
 * Waiting is driven by calling the scheduler with a later clock, as a worker would at that time.
 */
describe('policy engine on PostgreSQL and Kafka', () => {
  const services = inject('services');
  let hub: FullHub;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let smsc: SmscPeer;
  let receiver: { url: string; received: string[]; close: () => Promise<void> };
  let registry: PolicyAgency;
  let hospital: PolicyAgency;
  let tax: PolicyAgency;
  let preferences: PreferenceRepository;
  let nik = 3273010101900100;

  const sql = <Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> => queryDatabase<Row>(database.url, text, values);
  const notificationsOf = (ceId: string) =>
    sql<{ id: string; state: string; reason: string | null; channel: string | null; citizen_id: string | null; recipient_role: string; due_at: Date | null; merged_into: string | null; decisions: { code: string }[] }>(
      'select n.id, n.state, n.reason, n.channel, n.citizen_id, n.recipient_role, n.due_at, n.merged_into, n.decisions from notification n join event e on e.id = n.event_id where e.ce_id = $1 order by n.created_at',
      [ceId],
    );
  const publish = async (agency: PolicyAgency, id: string, type: string, subject: string, data: Record<string, unknown>, extensions?: Record<string, unknown>, time?: string) => {
    const result = await as<{ publishEvent: { status: string; duplicate: boolean } }>(
      url,
      agency.key,
      'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status duplicate } }',
      { e: { specversion: '1.0', id, source: agency.source, type, subject, data, extensions, time } },
    );
    if (result.errors !== undefined) throw new Error(JSON.stringify(result.errors));
    return result.data?.publishEvent.status;
  };
  /** A citizen imported from a register, with verified contact points, then their own preferences. */
  const aCitizen = async (contacts: { channel: string; value: string }[], prefs: PreferencePatch = {}, regionCode = '32.73.01.1001') => {
    const nationalId = String(nik++);
    const id = await registeredCitizen(app, { nationalId, contacts, regionCode, preferences: prefs });
    return { id, nationalId };
  };
  const runScheduler = (at: Date) => app.get(WaitingScheduler).runOnce(at);

  beforeAll(async () => {
    smsc = await startSmscPeer();
    receiver = await startReceiver();
    const plugins = {
      'sms-smpp': { host: '127.0.0.1', port: smsc.port, systemId: 'kabar', password: 'rahasia1', defaultSender: 'KABAR' },
      'webhook-http': { url: receiver.url, secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` },
    };
    // Pages of two citizens, so a broadcast to a few citizens walks several pages (and ends on a full one).
    hub = await startFullHub(services, (config) => config.with({ plugins }).withPolicy({ broadcastPage: 2 }));
    ({ app, url, database } = hub);
    preferences = new PreferenceRepository(app.get(EntityManager));
    registry = await policyAgency(app, url, 'disdukcapil-bdg', 'Disdukcapil Kota Bandung');
    hospital = await policyAgency(app, url, 'rsud-bdg', 'RSUD Kota Bandung', registry.admin);
    tax = await policyAgency(app, url, 'bapenda-bdg', 'Bapenda Kota Bandung', registry.admin);
  });

  afterAll(async () => {
    await hub.close();
    await smsc.close();
    await receiver.close();
  });

  it('turns the same death reported by the civil registry and a hospital into one message', async () => {
    const death = { messageClass: 'transactional', category: 'civil-registry', dedup: { key: 'death:{{data.deceasedNik}}', windowSeconds: 86_400 } } as const;
    const registryType = await registerType(url, registry, 'death-registered', death);
    const hospitalType = await registerType(url, hospital, 'death-reported', death);
    const relative = await aCitizen([]);
    const firstStatus = await publish(registry, 'death-1', registryType, relative.nationalId, { note: 'kematian', deceasedNik: '3273019999990001' });
    expect(firstStatus, JSON.stringify(await notificationsOf('death-1'))).toBe('accepted');
    expect(await publish(hospital, 'death-2', hospitalType, relative.nationalId, { note: 'kematian', deceasedNik: '3273019999990001' })).toBe('merged');
    const [first] = await notificationsOf('death-1');
    const [second] = await notificationsOf('death-2');
    expect(second).toMatchObject({ state: 'merged', merged_into: first?.id });
    expect(second?.decisions.map((d) => d.code)).toContain('MERGED');
    // The hospital sees what happened to its event as codes, without the citizen's details.
    const seen = await as<{ event: { status: string; notifications: { state: string; decisions: string[]; recipientRole: string }[] } }>(
      url,
      hospital.key,
      'query($s: String!, $i: String!) { event(source: $s, id: $i) { status notifications { state decisions recipientRole } } }',
      { s: hospital.source, i: 'death-2' },
    );
    expect(seen.data?.event).toEqual({ status: 'merged', notifications: [{ state: 'merged', decisions: ['BASIS_NO_CONSENT_NEEDED', 'MERGED'], recipientRole: 'subject' }] });
    await eventually(async () => ((await notificationsOf('death-1'))[0]?.state === 'delivered' ? true : undefined));
    const inbox = await sql<{ n: string }>('select count(*) as n from inbox_item where citizen_id = $1', [relative.id]);
    expect(Number(inbox[0]?.n)).toBe(1);
    // A different deceased is a different message.
    expect(await publish(hospital, 'death-3', hospitalType, relative.nationalId, { note: 'kematian', deceasedNik: '3273019999990002' })).toBe('accepted');
  });

  it('merges the same death reported by two agencies at the same moment, whichever is planned first', async () => {
    const death = { messageClass: 'transactional', category: 'civil-registry', dedup: { key: 'death:{{data.deceasedNik}}', windowSeconds: 86_400 } } as const;
    const registryType = await registerType(url, registry, 'death-registered-at-once', death);
    const hospitalType = await registerType(url, hospital, 'death-reported-at-once', death);
    for (let round = 0; round < 5; round++) {
      const relative = await aCitizen([]);
      const data = { note: 'kematian', deceasedNik: `32730199999910${String(round).padStart(2, '0')}` };
      // Both batches are planned before either is written unless the hub orders them per citizen.
      const statuses = await Promise.all([
        publish(registry, `at-once-r-${String(round)}`, registryType, relative.nationalId, data),
        publish(hospital, `at-once-h-${String(round)}`, hospitalType, relative.nationalId, data),
      ]);
      expect(statuses.sort()).toEqual(['accepted', 'merged']);
    }
  });

  it('defers the 4th reminder of a week across two agencies into the evening digest, sent as one message', async () => {
    const reminderOf = async (agency: PolicyAgency) => registerType(url, agency, 'reminder', { messageClass: 'reminder' });
    const [taxReminder, registryReminder] = [await reminderOf(tax), await reminderOf(registry)];
    const citizen = await aCitizen([], { caps: { reminder: { count: 3, periodSeconds: 604_800 } } });
    const states = [
      await publish(tax, 'cap-1', taxReminder, citizen.nationalId, { note: 'satu' }),
      await publish(registry, 'cap-2', registryReminder, citizen.nationalId, { note: 'dua' }),
      await publish(tax, 'cap-3', taxReminder, citizen.nationalId, { note: 'tiga' }),
      await publish(registry, 'cap-4', registryReminder, citizen.nationalId, { note: 'empat' }),
      await publish(tax, 'cap-5', taxReminder, citizen.nationalId, { note: 'lima' }),
    ];
    expect(states).toEqual(['accepted', 'accepted', 'accepted', 'deferred', 'deferred']);
    const [fourth] = await notificationsOf('cap-4');
    expect(fourth?.decisions.map((d) => d.code)).toContain('CAPPED_DEFERRED');
    const dueAt = fourth?.due_at ?? new Date();
    // 19:00 WIB is 12:00 UTC.
    expect(new Date(dueAt).getUTCHours()).toBe(12);

    await runScheduler(new Date(new Date(dueAt).getTime() + 1000));
    const [carrier] = await notificationsOf('cap-4');
    const [folded] = await notificationsOf('cap-5');
    expect(folded).toMatchObject({ state: 'digested', merged_into: carrier?.id });
    await eventually(async () => ((await notificationsOf('cap-4'))[0]?.state === 'delivered' ? true : undefined));
    const [digest] = await sql<{ body: string; subject: string }>('select body, subject from inbox_item where notification_id = $1', [carrier?.id]);
    expect(digest?.subject).toBe('Ringkasan pesan (2)');
    expect(digest?.body).toContain('Bapenda Kota Bandung');
    expect(digest?.body).toContain('Disdukcapil Kota Bandung');
    expect(digest?.body).toContain('empat');
    expect(digest?.body).toContain('lima');
  });

  it('keeps a citizen\'s cap when two agencies publish reminders at the same moment', async () => {
    const reminderOf = async (agency: PolicyAgency) => registerType(url, agency, 'reminder-at-once', { messageClass: 'reminder' });
    const [taxReminder, registryReminder] = [await reminderOf(tax), await reminderOf(registry)];
    for (let round = 0; round < 5; round++) {
      const citizen = await aCitizen([], { caps: { reminder: { count: 1, periodSeconds: 604_800 } } });
      const states = await Promise.all([
        publish(tax, `cap-at-once-t-${String(round)}`, taxReminder, citizen.nationalId, { note: 'satu' }),
        publish(registry, `cap-at-once-r-${String(round)}`, registryReminder, citizen.nationalId, { note: 'dua' }),
      ]);
      expect(states.sort()).toEqual(['accepted', 'deferred']);
    }
  });

  it('keeps a citizen\'s cap when a broadcast page and a reminder reach them at the same moment', async () => {
    const broadcastReminder = await registerType(url, registry, 'region-reminder', { messageClass: 'reminder' });
    const reminder = await registerType(url, tax, 'reminder-beside-broadcast', { messageClass: 'reminder' });
    for (let round = 0; round < 5; round++) {
      const region = `32.75.${String(round + 10)}`;
      await aCitizen([], { caps: { reminder: { count: 1, periodSeconds: 604_800 } } }, `${region}.1001`);
      const citizen = await aCitizen([], { caps: { reminder: { count: 1, periodSeconds: 604_800 } } }, `${region}.1002`);
      expect(await publish(registry, `beside-b-${String(round)}`, broadcastReminder, `region:${region}`, { note: 'siaran' })).toBe('broadcasting');
      // The scheduler plans the region's page (this call or the hub's own round) while the reminder is published.
      await Promise.all([runScheduler(new Date()), publish(tax, `beside-r-${String(round)}`, reminder, citizen.nationalId, { note: 'pengingat' })]);
      await eventually(async () => ((await sql<{ status: string }>('select status from event where ce_id = $1', [`beside-b-${String(round)}`]))[0]?.status === 'broadcast' ? true : undefined));
      const theirs = [...(await notificationsOf(`beside-b-${String(round)}`)), ...(await notificationsOf(`beside-r-${String(round)}`))].filter((n) => n.citizen_id === citizen.id);
      expect(theirs.map((n) => (n.state === 'deferred' ? 'deferred' : 'going')).sort()).toEqual(['deferred', 'going']);
    }
  });

  it('answers CONTENDED (503 with Retry-After) and writes nothing when others keep writing for the citizen', async () => {
    const type = await registerType(url, tax, 'contended-reminder', { messageClass: 'reminder' });
    const citizen = await aCitizen([], { caps: { reminder: { count: 50, periodSeconds: 604_800 } } });
    expect(await publish(tax, 'contended-0', type, citizen.nationalId, { note: 'nol' })).toBe('accepted');
    // Another writer commits a notification for this citizen after every plan is made and before it is written.
    const planner = app.get(NotificationPlanner);
    const plan = planner.plan.bind(planner);
    const foreign: string[] = [];
    planner.plan = async (...args) => {
      const made = await plan(...args);
      const [copy] = await sql<{ id: string }>(
        `insert into notification select * from jsonb_populate_record(null::notification,
           (select to_jsonb(n) || jsonb_build_object('id', gen_random_uuid(), 'created_at', now()) from notification n where n.citizen_id = $1 limit 1))
         returning id`,
        [citizen.id],
      );
      if (copy !== undefined) foreign.push(copy.id);
      return made;
    };
    const event = (id: string) => ({ specversion: '1.0', id, source: tax.source, type, subject: citizen.nationalId, data: { note: 'satu' } });
    try {
      const graphql = await as(url, tax.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', { e: event('contended-1') });
      expect(graphql.errors?.[0]?.extensions, JSON.stringify(graphql.errors)).toMatchObject({ code: 'CONTENDED', retryAfterSeconds: 1 });
      const http = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tax.key}`, 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify(event('contended-2')),
      });
      expect(http.status).toBe(503);
      expect(http.headers.get('retry-after')).toBe('1');
      expect(await http.json()).toMatchObject({ code: 'CONTENDED' });
    } finally {
      planner.plan = plan;
    }
    // Ten plans each, ten foreign writes each: nothing of the two events was written.
    expect(await sql("select id from event where ce_id in ('contended-1', 'contended-2')")).toEqual([]);
    const [copies] = await sql<{ n: string }>('select count(*) as n from notification where citizen_id = $1', [citizen.id]);
    expect(Number(copies?.n)).toBe(1 + 20);
    // Once the others stop, publishing the same event again goes through.
    expect(await publish(tax, 'contended-1', type, citizen.nationalId, { note: 'satu' })).toBe('accepted');
    // The other writer's copies (of contended-0's notification, in whatever state it was) have no dispatch message
    // and may stay on their way for ever; later cases (the retention purge) wait for every delivery to finish, so
    // they leave with this case.
    expect(foreign).toHaveLength(20);
    await sql('delete from notification where id = any($1::uuid[])', [foreign]);
  });

  it('defers several messages of one citizen in one batch into one digest', async () => {
    const type = await registerType(url, tax, 'batch-reminder', { messageClass: 'reminder' });
    const citizen = await aCitizen([], { caps: { reminder: { count: 1, periodSeconds: 604_800 } } });
    const events = ['b-1', 'b-2', 'b-3'].map((id) => ({ specversion: '1.0', id, source: tax.source, type, subject: citizen.nationalId, data: { note: id } }));
    const result = await as<{ publishEvents: { status: string }[] }>(url, tax.key, 'mutation($e: [CloudEventInput!]!) { publishEvents(events: $e) { status } }', { e: events });
    expect(result.data?.publishEvents.map((r) => r.status)).toEqual(['accepted', 'deferred', 'deferred']);
    const jobs = await sql<{ n: string }>("select count(*) as n from scheduled_job where kind = 'digest' and ref = $1", [citizen.id]);
    expect(Number(jobs[0]?.n)).toBe(1);
  });

  it('sends a critical message at once during quiet hours and holds a reminder until they end', async () => {
    const critical = await registerType(url, tax, 'flood-warning', { messageClass: 'critical' });
    const reminder = await registerType(url, tax, 'quiet-reminder', { messageClass: 'reminder' });
    const nowWib = (Date.now() / MINUTE + 7 * 60) % (24 * 60);
    const quiet = { quietStart: Math.floor(nowWib - 60 + 24 * 60) % (24 * 60), quietEnd: Math.floor(nowWib + 60) % (24 * 60) };
    const citizen = await aCitizen([], quiet);
    expect(await publish(tax, 'quiet-critical', critical, citizen.nationalId, { note: 'banjir' })).toBe('accepted');
    expect(await publish(tax, 'quiet-reminder', reminder, citizen.nationalId, { note: 'besok' })).toBe('held');
    const [critNotification] = await notificationsOf('quiet-critical');
    expect(critNotification?.decisions.map((d) => d.code)).toContain('QUIET_HOURS_CRITICAL');
    const [held] = await notificationsOf('quiet-reminder');
    const until = new Date(held?.due_at ?? 0);
    expect(until.getTime()).toBeGreaterThan(Date.now());

    await runScheduler(new Date(Date.now() - MINUTE));
    expect((await notificationsOf('quiet-reminder'))[0]?.state).toBe('held');
    await runScheduler(new Date(until.getTime() + 1000));
    await eventually(async () => ((await notificationsOf('quiet-reminder'))[0]?.state === 'delivered' ? true : undefined));
  });

  it('sends a held message nowhere near a number the citizen removed meanwhile, and moves it on to the inbox', async () => {
    const type = await registerType(url, tax, 'quiet-sms-reminder', { messageClass: 'reminder', channels: ['sms', 'inbox'] });
    const nowWib = (Date.now() / MINUTE + 7 * 60) % (24 * 60);
    const quiet = { quietStart: Math.floor(nowWib - 60 + 24 * 60) % (24 * 60), quietEnd: Math.floor(nowWib + 60) % (24 * 60), channelOrder: { '*': ['sms', 'inbox'] } };
    const citizen = await aCitizen([{ channel: 'sms', value: '+6281234500077' }], quiet);
    expect(await publish(tax, 'quiet-removed-sms', type, citizen.nationalId, { note: 'besok' })).toBe('held');
    const [held] = await notificationsOf('quiet-removed-sms');
    expect(held?.channel).toBe('sms');
    const [phone] = await preferences.contactPoints(citizen.id);
    expect(await preferences.removeContactPoint(citizen.id, phone?.id ?? '')).toBe(true);

    const submitsBefore = smsc.submits.length;
    await runScheduler(new Date(new Date(held?.due_at ?? 0).getTime() + 1000));
    await eventually(async () => {
      const [n] = await notificationsOf('quiet-removed-sms');
      return n?.channel === 'inbox' && n.state === 'delivered' ? n : undefined;
    });
    expect(smsc.submits.slice(submitsBefore).map((s) => s.destinationAddr)).not.toContain('6281234500077');
    // The SMS plugin found no address behind the removed point and refused it before the SMSC; the fallback took over.
    const attempts = await sql<{ plugin: string; error_code: string | null }>(
      'select d.plugin, d.error_code from delivery_attempt d join notification n on n.id = d.notification_id join event e on e.id = n.event_id where e.ce_id = $1 order by d.id',
      ['quiet-removed-sms'],
    );
    expect(attempts).toEqual([{ plugin: 'sms-smpp', error_code: 'INVALID_RECIPIENT' }, { plugin: 'inbox', error_code: null }]);
  });

  it("shows an agency's helpdesk its own notifications to a citizen, held ones with why, and never another agency's", async () => {
    const reminder = await registerType(url, tax, 'helpdesk-reminder', { messageClass: 'reminder' });
    const notice = await registerType(url, hospital, 'helpdesk-notice', { messageClass: 'transactional' });
    const nowWib = (Date.now() / MINUTE + 7 * 60) % (24 * 60);
    const citizen = await aCitizen([], { quietStart: Math.floor(nowWib - 60 + 24 * 60) % (24 * 60), quietEnd: Math.floor(nowWib + 60) % (24 * 60) });
    expect(await publish(tax, 'helpdesk-1', reminder, citizen.nationalId, { note: 'pajak' })).toBe('held');
    expect(await publish(hospital, 'helpdesk-2', notice, citizen.nationalId, { note: 'jadwal' })).toBe('held');
    type Seen = { eventId: string; eventSource: string; state: string; channel: string | null; decisions: string[]; dueAt: string | null };
    const QUERY = 'query($s: String!) { notificationsTo(subject: $s) { eventId eventSource state channel decisions dueAt } }';
    // Written as a person reads it out, with spaces: the same citizen.
    const spaced = citizen.nationalId.replace(/(\d{4})(?=\d)/g, '$1 ');
    const seen = await as<{ notificationsTo: Seen[] | null }>(url, tax.key, QUERY, { s: spaced });
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.notificationsTo).toEqual([
      { eventId: 'helpdesk-1', eventSource: tax.source, state: 'held', channel: 'inbox', decisions: expect.arrayContaining(['QUIET_HOURS_HELD']) as unknown, dueAt: expect.any(String) as unknown },
    ]);
    const theirs = await as<{ notificationsTo: Seen[] | null }>(url, hospital.key, QUERY, { s: citizen.nationalId });
    expect(theirs.data?.notificationsTo?.map((n) => n.eventId)).toEqual(['helpdesk-2']);
    expect(JSON.stringify(seen.data)).not.toContain(citizen.nationalId);
    // Nobody registered with that subject: null, not an empty history.
    expect((await as<{ notificationsTo: Seen[] | null }>(url, tax.key, QUERY, { s: '3273019999999999' })).data?.notificationsTo).toBeNull();
    expect((await as(url, tax.admin, QUERY, { s: citizen.nationalId })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('drops a held message whose event expired before quiet hours ended', async () => {
    const shortLived = await registerType(url, tax, 'short-lived', { messageClass: 'reminder', defaultExpirySeconds: 3600 });
    const nowWib = (Date.now() / MINUTE + 7 * 60) % (24 * 60);
    const citizen = await aCitizen([], { quietStart: Math.floor(nowWib - 60 + 24 * 60) % (24 * 60), quietEnd: Math.floor(nowWib + 120) % (24 * 60) });
    // Event time 50 minutes ago: it expires in 10 minutes, long before the quiet window ends.
    const time = new Date(Date.now() - 50 * MINUTE).toISOString();
    expect(await publish(tax, 'expiring-1', shortLived, citizen.nationalId, { note: 'segera' }, undefined, time)).toBe('held');
    const [held] = await notificationsOf('expiring-1');
    await runScheduler(new Date(new Date(held?.due_at ?? 0).getTime() + 1000));
    const [after] = await notificationsOf('expiring-1');
    expect(after).toMatchObject({ state: 'suppressed', reason: 'EXPIRED' });
    expect(after?.decisions.at(-1)?.code).toBe('EXPIRED');
  });

  it('sends at the time an agency scheduled with the kabarnotbefore extension', async () => {
    const type = await registerType(url, tax, 'appointment', { messageClass: 'transactional' });
    const citizen = await aCitizen([]);
    const at = new Date(Date.now() + 30 * MINUTE);
    expect(await publish(tax, 'scheduled-1', type, citizen.nationalId, { note: 'janji temu' }, { kabarnotbefore: at.toISOString() })).toBe('held');
    const [held] = await notificationsOf('scheduled-1');
    expect(new Date(held?.due_at ?? 0).getTime()).toBe(at.getTime());
    expect(held?.decisions.map((d) => d.code)).toContain('SCHEDULED');
    await runScheduler(new Date(at.getTime() + 1000));
    await eventually(async () => ((await notificationsOf('scheduled-1'))[0]?.state === 'delivered' ? true : undefined));
  });

  it('moves an undelivered message to SMS at the fallback deadline, and the SMSC receives it', async () => {
    const type = await registerType(url, tax, 'bill-ready', { messageClass: 'transactional', channels: ['webhook', 'sms', 'inbox'], fallbackAfterSeconds: 600 });
    const citizen = await aCitizen(
      [
        { channel: 'webhook', value: 'https://app.example.invalid/hooks' },
        { channel: 'sms', value: '+6281234500001' },
      ],
      { channelOrder: { '*': ['webhook', 'sms'] } },
    );
    expect(await publish(tax, 'fallback-1', type, citizen.nationalId, { note: 'tagihan' })).toBe('accepted');
    // The citizen's app takes the webhook (sent) but never reports delivery.
    await eventually(async () => ((await notificationsOf('fallback-1'))[0]?.state === 'sent' ? true : undefined));
    expect(receiver.received).toHaveLength(1);
    const submitsBefore = smsc.submits.length;
    await runScheduler(new Date(Date.now() + 601_000));
    await eventually(async () => {
      const [n] = await notificationsOf('fallback-1');
      return n?.channel === 'sms' && n.state === 'sent' ? true : undefined;
    });
    const [moved] = await notificationsOf('fallback-1');
    expect(moved?.decisions.map((d) => d.code)).toEqual(expect.arrayContaining(['CHANNEL_CHOSEN', 'FALLBACK']));
    expect(smsc.submits.length).toBe(submitsBefore + 1);
    expect(smsc.submits.at(-1)?.destinationAddr).toBe('6281234500001');
    const attempts = await sql<{ plugin: string }>('select plugin from delivery_attempt where notification_id = $1 order by id', [moved?.id]);
    expect(attempts.map((a) => a.plugin)).toEqual(['webhook-http', 'sms-smpp']);
  });

  it('does not fall back once the first channel reported delivery', async () => {
    const type = await registerType(url, tax, 'receipt', { messageClass: 'transactional', channels: ['inbox', 'sms'], fallbackAfterSeconds: 60 });
    const citizen = await aCitizen([{ channel: 'sms', value: '+6281234500002' }], { channelOrder: { '*': ['inbox', 'sms'] } });
    expect(await publish(tax, 'no-fallback-1', type, citizen.nationalId, { note: 'kuitansi' })).toBe('accepted');
    await eventually(async () => ((await notificationsOf('no-fallback-1'))[0]?.state === 'delivered' ? true : undefined));
    const submitsBefore = smsc.submits.length;
    await runScheduler(new Date(Date.now() + 61_000));
    const [after] = await notificationsOf('no-fallback-1');
    expect(after).toMatchObject({ state: 'delivered', channel: 'inbox' });
    expect(smsc.submits.length).toBe(submitsBefore);
  });

  it('never chooses a channel that no plugin serves', async () => {
    const type = await registerType(url, tax, 'app-news', { messageClass: 'transactional', channels: ['whatsapp', 'inbox'] });
    const citizen = await aCitizen([{ channel: 'whatsapp', value: '+6281234500003' }], { channelOrder: { '*': ['whatsapp'] } });
    expect(await publish(tax, 'unrouted-1', type, citizen.nationalId, { note: 'berita' })).toBe('accepted');
    const [n] = await notificationsOf('unrouted-1');
    expect(n?.channel).toBe('inbox');
  });

  it('sends nothing after consent is withdrawn', async () => {
    const type = await registerType(url, tax, 'newsletter', { messageClass: 'informational', basis: 'consent', purpose: 'tax-news' });
    const citizen = await aCitizen([]);
    expect(await publish(tax, 'consent-0', type, citizen.nationalId, { note: 'nol' })).toBe('suppressed');
    await preferences.recordConsent({ citizenId: citizen.id, purpose: 'tax-news', basis: 'consent', noticeVersion: '2026-01', action: 'granted', channel: 'test', evidence: { via: 'test' } });
    expect(await publish(tax, 'consent-1', type, citizen.nationalId, { note: 'satu' })).toBe('accepted');
    await preferences.recordConsent({ citizenId: citizen.id, purpose: 'tax-news', basis: 'consent', noticeVersion: '2026-01', action: 'withdrawn', channel: 'test', evidence: { via: 'test' } });
    expect(await publish(tax, 'consent-2', type, citizen.nationalId, { note: 'dua' })).toBe('suppressed');
    const [after] = await notificationsOf('consent-2');
    expect(after).toMatchObject({ state: 'suppressed', reason: 'NO_CONSENT' });
  });

  it('finds the citizen however the agency writes the national ID', async () => {
    const type = await registerType(url, registry, 'id-format', { messageClass: 'transactional' });
    const citizen = await aCitizen([]);
    const dotted = citizen.nationalId.replace(/^(\d{4})(\d{4})(\d{4})(\d{4})$/, '$1.$2.$3.$4');
    expect(await publish(registry, 'format-1', type, ` ${dotted} `, { note: 'format' })).toBe('accepted');
    expect((await notificationsOf('format-1'))[0]?.citizen_id).toBe(citizen.id);
  });

  it("sends a minor's notice to the guardian too, on the guardian's own channels", async () => {
    const type = await registerType(url, registry, 'school-enrolment', { messageClass: 'transactional' });
    const minor = await aCitizen([]);
    const guardian = await aCitizen([]);
    await preferences.addDelegate(minor.id, guardian.id, 'guardian');
    expect(await publish(registry, 'minor-1', type, minor.nationalId, { note: 'sekolah' })).toBe('accepted');
    const notifications = await notificationsOf('minor-1');
    expect(notifications.map((n) => [n.citizen_id, n.recipient_role])).toEqual([
      [minor.id, 'subject'],
      [guardian.id, 'delegate'],
    ]);
  });

  it('broadcasts to a region page by page, every citizen through the same policy', async () => {
    const type = await registerType(url, registry, 'water-outage', { messageClass: 'transactional' });
    const inside = [await aCitizen([], {}, '32.73.01.1001'), await aCitizen([], {}, '32.73.05.2002'), await aCitizen([], {}, '32.73')];
    const outside = [await aCitizen([], {}, '32.04.01.1001'), await aCitizen([], {}, '31.71.01.1001'), await aCitizen([], {}, '32.731.01.1001')];
    expect(await publish(registry, 'broadcast-1', type, 'region:32.73', { note: 'air mati' })).toBe('broadcasting');
    // The event turns `broadcast` with its last page.
    await eventually(async () => ((await sql<{ status: string }>("select status from event where ce_id = 'broadcast-1'"))[0]?.status === 'broadcast' ? true : undefined));
    const reached = new Set((await notificationsOf('broadcast-1')).map((n) => n.citizen_id));
    for (const c of inside) expect(reached.has(c.id)).toBe(true);
    for (const c of outside) expect(reached.has(c.id)).toBe(false);
    // Every citizen of the region (earlier cases' too) exactly once, across pages of two.
    const [region] = await sql<{ n: string }>("select count(*) as n from citizen where region_code = '32.73' or region_code like '32.73.%'");
    const all = await notificationsOf('broadcast-1');
    expect(Number(region?.n)).toBeGreaterThan(2);
    expect(all).toHaveLength(Number(region?.n));
    expect(new Set(all.map((n) => n.citizen_id)).size).toBe(all.length);
  });

  it('lets the agency cancel what still waits, and nobody else', async () => {
    const type = await registerType(url, tax, 'cancellable', { messageClass: 'reminder' });
    const nowWib = (Date.now() / MINUTE + 7 * 60) % (24 * 60);
    const citizen = await aCitizen([], { quietStart: Math.floor(nowWib - 60 + 24 * 60) % (24 * 60), quietEnd: Math.floor(nowWib + 60) % (24 * 60) });
    expect(await publish(tax, 'cancel-1', type, citizen.nationalId, { note: 'batal' })).toBe('held');
    const cancel = (agency: PolicyAgency) => as<{ cancelEvent: number }>(url, agency.key, 'mutation($s: String!, $i: String!) { cancelEvent(source: $s, id: $i) }', { s: tax.source, i: 'cancel-1' });
    const foreign = await cancel(registry);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('UNKNOWN_EVENT');
    expect((await notificationsOf('cancel-1'))[0]?.state).toBe('held');
    expect((await cancel(tax)).data?.cancelEvent).toBe(1);
    const [held] = await notificationsOf('cancel-1');
    expect(held).toMatchObject({ state: 'cancelled', reason: 'CANCELLED_BY_AGENCY' });
    await runScheduler(new Date(Date.now() + 2 * 60 * MINUTE));
    expect((await notificationsOf('cancel-1'))[0]?.state).toBe('cancelled');
    expect((await cancel(tax)).data?.cancelEvent).toBe(0);
  });

  it('broadcasts to a programme’s members', async () => {
    const type = await registerType(url, registry, 'pkh-disbursement', { messageClass: 'transactional' });
    const members = [await aCitizen([]), await aCitizen([])];
    const other = await aCitizen([]);
    for (const member of members) await sql('insert into programme_member (programme, citizen_id) values ($1, $2)', ['pkh', member.id]);
    expect(await publish(registry, 'programme-1', type, 'programme:pkh', { note: 'bansos' })).toBe('broadcasting');
    await eventually(async () => ((await sql<{ status: string }>("select status from event where ce_id = 'programme-1'"))[0]?.status === 'broadcast' ? true : undefined));
    const reached = (await notificationsOf('programme-1')).map((n) => n.citizen_id).sort();
    expect(reached).toEqual(members.map((m) => m.id).sort());
    expect(reached).not.toContain(other.id);
  });

  // Last: it purges what the other cases left behind.
  it('purges rendered content and contact details after the retention period, keeping outcomes', async () => {
    // Critical messages are kept 90 days by default: only the others are due after 8 days. A purge leaves messages on
    // their way alone, so the deliveries earlier cases started finish first, as they would in those days.
    await noDeliveryInFlight(database.url);
    const [before] = await sql<{ n: string }>("select count(*) as n from notification where state = 'delivered' and rendered_body is not null and message_class <> 'critical'");
    expect(Number(before?.n)).toBeGreaterThan(0);
    const [spent] = await sql<{ n: string }>("select count(*) as n from event e where e.data is not null and not exists (select 1 from notification n where n.event_id = e.id and n.message_class = 'critical')");
    expect(Number(spent?.n)).toBeGreaterThan(0);
    // Two at a time, as the hourly job does 5,000 at a time: every batch takes its inbox copies and spent events along.
    const later = new Date(Date.now() + 8 * 24 * 60 * MINUTE);
    expect(await new WaitingRepository(app.get(EntityManager)).purge({ critical: 90, transactional: 7, reminder: 7, informational: 7 }, later, 2)).toBeGreaterThan(2);
    await runScheduler(later);
    const [left] = await sql<{ n: string }>(
      "select count(*) as n from notification where state = 'delivered' and message_class <> 'critical' and (rendered_body is not null or purged_at is null)",
    );
    expect(Number(left?.n)).toBe(0);
    const [kept] = await sql<{ n: string }>("select count(*) as n from notification where state = 'delivered' and message_class <> 'critical' and purged_at is not null and channel is not null");
    expect(Number(kept?.n)).toBe(Number(before?.n));
    const [critical] = await sql<{ n: string }>("select count(*) as n from notification where message_class = 'critical' and rendered_body is not null");
    expect(Number(critical?.n)).toBeGreaterThan(0);
    const inbox = await sql<{ purged: boolean }>('select n.purged_at is not null as purged from inbox_item i join notification n on n.id = i.notification_id');
    expect(inbox.length).toBeGreaterThan(0);
    expect(inbox.every((i) => !i.purged)).toBe(true);
    // Event data goes with the event's last notification: kept while a critical message is kept, gone otherwise.
    const events = await sql<{ has_data: boolean; critical: boolean; unpurged: boolean }>(
      `select e.data is not null as has_data, exists (select 1 from notification n where n.event_id = e.id and n.message_class = 'critical') as critical,
              exists (select 1 from notification n where n.event_id = e.id and n.purged_at is null) as unpurged
       from event e where exists (select 1 from notification n where n.event_id = e.id)`,
    );
    expect(events.filter((e) => !e.unpurged && e.has_data)).toEqual([]);
    expect(events.filter((e) => e.critical && e.has_data).length).toBeGreaterThan(0);
  });

  it('deletes, in the same hourly purge, what only expires: rate counters, sessions, one-time codes, finished callbacks', async () => {
    const citizen = await aCitizen([{ channel: 'sms', value: '+6281234500088' }]);
    const [point] = await preferences.contactPoints(citizen.id);
    const [agency] = await sql<{ id: string }>('select id from agency where code = $1', [tax.code]);
    const now = Date.now();
    const past = new Date(now - 2 * 86_400_000);
    const soon = new Date(now + 3_600_000);
    const old = new Date(now - 100 * 86_400_000);
    await sql("insert into rate_counter (key_id, bucket, count, expires_at) values ('hk-key', 'gone', 1, $1), ('hk-key', 'live', 1, $2)", [past, soon]);
    await sql("insert into citizen_session (token_hash, citizen_id, expires_at, created_at) values ('hk-gone', $1, $2, $2), ('hk-live', $1, $3, now())", [citizen.id, past, soon]);
    await sql(
      "insert into one_time_code (id, contact_point_id, purpose, code_hash, attempts, expires_at, created_at) values (gen_random_uuid(), $1, 'verify', 'hk-gone', 0, $2, $2), (gen_random_uuid(), $1, 'verify', 'hk-live', 0, $3, now())",
      [point?.id, past, soon],
    );
    await sql(
      `insert into callback_delivery (agency_id, webhook_id, payload, attempts, next_attempt_at, delivered_at, created_at) values
         ($1, 'hk-delivered-old', '{}', 1, null, $2, $2), ($1, 'hk-given-up-old', '{}', 20, null, null, $2),
         ($1, 'hk-retrying-old', '{}', 3, $3, null, $2), ($1, 'hk-delivered-new', '{}', 1, null, now(), now())`,
      [agency?.id, old, soon],
    );

    await new WaitingRepository(app.get(EntityManager)).purge({ critical: 90, transactional: 7, reminder: 7, informational: 7 }, new Date(now));

    expect((await sql<{ bucket: string }>("select bucket from rate_counter where key_id = 'hk-key'")).map((r) => r.bucket)).toEqual(['live']);
    expect((await sql<{ token_hash: string }>("select token_hash from citizen_session where token_hash like 'hk-%'")).map((r) => r.token_hash)).toEqual(['hk-live']);
    expect((await sql<{ code_hash: string }>("select code_hash from one_time_code where code_hash like 'hk-%'")).map((r) => r.code_hash)).toEqual(['hk-live']);
    expect((await sql<{ webhook_id: string }>("select webhook_id from callback_delivery where webhook_id like 'hk-%' order by webhook_id")).map((r) => r.webhook_id)).toEqual([
      'hk-delivered-new',
      'hk-retrying-old',
    ]);
  });
});
