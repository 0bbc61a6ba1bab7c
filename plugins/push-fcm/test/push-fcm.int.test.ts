import { generateKeyPairSync } from 'node:crypto';

import { SILENT_LOGGER } from '@kabar/core';
import manifest, { createFcmProvider, type FcmConnectionSeam, PROBE_TOKEN } from '@kabar/plugin-push-fcm';
import { type ChannelProvider, type OutboundMessage, type SendOutcome, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage } from '@kabar/plugin-sdk/conformance';
import { closedPort } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { aDeviceToken, dialTo, FCM_HOST, type FcmPeer, MAGIC_TOKENS, OAUTH_HOST, type ReceivedRequest, SILENT_OAUTH_ACCOUNT, startFcmPeer } from './fcm-server.fixture.js';

// Real: firebase-admin, over TLS to a loopback server with a certificate for fcm.googleapis.com made for this run,
// answering as FCM's v1 API and Google's OAuth endpoint do. Only the dial is swapped (the provider's connection seam);
// the conformance suite, and the way the hub reaches the peer (proxy + caCertificates), are in push-fcm.proxy.int.test.ts.
const PROJECT_ID = 'kabar-test-project';
const ACCESS_TOKEN = 'ya29.kabar-fixed-access-token';
const CLIENT_EMAIL = 'kabar-push@kabar-test-project.iam.gserviceaccount.com';
const keys = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const serviceAccountKey = keys();
let peer: FcmPeer;

beforeAll(async () => {
  peer = await startFcmPeer({ projectId: PROJECT_ID, accessTokens: [ACCESS_TOKEN], serviceAccount: { clientEmail: CLIENT_EMAIL, publicKey: serviceAccountKey.publicKey } });
});

afterAll(async () => {
  await peer.close();
});

const pushMessage = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => anOutboundMessage({ channel: 'push', to: aDeviceToken(), ...overrides });

/** What FCM received for a message: the JSON body and the request it came in. */
function receivedFor(message: OutboundMessage): { request: ReceivedRequest; json: { validate_only?: boolean; message: Record<string, unknown> } } | undefined {
  const request = peer.sends().find((r) => r.body.includes(message.notificationId));
  return request === undefined ? undefined : { request, json: JSON.parse(request.body) as { validate_only?: boolean; message: Record<string, unknown> } };
}

/** Every request FCM got for a message, retries included. */
const attemptsOf = (message: OutboundMessage): ReceivedRequest[] => peer.sends().filter((r) => r.body.includes(message.notificationId));

