import { create, fromJson, type MessageInitShape } from '@bufbuild/protobuf';
import { Client, credentials, type handleUnaryCall, Metadata, Server, ServerCredentials, type ServerWritableStream, status } from '@grpc/grpc-js';
import { pluginProto } from '@kabar/contracts';
import type { Logger } from '@kabar/core';
import {
  CHANNEL_PLUGIN_SERVICE,
  type ChannelPluginServer,
  type ChannelProvider,
  GrpcChannelProvider,
  grpcPluginManifest,
  type PluginContext,
  type PluginManifest,
  type ProviderInbound,
  type ProviderReceipt,
  sentOutcome,
  serveChannelPlugin,
  validatePluginConfig,
} from '@kabar/plugin-sdk';
import { anOutboundMessage } from '@kabar/plugin-sdk/conformance';
import { eventually } from '@kabar/testing';
import { afterEach, describe, expect, it } from 'vitest';

// Real: grpc-js servers and clients over loopback TCP; the plugin end is serveChannelPlugin, the hub end the `grpc`
// manifest (GrpcChannelProvider). The plugin behind the server is scripted: each test makes it report receipts and
// replies through the hooks the server lent it, as sms-smpp does when its SMSC sends a deliver_sm. Where a plugin in
// another language could misbehave, a hand-written grpc-js server plays it.

type Hooks = Required<Pick<PluginContext, 'onDeliveryReceipt' | 'onInbound'>>;

/** A plugin that sends everything and lets the test report events through the hooks it was created with. */
function eventfulPlugin(): { manifest: PluginManifest<Record<string, never>>; hooks: () => Hooks } {
  let hooks: Partial<Hooks> = {};
  const provider: ChannelProvider = {
    send: (batch) => Promise.resolve(batch.map((m) => sentOutcome(m, `tsel-${m.notificationId.slice(0, 6)}`))),
    check: () => Promise.resolve({ ok: true, detail: 'bound' }),
    close: () => Promise.resolve(),
  };
  const manifest: PluginManifest<Record<string, never>> = {
    id: 'sms-eventful',
    channel: 'sms',
    version: '0.0.1',
    configSchema: { type: 'object', additionalProperties: false },
    create: (_config, context) => {
      hooks = { onDeliveryReceipt: context.onDeliveryReceipt, onInbound: context.onInbound };
      return provider;
    },
  };
  return {
    manifest,
    hooks: () => {
      const { onDeliveryReceipt, onInbound } = hooks;
      if (onDeliveryReceipt === undefined || onInbound === undefined) throw new Error('the server did not lend the plugin its event hooks');
      return { onDeliveryReceipt, onInbound };
    },
  };
}

interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

function recordingLogger(): { logger: Logger; entries: LogEntry[]; text: () => string; count: (message: string) => number } {
  const entries: LogEntry[] = [];
  const at =
    (level: string) =>
    (fields: Readonly<Record<string, unknown>>, message: string): void =>
      void entries.push({ level, message, fields });
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    entries,
    text: () => JSON.stringify(entries),
    count: (message) => entries.filter((e) => e.message === message).length,
  };
}

/** The hub's side: what its context hooks received, through the `grpc` manifest as the hub creates it. */
interface Hub {
  readonly provider: ChannelProvider;
  readonly receipts: ProviderReceipt[];
  readonly inbound: ProviderInbound[];
  readonly log: ReturnType<typeof recordingLogger>;
}

const servers: ChannelPluginServer[] = [];
const rawServers: Server[] = [];
const hubs: Hub[] = [];

async function servePlugin(plugin = eventfulPlugin(), options: { address?: string; eventBufferSize?: number; shutdownGraceMs?: number } = {}) {
  const log = recordingLogger();
  const server = await serveChannelPlugin({
    manifest: plugin.manifest,
    config: {},
    context: { logger: log.logger },
    address: options.address ?? '127.0.0.1:0',
    ...(options.eventBufferSize === undefined ? {} : { eventBufferSize: options.eventBufferSize }),
    ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: options.shutdownGraceMs }),
  });
  servers.push(server);
  return { server, address: `127.0.0.1:${server.port}`, hooks: plugin.hooks, log, subscribed: () => log.count('hub subscribed to events') };
}

