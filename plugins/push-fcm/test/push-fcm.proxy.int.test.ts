import { generateKeyPairSync } from 'node:crypto';

import { SILENT_LOGGER } from '@kabar/core';
import manifest, { type PushFcmConfig } from '@kabar/plugin-push-fcm';
import { type ChannelProvider, type OutboundMessage, PluginConfigError, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage, runConformance } from '@kabar/plugin-sdk/conformance';
import { closedPort } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aPushFcmConfig, type ConnectProxy, type ConnectProxyOptions, startConnectProxy } from './connect-proxy.fixture.js';
import { aDeviceToken, FCM_HOST, type FcmPeer, googleCertificate, OAUTH_HOST, PEER_ACCESS_TOKEN, PEER_PROJECT_ID, startFcmPeer } from './fcm-server.fixture.js';

// Real: the plugin as the hub makes it (validatePluginConfig, then the manifest's create: no seam), firebase-admin, an
// HTTP CONNECT proxy on loopback, and TLS inside its tunnels to the FCM-shaped peer, whose self-signed certificate for
// fcm.googleapis.com is trusted only because `caCertificates` holds it. The proxy tunnels every CONNECT to the peer.
const CLIENT_EMAIL = 'kabar-push@kabar-test-project.iam.gserviceaccount.com';
const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const CREDENTIALS = { username: 'kabar-egress', password: 'Rahasia: 2025!' };
const KEY_STUB = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
let peer: FcmPeer;
let proxy: ConnectProxy;
const proxies: ConnectProxy[] = [];

beforeAll(async () => {
  peer = await startFcmPeer({ serviceAccount: { clientEmail: CLIENT_EMAIL, publicKey: serviceAccountKey.publicKey } });
  proxy = await startConnectProxy({ targetPort: peer.port });
});

afterAll(async () => {
  await Promise.all([...proxies, proxy].map((p) => p.close()));
  await peer.close();
});

async function anotherProxy(options: Omit<ConnectProxyOptions, 'targetPort'>): Promise<ConnectProxy> {
  const started = await startConnectProxy({ targetPort: peer.port, ...options });
  proxies.push(started);
  return started;
}

const pushMessage = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => anOutboundMessage({ channel: 'push', to: aDeviceToken(), ...overrides });

runConformance<PushFcmConfig>({
  // The manifest as it is: this is the hub's way to the peer.
  manifest,
  packageJson: new URL('../package.json', import.meta.url),
  config: () => aPushFcmConfig(peer, proxy),
  received: () => peer.delivered(),
  identifyBy: 'notificationId',
  message: { to: aDeviceToken() },
  invalidConfigs: [
    { projectId: 'Kabar_Project', accessToken: PEER_ACCESS_TOKEN },
    { projectId: PEER_PROJECT_ID },
    { projectId: PEER_PROJECT_ID, accessToken: PEER_ACCESS_TOKEN, serviceAccount: { clientEmail: CLIENT_EMAIL, privateKey: KEY_STUB } },
    { projectId: PEER_PROJECT_ID, serviceAccount: { clientEmail: 'kabar@gmail.com', privateKey: KEY_STUB } },
    { projectId: PEER_PROJECT_ID, serviceAccount: { clientEmail: CLIENT_EMAIL } },
    { projectId: PEER_PROJECT_ID, accessToken: 'two words' },
    { projectId: PEER_PROJECT_ID, accessToken: PEER_ACCESS_TOKEN, timeoutMs: 50 },
    { projectId: PEER_PROJECT_ID, accessToken: PEER_ACCESS_TOKEN, endpoint: 'https://fcm.example.org' },
    { projectId: PEER_PROJECT_ID, accessToken: PEER_ACCESS_TOKEN, proxy: { url: 'http://kabar-egress:secret@proxy.kemkes.go.id:3128' } },
    { projectId: PEER_PROJECT_ID, accessToken: PEER_ACCESS_TOKEN, proxy: { url: 'http://proxy.kemkes.go.id:3128', username: 'kabar-egress' } },
    { projectId: PEER_PROJECT_ID, accessToken: PEER_ACCESS_TOKEN, caCertificates: 'MIIBszCCAVmgAwIBAgIU' },
  ],
});

