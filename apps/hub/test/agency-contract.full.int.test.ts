import 'reflect-metadata';

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { KAFKA_KEY_HEADER } from '@kabar/contracts';
import { SecretBox } from '@kabar/core';
import { DLQ_HEADERS, RefusedCredentials } from '@kabar/hub';
import { TOPICS } from '@kabar/messaging';
import { eventually, queryDatabase, readWalkthrough, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { CloudEvent as SdkEvent, HTTP, Kafka as SdkKafka } from 'cloudevents';
import { createClient } from 'graphql-ws';
import { type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { aCitizen, type AgencyFixture, anAgency, as, signedBy, typeOf } from './support/agency-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';

const NATIONAL_ID = '3273010101900002';
const ROOT = resolve(import.meta.dirname, '../../..');

// The agency contract through real PostgreSQL and a real Kafka broker: Kafka producers, the HTTP binding (driven by
// the official CloudEvents SDK), dead letters, status events, subscriptions and limits.
describe('agency contract on PostgreSQL and Kafka', () => {
  const services = inject('services');
  let hub: FullHub;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let agency: AgencyFixture & { admin: string };
  let namespace: string;
  let producer: Producer;
  let kafka: Kafka;

  const event = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    specversion: '1.0',
    id,
    source: agency.source,
    type: typeOf(agency.code),
    subject: NATIONAL_ID,
    datacontenttype: 'application/json',
    data: { amount: 500000, dueDate: '2026-12-31' },
    ...extra,
  });

  const inboxCount = async (): Promise<number> => Number((await queryDatabase<{ n: string }>(database.url, 'select count(*) as n from inbox_item'))[0]?.n);
  const stateOf = async (id: string): Promise<string | undefined> =>
    (await queryDatabase<{ state: string }>(database.url, 'select n.state from notification n join event e on e.id = n.event_id where e.ce_id = $1', [id]))[0]?.state;

  /** A reader of the dead-letter topic from its start, collecting each record's headers as text. */
  const deadLetterHeaders = async (group: string): Promise<{ dlq: Consumer; seen: Record<string, string>[] }> => {
    const dlq = kafka.consumer({ groupId: `${group}-${namespace}` });
    await dlq.connect();
    await dlq.subscribe({ topic: `${namespace}${TOPICS.eventsDeadLetter}`, fromBeginning: true });
    const seen: Record<string, string>[] = [];
    await dlq.run({
      eachMessage: ({ message }) => {
        seen.push(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
        return Promise.resolve();
      },
    });
    return { dlq, seen };
  };

  beforeAll(async () => {
    hub = await startFullHub(services);
    ({ app, url, database } = hub);
    namespace = hub.config.kafka?.namespace ?? '';
    agency = await anAgency(app, url, 'bapenda-bdg', { ratePerMinute: 1000 });
    // No contact points: the in-app inbox, which the event type allows, is where the message goes.
    await aCitizen(app, NATIONAL_ID, 'id', []);
    kafka = new Kafka({ brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await hub.close();
  });

  it('ingests a binary-mode record from a plain kafkajs producer and delivers it to the inbox', async () => {
    await producer.send({
      topic: `${namespace}${TOPICS.events}`,
      messages: [
        signedBy(agency.key, {
          key: NATIONAL_ID,
          value: JSON.stringify({ amount: 750000, dueDate: '2026-12-31' }),
          headers: { ce_specversion: '1.0', ce_id: 'k-1', ce_source: agency.source, ce_type: typeOf(agency.code), ce_subject: NATIONAL_ID, 'content-type': 'application/json' },
        }),
      ],
    });
    expect(await eventually(async () => ((await stateOf('k-1')) === 'delivered' ? 'delivered' : undefined))).toBe('delivered');
    const [item] = await queryDatabase<{ body: string }>(database.url, "select i.body from inbox_item i join notification n on n.id = i.notification_id join event e on e.id = n.event_id where e.ce_id = 'k-1'");
    expect(item?.body).toBe('Pajak Anda Rp750.000 jatuh tempo 31 Desember 2026.');
  });

  it('ingests structured-mode records from the CloudEvents SDK, and a replay sends nothing new', async () => {
    const message = SdkKafka.structured(new SdkEvent({ ...event('k-2'), data: { amount: 1, dueDate: '2026-12-31' } }));
    const record = signedBy(agency.key, { key: NATIONAL_ID, value: message.value, headers: message.headers as Record<string, string> });
    await producer.send({ topic: `${namespace}${TOPICS.events}`, messages: [record] });
    await eventually(async () => ((await stateOf('k-2')) === 'delivered' ? true : undefined));
    const before = await inboxCount();
    await producer.send({ topic: `${namespace}${TOPICS.events}`, messages: [record] });
    const third = SdkKafka.structured(new SdkEvent({ ...event('k-3') }));
    await producer.send({ topic: `${namespace}${TOPICS.events}`, messages: [signedBy(agency.key, { key: NATIONAL_ID, value: third.value, headers: third.headers as Record<string, string> })] });
    await eventually(async () => ((await stateOf('k-3')) === 'delivered' ? true : undefined));
    expect(await inboxCount()).toBe(before + 1);
  });

  it('dead-letters records it can never process, with the reason, and keeps consuming', async () => {
    const { dlq, seen } = await deadLetterHeaders('dlq-reader');
    const topic = `${namespace}${TOPICS.events}`;
    const structured = { 'content-type': 'application/cloudevents+json' };
    const signed = (value: string, key = agency.key): { key: string; value: string; headers: Record<string, string> } => signedBy(key, { key: NATIONAL_ID, value, headers: structured });
    // Another agency on the same hub, and a key of this agency that was revoked.
    const other = await anAgency(app, url, 'disdukcapil-bdg');
    const issued = await as<{ issueApiKey: { key: { id: string }; secret: string } }>(url, agency.admin, 'mutation { issueApiKey(agencyCode: "bapenda-bdg", kind: live, name: "old") { key { id } secret } }');
    const revoked = issued.data?.issueApiKey;
    await as(url, agency.admin, `mutation { revokeApiKey(agencyCode: "bapenda-bdg", keyId: "${revoked?.key.id ?? ''}") }`);
    const tampered = signed(JSON.stringify(event('k-tampered')));
    await producer.send({
      topic,
      messages: [
        signed('{not json'),
        // Half a character (JSON "\ud83d" alone): the database cannot store it, so it is refused before the ingest.
        signed(JSON.stringify(event('k-half', { data: { note: 'Lampu \ud83d mati' } }))),
        signed(JSON.stringify(event('k-bad-data', { data: { amount: 'lots' } }))),
        signed(JSON.stringify(event('k-unknown', { source: '/somebody/else' }))),
        { key: NATIONAL_ID, value: JSON.stringify(event('k-unsigned')), headers: structured },
        { ...tampered, value: JSON.stringify(event('k-tampered', { subject: '3273010101900009' })) },
        signed(JSON.stringify(event('k-revoked')), revoked?.secret),
        // Signed by another agency's key, under this agency's source and type: refused, as over HTTP.
        signed(JSON.stringify(event('k-foreign')), other.key),
        signed(JSON.stringify(event('k-after'))),
      ],
    });
    await eventually(async () => ((await stateOf('k-after')) === 'delivered' ? true : undefined));
    await eventually(() => Promise.resolve(seen.length >= 8 ? true : undefined));
    await dlq.disconnect();
    expect(seen.map((h) => h[DLQ_HEADERS.code])).toEqual(['MALFORMED_JSON', 'INVALID_ATTRIBUTE', 'DATA_INVALID', 'SOURCE_NOT_ALLOWED', 'SIGNATURE_REQUIRED', 'SIGNATURE_INVALID', 'UNKNOWN_KEY', 'SOURCE_NOT_ALLOWED']);
    expect(seen[1]?.[DLQ_HEADERS.reason]).toContain('unpaired surrogate');
    expect(seen[2]?.[DLQ_HEADERS.reason]).toContain('/amount');
    expect(seen[2]?.[DLQ_HEADERS.topic]).toBe(TOPICS.events);
    for (const id of ['k-unsigned', 'k-tampered', 'k-revoked', 'k-foreign']) expect(await stateOf(id)).toBeUndefined();
    const refused = await (await fetch(`${url}/metrics`)).text();
    expect(refused).toMatch(/kabar_credentials_refused_total\{credential="kafka",reason="SIGNATURE_INVALID"\} 1/);
    // And in the audit trail, with the key each record named and that key's agency (which sees them), never an address.
    await app.get(RefusedCredentials).flush();
    const [owner] = await queryDatabase<{ id: string }>(database.url, "select id from agency where code = 'bapenda-bdg'");
    const audited = await queryDatabase<{ target_id: string; agency_id: string | null; details: { reason: string; count: number; ip: string | null } }>(
      database.url,
      "select target_id, agency_id, details from audit_log where action = 'credentials.refused' and details->>'credential' = 'kafka'",
    );
    expect(audited.map((r) => [r.target_id, r.agency_id, r.details.reason, r.details.count, r.details.ip])).toEqual(
      expect.arrayContaining([
        [agency.keyId, owner?.id, 'SIGNATURE_INVALID', 1, null],
        [revoked?.key.id, owner?.id, 'UNKNOWN_KEY', 1, null],
        ['kafka', null, 'SIGNATURE_REQUIRED', 1, null],
      ]),
    );
  });

  it('dead-letters an event the database refuses though it passed every check (NOT_STORED), ingests the rest of its batch and keeps consuming', async () => {
    const { dlq, seen } = await deadLetterHeaders('dlq-not-stored');
    // A fault no check foresees, from the real database: a trigger refusing one event id. Retried as a batch, it
    // would hold the partition for ever.
    await queryDatabase(
      database.url,
      "create function refuse_poison() returns trigger language plpgsql as $$ begin if new.ce_id = 'k-poison' then raise exception 'refused for the test'; end if; return new; end $$",
    );
    await queryDatabase(database.url, 'create trigger refuse_poison before insert on event for each row execute function refuse_poison()');
    try {
      const structured = { 'content-type': 'application/cloudevents+json' };
      await producer.send({
        topic: `${namespace}${TOPICS.events}`,
        messages: ['k-ok-1', 'k-poison', 'k-ok-2'].map((id) => signedBy(agency.key, { key: NATIONAL_ID, value: JSON.stringify(event(id)), headers: structured })),
      });
      await eventually(async () => ((await stateOf('k-ok-2')) === 'delivered' ? true : undefined));
      const notStored = (): Record<string, string>[] => seen.filter((h) => h[DLQ_HEADERS.code] === 'NOT_STORED');
      await eventually(() => Promise.resolve(notStored().length >= 1 ? true : undefined));
      await dlq.disconnect();
      expect(notStored()).toHaveLength(1);
      expect(notStored()[0]?.[DLQ_HEADERS.reason]).toContain('the database refused to store this event');
      expect(notStored()[0]?.[DLQ_HEADERS.reason]).not.toContain('refused for the test');
      expect(await stateOf('k-ok-1')).toBe('delivered');
      expect(await stateOf('k-poison')).toBeUndefined();
    } finally {
      await queryDatabase(database.url, 'drop trigger refuse_poison on event');
    }
  });

  it('counts Kafka records against the daily quota the key shares with HTTP: the records past it are dead-lettered QUOTA_EXCEEDED', async () => {
    const { dlq, seen } = await deadLetterHeaders('dlq-quota');
    const capped = await anAgency(app, url, 'rsud-bdg', { dailyQuota: 3 });
    const own = (id: string): Record<string, unknown> => ({ ...event(id), source: capped.source, type: typeOf(capped.code) });
    const overHttp = (id: string): Promise<Response> =>
      fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${capped.key}`, 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(own(id)) });
    expect((await overHttp('q-http')).status).toBe(202);
    // Two of the four fit in what the day has left.
    await producer.send({
      topic: `${namespace}${TOPICS.events}`,
      messages: ['q-1', 'q-2', 'q-3', 'q-4'].map((id) => signedBy(capped.key, { key: NATIONAL_ID, value: JSON.stringify(own(id)), headers: { 'content-type': 'application/cloudevents+json' } })),
    });
    const overQuota = (): Record<string, string>[] => seen.filter((h) => h[KAFKA_KEY_HEADER] === capped.keyId);
    await eventually(() => Promise.resolve(overQuota().length >= 2 ? true : undefined));
    await eventually(async () => ((await stateOf('q-2')) === 'delivered' ? true : undefined));
    await dlq.disconnect();
    expect(overQuota().map((h) => h[DLQ_HEADERS.code])).toEqual(['QUOTA_EXCEEDED', 'QUOTA_EXCEEDED']);
    expect(overQuota()[0]?.[DLQ_HEADERS.reason]).toContain('daily quota of 3');
    expect(await stateOf('q-1')).toBe('delivered');
    for (const id of ['q-3', 'q-4']) expect(await stateOf(id)).toBeUndefined();
    // The key's day is spent on every transport.
    const refused = await overHttp('q-http-2');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'QUOTA_EXCEEDED' });
  });

  it("runs the README's Kafka example as written: a signed record from a plain kafkajs producer is delivered", async () => {
    // The README's agency, type and citizen, set up as its full-local-mode steps and the agency's integrator would.
    const created = await as(url, agency.admin, 'mutation($i: CreateAgencyInput!) { createAgency(input: $i) { id } }', {
      i: { code: 'bapenda-readme', name: 'Bapenda Kota Bandung', defaultLocale: 'id', sources: ['https://bapenda.bandung.go.id/pbb'] },
    });
    expect(created.errors).toBeUndefined();
    const issued = await as<{ issueApiKey: { secret: string } }>(url, agency.admin, 'mutation { issueApiKey(agencyCode: "bapenda-readme", kind: live, name: "backend") { secret } }');
    const key = issued.data?.issueApiKey.secret ?? '';
    const type = 'id.go.bandung.bapenda.pbb-due.v1';
    const registered = await as(url, key, 'mutation($i: RegisterEventTypeInput!) { registerEventType(input: $i) { id } }', {
      i: { type, messageClass: 'reminder', dataSchema: { type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } }, allowedChannels: ['inbox'] },
    });
    expect(registered.errors).toBeUndefined();
    const saved = await as(url, key, 'mutation($i: SaveTemplateInput!) { saveTemplate(input: $i) { version } }', {
      i: { eventType: type, channel: 'inbox', locales: [{ locale: 'id', body: 'PBB Rp{{formatNumber amount}}' }, { locale: 'en', body: 'Property tax IDR {{formatNumber amount}}' }] },
    });
    expect(saved.errors).toBeUndefined();
    await aCitizen(app, '3273035112880003', 'id', []);

    const [command, ...others] = readWalkthrough(join(ROOT, 'README.md'), 'kafka').commands;
    expect(others).toEqual([]);
    // Only what must differ in a test: the broker and this hub's topic namespace.
    const text = (command?.text ?? '').replaceAll('127.0.0.1:19092', services.kafkaBrokers).replaceAll(`'${TOPICS.events}'`, `'${namespace}${TOPICS.events}'`);
    await promisify(execFile)('bash', ['-c', text], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', KEY: key }, timeout: 60_000 });
    expect(await eventually(async () => ((await stateOf('pbb-2026-0003')) === 'delivered' ? 'delivered' : undefined))).toBe('delivered');
  });

  it('dead-letters the records of a key whose secret no master key of the hub opens, and keeps consuming', async () => {
    const issued = await as<{ issueApiKey: { key: { id: string }; secret: string } }>(url, agency.admin, 'mutation { issueApiKey(agencyCode: "bapenda-bdg", kind: live, name: "sealed elsewhere") { key { id } secret } }');
    const lost = issued.data?.issueApiKey;
    // As after a master key was retired without being kept in KABAR_RETIRED_SECRET_KEYS.
    const elsewhere = new SecretBox({ gone: randomBytes(32) }, 'gone').encrypt('whatever');
    await queryDatabase(database.url, 'update api_key set secret_sealed = $1 where id = $2', [elsewhere, lost?.key.id]);
    const { dlq, seen } = await deadLetterHeaders('dlq-unopened');
    const structured = { 'content-type': 'application/cloudevents+json' };
    await producer.send({
      topic: `${namespace}${TOPICS.events}`,
      messages: [
        signedBy(lost?.secret ?? '', { key: NATIONAL_ID, value: JSON.stringify(event('k-unopened')), headers: structured }),
        signedBy(agency.key, { key: NATIONAL_ID, value: JSON.stringify(event('k-after-unopened')), headers: structured }),
      ],
    });
    await eventually(async () => ((await stateOf('k-after-unopened')) === 'delivered' ? true : undefined));
    await eventually(() => Promise.resolve(seen.some((h) => h[DLQ_HEADERS.code] === 'UNKNOWN_KEY' && h[DLQ_HEADERS.reason]?.includes('cannot be opened')) ? true : undefined));
    await dlq.disconnect();
    expect(await stateOf('k-unopened')).toBeUndefined();
  });

  it('puts a record signed with a test key in the sandbox, as a test key does over HTTP', async () => {
    const issued = await as<{ issueApiKey: { key: { id: string }; secret: string } }>(url, agency.admin, 'mutation { issueApiKey(agencyCode: "bapenda-bdg", kind: test, name: "staging") { key { id } secret } }');
    const testKey = issued.data?.issueApiKey.secret ?? '';
    expect(testKey.startsWith('test_')).toBe(true);
    await producer.send({
      topic: `${namespace}${TOPICS.events}`,
      messages: [signedBy(testKey, { key: NATIONAL_ID, value: JSON.stringify(event('k-test-key', { subject: '+6280000000001' })), headers: { 'content-type': 'application/cloudevents+json' } })],
    });
    const sandboxed = await eventually(async () => (await queryDatabase<{ sandbox: boolean }>(database.url, "select sandbox from event where ce_id = 'k-test-key'"))[0]);
    expect(sandboxed.sandbox).toBe(true);
  });

  it('accepts the HTTP binding in binary, structured and batch mode from the CloudEvents SDK', async () => {
    const post = (headers: Record<string, string>, body: string): Promise<Response> =>
      fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${agency.key}`, ...headers }, body });
    const binary = HTTP.binary(new SdkEvent(event('h-1')));
    const b = await post(binary.headers as Record<string, string>, typeof binary.body === 'string' ? binary.body : JSON.stringify(binary.body));
    expect(b.status).toBe(202);
    expect(await b.json()).toMatchObject({ id: 'h-1', duplicate: false, status: 'accepted' });
    const structured = HTTP.structured(new SdkEvent(event('h-2')));
    const s = await post(structured.headers as Record<string, string>, String(structured.body));
    expect(await s.json()).toMatchObject({ id: 'h-2', status: 'accepted' });
    const again = await post(structured.headers as Record<string, string>, String(structured.body));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: 'h-2', duplicate: true });
    const batch = await post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify([event('h-3'), event('h-4', { type: 'nope.v1' })]));
    expect(batch.status).toBe(200);
    const { results } = (await batch.json()) as { results: Record<string, unknown>[] };
    expect(results[0]).toMatchObject({ source: agency.source, id: 'h-3', duplicate: false, status: 'accepted' });
    expect(typeof results[0]?.eventId).toBe('string');
    expect(results[1]).toMatchObject({ source: agency.source, id: 'h-4', status: 'rejected', error: { code: 'UNKNOWN_EVENT_TYPE' } });
  });

  it.each([
    ['malformed JSON', { 'content-type': 'application/cloudevents+json' }, '{oops', 400, 'MALFORMED_JSON'],
    ['a missing attribute', { 'content-type': 'application/cloudevents+json' }, JSON.stringify({ specversion: '1.0', id: 'x', type: 't.v1' }), 400, 'MISSING_ATTRIBUTE'],
    ['an event over 256 KiB', { 'content-type': 'application/cloudevents+json' }, JSON.stringify({ specversion: '1.0', id: 'x', source: '/s', type: 't.v1', data: 'x'.repeat(300_000) }), 413, 'PAYLOAD_TOO_LARGE'],
    ['half a character in data', { 'content-type': 'application/cloudevents+json' }, JSON.stringify({ specversion: '1.0', id: 'x', source: '/s', type: 't.v1', data: { title: 'Lampu \ud83d mati' } }), 400, 'INVALID_ATTRIBUTE'],
    ['an unknown key', { 'content-type': 'application/cloudevents+json', authorization: 'Bearer live_AAAAAAAAAAAA.' + 'b'.repeat(43) }, '{}', 401, 'INVALID_CREDENTIALS'],
  ])('answers %s with problem+json', async (_name, headers, body, status, code) => {
    const res = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${agency.key}`, ...headers }, body });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status, code });
  });

  it('streams delivery status to the agency subscription and publishes it on kabar.status.v1', async () => {
    // The live consumer group starts with the first subscriber: an instance nobody watches decodes no statuses.
    const liveGroups = async (): Promise<string[]> => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(`${namespace}kabar-live-`));
      } finally {
        await admin.disconnect();
      }
    };
    expect(await liveGroups()).toEqual([]);
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${agency.key}` } });
    const received = new Map<string, string[]>();
    const sources = new Set<string>();
    const complete = (): boolean => [...received.values()].some((states) => states.includes('accepted') && states.includes('delivered'));
    const iterator = client.iterate<{ deliveryStatus: { id: string; source: string; state: string } }>({ query: 'subscription { deliveryStatus { id source state } }' });
    const collecting = (async () => {
      for await (const result of iterator) {
        const status = result.data?.deliveryStatus;
        if (status !== undefined) {
          received.set(status.id, [...(received.get(status.id) ?? []), status.state]);
          sources.add(status.source);
        }
        if (complete()) break;
      }
    })();
    // The server registers the subscription asynchronously: publish fresh events until one is seen from start to end.
    for (let n = 0; !complete() && n < 40; n++) {
      await as(url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', { e: event(`sub-${n}`) });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await client.dispose();
    await collecting.catch(() => undefined);
    // An event published before the subscription was live shows only its later states: judge one seen from its start.
    const [id, states] = [...received.entries()].find(([, s]) => s.includes('accepted')) ?? ['', []];
    expect(states).toEqual(['accepted', 'delivered']);
    // Earlier cases' events may still be finishing (their late states are this agency's too); another agency's never show.
    expect([...sources]).toEqual([agency.source]);
    expect(await liveGroups()).toHaveLength(1);

    const reader = kafka.consumer({ groupId: `status-reader-${namespace}` });
    await reader.connect();
    await reader.subscribe({ topic: `${namespace}${TOPICS.status}`, fromBeginning: true });
    const onTopic: string[] = [];
    await reader.run({
      eachMessage: ({ message }) => {
        const ce = JSON.parse(String(message.value)) as { type: string; data: { id: string; state: string } };
        if (ce.type === 'id.kabar.notification.status.v1' && ce.data.id === id) onTopic.push(ce.data.state);
        return Promise.resolve();
      },
    });
    await eventually(() => Promise.resolve(onTopic.includes('delivered') ? true : undefined));
    await reader.disconnect();
    expect(onTopic).toEqual(['accepted', 'delivered']);
  });

  it('rate-limits a key across requests with 429 and Retry-After', async () => {
    const limited = await anAgency(app, url, 'lapor-bdg', { ratePerMinute: 3 });
    const post = (id: string): Promise<Response> =>
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${limited.key}`, 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({ ...event(id), source: limited.source, type: typeOf(limited.code) }),
      });
    const codes: number[] = [];
    for (const id of ['r1', 'r2', 'r3', 'r4']) codes.push((await post(id)).status);
    expect(codes.slice(0, 3)).toEqual([202, 202, 202]);
    const fourth = await post('r5');
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await fourth.json()).toMatchObject({ code: 'RATE_LIMITED' });
    const gql = await as(url, limited.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', { e: { ...event('r6'), source: limited.source, type: typeOf(limited.code) } });
    expect(gql.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((gql.errors?.[0]?.extensions as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds).toBeGreaterThan(0);
  });
});
