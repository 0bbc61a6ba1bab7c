import { generateWebhookSecret, SILENT_LOGGER } from '@kabar/core';
import { type ChannelProvider, type OutboundMessage, secretPaths, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage, runConformance } from '@kabar/plugin-sdk/conformance';
import manifest, { type WebhookHttpConfig, type WebhookPayload } from '@kabar/plugin-webhook-http';
import { closedPort } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { selfSignedCertificate, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.fixture.js';

// Real: a TLS server on loopback with a certificate made for this run, verifying with the standardwebhooks library.
const secret = generateWebhookSecret();
const certificate = selfSignedCertificate();
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver(certificate, secret);
});

afterAll(async () => {
  await receiver.close();
});

const webhookMessage = (overrides: Partial<OutboundMessage> = {}): OutboundMessage =>
  anOutboundMessage({ channel: 'webhook', to: 'https://hooks.dukcapil.example.go.id/kabar', ...overrides });

runConformance({
  manifest,
  packageJson: new URL('../package.json', import.meta.url),
  config: () => ({ url: `${receiver.origin}/ok`, secret, ca: certificate.cert }),
  received: () => receiver.accepted(),
  message: { to: 'https://hooks.dukcapil.example.go.id/kabar' },
  invalidConfigs: [
    { url: 'ftp://files.example.org/in', secret },
    { url: 'https://hooks.example.org', secret: 'plain-password' },
    { url: 'https://hooks.example.org', secret, timeoutMs: 0 },
    { url: 'https://hooks.example.org', secret, ca: 'not a certificate' },
  ],
});

describe('webhook-http plugin', () => {
  const providers: ChannelProvider[] = [];
  async function providerFor(path: string, overrides: Partial<WebhookHttpConfig> = {}): Promise<ChannelProvider> {
    const raw = { url: `${receiver.origin}${path}`, secret, ca: certificate.cert, ...overrides };
    const provider = await manifest.create(validatePluginConfig(manifest, raw), { logger: SILENT_LOGGER });
    providers.push(provider);
    return provider;
  }

  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
  });

  it('POSTs the message as a Standard Webhooks JSON payload, with webhook-id = idempotency key', async () => {
    const message = webhookMessage({ html: '<p>Yth. Budi</p>', sender: 'DUKCAPIL' });
    const provider = await providerFor('/ok');
    await expect(provider.send([message])).resolves.toEqual([{ notificationId: message.notificationId, status: 'sent' }]);
    const request = receiver.requests.find((r) => r.headers['webhook-id'] === message.idempotencyKey);
    expect(request).toMatchObject({ method: 'POST', path: '/ok', verified: true });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('kabar-webhook-http/0.1.0');
    expect(Number(request?.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    const payload = JSON.parse(request?.body ?? '') as WebhookPayload;
    expect(payload).toEqual({ type: 'document.ready', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown, data: message });
  });

  it.each([
    ['/status/500', 'PROVIDER_ERROR', true],
    ['/status/503', 'PROVIDER_ERROR', true],
    ['/status/429', 'RATE_LIMITED', true],
    ['/status/408', 'TIMEOUT', true],
    ['/status/400', 'REJECTED', false],
    ['/status/404', 'REJECTED', false],
    ['/status/301', 'REJECTED', false],
    ['/status/401', 'UNAUTHORIZED', false],
  ])('maps an answer from %s to %s (retryable: %s)', async (path, code, retryable) => {
    const message = webhookMessage();
    const [outcome] = await (await providerFor(path)).send([message]);
    expect(outcome).toEqual({ notificationId: message.notificationId, status: 'failed', error: { code, retryable, message: expect.stringContaining(`HTTP ${path.slice(-3)} from 127.0.0.1:`) as unknown } });
    expect(receiver.requests.some((r) => r.headers['webhook-id'] === message.idempotencyKey && r.verified)).toBe(true);
  });

  it('passes Retry-After on in a rate-limit failure', async () => {
    const [outcome] = await (await providerFor('/status/429')).send([webhookMessage()]);
    expect(outcome?.status === 'failed' && outcome.error.message).toMatch(/\(Retry-After: 30\)$/);
  });

  it('keeps outcomes in batch order when messages fail differently', async () => {
    const ok = await providerFor('/ok');
    const batch = [webhookMessage(), webhookMessage(), webhookMessage()];
    const outcomes = await ok.send(batch);
    expect(outcomes.map((o) => o.notificationId)).toEqual(batch.map((m) => m.notificationId));
  });

  it('gives up on a receiver that never answers with a retryable TIMEOUT', async () => {
    const provider = await providerFor('/hang', { timeoutMs: 300 });
    const [outcome] = await provider.send([webhookMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', retryable: true, message: expect.stringContaining('no answer within 300 ms') as unknown } });
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('no answer within 300 ms') as unknown });
  });

  it('reports a refused connection as a retryable CONNECTION_FAILED, for each message and in check()', async () => {
    const port = await closedPort();
    const provider = await manifest.create(
      validatePluginConfig(manifest, { url: `https://127.0.0.1:${port}/ok`, secret, ca: certificate.cert }),
      { logger: SILENT_LOGGER },
    );
    providers.push(provider);
    const outcomes = await provider.send([webhookMessage(), webhookMessage()]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringContaining('ECONNREFUSED') as unknown } });
    }
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') as unknown });
  });

  it('does not trust the self-signed receiver without its CA, and says so', async () => {
    const provider = await manifest.create(validatePluginConfig(manifest, { url: `${receiver.origin}/ok`, secret }), { logger: SILENT_LOGGER });
    providers.push(provider);
    const before = receiver.requests.length;
    const [outcome] = await provider.send([webhookMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true } });
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringMatching(/certificate/i) as unknown });
    expect(receiver.requests).toHaveLength(before);
  });

  it('check() counts any HTTP answer as reachable', async () => {
    await expect((await providerFor('/status/405')).check()).resolves.toMatchObject({ ok: true, detail: expect.stringMatching(/^HTTP 405 from 127\.0\.0\.1:\d+ in \d+ ms$/) as unknown });
    expect(receiver.requests.at(-1)).toMatchObject({ method: 'HEAD', path: '/status/405' });
  });

  it('fills in the default timeout and marks the secret as the only secret', () => {
    expect(validatePluginConfig(manifest, { url: 'https://hooks.example.org/kabar', secret })).toEqual({ url: 'https://hooks.example.org/kabar', secret, timeoutMs: 10_000 });
    expect(secretPaths(manifest)).toEqual(['/secret']);
  });

  it('refuses a ca that is not a parseable certificate at create()', async () => {
    const ca = '-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n';
    const error = await Promise.resolve()
      .then(() => manifest.create(validatePluginConfig(manifest, { url: 'https://hooks.example.org', secret, ca }), { logger: SILENT_LOGGER }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', retryable: false });
  });

  it('sent every POST with a signature the standardwebhooks library accepted', () => {
    const posts = receiver.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(10);
    expect(posts.filter((r) => !r.verified)).toEqual([]);
  });
});
