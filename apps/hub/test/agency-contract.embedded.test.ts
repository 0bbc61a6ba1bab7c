import 'reflect-metadata';

import { randomBytes } from 'node:crypto';

import { SecretBox } from '@kabar/core';
import { createHub, signJwt } from '@kabar/hub';
import { aConfig, eventually, graphql } from '@kabar/testing';
import { EntityManager } from '@mikro-orm/core';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aCitizen, type AgencyFixture, anAgency, as, typeOf } from './support/agency-fixture.js';

const PUBLISH = 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { eventId duplicate status } }';
const EVENT = 'query($s: String!, $i: String!) { event(source: $s, id: $i) { status receivedVia notifications { channel state reason templateVersion } } }';

// The agency contract on the embedded default (in-memory PGlite, in-process bus), through GraphQL and HTTP.
describe('agency contract (embedded)', () => {
  let app: INestApplication;
  let url: string;
  let agency: AgencyFixture & { admin: string };
  let other: AgencyFixture;

  const taxEvent = (id: string, subject = '3273010101900001', data: unknown = { amount: 1250000, dueDate: '2026-12-31' }): Record<string, unknown> => ({
    specversion: '1.0',
    id,
    source: agency.source,
    type: typeOf(agency.code),
    subject,
    data,
  });

  beforeAll(async () => {
    app = await createHub(aConfig().build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    agency = await anAgency(app, url, 'bapenda-bdg');
    other = await anAgency(app, url, 'disduk-bdg');
    await aCitizen(app, '3273010101900001', 'en', [{ channel: 'sms', value: '+6281234567890' }]);
  });

  afterAll(async () => {
    await app.close();
  });

  it('accepts an event, renders it in the citizen language and delivers it; a replay is a duplicate', async () => {
    const first = await as<{ publishEvent: { eventId: string; duplicate: boolean; status: string } }>(url, agency.key, PUBLISH, { e: taxEvent('tx-1') });
    expect(first.errors).toBeUndefined();
    expect(first.data?.publishEvent).toMatchObject({ duplicate: false, status: 'accepted' });
    const delivered = await eventually(async () => {
      const res = await as<{ event: { notifications: { channel: string; state: string }[] } }>(url, agency.key, EVENT, { s: agency.source, i: 'tx-1' });
      return res.data?.event.notifications[0]?.state === 'sent' ? res.data.event : undefined;
    });
    // SMS has no plugin of its own in the embedded mode, so the console plugin stands in for it.
    expect(delivered.notifications).toEqual([{ channel: 'sms', state: 'sent', reason: null, templateVersion: 1 }]);
    const replay = await as<{ publishEvent: { eventId: string; duplicate: boolean } }>(url, agency.key, PUBLISH, { e: taxEvent('tx-1') });
    expect(replay.data?.publishEvent).toEqual({ eventId: first.data?.publishEvent.eventId, duplicate: true, status: 'accepted' });
  });

  it('suppresses an event for a subject nobody registered, saying why', async () => {
    await as(url, agency.key, PUBLISH, { e: taxEvent('tx-unknown', '9999999999999999') });
    const res = await as<{ event: { status: string; notifications: { state: string; reason: string }[] } }>(url, agency.key, EVENT, { s: agency.source, i: 'tx-unknown' });
    expect(res.data?.event).toMatchObject({ status: 'suppressed', notifications: [{ state: 'suppressed', reason: 'UNKNOWN_SUBJECT' }] });
  });

  it.each([
    ['data that fails the schema', { data: { amount: -5, dueDate: 'soon' } }, 'DATA_INVALID'],
    ['an unknown type', { type: 'id.go.nobody.thing.v1' }, 'UNKNOWN_EVENT_TYPE'],
    ['another agency source', { source: '/id/go/bandung/disduk-bdg' }, 'SOURCE_NOT_ALLOWED'],
    ['no subject', { subject: null }, 'MISSING_SUBJECT'],
    ['a bad specversion', { specversion: '0.3' }, 'UNSUPPORTED_SPECVERSION'],
    ['an empty id', { id: '' }, 'INVALID_ATTRIBUTE'],
    // Refused for the whole operation, as every GraphQL text holding one is (HTTP and Kafka say INVALID_ATTRIBUTE).
    ['half a character in data', { data: { amount: 5, dueDate: '2026-08-31', note: 'Rp\ud83d' } }, 'MALFORMED_TEXT'],
  ])('rejects %s with its code', async (_name, change, code) => {
    const res = await as(url, agency.key, PUBLISH, { e: { ...taxEvent('tx-bad'), ...change } });
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
  });

  it('answers a batch per event: accepted, duplicate and rejected side by side', async () => {
    const res = await as<{ publishEvents: { id: string; duplicate: boolean; status: string; error: { code: string } | null }[] }>(
      url,
      agency.key,
      'mutation($es: [CloudEventInput!]!) { publishEvents(events: $es) { id duplicate status error { code } } }',
      { es: [taxEvent('b-1'), taxEvent('tx-1'), taxEvent('b-2', undefined, { amount: 'lots' }), taxEvent('b-1')] },
    );
    expect(res.data?.publishEvents).toEqual([
      { id: 'b-1', duplicate: false, status: 'accepted', error: null },
      { id: 'tx-1', duplicate: true, status: 'accepted', error: null },
      { id: 'b-2', duplicate: false, status: 'rejected', error: { code: 'DATA_INVALID' } },
      { id: 'b-1', duplicate: true, status: 'accepted', error: null },
    ]);
  });

  it('authenticates with a JWT signed by the key secret, within 30 seconds', async () => {
    const [keyId, secret] = agency.key.split('.') as [string, string];
    const now = Math.floor(Date.now() / 1000);
    const fresh = await as<{ publishEvent: { status: string } }>(url, signJwt(keyId, secret, now), PUBLISH, { e: taxEvent('jwt-1') });
    expect(fresh.data?.publishEvent.status).toBe('accepted');
    const stale = await as(url, signJwt(keyId, secret, now - 120), PUBLISH, { e: taxEvent('jwt-2') });
    expect(stale.errors?.[0]?.extensions?.code).toBe('TOKEN_EXPIRED');
    const forged = await as(url, signJwt(keyId, 'not-the-secret-000000000000000000000000000', now), PUBLISH, { e: taxEvent('jwt-3') });
    expect(forged.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses a JWT whose key secret no master key of the hub opens with 401, not a server error', async () => {
    const issued = await as<{ issueApiKey: { key: { id: string }; secret: string } }>(url, agency.admin, 'mutation { issueApiKey(agencyCode: "bapenda-bdg", kind: live, name: "sealed elsewhere") { key { id } secret } }');
    const [keyId, secret] = (issued.data?.issueApiKey.secret ?? '').split('.') as [string, string];
    // As after a master key was retired without being kept in KABAR_RETIRED_SECRET_KEYS.
    const elsewhere = new SecretBox({ gone: randomBytes(32) }, 'gone').encrypt(secret);
    await app.get(EntityManager).getConnection().execute('update api_key set secret_sealed = ? where id = ?', [elsewhere, keyId]);
    const jwt = signJwt(keyId, secret, Math.floor(Date.now() / 1000));
    const gql = await as(url, jwt, PUBLISH, { e: taxEvent('jwt-unopened') });
    expect(gql.errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    const http = await fetch(`${url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(taxEvent('jwt-unopened')) });
    expect(http.status).toBe(401);
    expect(await http.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('refuses unknown, revoked and missing credentials, and admin operations to agencies', async () => {
    expect((await graphql(url, PUBLISH, { e: taxEvent('x') })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await as(url, 'live_AAAAAAAAAAAA.' + 'a'.repeat(43), PUBLISH, { e: taxEvent('x') })).errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect((await as(url, agency.key, '{ agencies { code } }')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const issued = await as<{ issueApiKey: { key: { id: string }; secret: string } }>(url, agency.admin, `mutation { issueApiKey(agencyCode: "${agency.code}", kind: test, name: "temp") { key { id } secret } }`);
    const temp = issued.data?.issueApiKey;
    await as(url, agency.admin, `mutation { revokeApiKey(agencyCode: "${agency.code}", keyId: "${temp?.key.id ?? ''}") }`);
    expect((await as(url, temp?.secret ?? '', PUBLISH, { e: taxEvent('x') })).errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    expect((await as(url, `adm_AAAAAAAAAAAA.${'b'.repeat(43)}`, '{ agencies { code } }')).errors?.[0]?.extensions?.code).toBe('INVALID_CREDENTIALS');
    // Operators see the refusals counted by kind and reason, never by key.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('kabar_credentials_refused_total{credential="none",reason="UNAUTHENTICATED"} 1');
    expect(metrics).toContain('kabar_credentials_refused_total{credential="agency",reason="INVALID_CREDENTIALS"} 2');
    expect(metrics).toContain('kabar_credentials_refused_total{credential="admin",reason="INVALID_CREDENTIALS"} 1');
    expect(metrics).toMatch(/kabar_credentials_refused_total\{credential="jwt",reason="TOKEN_EXPIRED"\} 1/);
    expect(metrics).not.toContain(temp?.key.id ?? 'no key');
  });

  it('keeps agencies apart: no reading, templating or publishing for another agency', async () => {
    const read = await as<{ event: unknown }>(url, other.key, EVENT, { s: agency.source, i: 'tx-1' });
    expect(read.data?.event).toBeNull();
    const template = await as(url, other.key, 'mutation($i: SaveTemplateInput!) { saveTemplate(input: $i) { id } }', {
      i: { eventType: typeOf(agency.code), channel: 'sms', locales: [{ locale: 'id', body: 'x' }, { locale: 'en', body: 'x' }] },
    });
    expect(template.errors?.[0]?.extensions?.code).toBe('EVENT_TYPE_UNKNOWN');
    const types = await as<{ eventTypes: { type: string }[] }>(url, other.key, '{ eventTypes { type } }');
    expect(types.data?.eventTypes.map((t) => t.type)).toEqual([typeOf(other.code)]);
    const publish = await as(url, other.key, PUBLISH, { e: taxEvent('steal') });
    expect(publish.errors?.[0]?.extensions?.code).toBe('SOURCE_NOT_ALLOWED');
  });

  it('checks templates when they are saved', async () => {
    const save = (locales: unknown[]): ReturnType<typeof as> =>
      as(url, agency.key, 'mutation($i: SaveTemplateInput!) { saveTemplate(input: $i) { version } }', { i: { eventType: typeOf(agency.code), channel: 'inbox', locales } });
    const missing = await save([{ locale: 'id', body: 'Halo' }]);
    expect(missing.errors?.[0]?.extensions?.code).toBe('TEMPLATE_INVALID');
    expect(missing.errors?.[0]?.message).toContain('missing required locale "en"');
    const badField = await save([{ locale: 'id', body: '{{amount}} {{nmae}}' }, { locale: 'en', body: '{{shout amount}}' }]);
    expect(badField.errors?.[0]?.message).toContain('"nmae" is not a field');
    expect(badField.errors?.[0]?.message).toContain('unknown helper "shout"');
    const ok = await save([{ locale: 'id', body: 'Rp{{amount}}' }, { locale: 'en', body: 'IDR {{amount}}' }]);
    expect(ok.data).toEqual({ saveTemplate: [{ version: 2 }, { version: 2 }] });
  });
});