describe('push-fcm through an HTTP CONNECT egress proxy, configured as the hub does', () => {
  const providers: ChannelProvider[] = [];
  async function providerWith(raw: Record<string, unknown>): Promise<ChannelProvider> {
    const provider = await manifest.create(validatePluginConfig(manifest, raw), { logger: SILENT_LOGGER });
    providers.push(provider);
    return provider;
  }

  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
  });

  it("asks the proxy for fcm.googleapis.com:443 and speaks TLS to Google's name inside the tunnel, kept alive for the next batch", async () => {
    const provider = await providerWith(aPushFcmConfig(peer, proxy));
    const [connectsBefore, sendsBefore] = [proxy.connects.length, peer.sends().length];
    const [first, second] = [pushMessage(), pushMessage()];
    await expect(provider.send([first])).resolves.toMatchObject([{ status: 'sent' }]);
    await expect(provider.send([second])).resolves.toMatchObject([{ status: 'sent' }]);
    // One tunnel for both batches, and no credentials offered to a proxy that asked for none.
    expect(proxy.connects.slice(connectsBefore)).toEqual([{ authority: `${FCM_HOST}:443`, status: 200 }]);
    expect(peer.servernames.at(-1)).toBe(FCM_HOST);
    expect(peer.sends().slice(sendsBefore).map((r) => [r.host, r.headers.authorization])).toEqual([
      [FCM_HOST, `Bearer ${PEER_ACCESS_TOKEN}`],
      [FCM_HOST, `Bearer ${PEER_ACCESS_TOKEN}`],
    ]);
    expect(peer.delivered()).toEqual(expect.arrayContaining([first.notificationId, second.notificationId]));
  });

  it("tunnels a service account's token exchange too, to oauth2.googleapis.com:443", async () => {
    const own = await anotherProxy({});
    const provider = await providerWith(aPushFcmConfig(peer, own, { accessToken: undefined, serviceAccount: { clientEmail: CLIENT_EMAIL, privateKey: serviceAccountKey.privateKey } }));
    await expect(provider.send([pushMessage()])).resolves.toMatchObject([{ status: 'sent' }]);
    expect(own.connects.map((c) => c.authority)).toEqual([`${OAUTH_HOST}:443`, `${FCM_HOST}:443`]);
    expect(peer.sends().at(-1)?.headers.authorization).toBe(`Bearer ${peer.issued.at(-1) ?? '(none issued)'}`);
  });

  it('gives a proxy that demands credentials the configured ones, as Basic Proxy-Authorization', async () => {
    const guarded = await anotherProxy({ credentials: CREDENTIALS });
    const provider = await providerWith(aPushFcmConfig(peer, guarded, { proxy: { url: guarded.url, ...CREDENTIALS } }));
    await expect(provider.send([pushMessage()])).resolves.toMatchObject([{ status: 'sent' }]);
    await expect(provider.check()).resolves.toMatchObject({ ok: true });
    expect(guarded.connects[0]).toEqual({ authority: `${FCM_HOST}:443`, proxyAuthorization: `Basic ${Buffer.from('kabar-egress:Rahasia: 2025!').toString('base64')}`, status: 200 });
  });

  describe('a proxy that answers CONNECT with anything but 200', () => {
    it('407 without credentials: a retryable CONNECTION_FAILED naming the proxy and the status, asked once, in send and check()', async () => {
      const guarded = await anotherProxy({ credentials: CREDENTIALS });
      const provider = await providerWith(aPushFcmConfig(peer, guarded));
      const requestsBefore = peer.requests.length;
      const outcomes = await provider.send([pushMessage()]);
      const text = `the egress proxy 127.0.0.1:${guarded.port} answered CONNECT fcm.googleapis.com:443 with HTTP 407 Proxy Authentication Required (it wants credentials: set proxy.username and proxy.password)`;
      expect(outcomes).toEqual([expect.objectContaining({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: text } })]);
      // firebase-admin does not retry the refusal on its own: the hub decides when to try again.
      expect(guarded.connects).toHaveLength(1);
      await expect(provider.check()).resolves.toEqual({ ok: false, detail: text });
      expect(peer.requests).toHaveLength(requestsBefore);
    });

    it('407 for wrong credentials: says they were refused, never what they were', async () => {
      const guarded = await anotherProxy({ credentials: CREDENTIALS });
      const provider = await providerWith(aPushFcmConfig(peer, guarded, { proxy: { url: guarded.url, username: 'kabar-egress', password: 'tebakan-salah' } }));
      const [outcome] = await provider.send([pushMessage()]);
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', message: expect.stringMatching(/HTTP 407 Proxy Authentication Required \(it refused proxy\.username and proxy\.password\)$/) as unknown } });
      const check = await provider.check();
      expect(JSON.stringify([outcome, check])).not.toMatch(/tebakan-salah|kabar-egress:|S2FiYXI|a2FiYXIt/);
    });

    it('403 for the token exchange of a service account: CONNECTION_FAILED, not a refused key', async () => {
      const strict = await anotherProxy({ refuseWith: 403 });
      const provider = await providerWith(aPushFcmConfig(peer, strict, { accessToken: undefined, serviceAccount: { clientEmail: CLIENT_EMAIL, privateKey: serviceAccountKey.privateKey } }));
      const [outcome] = await provider.send([pushMessage()]);
      expect(outcome).toMatchObject({
        status: 'failed',
        error: { code: 'CONNECTION_FAILED', retryable: true, message: `the egress proxy 127.0.0.1:${strict.port} answered CONNECT oauth2.googleapis.com:443 with HTTP 403 Forbidden (its policy does not allow oauth2.googleapis.com:443)` },
      });
    });
  });

  it('counts a proxy that never answers CONNECT against the batch deadline: a retryable TIMEOUT naming the proxy', async () => {
    const silent = await anotherProxy({ silent: true });
    const provider = await providerWith(aPushFcmConfig(peer, silent, { timeoutMs: 300 }));
    const startedAt = Date.now();
    const [outcome] = await provider.send([pushMessage()]);
    const text = `no answer from the egress proxy 127.0.0.1:${silent.port} (CONNECT fcm.googleapis.com:443) within 300 ms`;
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', retryable: true, message: text } });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(silent.connects).toEqual([{ authority: `${FCM_HOST}:443` }]);
    await expect(provider.check()).resolves.toEqual({ ok: false, detail: text });
  });

  it('names the proxy when it cannot be reached', async () => {
    const provider = await providerWith(aPushFcmConfig(peer, { url: `http://127.0.0.1:${await closedPort()}` }));
    const [outcome] = await provider.send([pushMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringMatching(/^connection to Google failed \(the egress proxy 127\.0\.0\.1:\d+ could not be reached: connect ECONNREFUSED/) as unknown } });
  });

  it("does not trust the peer's certificate through the proxy without caCertificates", async () => {
    const sendsBefore = peer.sends().length;
    const provider = await providerWith(aPushFcmConfig(peer, proxy, { caCertificates: undefined }));
    const [outcome] = await provider.send([pushMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', message: expect.stringMatching(/certificate/i) as unknown } });
    expect(peer.sends()).toHaveLength(sendsBefore);
  });

  it('trusts every certificate of a bundle, with text between them and pasted with "\\n" escapes', async () => {
    const bundle = ['# Kemkes egress inspection CA (2024)', googleCertificate().cert, '# Kemkes egress inspection CA (2025)', peer.caCertificate].join('\n').replaceAll('\n', '\\n');
    const provider = await providerWith(aPushFcmConfig(peer, proxy, { caCertificates: bundle }));
    await expect(provider.send([pushMessage()])).resolves.toMatchObject([{ status: 'sent' }]);
  });

  it('refuses at create() a caCertificates that is not PEM certificates, as a configuration problem', async () => {
    const broken = peer.caCertificate.replace(/\n[A-Za-z0-9+/]{64}\n/, '\nnot-base64-at-all\n');
    const error = await providerWith(aPushFcmConfig(peer, proxy, { caCertificates: broken })).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(PluginConfigError);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', pluginId: 'push-fcm', problems: [{ path: '/caCertificates', message: expect.stringMatching(/^certificate 1 of 1 is not an X\.509 certificate/) as unknown }] });
  });
});
