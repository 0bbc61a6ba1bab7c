import { parseHttpRequest } from '@kabar/contracts';
import { TOPICS } from '@kabar/messaging';
import { eventually, queryDatabase } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type AgencyPrincipal, AuthService } from '../src/auth/index.js';
import { DispatchService } from '../src/delivery/dispatch.service.js';
import { IngestError } from '../src/ingest/ingest.errors.js';
import { type ParsedItem, PublishService } from '../src/ingest/publish.service.js';
import { aCitizen, type AgencyFixture, anAgency, typeOf } from './support/agency-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';

// Agencies mostly publish one event per request, and trickling traffic reaches dispatch a notification or two per
// Kafka partition: both are coalesced (requests that come together share one ingest; the partition batches of one
// fetch share one dispatch round), each answered as if it had come alone. On real PostgreSQL and Kafka; the hub runs
// in the api role, so no dispatch consumer races the rounds this file drives by hand.
describe('publish requests and dispatch batches coalesced on PostgreSQL and Kafka', () => {
  const services = inject('services');
  const NIKS = ['3273010101900031', '3273010101900032', '3273010101900033'];
  let hub: FullHub;
  let tax: AgencyFixture;
  let registry: AgencyFixture;

  const body = (agency: AgencyFixture, id: string, subject = NIKS[0]): Record<string, unknown> => ({
    specversion: '1.0',
    id,
    source: agency.source,
    type: typeOf(agency.code),
    subject,
    data: { amount: 250_000, dueDate: '2026-12-31' },
  });
  /** The items of a structured-mode request, parsed as the HTTP controller parses them. */
  const itemsOf = (event: Record<string, unknown>): ParsedItem[] =>
    parseHttpRequest({ 'content-type': 'application/cloudevents+json' }, Buffer.from(JSON.stringify(event))).results.map((r) =>
      r.ok ? { ok: true, event: r.event } : { ok: false, error: r.error, source: '', id: '' },
    );
  const principalOf = async (key: string): Promise<AgencyPrincipal> => {
    const principal = await hub.app.get(AuthService).authenticate(`Bearer ${key}`);
    if (principal.kind !== 'agency') throw new Error('not an agency key');
    return principal;
  };
  const post = (key: string, event: Record<string, unknown>): Promise<Response> =>
    fetch(`${hub.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) });

  beforeAll(async () => {
    hub = await startFullHub(services, (config) => config.with({ role: 'api' }));
    tax = await anAgency(hub.app, hub.url, 'bapenda-bdg');
    registry = await anAgency(hub.app, hub.url, 'disduk-bdg', { ratePerMinute: 2 });
    for (const nik of NIKS) await aCitizen(hub.app, nik, 'id', []);
  });

  afterAll(async () => {
    await hub.close();
  });

  it('ingests the requests of one moment together, each answered as if alone: replays, refusals, foreign sources', async () => {
    const publisher = hub.app.get(PublishService);
    const [taxAgency, registryAgency] = await Promise.all([principalOf(tax.key), principalOf(registry.key)]);
    // Submitted in one turn of the event loop, as requests read from several sockets in one poll are.
    const answers = await Promise.allSettled([
      publisher.publish(taxAgency, itemsOf(body(tax, 'c-1', NIKS[0])), 'http'),
      publisher.publish(taxAgency, itemsOf(body(tax, 'c-2', NIKS[1])), 'http'),
      publisher.publish(taxAgency, itemsOf(body(tax, 'c-1', NIKS[0])), 'http'), // the first one again: a replay
      publisher.publish(registryAgency, itemsOf(body(tax, 'stolen-1')), 'http'), // the tax office's source
      publisher.publish(registryAgency, itemsOf(body(registry, 'r-1', NIKS[2])), 'http'),
      publisher.publish(registryAgency, itemsOf(body(registry, 'r-2', NIKS[2])), 'graphql'), // its limit is 2 a minute
      publisher.publish(taxAgency, itemsOf({ ...body(tax, 'c-3'), specversion: '0.3' }), 'http'), // not CloudEvents 1.0
    ]);
    // Each request's one outcome, or what it was refused with.
    const [first, second, replay, stolen, own, limited, malformed] = answers.map((a): unknown => (a.status === 'fulfilled' ? a.value[0] : a.reason));
    expect(first).toMatchObject({ ok: true, id: 'c-1', duplicate: false, status: 'accepted' });
    expect(second).toMatchObject({ ok: true, id: 'c-2', duplicate: false, status: 'accepted' });
    expect(replay).toMatchObject({ ok: true, id: 'c-1', duplicate: true, eventId: (first as { eventId: string }).eventId });
    expect(stolen).toMatchObject({ ok: false, error: { code: 'SOURCE_NOT_ALLOWED' } });
    expect(own).toMatchObject({ ok: true, id: 'r-1', duplicate: false });
    // The registry's third event this minute (stolen-1, r-1, r-2) is past its limit of 2: refused whole, not stored.
    expect(limited).toBeInstanceOf(IngestError);
    expect(limited).toMatchObject({ code: 'RATE_LIMITED' });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_SPECVERSION' } });

    const stored = await queryDatabase<{ ce_id: string; created_at: Date }>(hub.database.url, 'select ce_id, created_at from event where ce_id = any($1::text[]) order by ce_id', [
      ['c-1', 'c-2', 'c-3', 'stolen-1', 'r-1', 'r-2'],
    ]);
    expect(stored.map((r) => r.ce_id)).toEqual(['c-1', 'c-2', 'r-1']);
    // One ingest wrote them: the events of one ingest carry the instant the hub received it.
    expect(new Set(stored.map((r) => r.created_at.getTime())).size).toBe(1);
  });

  it('ingests the others when the database refuses one request of a batch, which fails alone', async () => {
    // A fault the checks cannot foresee, from the real database: a trigger refusing one event id.
    await queryDatabase(
      hub.database.url,
      "create function refuse_poison() returns trigger language plpgsql as $$ begin if new.ce_id = 'poison' then raise exception 'refused for the test'; end if; return new; end $$",
    );
    await queryDatabase(hub.database.url, 'create trigger refuse_poison before insert on event for each row execute function refuse_poison()');
    try {
      const publisher = hub.app.get(PublishService);
      const taxAgency = await principalOf(tax.key);
      const answers = await Promise.allSettled(['p-1', 'poison', 'p-2'].map((id) => publisher.publish(taxAgency, itemsOf(body(tax, id, NIKS[1])), 'http')));
      expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const [first, poison, second] = answers;
      expect(first?.status === 'fulfilled' ? first.value : null).toMatchObject([{ ok: true, id: 'p-1', duplicate: false }]);
      expect(second?.status === 'fulfilled' ? second.value : null).toMatchObject([{ ok: true, id: 'p-2', duplicate: false }]);
      expect(String(poison?.status === 'rejected' ? poison.reason : '')).toContain('refused for the test');
      const stored = await queryDatabase<{ ce_id: string }>(hub.database.url, "select ce_id from event where ce_id in ('p-1', 'p-2', 'poison') order by ce_id");
      expect(stored.map((r) => r.ce_id)).toEqual(['p-1', 'p-2']);
    } finally {
      await queryDatabase(hub.database.url, 'drop trigger refuse_poison on event');
    }
  });

  it('answers concurrent single-event HTTP requests each on its own: accepted once each, past the limit 429', async () => {
    const answers = await Promise.all([
      ...['h-1', 'h-2', 'h-3', 'h-4'].map((id, i) => post(tax.key, body(tax, id, NIKS[i % NIKS.length]))),
      ...['h-5', 'h-6', 'h-7'].map((id) => post(registry.key, body(registry, id, NIKS[2]))),
    ]);
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, 4)).toEqual([202, 202, 202, 202]);
    // The registry spent its minute in the test above (its counts are per minute; a new minute may have begun since).
    for (const status of statuses.slice(4)) expect([202, 429]).toContain(status);
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as { eventId?: string; code?: string }[];
    expect(new Set(bodies.slice(0, 4).map((b) => b.eventId)).size).toBe(4);
    // Three more of the registry's: at least the third is past its 2 a minute, however the minutes fall.
    const refused = answers.flatMap((a, i) => (a.status === 429 ? [{ retryAfter: a.headers.get('retry-after'), code: bodies[i]?.code }] : []));
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const refusal of refused) expect(refusal).toEqual({ retryAfter: expect.stringMatching(/^\d+$/) as unknown, code: 'RATE_LIMITED' });
    const taxStored = await queryDatabase<{ n: number }>(hub.database.url, "select count(*)::int as n from event where ce_id in ('h-1', 'h-2', 'h-3', 'h-4')");
    expect(taxStored[0]?.n).toBe(4);
  });

  it('dispatches the small batches of one fetch (one per partition) in one round', async () => {
    const ids = await queryDatabase<{ id: string }>(
      hub.database.url,
      "select n.id from notification n join event e on e.id = n.event_id where e.ce_id in ('c-1', 'c-2', 'r-1') and n.state = 'accepted' order by e.ce_id",
    );
    expect(ids).toHaveLength(3);
    const dispatch = hub.app.get(DispatchService);
    // As the Kafka consumer hands them over: one batch per partition, side by side.
    await Promise.all(
      ids.map(({ id }, partition) =>
        dispatch.handle([{ topic: TOPICS.dispatch, partition, offset: '0', timestamp: Date.now(), key: null, value: Buffer.from(JSON.stringify({ notificationIds: [id] })), headers: {} }]),
      ),
    );
    const attempts = await eventually(async () => {
      const rows = await queryDatabase<{ created_at: Date; state: string }>(
        hub.database.url,
        'select a.created_at, n.state from delivery_attempt a join notification n on n.id = a.notification_id where n.id = any($1::uuid[])',
        [ids.map((r) => r.id)],
      );
      return rows.length === 3 ? rows : undefined;
    });
    expect(attempts.map((a) => a.state)).toEqual(['delivered', 'delivered', 'delivered']);
    // One round wrote the three attempts: they carry its transaction's instant.
    expect(new Set(attempts.map((a) => a.created_at.getTime())).size).toBe(1);
  });
});
