import { type Logger, SILENT_LOGGER } from '@kabar/core';
import {
  type Channel,
  type ChannelPluginServer,
  type ChannelProvider,
  describeRemotePlugin,
  failedOutcome,
  GrpcChannelProvider,
  grpcPluginManifest,
  type OutboundMessage,
  PLUGIN_ERROR_RETRYABLE,
  PluginConfigError,
  PluginError,
  PluginErrorCode,
  type PluginManifest,
  type ProviderCheck,
  type ProviderMedia,
  type SendOutcome,
  sentOutcome,
  serveChannelPlugin,
  validatePluginConfig,
} from '@kabar/plugin-sdk';
import { anOutboundMessage } from '@kabar/plugin-sdk/conformance';
import { closedPort, selfSignedCertificate } from '@kabar/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// Real: grpc-js servers and clients over loopback TCP (and TLS with a certificate made for this run). The plugin behind
// the server is a scripted in-process provider, so each test decides what the "provider" answers.

class ScriptedProvider implements ChannelProvider {
  readonly batches: OutboundMessage[][] = [];
  closeCalls = 0;
  answer: (batch: readonly OutboundMessage[]) => Promise<SendOutcome[]> = (batch) => Promise.resolve(batch.map((m) => sentOutcome(m, `smsc-${m.notificationId.slice(0, 8)}`)));
  checkResult: () => Promise<ProviderCheck> = () => Promise.resolve({ ok: true, detail: 'SMSC bound in 4 ms' });
  /** Set by a test to serve files; unset, the provider fetches none. */
  fetchMedia?: (mediaId: string) => Promise<ProviderMedia>;

  send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    this.batches.push([...batch]);
    return this.answer(batch);
  }

  check(): Promise<ProviderCheck> {
    return this.checkResult();
  }

  close(): Promise<void> {
    this.closeCalls += 1;
    return Promise.resolve();
  }
}

interface FixtureConfig {
  readonly region: string;
  readonly apiKey: string;
}

function fixtureManifest(provider: ScriptedProvider, created: FixtureConfig[] = []): PluginManifest<FixtureConfig> {
  return {
    id: 'sms-fixture',
    channel: 'sms',
    version: '1.2.3',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['region', 'apiKey'],
      properties: { region: { type: 'string', enum: ['id', 'sg'] }, apiKey: { type: 'string', 'x-kabar-secret': true } },
    },
    create: (config) => {
      created.push(config);
      return provider;
    },
  };
}

/** Everything a logger was given, as one string, to check that no personal data reached it. */
function recordingLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const record = (fields: Readonly<Record<string, unknown>>, message: string): void => {
    lines.push(JSON.stringify({ ...fields, message }));
  };
  return { logger: { debug: record, info: record, warn: record, error: record }, text: () => lines.join('\n') };
}


const smsMessage = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => anOutboundMessage({ channel: 'sms', ...overrides });

async function rejectionOf(promise: Promise<unknown>): Promise<PluginError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginError);
  return error as PluginError;
}

