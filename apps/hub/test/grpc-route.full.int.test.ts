import 'reflect-metadata';

import { generateWebhookSecret, SecretBox } from '@kabar/core';
import { eventually, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type PluginHostProcess, startPluginHost } from '../../../plugins/grpc-host/test/plugin-host-process.fixture.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../../plugins/grpc-host/test/webhook-receiver.fixture.js';
import { PASSWORD, type SmscPeer, startSmscPeer, SYSTEM_ID } from '../../../plugins/sms-smpp/test/smsc-peer.fixture.js';
import { as } from './support/agency-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';
import { type PolicyAgency, policyAgency, registeredCitizen, registerType } from './support/policy-fixture.js';

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
  let hub: FullHub;
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
    const plugins = { grpc: { address, channel: 'webhook', timeoutMs: 10_000 } };
    hub = await startFullHub(services, (config) => config.with({ plugins }));
    ({ app, url, database } = hub);
  });

  afterAll(async () => {
    await hub.close();
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

/**
 * Receipts and replies over the same contract (the `Events` stream): the plugin host runs the sms-smpp plugin bound to
 * a real SMSC; the SMSC's delivery receipt travels plugin -> gRPC -> hub and turns the notification `delivered`, and a
 * citizen's SMS reply lands on kabar.inbound.v1, as when the plugin runs in process.
 */
describe('an SMS route to an out-of-process plugin: receipts and replies come back over gRPC', () => {
  const services = inject('services');
  let smsc: SmscPeer;
  let host: PluginHostProcess;
  let hub: FullHub;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let agency: PolicyAgency;
  let type: string;
  let namespace = '';

  const stateOf = async (ceId: string) =>
    (
      await queryDatabase<{ id: string; state: string; channel: string }>(
        database.url,
        'select n.id, n.state, n.channel from notification n join event e on e.id = n.event_id where e.ce_id = $1',
        [ceId],
      )
    )[0];
  const waitFor = (ceId: string, state: string) =>
    eventually(async () => {
      const n = await stateOf(ceId);
      return n?.state === state ? n : undefined;
    });

  beforeAll(async () => {
    smsc = await startSmscPeer();
    host = startPluginHost({
      KABAR_PLUGIN_MODULE: '@kabar/plugin-sms-smpp',
      KABAR_PLUGIN_CONFIG: JSON.stringify({ host: '127.0.0.1', port: smsc.port, systemId: SYSTEM_ID, password: PASSWORD, defaultSender: 'KABAR', responseTimeoutMs: 2_000 }),
      KABAR_PLUGIN_ADDRESS: '127.0.0.1:0',
    });
    const address = await host.listening;
    hub = await startFullHub(services, (config) => config.with({ plugins: { grpc: { address, channel: 'sms', timeoutMs: 10_000 } } }));
    ({ app, url, database } = hub);
    namespace = hub.config.kafka?.namespace ?? '';
    agency = await policyAgency(app, url, 'bapenda-bdg', 'Bapenda Kota Bandung');
    type = await registerType(url, agency, 'bill', { messageClass: 'transactional', channels: ['sms', 'inbox'] });
  });

  afterAll(async () => {
    await hub.close();
    await host.kill9();
    await smsc.close();
  });

  it('marks the SMS delivered when the SMSC’s delivery receipt comes back through the plugin process', async () => {
    const nationalId = '3273010101900778';
    await registeredCitizen(app, { nationalId, contacts: [{ channel: 'sms', value: '+6281234560201' }] });
    const published = await as<{ publishEvent: { status: string } }>(url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'grpc-dlr-1', source: agency.source, type, subject: nationalId, data: { note: 'PBB 2026' } },
    });
    expect(published.data?.publishEvent.status).toBe('accepted');
    const sent = await waitFor('grpc-dlr-1', 'sent');
    const [attempt] = await queryDatabase<{ plugin: string; provider_message_id: string }>(
      database.url,
      'select plugin, provider_message_id from delivery_attempt where notification_id = $1',
      [sent.id],
    );
    // The id the SMSC gave the submit_sm, as the plugin process reported it in its Send answer.
    expect(attempt).toEqual({ plugin: 'grpc', provider_message_id: smsc.submits.at(-1)?.messageId });

    await smsc.deliver({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234560201', esm_class: 0x04, data_coding: 0,
      short_message: `id:${attempt?.provider_message_id ?? ''} sub:001 dlvrd:001 submit date:2612011030 done date:2612011031 stat:DELIVRD err:000 text:x`,
    });
    expect(await waitFor('grpc-dlr-1', 'delivered')).toMatchObject({ id: sent.id, channel: 'sms' });
  });

  it('publishes a citizen’s SMS reply, received by the plugin process, on kabar.inbound.v1 with the sender sealed', async () => {
    const kafka = new Kafka({ brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `grpc-inbound-reader-${namespace}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${namespace}kabar.inbound.v1`, fromBeginning: true });
    const received: Record<string, unknown>[] = [];
    await consumer.run({ eachMessage: ({ message }) => Promise.resolve(void received.push(JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>)) });
    try {
      await smsc.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234560202', destination_addr: '1500123', esm_class: 0, data_coding: 0, short_message: 'SUDAH BAYAR' });
      const [reply] = await eventually(() => Promise.resolve(received.length > 0 ? received : undefined));
      const box = app.get(SecretBox);
      expect(reply).toMatchObject({ plugin: 'grpc', channel: 'sms', to: '1500123', text: 'SUDAH BAYAR', fromHash: box.lookupHash('+6281234560202') });
      expect(box.decrypt(String(reply?.fromSealed))).toBe('+6281234560202');
    } finally {
      await consumer.disconnect();
    }
  });
});
