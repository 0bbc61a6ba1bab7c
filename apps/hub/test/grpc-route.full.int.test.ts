import 'reflect-metadata';

import { generateWebhookSecret, SILENT_LOGGER } from '@kabar/core';
import { createHub } from '@kabar/hub';
import { migrate, openDatabase } from '@kabar/persistence';
import { aConfig, createTestDatabase, eventually, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type PluginHostProcess, startPluginHost } from '../../../plugins/grpc-host/test/plugin-host-process.fixture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../plugins/grpc-host/test/webhook-receiver.fixture.js';
import { as } from './support/agency-fixture.js';
import { policyAgency, registeredCitizen, registerType } from './support/policy-fixture.js';

/**
 * The hub routing a channel to a plugin in another process over proto/kabar/v1/plugin.proto: the example plugin host
 * runs the webhook-http plugin as a child process, the hub reaches it through the `grpc` plugin configured in
 * KABAR_PLUGINS, and the citizen's app (a real HTTP receiver) gets the signed message.
 */
describe('a channel routed to an out-of-process plugin over gRPC', () => {
  const services = inject('services');
  const secret = generateWebhookSecret();
  let receiver: WebhookReceiver;
  let host: PluginHostProcess;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(secret);
    host = startPluginHost({
      KABAR_PLUGIN_MODULE: '@kabar/plugin-webhook-http',
      KABAR_PLUGIN_CONFIG: JSON.stringify({ url: `${receiver.origin}/ok`, secret }),
      KABAR_PLUGIN_ADDRESS: '127.0.0.1:0',
    });
    const address = await host.listening;
    database = await createTestDatabase(services.databaseUrl);
    const orm = await openDatabase({ kind: 'postgres', url: database.url }, 10_000, SILENT_LOGGER);
    await migrate(orm);
    await orm.close();
    const plugins = { grpc: { address, channel: 'webhook', timeoutMs: 10_000 } };
    app = await createHub(aConfig().withKafka(services.kafkaBrokers).withPostgres(database.url).with({ plugins }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
    await host.kill9();
    await receiver.close();
  });

  it('delivers a citizen notification through the plugin process', async () => {
    const agency = await policyAgency(app, url, 'lapor-bdg', 'LAPOR! Kota Bandung');
    const type = await registerType(url, agency, 'ticket-update', { messageClass: 'transactional', channels: ['webhook', 'inbox'] });
    const nationalId = '3273010101900777';
    await registeredCitizen(app, { nationalId, contacts: [{ channel: 'webhook', value: 'https://app.example.go.id/citizen/777' }] });
    const published = await as<{ publishEvent: { status: string } }>(url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'grpc-1', source: agency.source, type, subject: nationalId, data: { note: 'laporan selesai' } },
    });
    expect(published.data?.publishEvent.status).toBe('accepted');
    const request = await eventually(() => Promise.resolve(receiver.requests.find((r) => r.method === 'POST' && r.path === '/ok')));
    expect(request.verified).toBe(true);
    const attempts = await eventually(async () => {
      const rows = await queryDatabase<{ plugin: string; state: string }>(
        database.url,
        "select d.plugin, n.state from delivery_attempt d join notification n on n.id = d.notification_id join event e on e.id = n.event_id where e.ce_id = 'grpc-1'",
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(attempts).toEqual([{ plugin: 'grpc', state: 'sent' }]);
  });
});