describe('a plugin served over gRPC (serveChannelPlugin + GrpcChannelProvider)', () => {
  const scripted = new ScriptedProvider();
  const created: FixtureConfig[] = [];
  const logs = recordingLogger();
  let server: ChannelPluginServer;
  let address: string;
  const clients: ChannelProvider[] = [];
  const client = (channel: Channel = 'sms', timeoutMs = 10_000): GrpcChannelProvider => {
    const provider = new GrpcChannelProvider({ address, channel, timeoutMs });
    clients.push(provider);
    return provider;
  };

  beforeAll(async () => {
    server = await serveChannelPlugin({
      manifest: fixtureManifest(scripted, created),
      config: { region: 'id', apiKey: 'k-secret-123' },
      context: { logger: logs.logger },
      address: '127.0.0.1:0',
    });
    address = `127.0.0.1:${server.port}`;
  });

  afterEach(() => {
    scripted.answer = (batch) => Promise.resolve(batch.map((m) => sentOutcome(m, `smsc-${m.notificationId.slice(0, 8)}`)));
    scripted.checkResult = () => Promise.resolve({ ok: true, detail: 'SMSC bound in 4 ms' });
    delete scripted.fetchMedia;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  it('created the provider once, from the validated configuration', () => {
    expect(created).toEqual([{ region: 'id', apiKey: 'k-secret-123' }]);
  });

  it('describes the hosted plugin: id, channel, version and config schema', async () => {
    await expect(describeRemotePlugin(address)).resolves.toEqual({
      id: 'sms-fixture',
      channel: 'sms',
      version: '1.2.3',
      configSchema: fixtureManifest(scripted).configSchema,
    });
  });

  it('delivers every field of every message to the plugin exactly, and the outcomes back in order', async () => {
    const full = smsMessage({ sender: 'DUKCAPIL', html: '<p>Yth. Budi</p>', metadata: { office: 'jakarta-selatan', queue: 'B-17' }, replyOptions: [{ id: 'ya', title: 'Ya 👍' }, { id: 'tidak', title: 'Tidak' }] });
    const bare: OutboundMessage = {
      notificationId: 'n-bare',
      idempotencyKey: 'n-bare:2',
      channel: 'sms',
      to: '+6281100000000',
      locale: 'jv-ID',
      body: 'Sugeng enjing 🌅 — tagihan PBB sampun lunas.',
      agencyCode: 'BAPENDA',
      eventType: 'tax.paid',
      eventId: 'e-1',
      metadata: {},
    };
    const batch = [full, bare];
    const before = scripted.batches.length;
    const outcomes = await client().send(batch);
    expect(scripted.batches.slice(before)).toHaveLength(1);
    // toStrictEqual: an absent optional field stays absent, it does not come back as `undefined` or ''.
    expect(scripted.batches.at(-1)).toStrictEqual(batch);
    expect(outcomes).toStrictEqual(batch.map((m) => ({ notificationId: m.notificationId, status: 'sent', providerMessageId: `smsc-${m.notificationId.slice(0, 8)}` })));
  });

  it('returns a sent outcome without a provider id when the plugin gave none', async () => {
    scripted.answer = (batch) => Promise.resolve(batch.map((m) => sentOutcome(m)));
    const message = smsMessage();
    await expect(client().send([message])).resolves.toStrictEqual([{ notificationId: message.notificationId, status: 'sent' }]);
  });

  it.each(Object.values(PluginErrorCode))('carries a message that failed on its own with %s, next to one that was sent', async (code) => {
    scripted.answer = ([first, second]) =>
      Promise.resolve([failedOutcome(first as OutboundMessage, new PluginError(code, 'SMSC said 0x0B')), sentOutcome(second as OutboundMessage)]);
    const batch = [smsMessage(), smsMessage()];
    await expect(client().send(batch)).resolves.toStrictEqual([
      { notificationId: batch[0]?.notificationId, status: 'failed', error: { code, retryable: PLUGIN_ERROR_RETRYABLE[code], message: 'SMSC said 0x0B' } },
      { notificationId: batch[1]?.notificationId, status: 'sent' },
    ]);
  });

  it.each(Object.values(PluginErrorCode))('rejects the whole batch with the %s the plugin rejected it with', async (code) => {
    scripted.answer = () => Promise.reject(new PluginError(code, 'bind refused by SMSC'));
    const error = await rejectionOf(client().send([smsMessage()]));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code, retryable: PLUGIN_ERROR_RETRYABLE[code] });
    expect(error.message).toContain('bind refused by SMSC');
  });

  it('turns a plugin bug (a rejection that is not a PluginError) into a retryable PROVIDER_ERROR without its text', async () => {
    scripted.answer = () => Promise.reject(new TypeError('cannot read properties of undefined (reading "+6281234567890")'));
    const error = await rejectionOf(client().send([smsMessage()]));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'PROVIDER_ERROR', retryable: true });
    expect(error.message).toContain('plugin sms-fixture failed unexpectedly');
    expect(error.message).not.toContain('+62');
  });

  it.each([
    ['a channel the plugin host does not know', { channel: 'fax' as Channel }, 'unknown channel'],
    ['no notification id', { notificationId: '' }, 'no notification_id'],
  ])('refuses a batch holding a message with %s as REJECTED, before the plugin sees it', async (_case, overrides, why) => {
    const before = scripted.batches.length;
    const error = await rejectionOf(client().send([smsMessage(), smsMessage(overrides)]));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'REJECTED', retryable: false });
    expect(error.message).toContain(why);
    expect(scripted.batches).toHaveLength(before);
  });

  it('sends an empty batch as no outcomes, without bothering the plugin', async () => {
    const before = scripted.batches.length;
    await expect(client().send([])).resolves.toEqual([]);
    expect(scripted.batches).toHaveLength(before);
  });

  it('check() shows which plugin answered and its own verdict', async () => {
    await expect(client().check()).resolves.toEqual({ ok: true, detail: `sms-fixture 1.2.3 at ${address}: SMSC bound in 4 ms` });
    scripted.checkResult = () => Promise.resolve({ ok: false, detail: 'bind refused: ESME_RBINDFAIL' });
    await expect(client().check()).resolves.toEqual({ ok: false, detail: `sms-fixture 1.2.3 at ${address}: bind refused: ESME_RBINDFAIL` });
  });

  it('check() still answers when a plugin breaks the contract and rejects', async () => {
    scripted.checkResult = () => Promise.reject(new Error('socket hang up'));
    await expect(client().check()).resolves.toEqual({ ok: false, detail: `sms-fixture 1.2.3 at ${address}: socket hang up` });
  });

  it('check() fails a route whose channel is not the one the remote plugin serves', async () => {
    await expect(client('email').check()).resolves.toEqual({ ok: false, detail: `sms-fixture 1.2.3 at ${address} serves sms, but this route is for email` });
  });

  it('close() is idempotent, and a closed provider refuses to send with a retryable error', async () => {
    const provider = client();
    await expect(provider.close()).resolves.toBeUndefined();
    await expect(provider.close()).resolves.toBeUndefined();
    const error = await rejectionOf(provider.send([smsMessage()]));
    expect(error.retryable).toBe(true);
  });

  it("fetches a file a citizen sent, byte for byte, beyond grpc-js's 4 MiB default; the plugin's refusal comes back as REJECTED", async () => {
    const photo = Buffer.alloc(5 * 1024 * 1024, 0xab);
    scripted.fetchMedia = (mediaId) => (mediaId === 'foto-1' ? Promise.resolve({ mimeType: 'image/jpeg', data: photo }) : Promise.reject(new PluginError(PluginErrorCode.Rejected, 'no such media')));
    const fetched = await client().fetchMedia('foto-1');
    expect(fetched.mimeType).toBe('image/jpeg');
    expect(fetched.data.equals(photo)).toBe(true);
    await expect(client().fetchMedia('foto-2')).rejects.toMatchObject({ code: PluginErrorCode.Rejected });
  });

  it('rejects a file request to a plugin that fetches none (UNIMPLEMENTED)', async () => {
    await expect(client().fetchMedia('foto-1')).rejects.toBeInstanceOf(PluginError);
  });

  it('logged counts and ids, never recipients, texts or the configuration', () => {
    const text = logs.text();
    expect(text).toContain('batch handled');
    for (const personal of ['+62', 'Yth.', 'Sugeng', 'Dokumen siap', 'k-secret-123']) expect(text, personal).not.toContain(personal);
  });
});

