import { generateWebhookSecret, SILENT_LOGGER } from '@kabar/core';
import { type ChannelProvider, describeRemotePlugin, type OutboundMessage, PluginError, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage, runConformance } from '@kabar/plugin-sdk/conformance';
import webhookHttpPlugin from '@kabar/plugin-webhook-http';
import { eventually } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The package's own default export (the `grpc` manifest); imported by path until `npm install` links the new package.
import grpcManifest from '../src/index.js';
import { type PluginHostProcess, startPluginHost } from './plugin-host-process.fixture.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.fixture.js';

// Real: the built plugin host as a child process (plugins/grpc-host/dist/main.js), hosting the real webhook-http
// plugin package, which POSTs signed requests to a real HTTP receiver on loopback; the hub's side is the `grpc`
// manifest over real gRPC. Nothing is mocked.

const secret = generateWebhookSecret();
const WEBHOOK_TO = 'https://hooks.dukcapil.example.go.id/kabar';
let receiver: WebhookReceiver;
let host: PluginHostProcess;
let address: string;

const hosts: PluginHostProcess[] = [];
function hostWebhookPlugin(path: string, listenOn = '127.0.0.1:0', extra: Record<string, string> = {}): PluginHostProcess {
  const started = startPluginHost({
    KABAR_PLUGIN_MODULE: '@kabar/plugin-webhook-http',
    KABAR_PLUGIN_CONFIG: JSON.stringify({ url: `${receiver.origin}${path}`, secret, timeoutMs: 60_000 }),
    KABAR_PLUGIN_ADDRESS: listenOn,
    ...extra,
  });
  hosts.push(started);
  return started;
}

const webhookMessage = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => anOutboundMessage({ channel: 'webhook', to: WEBHOOK_TO, ...overrides });

beforeAll(async () => {
  receiver = await startWebhookReceiver(secret);
  host = hostWebhookPlugin('/ok');
  address = await host.listening;
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.kill9()));
  await receiver.close();
});

runConformance({
  manifest: grpcManifest,
  packageJson: new URL('../package.json', import.meta.url),
  config: () => ({ address, channel: 'webhook' }),
  received: () => receiver.accepted(),
  message: { channel: 'webhook', to: WEBHOOK_TO },
  invalidConfigs: [
    { address: '127.0.0.1', channel: 'webhook' },
    { address: 'grpc://127.0.0.1:50051', channel: 'webhook' },
    { address: '127.0.0.1:50051', channel: 'fax' },
    { address: '127.0.0.1:50051', channel: 'webhook', timeoutMs: 0 },
    { address: '127.0.0.1:50051', channel: 'webhook', caCertificate: 'not a certificate' },
  ],
});

