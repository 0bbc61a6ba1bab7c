import 'reflect-metadata';

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

import { generateWebhookSecret } from '@kabar/core';
import { createHub } from '@kabar/hub';
import { aConfig, eventually } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aCitizen, type AgencyFixture, anAgency, as, TAX_SCHEMA, typeOf } from './support/agency-fixture.js';

const PUBLISH = 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }';

// Isolation on the remaining agency-scoped entry points, and delivery through the webhook-http plugin.
describe('agency contract extras (embedded)', () => {
  const secret = generateWebhookSecret();
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let receiver: Server;
  let app: INestApplication;
  let url: string;
  let a: AgencyFixture & { admin: string };
  let b: AgencyFixture;

  const eventOf = (agency: AgencyFixture, id: string, subject: string): Record<string, unknown> => ({
    specversion: '1.0',
    id,
    source: agency.source,
    type: typeOf(agency.code),
    subject,
    data: { amount: 1000, dueDate: '2026-12-31' },
  });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as { port: number };
    app = await createHub(aConfig().with({ plugins: { 'webhook-http': { url: `http://127.0.0.1:${port}/kabar`, secret } } }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    a = await anAgency(app, url, 'bapenda-bdg');
    b = await anAgency(app, url, 'disduk-bdg');
    await aCitizen(app, '3273010101900011', 'id', []);
  });

  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('refuses to register a type name another agency owns', async () => {
    const res = await as(url, b.key, 'mutation($i: RegisterEventTypeInput!) { registerEventType(input: $i) { id } }', {
      i: { type: typeOf(a.code), messageClass: 'reminder', dataSchema: TAX_SCHEMA, allowedChannels: ['inbox'] },
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('EVENT_TYPE_TAKEN');
  });

  it('refuses another agency source on POST /v1/events with 403 problem+json', async () => {
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.key}`, 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(eventOf(a, 'steal-http', '3273010101900011')),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
  });

  it('shows each agency only its own delivery statuses', async () => {
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${b.key}` } });
    const seen: string[] = [];
    const iterator = client.iterate<{ deliveryStatus: { source: string } }>({ query: 'subscription { deliveryStatus { source } }' });
    const collecting = (async () => {
      for await (const result of iterator) if (result.data) seen.push(result.data.deliveryStatus.source);
    })();
    for (let n = 0; !seen.includes(b.source) && n < 40; n++) {
      await as(url, a.key, PUBLISH, { e: eventOf(a, `iso-a-${n}`, '3273010101900011') });
      await as(url, b.key, PUBLISH, { e: eventOf(b, `iso-b-${n}`, '3273010101900011') });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.dispose();
    await collecting.catch(() => undefined);
    expect(seen).toContain(b.source);
    expect(seen.every((source) => source === b.source)).toBe(true);
  });

  it('delivers through webhook-http, signed per Standard Webhooks, keyed by the notification', async () => {
    await as(url, a.key, 'mutation($i: RegisterEventTypeInput!) { registerEventType(input: $i) { id } }', {
      i: { type: typeOf(a.code), messageClass: 'reminder', dataSchema: TAX_SCHEMA, allowedChannels: ['webhook', 'inbox'] },
    });
    await as(url, a.key, 'mutation($i: SaveTemplateInput!) { saveTemplate(input: $i) { version } }', {
      i: { eventType: typeOf(a.code), channel: 'webhook', locales: [{ locale: 'id', body: 'Pajak Rp{{amount}}' }, { locale: 'en', body: 'Tax IDR {{amount}}' }] },
    });
    await aCitizen(app, '3273010101900012', 'en', [{ channel: 'webhook', value: 'citizen-app-user-42' }]);
    await as(url, a.key, PUBLISH, { e: eventOf(a, 'hook-1', '3273010101900012') });
    const delivery = await eventually(() => Promise.resolve(received.find((r) => r.body.includes('Tax IDR 1000'))));
    const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(delivery.headers[h])]));
    expect(() => new Webhook(secret).verify(delivery.body, headers)).not.toThrow();
    const payload = JSON.parse(delivery.body) as { data: { to: string; notificationId: string; idempotencyKey: string } };
    expect(payload.data.to).toBe('citizen-app-user-42');
    expect(headers['webhook-id']).toBe(payload.data.notificationId);
  });
});
