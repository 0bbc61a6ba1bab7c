import { SILENT_LOGGER } from '@kabar/core';
import manifest, { type ChatWhatsAppConfig } from '@kabar/plugin-chat-whatsapp';
import { type ChannelProvider, type OutboundMessage, type SendOutcome, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage, runConformance } from '@kabar/plugin-sdk/conformance';
import { closedPort } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { type Behaviour, FBTRACE_ID, graphCertificate, type GraphPeer, MAGIC_PHONE_NUMBER_IDS, MAGIC_RECIPIENTS, type ReceivedRequest, startGraphPeer } from './whatsapp-cloud.fixture.js';

// Real: node:https over TLS to a loopback server with a certificate made for this run (trusted through the plugin's
// caCertificates setting), answering as the Cloud API on Meta's Graph API does, error bodies included.
const PHONE_NUMBER_ID = '106540352242922';
const ACCESS_TOKEN = 'EAAJkabarTestSystemUserToken0123456789abcdef';
const CITIZEN = '+6281234567890';
const TEMPLATE = { name: 'pemberitahuan_dokumen', language: 'id' };
/** A citizen's photo as Meta keeps it: a JPEG's first bytes and some more. */
const PHOTO_ID = '1234567890123456';
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300_000, 7)]);
let peer: GraphPeer;

beforeAll(async () => {
  peer = await startGraphPeer({ phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, displayPhoneNumber: '+62 811-1500-2024', qualityRating: 'GREEN', templates: [TEMPLATE], media: { [PHOTO_ID]: { mimeType: 'image/jpeg', data: PHOTO } } });
});

afterAll(async () => {
  await peer.close();
});

const liveConfig = (): Record<string, unknown> => ({ phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, baseUrl: peer.origin, caCertificates: peer.certificate.cert });
const whatsappMessage = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => anOutboundMessage({ channel: 'whatsapp', to: CITIZEN, ...overrides });
const host = (): string => new URL(peer.origin).host;

/** Every request the peer got for a message (the notification id travels as biz_opaque_callback_data). */
const attemptsOf = (message: OutboundMessage): ReceivedRequest[] => peer.sends().filter((r) => r.body.includes(message.notificationId));
const jsonOf = (message: OutboundMessage): unknown => JSON.parse(attemptsOf(message)[0]?.body ?? 'null');

runConformance<ChatWhatsAppConfig>({
  manifest,
  packageJson: new URL('../package.json', import.meta.url),
  config: liveConfig,
  received: () => peer.delivered(),
  identifyBy: 'notificationId',
  message: { to: CITIZEN },
  invalidConfigs: [
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, baseUrl: 'http://graph.facebook.com' },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, baseUrl: 'https://graph.facebook.com/?access_token=x' },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, apiVersion: '21.0' },
    { phoneNumberId: '+62 811-1500-2024', accessToken: ACCESS_TOKEN },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: `Bearer ${ACCESS_TOKEN}` },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, caCertificates: 'not a certificate' },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, timeoutMs: 50 },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, appSecret: 'short' },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, templates: { 'document.ready': { name: 'Pemberitahuan Dokumen', language: 'id' } } },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, templates: { 'document.ready': { name: TEMPLATE.name, language: 'Indonesian' } } },
    { phoneNumberId: PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, templates: { 'Document Ready': TEMPLATE } },
  ],
});

