import 'reflect-metadata';

import { createHmac } from 'node:crypto';

import { SecretBox } from '@kabar/core';
import { createHub } from '@kabar/hub';
import { type Bus, type Subscription, TOPICS } from '@kabar/messaging';
import { aConfig, eventually } from '@kabar/testing';
import { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type GraphPeer, startGraphPeer } from '../../../plugins/chat-whatsapp/test/whatsapp-cloud.fixture.js';
import { aMessagesValue, anInboundMessage, aStatus, aStatusValue, aWebhook, BUSINESS_PHONE_NUMBER_ID } from '../../../plugins/chat-whatsapp/test/whatsapp-webhook.builder.js';
import { BUS } from '../src/bus/bus.module.js';
import { as } from './support/agency-fixture.js';
import { type PolicyAgency, policyAgency, registeredCitizen, registerType } from './support/policy-fixture.js';

// Real: the hub over HTTP on PGlite and the in-process bus, the chat-whatsapp plugin sending over TLS to a peer shaped
// like Meta's Graph API, and webhooks signed as Meta signs them. What Meta would do is played by this test.
const ACCESS_TOKEN = 'EAAJkabarTestSystemUserToken0123456789abcdef';
const APP_SECRET = 'f3a9c1d2e4b5a6978877665544332211';
const VERIFY_TOKEN = 'kabar-verify-7f3a';
const CITIZEN_PHONE = '+6281234567890';

interface InboundRecord {
  readonly plugin: string;
  readonly channel: string;
  readonly fromHash: string;
  readonly fromSealed: string;
  readonly to: string;
  readonly text: string;
  readonly kind: string;
  readonly payload: string | null;
  readonly media: { id: string; mimeType?: string } | null;
  readonly inReplyTo: { notificationId: string; eventId: string; agency: string; source: string; id: string } | null;
  readonly providerMessageId: string | null;
}

