import 'reflect-metadata';

import { createRequire } from 'node:module';

import { AgencyService, createHub } from '@kabar/hub';
import { aConfig, eventually, graphql } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Nest loads graphql's CommonJS build; Vitest would give this file the ES build, a second graphql instance that
// refuses Nest's schema objects. Take the one Nest uses.
const { printSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

// The embedded default (in-memory PGlite + in-process bus), exactly as `npm start` wires it, minus the disk.
describe('hub on the embedded default', () => {
  let app: INestApplication;
  let url: string;
  let admin: { authorization: string };

  beforeAll(async () => {
    app = await createHub(aConfig().build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    url = url.replace('[::1]', '127.0.0.1');
    admin = { authorization: `Bearer ${await app.get(AgencyService).createAdmin('probe admin', { kind: 'system', id: 'test' })}` };
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers the health query with both dependencies up', async () => {
    const res = await graphql<{ health: { status: string; database: string; bus: string; mode: string; version: string } }>(
      url,
      '{ health { status database bus mode version } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.health).toEqual({ status: 'UP', database: 'UP', bus: 'UP', mode: 'embedded', version: '0.1.0' });
  });

  it('round-trips a probe through the database, the outbox, the bus and a consumer', async () => {
    const sent = await graphql<{ sendProbe: { id: string; receivedAt: string | null } }>(
      url,
      'mutation($note: String!) { sendProbe(input: { note: $note }) { id receivedAt } }',
      { note: 'embedded' },
      admin,
    );
    expect(sent.errors).toBeUndefined();
    const id = sent.data?.sendProbe.id ?? '';
    const received = await eventually(async () => {
      const res = await graphql<{ probe: { receivedAt: string | null; roundTripMs: number | null } }>(url, 'query($id: ID!) { probe(id: $id) { receivedAt roundTripMs } }', { id }, admin);
      return res.data?.probe.receivedAt === null ? undefined : res.data?.probe;
    });
    expect(received.roundTripMs).toBeGreaterThanOrEqual(0);
  });

  it('streams receipts to a graphql-ws subscriber', async () => {
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: admin });
    const subscription = client.iterate<{ probeReceived: { id: string; note: string } }>({
      query: 'subscription { probeReceived { id note } }',
    });
    const first = subscription.next();
    // The server registers the subscription asynchronously; keep sending probes until the first receipt arrives.
    const sent: string[] = [];
    let received: IteratorResult<{ data?: { probeReceived: { id: string; note: string } } | null }> | undefined;
    void first.then((r) => (received = r));
    while (received === undefined) {
      const res = await graphql<{ sendProbe: { id: string } }>(url, 'mutation { sendProbe(input: { note: "ws" }) { id } }', {}, admin);
      sent.push(res.data?.sendProbe.id ?? '');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await subscription.return?.();
    await client.dispose();
    const event = received.done === true ? undefined : received.value.data?.probeReceived;
    expect(event?.note).toBe('ws');
    expect(sent).toContain(event?.id);
  });

  it('rejects a probe note over 200 characters with a typed code', async () => {
    const res = await graphql(url, 'mutation($note: String!) { sendProbe(input: { note: $note }) { id } }', { note: 'x'.repeat(201) }, admin);
    expect(res.errors?.[0]?.extensions?.code).toBe('PROBE_NOTE_TOO_LONG');
  });

  it('keeps the probe to admins: it writes rows and publishes to the bus', async () => {
    const anonymous = await graphql(url, 'mutation { sendProbe(input: { note: "anyone" }) { id } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const reading = await graphql(url, '{ probe(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(reading.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers an unknown probe id and a malformed one with their own codes', async () => {
    const missing = await graphql(url, '{ probe(id: "00000000-0000-4000-8000-000000000000") { id } }', {}, admin);
    expect(missing.errors?.[0]?.extensions?.code).toBe('PROBE_NOT_FOUND');
    const malformed = await graphql(url, '{ probe(id: "not-a-uuid") { id } }', {}, admin);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('PROBE_INVALID_ID');
  });

  it('answers a syntax error with a GraphQL error, not a 500', async () => {
    const res = await graphql(url, '{ health { status ');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers a variable of the wrong type with BAD_USER_INPUT and 400', async () => {
    const res = await graphql(url, 'query($id: ID!) { probe(id: $id) { id } }', { id: { not: 'an id' } }, admin);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers an unknown field with a validation error', async () => {
    const res = await graphql(url, '{ health { nope } }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it.each([
    ['too deep', `{ __schema { types { fields { type { ${'ofType { '.repeat(8)}name${' }'.repeat(13)}`, 'QUERY_TOO_DEEP'],
    ['too complex', `{ ${Array.from({ length: 600 }, (_, i) => `a${i}: health { status }`).join(' ')} }`, 'QUERY_TOO_COMPLEX'],
    ['too large', `{ health { status } } # ${'x'.repeat(25_000)}`, 'QUERY_TOO_LARGE'],
  ])('refuses a query that is %s before running it', async (_name, query, code) => {
    const res = await graphql(url, query);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
  });

  it('refuses U+0000 and half a character (an unpaired surrogate) with MALFORMED_TEXT, where the database refused them with a 500, and takes whole characters', async () => {
    const probe = 'mutation($note: String!) { sendProbe(input: { note: $note }) { id } }';
    const variable = await graphql(url, probe, { note: 'Lampu \ud83d mati' }, admin);
    expect(variable.status).toBe(400);
    expect(variable.errors?.[0], JSON.stringify(variable.errors)).toMatchObject({ extensions: { code: 'MALFORMED_TEXT' } });
    expect(variable.errors?.[0]?.message).toBe('variables.note holds half a character (an unpaired surrogate, U+D83D), which cannot be stored');
    const nul = await graphql(url, probe, { note: 'a\u0000b' }, admin);
    expect(nul.errors?.[0]).toMatchObject({ message: 'variables.note holds the character U+0000 (NUL), which cannot be stored', extensions: { code: 'MALFORMED_TEXT' } });
    // In a key of a JSON input; in the query text itself graphql-js refuses it as it parses.
    const key = await graphql(url, probe, { note: 'ok', ['\udc4d']: 1 }, admin);
    expect(key.errors?.[0]?.message).toContain('variables holds half a character');
    const literal = await graphql(url, 'mutation { sendProbe(input: { note: "Lampu \\ud83d mati" }) { id } }', {}, admin);
    expect(literal.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const nulLiteral = await graphql(url, 'mutation { sendProbe(input: { note: "a\\u0000b" }) { id } }', {}, admin);
    expect(nulLiteral.errors?.[0]).toMatchObject({ message: 'a string in the query holds the character U+0000 (NUL), which cannot be stored', extensions: { code: 'MALFORMED_TEXT' } });
    const whole = await graphql<{ sendProbe: { id: string } }>(url, probe, { note: 'Lampu \u{1F4A1} mati' }, admin);
    expect(whole.errors).toBeUndefined();
    expect(whole.data?.sendProbe.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a DateTime that is not an RFC 3339 date-time with BAD_USER_INPUT, in variables and literals, where an Invalid Date was a 500', async () => {
    const byAgency = 'query($from: DateTime) { complaintPerformanceByAgency(from: $from) { agencyCode } }';
    for (const from of [[], {}, 'soon', 1_700_000_000_000, '2026-02-30T00:00:00Z', '2026-11-01']) {
      const res = await graphql(url, byAgency, { from }, admin);
      expect(res.errors?.[0], JSON.stringify(from)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(res.errors?.[0]?.message).toContain('RFC 3339');
    }
    const literal = await graphql(url, '{ complaintPerformanceByAgency(from: "yesterday") { agencyCode } }', {}, admin);
    expect(literal.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const fine = await graphql<{ complaintPerformanceByAgency: unknown[] }>(url, byAgency, { from: '2026-11-01T07:00:00+07:00' }, admin);
    expect(fine.errors).toBeUndefined();
    expect(Array.isArray(fine.data?.complaintPerformanceByAgency)).toBe(true);
  });

  it('answers a body that is not JSON with a GraphQL-shaped 400', async () => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('answers an oversized body with 413', async () => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ health { status } } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(res.status).toBe(413);
  });

  it('serves the GraphQL IDE at GET /graphql with every asset from this server', async () => {
    const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(5);
    for (const asset of assets) {
      expect(asset.startsWith('/graphiql/'), `${asset} must be served locally`).toBe(true);
      const res = await fetch(`${url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
  });

  it('still answers GET /graphql with a query parameter as GraphQL', async () => {
    const res = await fetch(`${url}/graphql?query=${encodeURIComponent('{ health { status } }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await res.json()).toEqual({ data: { health: { status: 'UP' } } });
  });

  it('serves liveness, readiness and Prometheus metrics', async () => {
    expect(await (await fetch(`${url}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ok');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('kabar_http_request_duration_seconds_bucket');
    expect(metrics).toContain('kabar_process_cpu_seconds_total');
  });

  it('keeps the committed schema snapshot in step with the code', async () => {
    const schema = printSchema(app.get(GraphQLSchemaHost).schema);
    await expect(schema).toMatchFileSnapshot('../schema.graphql');
  });
});