describe('chat-whatsapp plugin against a Graph-API-shaped TLS peer', () => {
  const providers: ChannelProvider[] = [];
  async function providerWith(overrides: Record<string, unknown> = {}): Promise<ChannelProvider> {
    const provider = await manifest.create(validatePluginConfig(manifest, { ...liveConfig(), ...overrides }), { logger: SILENT_LOGGER });
    providers.push(provider);
    return provider;
  }

  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
  });

  it('POSTs a text message as Cloud API JSON to /v21.0/<phone number id>/messages with the bearer token', async () => {
    const message = whatsappMessage({ body: 'Yth. Budi Santoso, KTP-el Anda sudah dapat diambil: https://dukcapil.example.go.id' });
    const [outcome] = await (await providerWith()).send([message]);
    expect(outcome).toEqual({ notificationId: message.notificationId, status: 'sent', providerMessageId: expect.stringMatching(/^wamid\.HBgN[A-Za-z0-9+/=]+$/) as unknown });
    const [request] = attemptsOf(message);
    expect(request).toMatchObject({ method: 'POST', path: `/v21.0/${PHONE_NUMBER_ID}/messages`, status: 200 });
    expect(request?.headers).toMatchObject({ authorization: `Bearer ${ACCESS_TOKEN}`, 'content-type': 'application/json', 'user-agent': 'kabar-chat-whatsapp/0.1.0' });
    expect(jsonOf(message)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281234567890',
      biz_opaque_callback_data: message.notificationId,
      type: 'text',
      text: { body: 'Yth. Budi Santoso, KTP-el Anda sudah dapat diambil: https://dukcapil.example.go.id', preview_url: false },
    });
  });

  it("sends a mapped event type as its approved template, with the body, on one line, as the template's one parameter", async () => {
    const message = whatsappMessage({ body: 'Yth. Budi Santoso,\n\nKTP-el Anda sudah dapat diambil.\tTerima kasih.' });
    const [outcome] = await (await providerWith({ templates: { 'document.ready': TEMPLATE } })).send([message]);
    expect(outcome).toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^wamid\./) as unknown });
    expect(jsonOf(message)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281234567890',
      biz_opaque_callback_data: message.notificationId,
      type: 'template',
      template: {
        name: 'pemberitahuan_dokumen',
        language: { code: 'id' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Yth. Budi Santoso, KTP-el Anda sudah dapat diambil. Terima kasih.' }] }],
      },
    });
  });

  it('sends other event types as text when some are mapped to templates', async () => {
    const message = whatsappMessage({ eventType: 'id.go.bapenda.tax-due.v1' });
    await expect((await providerWith({ templates: { 'document.ready': TEMPLATE } })).send([message])).resolves.toMatchObject([{ status: 'sent' }]);
    expect(jsonOf(message)).toMatchObject({ type: 'text', text: { body: message.body, preview_url: false } });
  });

  it('outside the 24-hour window, REJECTS a text with the fix in the message, and the mapped template goes out', async () => {
    const text = whatsappMessage({ to: MAGIC_RECIPIENTS.outsideWindow });
    const [refused] = await (await providerWith()).send([text]);
    expect(refused).toEqual({
      notificationId: text.notificationId,
      status: 'failed',
      error: {
        code: 'REJECTED',
        retryable: false,
        message: `WhatsApp HTTP 400 #131047: Re-engagement message. Message failed to send because more than 24 hours have passed since the customer last replied to this number. Outside the 24-hour customer-service window WhatsApp delivers only approved templates: map event type "document.ready" to one in the plugin's "templates" setting. [fbtrace_id ${FBTRACE_ID}]`,
      },
    });
    const template = whatsappMessage({ to: MAGIC_RECIPIENTS.outsideWindow });
    await expect((await providerWith({ templates: { 'document.ready': TEMPLATE } })).send([template])).resolves.toMatchObject([{ status: 'sent' }]);
  });

  it('REJECTS a message mapped to a template Meta has not approved, naming the event type', async () => {
    const message = whatsappMessage();
    const [outcome] = await (await providerWith({ templates: { 'document.ready': { name: 'dokumen_siap', language: 'en_US' } } })).send([message]);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: {
        code: 'REJECTED',
        retryable: false,
        message: `WhatsApp HTTP 404 #132001: Template name does not exist in the translation. template name (dokumen_siap) does not exist in en_US. Check the template mapped to event type "document.ready" in WhatsApp Manager. [fbtrace_id ${FBTRACE_ID}]`,
      },
    });
  });

  describe("maps the Graph API's answers, in one mixed batch", () => {
    const ok = whatsappMessage();
    const behaviours = [
      'notOnWhatsApp', 'notAllowed', 'invalidParameter', 'missingParameter', 'outsideWindow', 'throughput', 'pairRateLimit', 'wabaRateLimit', 'tooManyRequests',
      'permissionDenied', 'somethingWentWrong', 'unknownError', 'serviceUnavailable', 'badGateway', 'noMessageId', 'garbage',
    ] as const satisfies readonly Behaviour[];
    const batch = [ok, ...behaviours.map((behaviour) => whatsappMessage({ to: MAGIC_RECIPIENTS[behaviour] }))];
    let outcomes: SendOutcome[] = [];
    const trace = `[fbtrace_id ${FBTRACE_ID}]`;

    beforeAll(async () => {
      outcomes = await (await providerWith()).send(batch);
    });

    it('returns one outcome per message, in batch order, and sends the good one', () => {
      expect(outcomes.map((o) => o.notificationId)).toEqual(batch.map((m) => m.notificationId));
      expect(outcomes[0]).toMatchObject({ status: 'sent' });
      expect(peer.delivered()).toContain(ok.notificationId);
    });

    it.each([
      ['notOnWhatsApp', 'INVALID_RECIPIENT', false, `WhatsApp HTTP 400 #131026: Message Undeliverable. The number cannot receive WhatsApp messages. ${trace}`],
      ['notAllowed', 'INVALID_RECIPIENT', false, `WhatsApp HTTP 400 #131030: Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again. The number is not on the test number's list of allowed recipients. ${trace}`],
      ['invalidParameter', 'INVALID_RECIPIENT', false, `WhatsApp HTTP 400 #100: Invalid parameter. Parameter Invalid. WhatsApp does not accept the recipient's number. ${trace}`],
      ['missingParameter', 'REJECTED', false, `WhatsApp HTTP 400 #100: Invalid parameter. Parameter 'text' is mandatory for component parameter type 'text'. ${trace}`],
      ['outsideWindow', 'REJECTED', false, expect.stringContaining('WhatsApp HTTP 400 #131047: Re-engagement message.') as unknown],
      ['throughput', 'RATE_LIMITED', true, `WhatsApp HTTP 400 #130429: Rate limit hit. Cloud API message throughput has been reached. ${trace}`],
      ['pairRateLimit', 'RATE_LIMITED', true, `WhatsApp HTTP 400 #131056: (Business Account, Consumer Account) pair rate limit hit. Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time. ${trace}`],
      ['wabaRateLimit', 'RATE_LIMITED', true, `WhatsApp HTTP 400 #80007: Rate limit issues. The WhatsApp Business Account has reached its rate limit. ${trace}`],
      ['tooManyRequests', 'RATE_LIMITED', true, '{host} answered HTTP 429 with a body that is not JSON (Retry-After: 30)'],
      ['permissionDenied', 'UNAUTHORIZED', false, `WhatsApp HTTP 403 #10: Application does not have permission for this action. ${trace}`],
      ['somethingWentWrong', 'PROVIDER_ERROR', true, `WhatsApp HTTP 500 #131000: Something went wrong. Message failed to send due to an unknown error. ${trace}`],
      ['unknownError', 'PROVIDER_ERROR', true, `WhatsApp HTTP 500 #1: An unknown error occurred. ${trace}`],
      ['serviceUnavailable', 'PROVIDER_ERROR', true, `WhatsApp HTTP 503 #2: Service temporarily unavailable. (Retry-After: 5) ${trace}`],
      ['badGateway', 'PROVIDER_ERROR', true, '{host} answered HTTP 502 with a body that is not JSON'],
      ['noMessageId', 'PROVIDER_ERROR', true, '{host} answered HTTP 200 with JSON that is not a Cloud API answer'],
      ['garbage', 'PROVIDER_ERROR', true, '{host} answered HTTP 200 with a body that is not JSON'],
    ] as const)('%s → %s (retryable: %s)', (behaviour, code, retryable, text) => {
      const index = batch.findIndex((m) => m.to === MAGIC_RECIPIENTS[behaviour]);
      const message = typeof text === 'string' ? text.replace('{host}', host()) : text;
      expect(outcomes[index]).toEqual({ notificationId: batch[index]?.notificationId, status: 'failed', error: { code, retryable, message } });
    });

    it('asks Meta once per message: retrying is the hub’s decision', () => {
      for (const message of batch) expect(attemptsOf(message), message.to).toHaveLength(1);
    });

    it('never puts a phone number or the access token in an error message', () => {
      const failed = JSON.stringify(outcomes.filter((o) => o.status === 'failed'));
      for (const message of batch) expect(failed).not.toContain(message.to.slice(1));
      expect(failed).not.toContain(ACCESS_TOKEN);
    });
  });

  it('refuses recipients that are not E.164 numbers, and empty or over-long texts, without asking Meta', async () => {
    const before = peer.sends().length;
    const recipients = ['081234567890', '6281234567890', '+62 812-3456-7890', '', 'budi@example.org'];
    const outcomes = await (await providerWith()).send([
      ...recipients.map((to) => whatsappMessage({ to })),
      whatsappMessage({ body: ' \n ' }),
      whatsappMessage({ body: 'x'.repeat(4097) }),
    ]);
    expect(outcomes.map((o) => (o.status === 'failed' ? [o.error.code, o.error.message] : o.status))).toEqual([
      ...recipients.map(() => ['INVALID_RECIPIENT', 'the recipient is not a phone number in E.164 form (+<country code><number>)']),
      ['REJECTED', 'the message body is empty'],
      ['REJECTED', 'the message body has 4097 characters; WhatsApp takes at most 4096 in a text message'],
    ]);
    expect(peer.sends()).toHaveLength(before);
  });

  it('reports a refused access token (190) as UNAUTHORIZED for every message, and in check(), never quoting it', async () => {
    const provider = await providerWith({ accessToken: 'EAAJrevoked-token' });
    const outcomes = await provider.send([whatsappMessage(), whatsappMessage()]);
    const refusal = `WhatsApp HTTP 401 #190: Invalid OAuth access token - Cannot parse access token. The access token is invalid or has expired: issue a new one. [fbtrace_id ${FBTRACE_ID}]`;
    for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'failed', error: { code: 'UNAUTHORIZED', retryable: false, message: refusal } });
    expect(peer.sends().at(-1)?.headers.authorization).toBe('Bearer EAAJrevoked-token');
    await expect(provider.check()).resolves.toEqual({ ok: false, detail: refusal });
  });

  it('reports a phone number id the token cannot use (100/33) as UNAUTHORIZED, in send and in check()', async () => {
    const provider = await providerWith({ phoneNumberId: '999999999999999' });
    const [outcome] = await provider.send([whatsappMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'UNAUTHORIZED', retryable: false, message: expect.stringMatching(/^WhatsApp HTTP 400 #100\/33: Unsupported post request\. .* Check phoneNumberId, and that the access token may send from that number\./) as unknown } });
    expect(peer.sends().at(-1)?.path).toBe('/v21.0/999999999999999/messages');
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringMatching(/^WhatsApp HTTP 400 #100\/33: Unsupported get request\./) as unknown });
  });

  it('check() reads the business number: its last four digits and quality rating, and sends nothing', async () => {
    const before = peer.sends().length;
    const check = await (await providerWith()).check();
    expect(check).toEqual({ ok: true, detail: expect.stringMatching(/^WhatsApp business number ending 2024, quality rating GREEN, answered by 127\.0\.0\.1:\d+ in \d+ ms$/) as unknown });
    expect(peer.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v21.0/${PHONE_NUMBER_ID}`, query: { fields: 'display_phone_number,quality_rating' }, status: 200 });
    expect(peer.requests.at(-1)?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(peer.sends()).toHaveLength(before);
  });

  it("uses the configured API version, under a gateway's path prefix", async () => {
    const provider = await providerWith({ baseUrl: `${peer.origin}/gateway/`, apiVersion: 'v22.0' });
    const message = whatsappMessage();
    await expect(provider.send([message])).resolves.toMatchObject([{ status: 'sent' }]);
    expect(attemptsOf(message)[0]?.path).toBe(`/gateway/v22.0/${PHONE_NUMBER_ID}/messages`);
    await expect(provider.check()).resolves.toMatchObject({ ok: true });
    expect(peer.requests.at(-1)?.path).toBe(`/gateway/v22.0/${PHONE_NUMBER_ID}`);
  });

  it('keeps exactly 8 requests in flight while Meta has not answered, then sends the rest', async () => {
    const batch = Array.from({ length: 20 }, () => whatsappMessage({ to: MAGIC_RECIPIENTS.held }));
    const sending = (await providerWith()).send(batch);
    // Patience only: TLS handshakes on a busy machine; the assertion that matters is the count once they are in.
    await vi.waitFor(() => expect(peer.held()).toBeGreaterThanOrEqual(8), { timeout: 15_000 });
    expect(peer.held()).toBe(8);
    peer.releaseHeld();
    const outcomes = await sending;
    expect(outcomes.map((o) => o.status)).toEqual(batch.map(() => 'sent'));
    for (const message of batch) expect(attemptsOf(message)).toHaveLength(1);
  });

  it('cuts off a request Meta never answers with a retryable TIMEOUT; the rest of the batch goes out', async () => {
    const provider = await providerWith({ timeoutMs: 300 });
    const [hung, fine] = [whatsappMessage({ to: MAGIC_RECIPIENTS.hang }), whatsappMessage()];
    await expect(provider.send([hung, fine])).resolves.toEqual([
      { notificationId: hung.notificationId, status: 'failed', error: { code: 'TIMEOUT', retryable: true, message: `no answer from ${host()} within 300 ms` } },
      { notificationId: fine.notificationId, status: 'sent', providerMessageId: expect.stringMatching(/^wamid\./) as unknown },
    ]);
    const silent = await providerWith({ timeoutMs: 300, phoneNumberId: MAGIC_PHONE_NUMBER_IDS.hang });
    await expect(silent.check()).resolves.toEqual({ ok: false, detail: `no answer from ${host()} within 300 ms` });
  });

  it('gives every message an outcome when a connection drops mid-batch: the dropped one fails retryably', async () => {
    const dropped = whatsappMessage({ to: MAGIC_RECIPIENTS.drop });
    const batch = [whatsappMessage(), dropped, whatsappMessage()];
    const outcomes = await (await providerWith()).send(batch);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'failed', 'sent']);
    expect(outcomes[1]).toEqual({ notificationId: dropped.notificationId, status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringMatching(new RegExp(`^connection to ${host()} failed: .*ECONNRESET`)) as unknown } });
    const cut = await providerWith({ phoneNumberId: MAGIC_PHONE_NUMBER_IDS.drop });
    await expect(cut.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('ECONNRESET') as unknown });
  });

  it('check() is not ok when something other than the Graph API answers', async () => {
    const provider = await providerWith({ phoneNumberId: MAGIC_PHONE_NUMBER_IDS.garbage });
    await expect(provider.check()).resolves.toEqual({ ok: false, detail: `${host()} answered HTTP 200 with a body that is not JSON` });
  });

  it('reports a refused connection as a retryable CONNECTION_FAILED, for each message and in check()', async () => {
    const provider = await providerWith({ baseUrl: `https://127.0.0.1:${await closedPort()}` });
    const outcomes = await provider.send([whatsappMessage(), whatsappMessage()]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringContaining('ECONNREFUSED') as unknown } });
    }
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') as unknown });
  });

  it('offers reply options as buttons (up to three) or a list (up to ten), titles cut to WhatsApp\'s limits', async () => {
    const provider = await providerWith();
    const two = whatsappMessage({ body: 'Puas dengan penanganan laporan Anda?\n1. Ya\n2. Tidak', replyOptions: [{ id: 'ya', title: 'Ya' }, { id: 'tidak', title: 'Tidak, sama sekali tidak puas' }] });
    const five = whatsappMessage({ locale: 'en', body: 'Rate us 1-5', replyOptions: ['1', '2', '3', '4', '5'].map((n) => ({ id: n, title: n })) });
    expect(await provider.send([two, five])).toMatchObject([{ status: 'sent' }, { status: 'sent' }]);
    expect(jsonOf(two)).toMatchObject({
      type: 'interactive',
      interactive: { type: 'button', body: { text: two.body }, action: { buttons: [{ type: 'reply', reply: { id: 'ya', title: 'Ya' } }, { type: 'reply', reply: { id: 'tidak', title: 'Tidak, sama sekali…' } }] } },
    });
    expect(jsonOf(five)).toMatchObject({ type: 'interactive', interactive: { type: 'list', action: { button: 'Choose an answer', sections: [{ rows: five.replyOptions }] } } });
    // Too many to show: the words alone.
    const eleven = whatsappMessage({ body: 'Nilai 0-10', replyOptions: Array.from({ length: 11 }, (_, n) => ({ id: String(n), title: String(n) })) });
    expect(await provider.send([eleven])).toMatchObject([{ status: 'sent' }]);
    expect(jsonOf(eleven)).toMatchObject({ type: 'text', text: { body: 'Nilai 0-10' } });
  });

  it("fetches a citizen's photo by its media id: the media object's URL, then the file, both with the token", async () => {
    const provider = await providerWith();
    const photo = await provider.fetchMedia?.(PHOTO_ID);
    expect(photo?.mimeType).toBe('image/jpeg');
    expect(photo?.data.equals(PHOTO)).toBe(true);
    const asked = peer.requests.filter((r) => r.path.endsWith(PHOTO_ID)).map((r) => [r.method, r.path, r.headers.authorization]);
    expect(asked).toEqual([
      ['GET', `/v21.0/${PHOTO_ID}`, `Bearer ${ACCESS_TOKEN}`],
      ['GET', `/media/${PHOTO_ID}`, `Bearer ${ACCESS_TOKEN}`],
    ]);
    await expect(provider.fetchMedia?.('99999999')).rejects.toMatchObject({ code: 'REJECTED' });
    await expect(provider.fetchMedia?.('../106540352242922')).rejects.toMatchObject({ code: 'REJECTED', message: 'not a WhatsApp media id' });
  });

  it('does not trust the peer without its CA, and says so; nothing reaches it', async () => {
    const before = peer.requests.length;
    const provider = await providerWith({ caCertificates: undefined });
    const [outcome] = await provider.send([whatsappMessage()]);
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONNECTION_FAILED', retryable: true, message: expect.stringMatching(/certificate/i) as unknown } });
    await expect(provider.check()).resolves.toMatchObject({ ok: false, detail: expect.stringMatching(/certificate/i) as unknown });
    expect(peer.requests).toHaveLength(before);
  });

  it('trusts the peer through a bundle of several CA certificates', async () => {
    const provider = await providerWith({ caCertificates: `${graphCertificate().cert}\n${peer.certificate.cert}` });
    await expect(provider.send([whatsappMessage()])).resolves.toMatchObject([{ status: 'sent' }]);
  });

  it('sends an empty batch without a request', async () => {
    const before = peer.requests.length;
    await expect((await providerWith()).send([])).resolves.toEqual([]);
    expect(peer.requests).toHaveLength(before);
  });
});