describe('the example out-of-process plugin (plugin host + webhook-http)', () => {
  const providers: ChannelProvider[] = [];
  async function route(at: string, timeoutMs?: number): Promise<ChannelProvider> {
    const raw = { address: at, channel: 'webhook', ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    const provider = await grpcManifest.create(validatePluginConfig(grpcManifest, raw), { logger: SILENT_LOGGER });
    providers.push(provider);
    return provider;
  }

  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
  });

  it('describes itself as the hosted plugin', async () => {
    await expect(describeRemotePlugin(address)).resolves.toEqual({
      id: 'webhook-http',
      channel: 'webhook',
      version: webhookHttpPlugin.version,
      configSchema: webhookHttpPlugin.configSchema,
    });
  });

  it('check() names the remote plugin and its own handshake with the receiver', async () => {
    await expect((await route(address)).check()).resolves.toEqual({
      ok: true,
      detail: expect.stringMatching(new RegExp(`^webhook-http 0\\.1\\.0 at ${address.replaceAll('.', '\\.')}: HTTP 204 from 127\\.0\\.0\\.1:\\d+ in \\d+ ms$`)) as unknown,
    });
  });

  it('loses nothing when the plugin process dies mid-batch: the batch fails retryably and its retry goes out', async () => {
    const dying = hostWebhookPlugin('/hang');
    const at = await dying.listening;
    const provider = await route(at, 120_000);
    const batch = [webhookMessage(), webhookMessage(), webhookMessage()];
    const keys = batch.map((m) => m.idempotencyKey).sort();

    // The outcome is caught at once: the rejection comes while the test is still killing the process.
    const failure = provider.send(batch).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Mid-batch: the plugin has POSTed all three and waits for the receiver, which never answers.
    await eventually(() => {
      const seen = receiver.requests.filter((r) => r.path === '/hang' && keys.includes(r.webhookId ?? '')).length;
      return Promise.resolve(seen === 3 ? true : undefined);
    });
    expect(await dying.kill9()).toBe('SIGKILL');

    await expect(failure).resolves.toBeInstanceOf(PluginError);
    await expect(failure).resolves.toMatchObject({ code: 'CONNECTION_FAILED', retryable: true });

    // The hub retries the same batch (same idempotency keys) once the plugin is back, at the same address.
    const restarted = hostWebhookPlugin('/ok', at);
    await restarted.listening;
    const outcomes = await eventually(() =>
      provider.send(batch).catch((error: unknown) => {
        if (error instanceof PluginError && error.retryable) return undefined;
        throw error;
      }),
    );
    expect(outcomes).toEqual(batch.map((m) => ({ notificationId: m.notificationId, status: 'sent' })));
    expect(receiver.accepted().filter((id) => keys.includes(id)).sort()).toEqual(keys);
  });

  it('logs JSON lines with counts and ids, never recipients, message texts or the shared secret', () => {
    const lines = host.stdout().trim().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    const entries = lines.map((line) => JSON.parse(line) as { service?: string; plugin?: string; msg?: string });
    expect(entries.every((e) => e.service === 'kabar-plugin-host')).toBe(true);
    expect(entries.map((e) => e.msg)).toContain('batch handled');
    for (const personal of [WEBHOOK_TO, '+62', 'Yth.', 'Budi', secret]) expect(host.stdout(), personal).not.toContain(personal);
  });

  it('stops cleanly on SIGTERM: exit 0, after saying so', async () => {
    const stopping = hostWebhookPlugin('/ok');
    await stopping.listening;
    expect(await stopping.stop()).toBe(0);
    expect(stopping.stdout()).toContain('"msg":"stopped"');
  });
});

describe('the plugin host refuses a bad configuration with exit code 2', () => {
  it.each([
    ['no plugin module', { KABAR_PLUGIN_CONFIG: '{}' }, 'KABAR_PLUGIN_MODULE'],
    ['a plugin module that is not installed', { KABAR_PLUGIN_MODULE: '@kabar/plugin-does-not-exist' }, 'cannot load it'],
    ['a module that is not a plugin', { KABAR_PLUGIN_MODULE: 'node:path' }, 'default export is a Kabar plugin manifest'],
    ['a configuration that is not JSON', { KABAR_PLUGIN_MODULE: '@kabar/plugin-webhook-http', KABAR_PLUGIN_CONFIG: "{url: 'x', secret: 'hunter2'}" }, 'KABAR_PLUGIN_CONFIG'],
    [
      'a configuration the plugin refuses',
      { KABAR_PLUGIN_MODULE: '@kabar/plugin-webhook-http', KABAR_PLUGIN_CONFIG: JSON.stringify({ url: 'https://hooks.example.org', secret: 'hunter2' }) },
      '/secret: must match pattern',
    ],
    ['an address without a port', { KABAR_PLUGIN_MODULE: '@kabar/plugin-webhook-http', KABAR_PLUGIN_ADDRESS: '127.0.0.1' }, 'KABAR_PLUGIN_ADDRESS'],
    ['an event buffer of no events', { KABAR_PLUGIN_MODULE: '@kabar/plugin-webhook-http', KABAR_PLUGIN_EVENT_BUFFER: '0' }, 'KABAR_PLUGIN_EVENT_BUFFER'],
    ['only half of the TLS files', { KABAR_PLUGIN_MODULE: '@kabar/plugin-webhook-http', KABAR_PLUGIN_TLS_CERT_FILE: '/etc/hostname' }, 'KABAR_PLUGIN_TLS_KEY_FILE'],
  ])('%s', async (_case, env, reason) => {
    const refused = startPluginHost(env);
    hosts.push(refused);
    expect(await refused.exited).toBe(2);
    expect(refused.stderr()).toContain(reason);
    // The configuration may hold secrets: it is never echoed.
    expect(refused.stderr()).not.toContain('hunter2');
  });
});