describe('serveChannelPlugin', () => {
  it('refuses an invalid configuration before creating the provider or listening, naming every problem', async () => {
    const created: FixtureConfig[] = [];
    const error = await serveChannelPlugin({
      manifest: fixtureManifest(new ScriptedProvider(), created),
      config: { region: 'mars' },
      context: { logger: SILENT_LOGGER },
      address: '127.0.0.1:0',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PluginConfigError);
    expect((error as PluginConfigError).problems.map((p) => p.path).sort()).toEqual(['/apiKey', '/region']);
    expect(created).toEqual([]);
  });

  it('close() lets the call in flight finish, then closes the provider once, however often it is called', async () => {
    const scripted = new ScriptedProvider();
    let release: () => void = () => undefined;
    scripted.answer = (batch) => new Promise((resolve) => (release = () => resolve(batch.map((m) => sentOutcome(m)))));
    const server = await serveChannelPlugin({ manifest: fixtureManifest(scripted), config: { region: 'sg', apiKey: 'k' }, context: { logger: SILENT_LOGGER }, address: '127.0.0.1:0' });
    const provider = new GrpcChannelProvider({ address: `127.0.0.1:${server.port}`, channel: 'sms', timeoutMs: 10_000 });
    const message = smsMessage();
    const sending = provider.send([message]);
    await expect.poll(() => scripted.batches.length).toBe(1);
    const closing = Promise.all([server.close(), server.close()]);
    release();
    await expect(sending).resolves.toEqual([{ notificationId: message.notificationId, status: 'sent' }]);
    await closing;
    expect(scripted.closeCalls).toBe(1);
    await provider.close();
  });
});

describe('GrpcChannelProvider transport failures', () => {
  it('reports a plugin process that is not running as a retryable CONNECTION_FAILED, and in check()', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const provider = new GrpcChannelProvider({ address, channel: 'sms', timeoutMs: 10_000 });
    const error = await rejectionOf(provider.send([smsMessage()]));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'CONNECTION_FAILED', retryable: true });
    expect(error.message).toContain(`Send to ${address} failed: UNAVAILABLE`);
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining(`Describe to ${address} failed: UNAVAILABLE`) as unknown });
    await expect(describeRemotePlugin(address).catch((e: unknown) => e)).resolves.toMatchObject({ code: 'CONNECTION_FAILED' });
    await provider.close();
  });
});

