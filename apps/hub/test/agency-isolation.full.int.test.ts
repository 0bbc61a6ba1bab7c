import 'reflect-metadata';

import { readFileSync } from 'node:fs';

import { eventually, queryDatabase } from '@kabar/testing';
import { type INestApplication, RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { requiredScope } from '../src/auth/index.js';
import { aCitizen, type AgencyFixture, anAgency, as, typeOf } from './support/agency-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';

const THIS_FILE = 'agency-isolation.full.int.test.ts';

/**
 * Every operation an agency key may call, with the test file that shows another agency's key cannot read or act on what
 * it reaches. The complaint desk and the surveys need citizens writing in over SMS and WhatsApp, which their own files
 * set up; everything else is checked here. The first test below finds the agency-scoped operations in the running hub,
 * so a new one fails it until its isolation is tested and listed.
 */
const CHECKED_IN: Readonly<Record<string, string>> = {
  'Query.eventTypes': THIS_FILE,
  'Mutation.registerEventType': THIS_FILE,
  'Mutation.saveTemplate': THIS_FILE,
  'Mutation.publishEvent': THIS_FILE,
  'Mutation.publishEvents': THIS_FILE,
  'POST /v1/events': THIS_FILE,
  'Query.event': THIS_FILE,
  'Mutation.cancelEvent': THIS_FILE,
  'Query.notificationsTo': THIS_FILE,
  'Subscription.deliveryStatus': THIS_FILE,
  'Query.agencyAuditLog': THIS_FILE,
  'Query.myDaysOff': THIS_FILE,
  'Query.complaints': 'complaint-desk.full.int.test.ts',
  'Query.complaint': 'complaint-desk.full.int.test.ts',
  'Mutation.answerComplaint': 'complaint-desk.full.int.test.ts',
  'Mutation.closeComplaint': 'complaint-desk.full.int.test.ts',
  'Mutation.transferComplaint': 'complaint-desk.full.int.test.ts',
  'Query.complaintPerformance': 'complaint-desk.full.int.test.ts',
  'GET /v1/complaints/:id/media/:mediaId': 'complaint-desk.full.int.test.ts',
  'Mutation.saveSurvey': 'surveys.full.int.test.ts',
  'Query.surveys': 'surveys.full.int.test.ts',
  'Query.surveySummary': 'surveys.full.int.test.ts',
  'Query.surveyResponses': 'survey-runner.full.int.test.ts',
};

/** `Query.event`, `POST /v1/events`: every resolver and controller method of the hub that needs an agency key. */
function agencyOperations(app: INestApplication): string[] {
  const found = new Set<string>();
  const trim = (path: unknown): string => (typeof path === 'string' ? path.replace(/^\/+|\/+$/g, '') : '');
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of [...module.providers.values(), ...module.controllers.values()]) {
      const type: unknown = wrapper.metatype;
      if (typeof type !== 'function') continue;
      const prototype = type.prototype as object | undefined;
      if (prototype === undefined) continue;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler: unknown = Object.getOwnPropertyDescriptor(prototype, name)?.value;
        if (name === 'constructor' || typeof handler !== 'function' || requiredScope(handler, type) !== 'agency') continue;
        const kind: unknown = Reflect.getMetadata('graphql:resolver_type', handler);
        if (kind === 'Query' || kind === 'Mutation' || kind === 'Subscription') {
          const field: unknown = Reflect.getMetadata('graphql:resolver_name', handler);
          found.add(`${kind}.${typeof field === 'string' ? field : name}`);
        }
        const method: unknown = Reflect.getMetadata('method', handler);
        if (typeof method === 'number') {
          const path = [trim(Reflect.getMetadata('path', type)), trim(Reflect.getMetadata('path', handler))].filter(Boolean).join('/');
          found.add(`${RequestMethod[method] ?? String(method)} /${path}`);
        }
      }
    }
  }
  return [...found].sort();
}