async function hubAt(address: string, hookFailure?: (event: ProviderReceipt | ProviderInbound) => void): Promise<Hub> {
  const receipts: ProviderReceipt[] = [];
  const inbound: ProviderInbound[] = [];
  const log = recordingLogger();
  const context: PluginContext = {
    logger: log.logger,
    onDeliveryReceipt: (receipt) => {
      hookFailure?.(receipt);
      receipts.push(receipt);
    },
    onInbound: (message) => {
      hookFailure?.(message);
      inbound.push(message);
    },
  };
  const provider = await grpcPluginManifest.create(validatePluginConfig(grpcPluginManifest, { address, channel: 'sms', timeoutMs: 5_000 }), context);
  const hub = { provider, receipts, inbound, log };
  hubs.push(hub);
  return hub;
}

const until = (condition: () => boolean): Promise<true> => eventually(() => Promise.resolve(condition() ? true : undefined), 20_000, 20);
const receipt = (n: number, overrides: Partial<ProviderReceipt> = {}): ProviderReceipt => ({ messageId: `tsel-${String(n).padStart(6, '0')}`, state: 'delivered', stat: 'DELIVRD', ...overrides });
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.provider.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const server of rawServers.splice(0)) server.forceShutdown();
});

describe('delivery receipts and replies from a plugin served over gRPC (AcknowledgedEvents)', () => {
  it('hands every receipt and reply to the hub’s hooks field by field, in the order the plugin reported them', async () => {
    const plugin = await servePlugin();
    const hub = await hubAt(plugin.address);
    await until(() => plugin.subscribed() === 1);
    const { onDeliveryReceipt, onInbound } = plugin.hooks();
    const receipts: ProviderReceipt[] = [
      receipt(1, { error: '000' }),
      receipt(2, { state: 'failed', stat: 'UNDELIV', error: '034' }),
      receipt(3, { state: 'expired', stat: 'EXPIRED' }),
      receipt(4, { state: 'rejected', stat: 'REJECTD', error: '' }),
    ];
    const replies: ProviderInbound[] = [
      { channel: 'sms', from: '+6281234567890', to: '1500123', text: 'Sudah saya bayar kemarin 🙏', providerMessageId: 'mo-1' },
      { channel: 'sms', from: '+6281234567891', to: 'BAPENDA BDG', text: '' },
      { channel: 'sms', from: '+6281234567892', to: '1500123', text: 'Ya', providerMessageId: 'mo-3', kind: 'button', payload: 'survey-q1-yes', replyTo: 'tsel-000001' },
      { channel: 'sms', from: '+6281234567893', to: '1500123', text: 'Jalan rusak', kind: 'image', media: { id: 'media-1', mimeType: 'image/jpeg' } },
      { channel: 'sms', from: '+6281234567894', to: '1500123', text: '', kind: 'document', media: { id: 'media-2' } },
    ];
    for (const r of receipts) await onDeliveryReceipt(r);
    for (const m of replies) await onInbound(m);

    await until(() => hub.receipts.length === 4 && hub.inbound.length === 5);
    // An empty error is "no error" on the wire (proto3 strings), as it is for a sent outcome's provider id.
    expect(hub.receipts).toEqual([receipts[0], receipts[1], receipts[2], { messageId: 'tsel-000004', state: 'rejected', stat: 'REJECTD' }]);
    expect(hub.inbound).toEqual(replies);
    // Neither end logs a citizen's number or words.
    for (const personal of ['6281234567890', 'bayar', 'BAPENDA']) {
      expect(plugin.log.text()).not.toContain(personal);
      expect(hub.log.text()).not.toContain(personal);
    }
  });

  it('keeps events while no hub is subscribed and hands them over, oldest first, when one subscribes; beyond the buffer the oldest are dropped and counted', async () => {
    const plugin = await servePlugin(eventfulPlugin(), { eventBufferSize: 3 });
    // No hub to record them yet: the hooks resolve later (the dropped ones at once), so they are not awaited here.
    const taken = [1, 2, 3, 4, 5].map((n) => Promise.resolve(plugin.hooks().onDeliveryReceipt(receipt(n))));
    expect(plugin.log.entries.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual(['no hub subscribed to events and the buffer is full: dropping the oldest events']);

    const hub = await hubAt(plugin.address);
    await until(() => hub.receipts.length === 3);
    expect(hub.receipts.map((r) => r.messageId)).toEqual(['tsel-000003', 'tsel-000004', 'tsel-000005']);
    expect(plugin.log.entries.find((e) => e.message === 'hub subscribed to events')?.fields).toMatchObject({ buffered: 3, dropped: 2 });
    expect(plugin.log.entries.filter((e) => e.level === 'warn').at(-1)).toMatchObject({ fields: { dropped: 2 }, message: expect.stringContaining('2 events were dropped') as unknown });
    await Promise.all(taken);

    // Once connected, nothing waits in the buffer.
    await plugin.hooks().onDeliveryReceipt(receipt(6));
    await until(() => hub.receipts.length === 4);
  });

  it('gives each event to exactly one of several subscribed hubs (replicas), in turn, and to the others when one leaves', async () => {
    const plugin = await servePlugin();
    const first = await hubAt(plugin.address);
    const second = await hubAt(plugin.address);
    await until(() => plugin.subscribed() === 2);
    for (let n = 1; n <= 10; n++) await plugin.hooks().onDeliveryReceipt(receipt(n));
    await until(() => first.receipts.length + second.receipts.length === 10);
    expect(first.receipts).toHaveLength(5);
    expect(second.receipts).toHaveLength(5);
    expect([...first.receipts, ...second.receipts].map((r) => r.messageId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => receipt(i + 1).messageId));

    await first.provider.close();
    await until(() => plugin.log.count('hub unsubscribed from events: hub left') === 1);
    for (let n = 11; n <= 14; n++) await plugin.hooks().onDeliveryReceipt(receipt(n));
    await until(() => second.receipts.length === 9);
    expect(first.receipts).toHaveLength(5);
  });

  it('re-opens the stream when the plugin process restarts, and a receipt reported afterwards still reaches the hub', async () => {
    const plugin = await servePlugin();
    const hub = await hubAt(plugin.address);
    await until(() => hub.log.count('events stream open: receipts and replies from the plugin are received') === 1);

    // The plugin stops (its streams end with status OK) and comes back a moment later at the same address.
    await plugin.server.close();
    await until(() => hub.log.count('events stream ended: re-opening it (is the plugin process restarting?)') === 1);
    await pause(600);
    const restarted = await servePlugin(eventfulPlugin(), { address: plugin.address });
    await until(() => restarted.subscribed() === 1);
    await restarted.hooks().onDeliveryReceipt(receipt(7, { state: 'failed', stat: 'UNDELIV', error: '034' }));

    await until(() => hub.receipts.length === 1);
    expect(hub.receipts).toEqual([receipt(7, { state: 'failed', stat: 'UNDELIV', error: '034' })]);
    expect(hub.log.count('events stream open: receipts and replies from the plugin are received')).toBe(2);
    // The attempts while it was down are debug lines, not one warning each.
    expect(hub.log.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
    await expect(hub.provider.send([anOutboundMessage({ channel: 'sms' })])).resolves.toMatchObject([{ status: 'sent' }]);
  });

  it('close() ends the stream for good: the plugin sees the hub leave, and events wait for the next hub instead', async () => {
    const plugin = await servePlugin();
    const leaving = await hubAt(plugin.address);
    await until(() => plugin.subscribed() === 1);
    await leaving.provider.close();
    await until(() => plugin.log.count('hub unsubscribed from events: hub left') === 1);
    // Longer than the first re-open delay: a hub that re-opened after close() would have subscribed by now.
    await pause(800);
    const taken = plugin.hooks().onDeliveryReceipt(receipt(1));
    expect(plugin.subscribed()).toBe(1);

    const next = await hubAt(plugin.address);
    await until(() => next.receipts.length === 1);
    await taken;
    expect(leaving.receipts).toEqual([]);
    expect(leaving.log.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
  });

  it('stops without waiting for subscribed hubs, and says how many events no hub took', async () => {
    const plugin = await servePlugin(eventfulPlugin(), { shutdownGraceMs: 60_000 });
    const hub = await hubAt(plugin.address);
    await until(() => plugin.subscribed() === 1);
    const startedAt = Date.now();
    const closing = plugin.server.close();
    await plugin.hooks().onDeliveryReceipt(receipt(1));
    await closing;
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(plugin.log.entries.at(-1)).toMatchObject({ level: 'warn', fields: { lost: 1 } });
    expect(hub.receipts).toEqual([]);
  });

  it('hands events on one at a time, in order, even when the hub’s hook is slower than the plugin', async () => {
    const plugin = await servePlugin();
    const slow: string[] = [];
    const hub = await hubAt(plugin.address);
    await until(() => plugin.subscribed() === 1);
    let running = 0;
    let overlapped = false;
    const slowHub = await grpcPluginManifest.create(validatePluginConfig(grpcPluginManifest, { address: plugin.address, channel: 'sms' }), {
      logger: hub.log.logger,
      onDeliveryReceipt: async (r) => {
        running += 1;
        overlapped ||= running > 1;
        await pause(1);
        slow.push(r.messageId);
        running -= 1;
      },
    });
    hubs.push({ ...hub, provider: slowHub });
    await until(() => plugin.subscribed() === 2);
    await hub.provider.close();
    await until(() => plugin.log.count('hub unsubscribed from events: hub left') === 1);

    const ids = Array.from({ length: 300 }, (_, i) => receipt(i + 1).messageId);
    for (const messageId of ids) await plugin.hooks().onDeliveryReceipt({ messageId, state: 'delivered', stat: 'DELIVRD' });
    await until(() => slow.length === ids.length);
    expect(slow).toEqual(ids);
    expect(overlapped).toBe(false);
  });

  it('logs a hook that throws by its type only, carries on with the next event, and gets the event again a second later', async () => {
    const plugin = await servePlugin();
    let refusals = 0;
    const hub = await hubAt(plugin.address, (event) => {
      // The hub's database is out of reach for the first try only.
      if ('from' in event && event.text === 'STOP' && refusals++ === 0) throw new Error(`cannot record the reply of ${event.from}`);
    });
    await until(() => plugin.subscribed() === 1);
    // Not awaited: the reply's hook resolves only once the hub recorded it, a second after the refusal.
    const replied = plugin.hooks().onInbound({ channel: 'sms', from: '+6281234567890', to: '1500123', text: 'STOP' });
    await plugin.hooks().onDeliveryReceipt(receipt(1));
    expect(hub.receipts).toHaveLength(1);
    expect(hub.inbound).toEqual([]);
    await replied;
    await until(() => hub.inbound.length === 1);
    expect(hub.inbound).toEqual([{ channel: 'sms', from: '+6281234567890', to: '1500123', text: 'STOP' }]);
    expect(refusals).toBe(2);
    expect(hub.log.entries.filter((e) => e.level === 'error')).toEqual([
      { level: 'error', message: 'an event from the plugin was not taken by the hub', fields: { plugin: 'grpc', address: plugin.address, kind: 'inbound', errorType: 'Error' } },
    ]);
    expect(hub.log.text()).not.toContain('6281234567890');
  });

  it('gives an event its hub never acknowledged to the next hub when that one goes away', async () => {
    const plugin = await servePlugin();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stuck: ProviderReceipt[] = [];
    const stuckHub = await grpcPluginManifest.create(validatePluginConfig(grpcPluginManifest, { address: plugin.address, channel: 'sms' }), {
      logger: recordingLogger().logger,
      // A hub that took the event and never finished with it (its process hangs, then is killed).
      onDeliveryReceipt: async (r) => {
        stuck.push(r);
        await gate;
      },
    });
    await until(() => plugin.subscribed() === 1);
    const taken = plugin.hooks().onDeliveryReceipt(receipt(1));
    let settled = false;
    void Promise.resolve(taken).then(() => (settled = true));
    await until(() => stuck.length === 1);
    await pause(100);
    expect(settled).toBe(false);

    const next = await hubAt(plugin.address);
    await until(() => plugin.subscribed() === 2);
    expect(next.receipts).toEqual([]);
    const closing = stuckHub.close();
    await until(() => next.receipts.length === 1);
    expect(next.receipts).toEqual([receipt(1)]);
    // The plugin's hook is done only now that a hub recorded it: an SMSC waiting for its answer would have waited.
    await taken;
    release();
    await closing;
  });

  it('serves Events to a hub built before acknowledgements, unacknowledged as before', async () => {
    const plugin = await servePlugin();
    const client = new Client(plugin.address, credentials.createInsecure());
    const method = CHANNEL_PLUGIN_SERVICE.events;
    const call = client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, create(pluginProto.EventsRequestSchema), new Metadata(), {});
    const received: pluginProto.EventsResponse[] = [];
    call.on('data', (event: pluginProto.EventsResponse) => void received.push(event));
    call.on('error', () => undefined);
    await until(() => plugin.subscribed() === 1);
    expect(plugin.log.entries.find((e) => e.message === 'hub subscribed to events')?.fields).toMatchObject({ acknowledged: false });
    await plugin.hooks().onDeliveryReceipt(receipt(1));
    await until(() => received.length === 1);
    expect(received[0]?.event).toMatchObject({ case: 'receipt', value: { messageId: 'tsel-000001', stat: 'DELIVRD' } });
    call.cancel();
    client.close();
  });

  it('refuses, in the plugin’s own log, an event the hub could not use', async () => {
    const plugin = await servePlugin();
    const hub = await hubAt(plugin.address);
    await until(() => plugin.subscribed() === 1);
    // What a plugin in plain JavaScript could pass.
    await plugin.hooks().onDeliveryReceipt({ messageId: 'tsel-1', state: 'enroute', stat: 'ENROUTE' } as unknown as ProviderReceipt);
    await plugin.hooks().onInbound({ channel: 'email', from: 'budi@example.go.id', to: 'kabar@example.go.id', text: 'halo' });
    await plugin.hooks().onDeliveryReceipt(receipt(2));
    await until(() => hub.receipts.length === 1);
    expect(plugin.log.entries.filter((e) => e.level === 'warn').map((e) => e.message)).toEqual([
      'event not passed to the hub: a delivery receipt with an unknown state (0)',
      'event not passed to the hub: an inbound message on email, from a plugin routed for sms',
    ]);
    expect(plugin.log.text()).not.toContain('budi');
    expect(hub.inbound).toEqual([]);
  });
});

describe('the hub’s end of Events against a plugin in another language', () => {
  async function rawPlugin(events?: (call: ServerWritableStream<pluginProto.EventsRequest, pluginProto.EventsResponse>) => void): Promise<string> {
    const server = new Server();
    const send: handleUnaryCall<pluginProto.SendRequest, pluginProto.SendResponse> = (call, callback) =>
      callback(null, create(pluginProto.SendResponseSchema, { outcomes: call.request.messages.map((m) => ({ notificationId: m.notificationId, result: { case: 'sent' as const, value: {} } })) }));
    server.addService(CHANNEL_PLUGIN_SERVICE, { send, ...(events === undefined ? {} : { events }) });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
    });
    rawServers.push(server);
    return `127.0.0.1:${port}`;
  }

  const event = (value: pluginProto.EventsResponse['event']): pluginProto.EventsResponse => create(pluginProto.EventsResponseSchema, { event: value });
  const wireReceipt = (init: MessageInitShape<typeof pluginProto.DeliveryReceiptSchema>): pluginProto.EventsResponse => event({ case: 'receipt', value: create(pluginProto.DeliveryReceiptSchema, init) });
  const wireInbound = (init: MessageInitShape<typeof pluginProto.InboundMessageSchema>): pluginProto.EventsResponse => event({ case: 'inbound', value: create(pluginProto.InboundMessageSchema, init) });
  const phone = '+6281234567890';
  const words = 'Mohon info tagihan PBB saya';

  it('ignores events it cannot use with a warning that names what is wrong, never their content, and keeps the stream open', async () => {
    const address = await rawPlugin((call) => {
      call.write(wireReceipt({ state: pluginProto.DeliveryState.DELIVERED, stat: 'DELIVRD' }));
      call.write(wireReceipt({ messageId: 'tsel-1', state: pluginProto.DeliveryState.UNSPECIFIED, stat: 'ENROUTE' }));
      // Values from a newer .proto, which this hub's enums do not have.
      call.write(event({ case: 'receipt', value: fromJson(pluginProto.DeliveryReceiptSchema, { messageId: 'tsel-2', state: 9, stat: 'ACCEPTD' }) }));
      call.write(event({ case: 'inbound', value: fromJson(pluginProto.InboundMessageSchema, { channel: 42, from: phone, to: '1500123', text: words }) }));
      call.write(wireInbound({ channel: pluginProto.Channel.WHATSAPP, from: phone, to: '1500123', text: words }));
      call.write(wireInbound({ channel: pluginProto.Channel.SMS, to: '1500123', text: words }));
      call.write(event({ case: undefined }));
      call.write(wireReceipt({ messageId: 'tsel-3', state: pluginProto.DeliveryState.DELIVERED, stat: 'DELIVRD', error: '000' }));
      call.write(wireInbound({ channel: pluginProto.Channel.SMS, from: phone, to: '1500123', text: words }));
    });
    const hub = await hubAt(address);
    await until(() => hub.inbound.length === 1);
    expect(hub.receipts).toEqual([{ messageId: 'tsel-3', state: 'delivered', stat: 'DELIVRD', error: '000' }]);
    expect(hub.inbound).toEqual([{ channel: 'sms', from: phone, to: '1500123', text: words }]);
    expect(hub.log.entries.filter((e) => e.level === 'warn').map((e) => e.fields.reason)).toEqual([
      'a delivery receipt without message_id',
      'a delivery receipt with an unknown state (0)',
      'a delivery receipt with an unknown state (9)',
      'an inbound message on an unknown channel (42)',
      'an inbound message on whatsapp, from a plugin routed for sms',
      'an inbound message without a sender (from)',
      'an event of no kind this hub knows (empty, or from a newer plugin)',
    ]);
    expect(hub.log.text()).not.toContain('6281234567890');
    expect(hub.log.text()).not.toContain('PBB');
    expect(hub.log.count('events stream open: receipts and replies from the plugin are received')).toBe(1);
  });

  it('re-opens a stream the plugin fails, with backoff', async () => {
    let calls = 0;
    const address = await rawPlugin((call) => {
      calls += 1;
      call.sendMetadata(new Metadata());
      if (calls < 3) {
        call.emit('error', { code: status.INTERNAL, details: 'plugin crashed' });
        return;
      }
      call.write(wireReceipt({ messageId: 'tsel-9', state: pluginProto.DeliveryState.DELIVERED, stat: 'DELIVRD' }));
    });
    const hub = await hubAt(address);
    await until(() => hub.receipts.length === 1);
    expect(calls).toBe(3);
    expect(hub.log.entries.filter((e) => e.level === 'warn').map((e) => [e.message, e.fields.code, e.fields.details])).toEqual([
      ['events stream ended: re-opening it (is the plugin process restarting?)', 'INTERNAL', 'plugin crashed'],
      ['events stream ended: re-opening it (is the plugin process restarting?)', 'INTERNAL', 'plugin crashed'],
    ]);
  });

  it('falls back to Events for a plugin without AcknowledgedEvents (every test of this block), and says nothing of it', async () => {
    const address = await rawPlugin((call) => call.write(wireReceipt({ messageId: 'tsel-7', state: pluginProto.DeliveryState.DELIVERED, stat: 'DELIVRD' })));
    const hub = await hubAt(address);
    await until(() => hub.receipts.length === 1);
    expect(hub.log.entries.find((e) => e.message === 'events stream open: receipts and replies from the plugin are received')?.fields).toMatchObject({ acknowledged: false });
    expect(hub.log.entries.filter((e) => e.level === 'warn' || e.level === 'error')).toEqual([]);
  });

  it('says once that a plugin without Events sends no receipts, and still sends through it', async () => {
    const address = await rawPlugin();
    const hub = await hubAt(address);
    await until(() => hub.log.entries.some((e) => e.level === 'warn'));
    expect(hub.log.entries.filter((e) => e.level === 'warn')).toEqual([
      {
        level: 'warn',
        message: 'the plugin does not serve Events: its receipts and replies are not received (asking again every 60000 ms)',
        fields: expect.objectContaining({ plugin: 'grpc', address, code: 'UNIMPLEMENTED' }) as unknown,
      },
    ]);
    expect(hub.log.count('events stream open: receipts and replies from the plugin are received')).toBe(0);
    await expect(hub.provider.send([anOutboundMessage({ channel: 'sms' })])).resolves.toMatchObject([{ status: 'sent' }]);
  });

  it('does not subscribe when the hub lends no hooks', async () => {
    let calls = 0;
    const address = await rawPlugin(() => void (calls += 1));
    const provider = new GrpcChannelProvider({ address, channel: 'sms', timeoutMs: 5_000 });
    await expect(provider.send([anOutboundMessage({ channel: 'sms' })])).resolves.toMatchObject([{ status: 'sent' }]);
    await provider.close();
    expect(calls).toBe(0);
  });
});