describe('over TLS', () => {
  const certificate = selfSignedCertificate();
  const scripted = new ScriptedProvider();
  let server: ChannelPluginServer;
  let address: string;

  beforeAll(async () => {
    server = await serveChannelPlugin({
      manifest: fixtureManifest(scripted),
      config: { region: 'id', apiKey: 'k' },
      context: { logger: SILENT_LOGGER },
      address: '127.0.0.1:0',
      tls: { certificate: certificate.cert, privateKey: certificate.key },
    });
    address = `127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server.close();
  });

  it('works when the route trusts the plugin\'s CA (the grpc manifest, as the hub uses it)', async () => {
    const provider = await grpcPluginManifest.create(
      validatePluginConfig(grpcPluginManifest, { address, channel: 'sms', caCertificate: certificate.cert }),
      { logger: SILENT_LOGGER },
    );
    const message = smsMessage();
    await expect(provider.send([message])).resolves.toMatchObject([{ notificationId: message.notificationId, status: 'sent' }]);
    await expect(provider.check()).resolves.toMatchObject({ ok: true });
    await provider.close();
  });

  it('sends nothing to a TLS plugin over plaintext, and says it could not connect', async () => {
    const provider = new GrpcChannelProvider({ address, channel: 'sms', timeoutMs: 10_000 });
    const before = scripted.batches.length;
    const error = await rejectionOf(provider.send([smsMessage()]));
    expect(error.retryable).toBe(true);
    await expect(provider.check()).resolves.toMatchObject({ ok: false });
    expect(scripted.batches).toHaveLength(before);
    await provider.close();
  });

  it('does not trust a plugin whose certificate another CA signed', async () => {
    const provider = new GrpcChannelProvider({ address, channel: 'sms', timeoutMs: 10_000, caCertificate: selfSignedCertificate().cert });
    const before = scripted.batches.length;
    const error = await rejectionOf(provider.send([smsMessage()]));
    expect({ code: error.code, retryable: error.retryable }).toEqual({ code: 'CONNECTION_FAILED', retryable: true });
    expect(scripted.batches).toHaveLength(before);
    await provider.close();
  });
});