// Two agencies on real PostgreSQL and Kafka: whatever one publishes, the other's key can neither see nor touch, on every
// transport and every agency-scoped operation; attempts are refused with a code and leave no row behind.
describe('agency isolation on PostgreSQL and Kafka', () => {
  const services = inject('services');
  const NIK = '3273010101900021';
  let hub: FullHub;
  let tax: AgencyFixture & { admin: string };
  let registry: AgencyFixture & { admin: string };

  const eventOf = (agency: AgencyFixture, id: string, type = typeOf(agency.code)): Record<string, unknown> => ({
    specversion: '1.0',
    id,
    source: agency.source,
    type,
    subject: NIK,
    data: { amount: 250_000, dueDate: '2026-12-31' },
  });
  const PUBLISH = 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { eventId status duplicate } }';
  const EVENT = 'query($s: String!, $i: String!) { event(source: $s, id: $i) { id notifications { state } } }';
  const codeOf = async (key: string, query: string, variables: Record<string, unknown> = {}): Promise<unknown> => (await as(hub.url, key, query, variables)).errors?.[0]?.extensions?.code;
  /** Rows stored under the tax office's source with these ids, whoever tried to write them. */
  const storedTaxEvents = async (ids: string[]): Promise<string[]> =>
    (await queryDatabase<{ ce_id: string }>(hub.database.url, 'select ce_id from event where source = $1 and ce_id = any($2::text[]) order by ce_id', [tax.source, ids])).map((r) => r.ce_id);

  beforeAll(async () => {
    hub = await startFullHub(services);
    tax = await anAgency(hub.app, hub.url, 'bapenda-bdg');
    registry = await anAgency(hub.app, hub.url, 'disduk-bdg');
    await aCitizen(hub.app, NIK, 'id', []);
    const first = await as<{ publishEvent: { status: string } }>(hub.url, tax.key, PUBLISH, { e: eventOf(tax, 'tax-1') });
    if (first.data?.publishEvent.status !== 'accepted') throw new Error(`the tax office's first event: ${JSON.stringify(first)}`);
    await eventually(async () => {
      const seen = await as<{ event: { notifications: { state: string }[] } | null }>(hub.url, tax.key, EVENT, { s: tax.source, i: 'tax-1' });
      return seen.data?.event?.notifications[0]?.state === 'delivered' ? true : undefined;
    });
  });

  afterAll(async () => {
    await hub.close();
  });

  it('checks every agency-scoped operation of the hub for isolation (here or in the file named)', () => {
    expect(agencyOperations(hub.app)).toEqual(Object.keys(CHECKED_IN).sort());
    for (const [operation, file] of Object.entries(CHECKED_IN)) {
      const field = operation.includes(' ') ? operation.split(' ')[1] ?? operation : operation.split('.')[1] ?? operation;
      expect(readFileSync(new URL(file, import.meta.url), 'utf8'), `${operation} in ${file}`).toContain(field.replace(/:.*$/, ''));
    }
  });

  it('publishEvent: refuses another agency source, even replaying its event, and another agency type under an own source', async () => {
    expect(await codeOf(registry.key, PUBLISH, { e: eventOf(tax, 'steal-1') })).toBe('SOURCE_NOT_ALLOWED');
    // A replay of the tax office's own event: refused, not answered as a duplicate with the tax office's event id.
    const replay = await as(hub.url, registry.key, PUBLISH, { e: eventOf(tax, 'tax-1') });
    expect(replay.errors?.[0]?.extensions?.code).toBe('SOURCE_NOT_ALLOWED');
    expect(replay.data).toBeNull();
    expect(await codeOf(registry.key, PUBLISH, { e: eventOf(registry, 'borrowed-type-1', typeOf(tax.code)) })).toBe('UNKNOWN_EVENT_TYPE');
    expect(await storedTaxEvents(['steal-1'])).toEqual([]);
  });

  it('publishEvents: rejects each foreign event on its own and accepts the agency own ones in the same batch', async () => {
    const batch = await as<{ publishEvents: { id: string; status: string; error: { code: string } | null }[] }>(
      hub.url,
      registry.key,
      'mutation($es: [CloudEventInput!]!) { publishEvents(events: $es) { id status error { code } } }',
      { es: [eventOf(registry, 'own-1'), eventOf(tax, 'steal-2'), eventOf(registry, 'borrowed-type-2', typeOf(tax.code)), eventOf(tax, 'tax-1')] },
    );
    expect(batch.data?.publishEvents).toEqual([
      { id: 'own-1', status: 'accepted', error: null },
      { id: 'steal-2', status: 'rejected', error: { code: 'SOURCE_NOT_ALLOWED' } },
      { id: 'borrowed-type-2', status: 'rejected', error: { code: 'UNKNOWN_EVENT_TYPE' } },
      { id: 'tax-1', status: 'rejected', error: { code: 'SOURCE_NOT_ALLOWED' } },
    ]);
    expect(await storedTaxEvents(['steal-2'])).toEqual([]);
  });

  it('POST /v1/events: refuses a foreign source in binary mode (403 problem+json) and per event in batch mode', async () => {
    const binary = await fetch(`${hub.url}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${registry.key}`,
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'steal-3',
        'ce-source': tax.source,
        'ce-type': typeOf(tax.code),
        'ce-subject': NIK,
      },
      body: JSON.stringify({ amount: 1, dueDate: '2026-12-31' }),
    });
    expect(binary.status).toBe(403);
    expect(binary.headers.get('content-type')).toContain('application/problem+json');
    expect(await binary.json()).toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });

    const batch = await fetch(`${hub.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${registry.key}`, 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify([eventOf(registry, 'own-2'), eventOf(tax, 'steal-4'), eventOf(registry, 'borrowed-type-3', typeOf(tax.code))]),
    });
    expect(batch.status).toBe(200);
    const { results } = (await batch.json()) as { results: { id: string; status: string; error?: { code: string } }[] };
    expect(results.map((r) => [r.id, r.status, r.error?.code])).toEqual([
      ['own-2', 'accepted', undefined],
      ['steal-4', 'rejected', 'SOURCE_NOT_ALLOWED'],
      ['borrowed-type-3', 'rejected', 'UNKNOWN_EVENT_TYPE'],
    ]);
    expect(await storedTaxEvents(['steal-3', 'steal-4'])).toEqual([]);
  });

  it('event, notificationsTo and cancelEvent: another agency reads nothing and cancels nothing', async () => {
    expect((await as<{ event: unknown }>(hub.url, registry.key, EVENT, { s: tax.source, i: 'tax-1' })).data?.event).toBeNull();
    const HISTORY = 'query($s: String!) { notificationsTo(subject: $s) { eventId eventSource } }';
    const theirs = await as<{ notificationsTo: { eventId: string; eventSource: string }[] | null }>(hub.url, registry.key, HISTORY, { s: NIK });
    expect(theirs.data?.notificationsTo?.every((n) => n.eventSource === registry.source)).toBe(true);
    expect(theirs.data?.notificationsTo?.map((n) => n.eventId)).not.toContain('tax-1');
    const own = await as<{ notificationsTo: { eventId: string }[] | null }>(hub.url, tax.key, HISTORY, { s: NIK });
    expect(own.data?.notificationsTo?.map((n) => n.eventId)).toEqual(['tax-1']);
    expect(await codeOf(registry.key, 'mutation($s: String!, $i: String!) { cancelEvent(source: $s, id: $i) }', { s: tax.source, i: 'tax-1' })).toBe('UNKNOWN_EVENT');
    // The owner still reads its event, unchanged.
    const after = await as<{ event: { notifications: { state: string }[] } | null }>(hub.url, tax.key, EVENT, { s: tax.source, i: 'tax-1' });
    expect(after.data?.event?.notifications.map((n) => n.state)).toEqual(['delivered']);
  });

  it('eventTypes, registerEventType and saveTemplate: an agency lists, takes and templates only its own types', async () => {
    const types = await as<{ eventTypes: { type: string }[] }>(hub.url, registry.key, '{ eventTypes { type } }');
    expect(types.data?.eventTypes.map((t) => t.type)).toEqual([typeOf(registry.code)]);
    expect(
      await codeOf(registry.key, 'mutation($i: RegisterEventTypeInput!) { registerEventType(input: $i) { id } }', {
        i: { type: typeOf(tax.code), messageClass: 'reminder', dataSchema: { type: 'object' }, allowedChannels: ['inbox'] },
      }),
    ).toBe('EVENT_TYPE_TAKEN');
    expect(
      await codeOf(registry.key, 'mutation($i: SaveTemplateInput!) { saveTemplate(input: $i) { version } }', {
        i: { eventType: typeOf(tax.code), channel: 'inbox', locales: [{ locale: 'id', body: 'Diambil alih' }, { locale: 'en', body: 'Taken over' }] },
      }),
    ).toBe('EVENT_TYPE_UNKNOWN');
    const templates = await queryDatabase<{ n: number }>(hub.database.url, "select count(*)::int as n from template t join event_type e on e.id = t.event_type_id where e.type = $1 and t.body like '%Taken over%'", [typeOf(tax.code)]);
    expect(templates).toEqual([{ n: 0 }]);
  });

  it('deliveryStatus: each agency hears only its own notifications, as the statuses come back over Kafka', async () => {
    const client = createClient({ url: `${hub.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${registry.key}` } });
    const seen: string[] = [];
    const iterator = client.iterate<{ deliveryStatus: { source: string } }>({ query: 'subscription { deliveryStatus { source } }' });
    const collecting = (async () => {
      for await (const result of iterator) if (result.data) seen.push(result.data.deliveryStatus.source);
    })();
    // Both publish until the registry has heard of its own: the tax office's statuses flow meanwhile.
    for (let n = 0; !seen.includes(registry.source) && n < 60; n++) {
      await as(hub.url, tax.key, PUBLISH, { e: eventOf(tax, `live-tax-${String(n)}`) });
      await as(hub.url, registry.key, PUBLISH, { e: eventOf(registry, `live-registry-${String(n)}`) });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await client.dispose();
    await collecting.catch(() => undefined);
    expect(seen).toContain(registry.source);
    expect(seen.filter((source) => source !== registry.source)).toEqual([]);
  });

  it('agencyAuditLog and myDaysOff: an agency reads its own entries and days off, never the other agency ones', async () => {
    const set = await as(hub.url, tax.admin, 'mutation($d: [DayOffInput!]!) { setDaysOff(days: $d) { changed } }', { d: [{ agencyCode: tax.code, day: '2027-03-10', name: 'Hari Jadi Bapenda' }] });
    expect(set.errors).toBeUndefined();
    const DAYS = 'query($y: Int!) { myDaysOff(year: $y) { agencyCode day } }';
    const taxDays = await as<{ myDaysOff: { agencyCode: string | null; day: string }[] }>(hub.url, tax.key, DAYS, { y: 2027 });
    expect(taxDays.data?.myDaysOff).toContainEqual({ agencyCode: tax.code, day: '2027-03-10' });
    const registryDays = await as<{ myDaysOff: { agencyCode: string | null; day: string }[] }>(hub.url, registry.key, DAYS, { y: 2027 });
    expect(registryDays.data?.myDaysOff.filter((d) => d.agencyCode !== null && d.agencyCode !== registry.code)).toEqual([]);

    const LOG = '{ agencyAuditLog(first: 200) { action agencyCode } }';
    const taxLog = await as<{ agencyAuditLog: { action: string; agencyCode: string | null }[] }>(hub.url, tax.key, LOG);
    expect(taxLog.data?.agencyAuditLog.map((e) => e.action)).toEqual(expect.arrayContaining(['template.saved', 'event_type.registered', 'day_off.set']));
    const registryLog = await as<{ agencyAuditLog: { action: string; agencyCode: string | null }[] }>(hub.url, registry.key, LOG);
    expect(registryLog.data?.agencyAuditLog.map((e) => e.action)).toContain('event_type.registered');
    expect(registryLog.data?.agencyAuditLog.filter((e) => e.agencyCode !== registry.code)).toEqual([]);
  });
});