describe('provider webhooks over HTTP: WhatsApp statuses and replies (embedded)', () => {
  let peer: GraphPeer;
  let app: INestApplication;
  let url: string;
  let agency: PolicyAgency;
  let type: string;
  let inboundReader: Subscription;
  const inbound: InboundRecord[] = [];
  let nik = 3273010101900700;

  const webhookUrl = (name = 'chat-whatsapp'): string => `${url}/v1/plugins/${name}/webhook`;
  const sign = (body: string, secret = APP_SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const postWebhook = (body: string, signature = sign(body), name = 'chat-whatsapp') =>
    fetch(webhookUrl(name), { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
  const problemOf = async (res: Response) => ({ status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> });

  const notificationOf = async (id: string) => {
    const res = await as<{ event: { notifications: { channel: string | null; state: string }[] } | null }>(
      url,
      agency.key,
      'query($s: String!, $i: String!) { event(source: $s, id: $i) { notifications { channel state } } }',
      { s: agency.source, i: id },
    );
    return res.data?.event?.notifications[0];
  };
  const reached = (id: string, state: string) => eventually(async () => ((await notificationOf(id))?.state === state ? notificationOf(id) : undefined));
  const wamidOf = async (id: string): Promise<string> => {
    const rows = await (app.get(EntityManager).fork() as SqlEntityManager).execute<{ provider_message_id: string }[]>(
      'select d.provider_message_id from delivery_attempt d join notification n on n.id = d.notification_id join event e on e.id = n.event_id where e.ce_id = ?',
      [id],
    );
    const wamid = rows[0]?.provider_message_id;
    if (wamid === undefined) throw new Error(`no delivery attempt for ${id}`);
    return wamid;
  };
  /** Publishes a notice to a new citizen reachable on WhatsApp only, and waits until the plugin sent it. */
  const sentOnWhatsApp = async (id: string): Promise<string> => {
    const nationalId = String(nik++);
    await registeredCitizen(app, { nationalId, contacts: [{ channel: 'whatsapp', value: CITIZEN_PHONE }], preferences: { channelOrder: { '*': ['whatsapp'] } } });
    const res = await as(url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id, source: agency.source, type, subject: nationalId, data: { note: 'KTP-el Anda sudah dapat diambil' } },
    });
    if (res.errors !== undefined) throw new Error(JSON.stringify(res.errors));
    expect(await reached(id, 'sent')).toEqual({ channel: 'whatsapp', state: 'sent' });
    return wamidOf(id);
  };
  const statusWebhook = (wamid: string, status = 'delivered'): string => JSON.stringify(aWebhook(aStatusValue(aStatus({ id: wamid, status }))));
  const textWebhook = (text: string, id: string): string => JSON.stringify(aWebhook(aMessagesValue(anInboundMessage('text', { text: { body: text } }, { id }))));
  const inboundWith = (text: string) => eventually(() => Promise.resolve(inbound.find((r) => r.text === text)));

  beforeAll(async () => {
    peer = await startGraphPeer({ phoneNumberId: BUSINESS_PHONE_NUMBER_ID, accessToken: ACCESS_TOKEN, displayPhoneNumber: '+62 811-1500-2024', qualityRating: 'GREEN', templates: [] });
    const whatsapp = {
      phoneNumberId: BUSINESS_PHONE_NUMBER_ID,
      accessToken: ACCESS_TOKEN,
      baseUrl: peer.origin,
      caCertificates: peer.certificate.cert,
      appSecret: APP_SECRET,
      verifyToken: VERIFY_TOKEN,
    };
    app = await createHub(aConfig().with({ plugins: { 'chat-whatsapp': whatsapp } }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    agency = await policyAgency(app, url, 'dukcapil-bdg', 'Disdukcapil Kota Bandung');
    type = await registerType(url, agency, 'document-ready', { messageClass: 'transactional', channels: ['whatsapp', 'inbox'] });
    inboundReader = await app.get<Bus>(BUS).subscribe({
      groupId: 'test-inbound-reader',
      topics: [TOPICS.inbound],
      handler: (records) => Promise.resolve(void inbound.push(...records.map((r) => JSON.parse(r.value.toString('utf8')) as InboundRecord))),
    });
  });

  afterAll(async () => {
    await inboundReader.close();
    await app.close();
    await peer.close();
  });

  it("answers Meta's subscription handshake with the challenge, and refuses another verify token", async () => {
    const handshake = (token: string) => fetch(`${webhookUrl()}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);
    const accepted = await handshake(VERIFY_TOKEN);
    expect({ status: accepted.status, contentType: accepted.headers.get('content-type'), body: await accepted.text() }).toEqual({
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: '1158201444',
    });
    expect(await problemOf(await handshake('guess'))).toEqual({
      status: 403,
      contentType: 'application/problem+json; charset=utf-8',
      body: { type: 'about:blank', status: 403, title: 'WEBHOOK_FORBIDDEN', code: 'WEBHOOK_FORBIDDEN', detail: expect.stringMatching(/^hub\.verify_token is not the plugin's verifyToken/) as unknown },
    });
  });

  it('marks a WhatsApp notification delivered when a signed status webhook says so', async () => {
    const wamid = await sentOnWhatsApp('ktp-ready-1');
    expect(peer.sends().length).toBeGreaterThan(0);
    const res = await postWebhook(statusWebhook(wamid));
    expect({ status: res.status, body: await res.text() }).toEqual({ status: 200, body: '' });
    expect(await reached('ktp-ready-1', 'delivered')).toEqual({ channel: 'whatsapp', state: 'delivered' });
  });

  it("publishes a citizen's signed WhatsApp reply on kabar.inbound.v1, the sender sealed", async () => {
    const res = await postWebhook(textWebhook('Terima kasih, saya ambil besok.', 'wamid.reply-1'));
    expect(res.status).toBe(200);
    const reply = await inboundWith('Terima kasih, saya ambil besok.');
    const box = app.get(SecretBox);
    expect(reply).toMatchObject({ plugin: 'chat-whatsapp', channel: 'whatsapp', to: BUSINESS_PHONE_NUMBER_ID, providerMessageId: 'wamid.reply-1', fromHash: box.lookupHash(CITIZEN_PHONE) });
    expect(box.decrypt(reply.fromSealed)).toBe(CITIZEN_PHONE);
    expect(JSON.stringify(reply)).not.toContain(CITIZEN_PHONE.slice(1));
  });

  it("publishes a citizen's button answer to a notification with the notification, event and agency it answers, and a photo with its media id", async () => {
    const wamid = await sentOnWhatsApp('ktp-ready-survey');
    const answer = anInboundMessage('interactive', { interactive: { type: 'button_reply', button_reply: { id: 'puas-ya', title: 'Puas' } }, context: { from: '6281115002024', id: wamid } }, { id: 'wamid.answer-1' });
    const photo = anInboundMessage('image', { image: { id: '778899', mime_type: 'image/jpeg', caption: 'Lampu PJU mati' } }, { id: 'wamid.photo-1' });
    expect((await postWebhook(JSON.stringify(aWebhook(aMessagesValue(answer, photo))))).status).toBe(200);
    const [notification] = await (app.get(EntityManager).fork() as SqlEntityManager).execute<{ id: string; event_id: string }[]>(
      'select n.id, n.event_id from notification n join event e on e.id = n.event_id where e.ce_id = ?',
      ['ktp-ready-survey'],
    );
    expect(await inboundWith('Puas')).toMatchObject({
      kind: 'button',
      payload: 'puas-ya',
      media: null,
      inReplyTo: { notificationId: notification?.id, eventId: notification?.event_id, agency: 'dukcapil-bdg', source: agency.source, id: 'ktp-ready-survey' },
    });
    expect(await inboundWith('Lampu PJU mati')).toMatchObject({ kind: 'image', payload: null, media: { id: '778899', mimeType: 'image/jpeg' }, inReplyTo: null });
    // The id of the answered message (which encodes the citizen's number) stays off the bus.
    expect(JSON.stringify(inbound)).not.toContain(wamid);
  });

  it('publishes a reply holding U+0000 or half an emoji with U+FFFD in their place, which every stage can store', async () => {
    const res = await postWebhook(textWebhook('Lampu mati \ud83d di Jl. Dago\u0000', 'wamid.reply-mended'));
    expect(res.status).toBe(200);
    expect((await inboundWith('Lampu mati \ufffd di Jl. Dago\ufffd')).providerMessageId).toBe('wamid.reply-mended');
  });

  it('publishes a reply once when Meta sends its webhook again', async () => {
    const body = textWebhook('Bisa diambil hari Sabtu?', 'wamid.reply-twice');
    expect((await postWebhook(body)).status).toBe(200);
    expect((await postWebhook(body)).status).toBe(200);
    // A later reply as the sentinel: once it is out, the copy would have been too.
    expect((await postWebhook(textWebhook('sentinel after a copy', 'wamid.after-copy'))).status).toBe(200);
    await inboundWith('sentinel after a copy');
    expect(inbound.filter((r) => r.text === 'Bisa diambil hari Sabtu?')).toHaveLength(1);
  });

  it('refuses a webhook signed with another secret with 401 problem+json, and changes nothing', async () => {
    const wamid = await sentOnWhatsApp('ktp-ready-2');
    const forged = JSON.stringify(aWebhook(aStatusValue(aStatus({ id: wamid })), aMessagesValue(anInboundMessage('text', { text: { body: 'forged reply' } }, { id: 'wamid.forged' }))));
    expect(await problemOf(await postWebhook(forged, sign(forged, '0123456789abcdef0123456789abcdef')))).toEqual({
      status: 401,
      contentType: 'application/problem+json; charset=utf-8',
      body: { type: 'about:blank', status: 401, title: 'WEBHOOK_BAD_SIGNATURE', code: 'WEBHOOK_BAD_SIGNATURE', detail: expect.stringMatching(/^X-Hub-Signature-256 does not match the body/) as unknown },
    });
    // A genuine webhook after it goes all the way through; the forged one, sent first, left no trace by then.
    expect((await postWebhook(textWebhook('sentinel', 'wamid.sentinel'))).status).toBe(200);
    await inboundWith('sentinel');
    expect(inbound.map((r) => r.text)).not.toContain('forged reply');
    expect(await notificationOf('ktp-ready-2')).toEqual({ channel: 'whatsapp', state: 'sent' });
  });

  it('answers a signed body that is not JSON with 400 problem+json saying why', async () => {
    expect(await problemOf(await postWebhook('{"object":'))).toEqual({
      status: 400,
      contentType: 'application/problem+json; charset=utf-8',
      body: { type: 'about:blank', status: 400, title: 'WEBHOOK_MALFORMED', code: 'WEBHOOK_MALFORMED', detail: 'not a WhatsApp webhook: (body) is not JSON' },
    });
  });

  it.each([
    ['a name nothing goes by', 'chat-telegram', 'WEBHOOK_TARGET_NOT_FOUND', /^no enabled plugin install and no plugin configured at start is named "chat-telegram": use the install.s name or id/],
    ['a plugin that takes no webhooks', 'inbox', 'WEBHOOK_NOT_SUPPORTED', /^inbox takes no webhooks$/],
  ])('answers 404 problem+json for %s', async (_label, name, code, detail) => {
    const body = statusWebhook('wamid.x');
    expect(await problemOf(await postWebhook(body, sign(body), name))).toEqual({
      status: 404,
      contentType: 'application/problem+json; charset=utf-8',
      body: { type: 'about:blank', status: 404, title: code, code, detail: expect.stringMatching(detail) as unknown },
    });
  });

  it("refuses a body over the hub's JSON limit with 413 problem+json before any plugin reads it", async () => {
    const body = `{"object":"whatsapp_business_account","entry":[],"pad":"${'x'.repeat(1024 * 1024)}"}`;
    expect(await problemOf(await postWebhook(body))).toMatchObject({ status: 413, contentType: 'application/problem+json; charset=utf-8', body: { status: 413, title: 'PAYLOAD_TOO_LARGE', code: 'PAYLOAD_TOO_LARGE' } });
  });
});