describe('push-fcm plugin against an FCM-shaped TLS peer', () => {
  const providers: ChannelProvider[] = [];
  function providerWith(overrides: Record<string, unknown> = {}, seam: FcmConnectionSeam = { dial: peer.dial() }): ChannelProvider {
    // A service account replaces the access token: the configuration takes one or the other.
    const credential = 'serviceAccount' in overrides ? {} : { accessToken: ACCESS_TOKEN };
    const config = validatePluginConfig(manifest, { projectId: PROJECT_ID, ...credential, ...overrides });
    const provider = createFcmProvider(config, { logger: SILENT_LOGGER }, seam);
    providers.push(provider);
    return provider;
  }

  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
  });

  it('POSTs FCM v1 JSON with title, body, ids in data and normal priority, bearing the access token', async () => {
    const message = pushMessage({ subject: 'KTP-el siap diambil', body: 'Yth. Budi Santoso, KTP-el Anda sudah dapat diambil.' });
    const [outcome] = await providerWith().send([message]);
    expect(outcome).toEqual({ notificationId: message.notificationId, status: 'sent', providerMessageId: expect.stringMatching(/^projects\/kabar-test-project\/messages\/0:\d+%[0-9a-f]{16}$/) as unknown });
    const received = receivedFor(message);
    expect(received?.request).toMatchObject({ host: FCM_HOST, method: 'POST', path: '/v1/projects/kabar-test-project/messages:send', status: 200 });
    expect(received?.request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(received?.request.headers['content-type']).toMatch(/^application\/json/);
    expect(received?.json).toEqual({
      message: {
        token: message.to,
        notification: { title: 'KTP-el siap diambil', body: 'Yth. Budi Santoso, KTP-el Anda sudah dapat diambil.' },
        data: { notificationId: message.notificationId, eventId: message.eventId, eventType: 'document.ready', agencyCode: 'DUKCAPIL', locale: 'id-ID' },
        android: { priority: 'normal', notification: { tag: message.notificationId } },
        apns: { headers: { 'apns-priority': '5', 'apns-push-type': 'alert', 'apns-collapse-id': message.notificationId } },
      },
    });
  });

  it('sends a critical message at high priority on Android and APNs, collapsing on the hub-given key', async () => {
    const message = pushMessage({ subject: undefined, metadata: { messageClass: 'critical', collapseKey: 'siaga-banjir-jakarta' } });
    await expect(providerWith().send([message])).resolves.toMatchObject([{ status: 'sent' }]);
    expect(receivedFor(message)?.json.message).toMatchObject({
      notification: { body: message.body },
      data: { messageClass: 'critical' },
      android: { priority: 'high', collapse_key: 'siaga-banjir-jakarta', notification: { tag: 'siaga-banjir-jakarta' } },
      apns: { headers: { 'apns-priority': '10', 'apns-push-type': 'alert', 'apns-collapse-id': 'siaga-banjir-jakarta' } },
    });
    expect(receivedFor(message)?.json.message.notification).not.toHaveProperty('title');
  });

  it('with dryRun, has FCM validate each message (validate_only) and deliver none', async () => {
    const message = pushMessage();
    const [outcome] = await providerWith({ dryRun: true }).send([message]);
    expect(outcome).toEqual({ notificationId: message.notificationId, status: 'sent', providerMessageId: 'projects/kabar-test-project/messages/fake_message_id' });
    expect(receivedFor(message)?.json.validate_only).toBe(true);
    expect(peer.delivered()).not.toContain(message.notificationId);
  });

  describe("maps FCM's answers, in one mixed batch", () => {
    const ok = pushMessage();
    const malformed = pushMessage({ to: 'not-a-registration-token' });
    const batch = [
      ok,
      ...(['unregistered', 'invalidToken', 'invalidPayload', 'quotaExceeded', 'unavailable', 'internal', 'thirdPartyAuth', 'senderIdMismatch', 'garbage'] as const).map((behaviour) =>
        pushMessage({ to: MAGIC_TOKENS[behaviour] }),
      ),
      malformed,
    ];
    let outcomes: SendOutcome[] = [];

    beforeAll(async () => {
      outcomes = await providerWith().send(batch);
    });

    it('returns one outcome per message, in batch order, and sends the good one', () => {
      expect(outcomes.map((o) => o.notificationId)).toEqual(batch.map((m) => m.notificationId));
      expect(outcomes[0]).toMatchObject({ status: 'sent' });
      expect(peer.delivered()).toContain(ok.notificationId);
    });

    it.each([
      [MAGIC_TOKENS.unregistered, 'INVALID_RECIPIENT', false, 'FCM HTTP 404 UNREGISTERED: Requested entity was not found. (the device token is no longer valid)'],
      [MAGIC_TOKENS.invalidToken, 'INVALID_RECIPIENT', false, 'FCM HTTP 400 INVALID_ARGUMENT: Request contains an invalid argument. (the device token is no longer valid)'],
      ['not-a-registration-token', 'INVALID_RECIPIENT', false, 'FCM HTTP 400 INVALID_ARGUMENT: The registration token is not a valid FCM registration token (the device token is no longer valid)'],
      [MAGIC_TOKENS.invalidPayload, 'REJECTED', false, 'FCM HTTP 400 INVALID_ARGUMENT: Request contains an invalid argument.'],
      [MAGIC_TOKENS.quotaExceeded, 'RATE_LIMITED', true, "FCM HTTP 429 QUOTA_EXCEEDED: Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' of service 'fcm.googleapis.com'. (Retry-After: 30)"],
      [MAGIC_TOKENS.unavailable, 'PROVIDER_ERROR', true, 'FCM HTTP 503 UNAVAILABLE: The service is currently unavailable. (Retry-After: 1)'],
      [MAGIC_TOKENS.internal, 'PROVIDER_ERROR', true, 'FCM HTTP 500 INTERNAL: Internal error encountered.'],
      [MAGIC_TOKENS.thirdPartyAuth, 'UNAUTHORIZED', false, 'FCM HTTP 401 THIRD_PARTY_AUTH_ERROR: Auth error from APNS or Web Push Service (check the APNs key or web push credentials in the Firebase console)'],
      [MAGIC_TOKENS.senderIdMismatch, 'UNAUTHORIZED', false, 'FCM HTTP 403 SENDER_ID_MISMATCH: SenderId mismatch (the token belongs to another Firebase project)'],
      [MAGIC_TOKENS.garbage, 'PROVIDER_ERROR', true, "fcm.googleapis.com answered HTTP 200 with a body that is not FCM's JSON"],
    ])('token %s → %s (retryable: %s)', (token, code, retryable, text) => {
      const index = batch.findIndex((m) => m.to === token);
      expect(outcomes[index]).toEqual({ notificationId: batch[index]?.notificationId, status: 'failed', error: { code, retryable, message: text } });
    });

    it('leaves retrying a 503 to firebase-admin (four more tries, honouring Retry-After) and retries nothing else', () => {
      for (const message of batch) expect(attemptsOf(message), message.to).toHaveLength(message.to === MAGIC_TOKENS.unavailable ? 5 : 1);
    });

    it('never puts the device token in an error message', () => {
      const failed = outcomes.filter((o) => o.status === 'failed');
      for (const message of batch) expect(JSON.stringify(failed)).not.toContain(message.to);
    });
  });

  it('refuses a recipient that cannot be a registration token without asking FCM', async () => {
    const before = peer.sends().length;
    const outcomes = await providerWith().send([pushMessage({ to: '' }), pushMessage({ to: 'two words' })]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'INVALID_RECIPIENT', retryable: false, message: 'the recipient is not an FCM registration token' } });
    }
    expect(peer.sends()).toHaveLength(before);
  });

  it('reports a refused access token as UNAUTHORIZED for every message, and in check()', async () => {
    const provider = providerWith({ accessToken: 'ya29.revoked-token' });
    const outcomes = await provider.send([pushMessage(), pushMessage()]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'UNAUTHORIZED', retryable: false, message: expect.stringMatching(/^FCM HTTP 401 UNAUTHENTICATED: Request had invalid authentication credentials/) as unknown } });
    }
    expect(peer.sends().at(-1)?.headers.authorization).toBe('Bearer ya29.revoked-token');
    const check = await provider.check();
    expect(check).toMatchObject({ ok: false, detail: expect.stringMatching(/^FCM HTTP 401 UNAUTHENTICATED/) as unknown });
    expect(JSON.stringify([outcomes, check])).not.toContain('revoked-token');
  });

  it('reports a project the credentials may not send for as UNAUTHORIZED (403 PERMISSION_DENIED)', async () => {
    const provider = providerWith({ projectId: 'another-project' });
    const [outcome] = await provider.send([pushMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'UNAUTHORIZED', retryable: false, message: expect.stringContaining('FCM HTTP 403 PERMISSION_DENIED') as unknown } });
    expect(peer.sends().at(-1)?.path).toBe('/v1/projects/another-project/messages:send');
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('PERMISSION_DENIED') as unknown });
  });

  it('check() proves the credentials with a dry run to a made-up token, which FCM refuses after authorising', async () => {
    const before = peer.delivered().length;
    const check = await providerWith().check();
    expect(check).toEqual({ ok: true, detail: expect.stringMatching(/^FCM project kabar-test-project accepted the credentials and refused the probe token, as expected, in \d+ ms$/) as unknown });
    const probe = peer.sends().at(-1);
    expect(JSON.parse(probe?.body ?? '{}')).toMatchObject({ validate_only: true, message: { token: PROBE_TOKEN } });
    expect(probe).toMatchObject({ status: 400 });
    expect(peer.delivered()).toHaveLength(before);
  });

  it('cuts off a peer that never answers with a retryable TIMEOUT, keeps the rest of the batch, and sends nothing more', async () => {
    const provider = providerWith({ timeoutMs: 300 });
    const [hung, fine] = [pushMessage({ to: MAGIC_TOKENS.hang }), pushMessage()];
    const outcomes = await provider.send([hung, fine]);
    expect(outcomes).toEqual([
      { notificationId: hung.notificationId, status: 'failed', error: { code: 'TIMEOUT', retryable: true, message: 'no answer from fcm.googleapis.com within 300 ms' } },
      { notificationId: fine.notificationId, status: 'sent', providerMessageId: expect.any(String) as unknown },
    ]);
    // firebase-admin retries its own timeouts; ours it must not, or the message could go out after we called it failed.
    expect(attemptsOf(hung)).toHaveLength(1);
  });

  it.each([
    // A 503 (Retry-After: 1) leaves its connection in the pool: the retry would reuse it.
    ['reuse a pooled connection', MAGIC_TOKENS.unavailable, 1],
    // A dropped connection is retried at once, then after a second, on a connection of its own.
    ['open a new connection', MAGIC_TOKENS.drop, 2],
  ])("stops firebase-admin's own retries at the deadline, even those that would %s", async (_label, token, attempts) => {
    const message = pushMessage({ to: token });
    const [outcome] = await providerWith({ timeoutMs: 300 }).send([message]);
    expect(outcome).toEqual({ notificationId: message.notificationId, status: 'failed', error: { code: 'TIMEOUT', retryable: true, message: 'no answer from fcm.googleapis.com within 300 ms' } });
    // Nothing reached FCM after the deadline: a message reported as failed is never sent behind the hub's back.
    expect(attemptsOf(message)).toHaveLength(attempts);
  });

  it('gives every message an outcome when a connection drops mid-batch: the dropped one fails retryably', async () => {
    const dropped = pushMessage({ to: MAGIC_TOKENS.drop });
    const batch = [pushMessage(), dropped, pushMessage()];
    const outcomes = await providerWith().send(batch);
    expect(outcomes.map((o) => [o.notificationId, o.status])).toEqual(batch.map((m, i) => [m.notificationId, i === 1 ? 'failed' : 'sent']));
    expect(outcomes[1]).toMatchObject({ error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringContaining('ECONNRESET') as unknown } });
    // firebase-admin retried the reset connection four times on its own before giving up.
    expect(attemptsOf(dropped)).toHaveLength(5);
    expect(peer.delivered()).toEqual(expect.arrayContaining([batch[0]?.notificationId, batch[2]?.notificationId]));
  });

  it('reports a peer that refuses connections as a retryable CONNECTION_FAILED, for each message and in check()', async () => {
    const provider = providerWith({}, { dial: dialTo(await closedPort()) });
    const outcomes = await provider.send([pushMessage(), pushMessage()]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringContaining('ECONNREFUSED') as unknown } });
    }
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') as unknown });
  });

  it('does not trust a peer whose certificate it cannot verify, and says so', async () => {
    const before = peer.requests.length;
    const provider = providerWith({}, { dial: peer.dial(false) });
    const [outcome] = await provider.send([pushMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringMatching(/certificate/i) as unknown } });
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringMatching(/certificate/i) as unknown });
    expect(peer.requests).toHaveLength(before);
  });

  describe('with a service account', () => {
    it("exchanges a signed JWT at Google's OAuth endpoint, through the same agent, and sends with the token it got", async () => {
      const provider = providerWith({ serviceAccount: { clientEmail: CLIENT_EMAIL, privateKey: serviceAccountKey.privateKey } });
      await expect(provider.check()).resolves.toMatchObject({ ok: true });
      const message = pushMessage();
      await expect(provider.send([message])).resolves.toMatchObject([{ status: 'sent' }]);
      expect(peer.requests.filter((r) => r.host === OAUTH_HOST)).toContainEqual(expect.objectContaining({ method: 'POST', path: '/token', status: 200 }));
      const issued = peer.issued.at(-1);
      expect(issued).toBeDefined();
      expect(receivedFor(message)?.request.headers.authorization).toBe(`Bearer ${issued ?? ''}`);
    });

    it('cuts off a token exchange that never gets an answer with a retryable TIMEOUT naming the OAuth host', async () => {
      const provider = providerWith({ timeoutMs: 300, serviceAccount: { clientEmail: SILENT_OAUTH_ACCOUNT, privateKey: serviceAccountKey.privateKey } });
      const before = peer.sends().length;
      const [outcome] = await provider.send([pushMessage()]);
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', retryable: true, message: 'no answer from oauth2.googleapis.com within 300 ms' } });
      await expect(provider.check()).resolves.toEqual({ ok: false, detail: 'no answer from oauth2.googleapis.com within 300 ms' });
      expect(peer.sends()).toHaveLength(before);
    });

    it('reports a key Google does not know as UNAUTHORIZED, in send and in check()', async () => {
      const provider = providerWith({ serviceAccount: { clientEmail: CLIENT_EMAIL, privateKey: keys().privateKey } });
      const [outcome] = await provider.send([pushMessage()]);
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'UNAUTHORIZED', retryable: false, message: expect.stringContaining('invalid_grant') as unknown } });
      await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('invalid_grant') as unknown });
    });
  });

  it('sends an empty batch without starting firebase-admin', async () => {
    const before = peer.requests.length;
    await expect(providerWith().send([])).resolves.toEqual([]);
    expect(peer.requests).toHaveLength(before);
  });
});
