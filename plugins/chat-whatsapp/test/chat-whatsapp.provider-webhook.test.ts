import { createHmac } from 'node:crypto';

import { SILENT_LOGGER } from '@kabar/core';
import manifest from '@kabar/plugin-chat-whatsapp';
import { type ChannelProvider, type PluginContext, type ProviderInbound, type ProviderReceipt, ProviderWebhookErrorCode, type ProviderWebhookRequest, validatePluginConfig } from '@kabar/plugin-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { aFailedStatus, aMessagesValue, anInboundMessage, aStatus, aStatusValue, aWebhook, BUSINESS_PHONE_NUMBER_ID, SENT_WAMID } from './whatsapp-webhook.builder.js';

// The provider's webhook() as the hub calls it: raw bytes in, an answer or a refusal out, receipts and replies through
// the context's hooks. Nothing here reaches Meta; the access token is never used.
const APP_SECRET = 'f3a9c1d2e4b5a6978877665544332211';
const VERIFY_TOKEN = 'kabar-verify-7f3a';
const OTHER_WAMID = 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjhBQjNDMjVFMDFGNzk4QjQ1NwA=';

interface Recorder {
  readonly receipts: ProviderReceipt[];
  readonly inbound: ProviderInbound[];
  readonly context: PluginContext;
}

function aRecorder(overrides: Partial<PluginContext> = {}): Recorder {
  const receipts: ProviderReceipt[] = [];
  const inbound: ProviderInbound[] = [];
  const context: PluginContext = {
    logger: SILENT_LOGGER,
    onDeliveryReceipt: (receipt) => void receipts.push(receipt),
    onInbound: (message) => void inbound.push(message),
    ...overrides,
  };
  return { receipts, inbound, context };
}

const providers: ChannelProvider[] = [];
async function aProvider(recorder: Recorder, secrets: { appSecret?: string; verifyToken?: string } = { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN }): Promise<ChannelProvider> {
  const config = validatePluginConfig(manifest, { phoneNumberId: BUSINESS_PHONE_NUMBER_ID, accessToken: 'EAAJkabarTestSystemUserToken0123456789abcdef', ...secrets });
  const provider = await manifest.create(config, recorder.context);
  providers.push(provider);
  return provider;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(providers.splice(0).map((p) => p.close()));
});

const sign = (body: string, secret = APP_SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function aPost(body: string, headers: Record<string, string> = { 'x-hub-signature-256': sign(body) }): ProviderWebhookRequest {
  return { method: 'POST', query: new URLSearchParams(), headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(body) };
}

function aHandshake(token: string, challenge = '1158201444', mode = 'subscribe'): ProviderWebhookRequest {
  return { method: 'GET', query: new URLSearchParams({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge }), headers: {}, body: new Uint8Array() };
}

/** The provider's webhook, which chat-whatsapp always has. */
function webhookOf(provider: ChannelProvider): NonNullable<ChannelProvider['webhook']> {
  const webhook = provider.webhook?.bind(provider);
  if (webhook === undefined) throw new Error('chat-whatsapp has no webhook()');
  return webhook;
}

describe('chat-whatsapp webhook(): the subscription handshake (GET)', () => {
  it('answers the challenge as the whole plain-text body when the verify token matches', async () => {
    const webhook = webhookOf(await aProvider(aRecorder()));
    expect(await webhook(aHandshake(VERIFY_TOKEN))).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: '1158201444' });
  });

  it.each([
    ['another verify token', aHandshake('guess'), ProviderWebhookErrorCode.Forbidden, /^hub\.verify_token is not the plugin's verifyToken/],
    ['a mode other than subscribe', aHandshake(VERIFY_TOKEN, '1158201444', 'unsubscribe'), ProviderWebhookErrorCode.Malformed, /hub\.mode must be "subscribe"/],
    ['a challenge that is markup', aHandshake(VERIFY_TOKEN, '<script>alert(1)</script>'), ProviderWebhookErrorCode.Malformed, /^hub\.challenge is missing, or not a plain token/],
  ])('refuses %s', async (_label, request, refused, reason) => {
    const webhook = webhookOf(await aProvider(aRecorder()));
    expect(await webhook(request)).toEqual({ refused, reason: expect.stringMatching(reason) as unknown });
  });

  it('accepts no subscription at all when no verifyToken is configured, and says which setting is missing', async () => {
    const webhook = webhookOf(await aProvider(aRecorder(), { appSecret: APP_SECRET }));
    expect(await webhook(aHandshake(''))).toEqual({ refused: ProviderWebhookErrorCode.NotConfigured, reason: expect.stringMatching(/^chat-whatsapp has no verifyToken: set one/) as unknown });
  });
});

describe('chat-whatsapp webhook(): signed webhooks (POST)', () => {
  it('turns delivered and read statuses into delivered receipts and failed ones into failed receipts with Meta\'s code; sent says nothing new', async () => {
    const recorder = aRecorder();
    const webhook = webhookOf(await aProvider(recorder));
    const body = JSON.stringify(
      aWebhook(
        aStatusValue(
          aStatus({ status: 'sent' }),
          aStatus({ status: 'delivered' }),
          aStatus({ status: 'read' }),
          { ...aFailedStatus(131026, 'Message undeliverable', 'Unable to deliver message.'), id: OTHER_WAMID },
        ),
      ),
    );
    expect(await webhook(aPost(body))).toEqual({ status: 200 });
    expect(recorder.receipts).toEqual([
      { messageId: SENT_WAMID, state: 'delivered', stat: 'delivered' },
      { messageId: SENT_WAMID, state: 'delivered', stat: 'read' },
      { messageId: OTHER_WAMID, state: 'failed', stat: 'failed', error: '131026' },
    ]);
    expect(recorder.inbound).toEqual([]);
  });

  it("turns a citizen's text, photo, button answer and reaction into inbound messages from their E.164 number, with what each answers", async () => {
    const recorder = aRecorder();
    const webhook = webhookOf(await aProvider(recorder));
    const text = anInboundMessage('text', { text: { body: 'Terima kasih, saya ambil besok.' }, context: { from: '6281115002024', id: SENT_WAMID } });
    const image = anInboundMessage('image', { image: { id: '1234567890123456', mime_type: 'image/jpeg', caption: 'Foto KK' } }, { id: 'wamid.image' });
    const button = anInboundMessage('interactive', { interactive: { type: 'button_reply', button_reply: { id: 'survey-q1-yes', title: 'Ya, puas' } }, context: { from: '6281115002024', id: SENT_WAMID } }, { id: 'wamid.button' });
    const reaction = anInboundMessage('reaction', { reaction: { message_id: SENT_WAMID, emoji: '👍' } }, { id: 'wamid.reaction' });
    const unknown = anInboundMessage('order', { order: { catalog_id: '1' } }, { id: 'wamid.order' });
    expect(await webhook(aPost(JSON.stringify(aWebhook(aMessagesValue(text, image, button, reaction, unknown)))))).toEqual({ status: 200 });
    const from = '+6281234567890';
    expect(recorder.inbound).toEqual([
      { channel: 'whatsapp', from, to: BUSINESS_PHONE_NUMBER_ID, text: 'Terima kasih, saya ambil besok.', providerMessageId: 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDMUY4QzQ1RjE4QTlBRTk1AA==', replyTo: SENT_WAMID },
      { channel: 'whatsapp', from, to: BUSINESS_PHONE_NUMBER_ID, text: 'Foto KK', providerMessageId: 'wamid.image', kind: 'image', media: { id: '1234567890123456', mimeType: 'image/jpeg' } },
      { channel: 'whatsapp', from, to: BUSINESS_PHONE_NUMBER_ID, text: 'Ya, puas', providerMessageId: 'wamid.button', kind: 'button', payload: 'survey-q1-yes', replyTo: SENT_WAMID },
      { channel: 'whatsapp', from, to: BUSINESS_PHONE_NUMBER_ID, text: '👍', providerMessageId: 'wamid.reaction', kind: 'reaction', replyTo: SENT_WAMID },
    ]);
    expect(recorder.receipts).toEqual([]);
  });

  it('verifies the bytes as Meta sent them, non-ASCII escaped, not a re-serialised copy', async () => {
    const recorder = aRecorder();
    const webhook = webhookOf(await aProvider(recorder));
    const raw = JSON.stringify(aWebhook(aMessagesValue(anInboundMessage('text', { text: { body: 'Terima kasih \u{1F64F}' } })))).replace('\u{1F64F}', '\\ud83d\\ude4f');
    expect(await webhook(aPost(raw))).toEqual({ status: 200 });
    expect(recorder.inbound.map((m) => m.text)).toEqual(['Terima kasih \u{1F64F}']);
  });

  const delivered = JSON.stringify(aWebhook(aStatusValue(aStatus())));
  it.each([
    ['a signature made with another secret', { 'x-hub-signature-256': sign(delivered, '0123456789abcdef0123456789abcdef') }, /^X-Hub-Signature-256 does not match the body/],
    ['a signature of another body', { 'x-hub-signature-256': sign(`${delivered} `) }, /^X-Hub-Signature-256 does not match the body/],
    ['no signature', {}, /^no X-Hub-Signature-256 header/],
    ['two signatures, as Node joins them', { 'x-hub-signature-256': `${sign(delivered)}, ${sign(delivered)}` }, /^X-Hub-Signature-256 is not one sha256=/],
  ])('refuses %s as BAD_SIGNATURE, and reports nothing', async (_label, headers, reason) => {
    const recorder = aRecorder();
    const webhook = webhookOf(await aProvider(recorder));
    expect(await webhook(aPost(delivered, headers))).toEqual({ refused: ProviderWebhookErrorCode.BadSignature, reason: expect.stringMatching(reason) as unknown });
    expect(recorder.receipts).toEqual([]);
  });

  it('refuses every POST when no appSecret is configured, rather than take unsigned webhooks', async () => {
    const recorder = aRecorder();
    const webhook = webhookOf(await aProvider(recorder, { verifyToken: VERIFY_TOKEN }));
    expect(await webhook(aPost(delivered, {}))).toEqual({ refused: ProviderWebhookErrorCode.NotConfigured, reason: expect.stringMatching(/^chat-whatsapp has no appSecret/) as unknown });
    expect(await webhook(aPost(delivered, { 'x-hub-signature-256': sign(delivered, '') }))).toMatchObject({ refused: ProviderWebhookErrorCode.NotConfigured });
    expect(recorder.receipts).toEqual([]);
  });

  it.each([
    ['text that is not JSON', '{"object":', 'not a WhatsApp webhook: (body) is not JSON'],
    ['an empty body', '', 'not a WhatsApp webhook: (body) is not JSON'],
    ['a status without its id', JSON.stringify(aWebhook(aStatusValue(aStatus({ id: undefined })))), 'not a WhatsApp webhook: entry[0].changes[0].value.statuses[0].id is not a non-empty string'],
    ['a webhook for another Meta product', JSON.stringify({ object: 'page', entry: [] }), 'the webhook is for "page", not whatsapp_business_account'],
  ])('resolves a signed body with %s to MALFORMED with the reason, without throwing', async (_label, body, reason) => {
    const recorder = aRecorder();
    const webhook = webhookOf(await aProvider(recorder));
    await expect(webhook(aPost(body))).resolves.toEqual({ refused: ProviderWebhookErrorCode.Malformed, reason });
    expect(recorder.receipts).toEqual([]);
  });

  it('refuses a webhook the hub could not wholly record (503, WEBHOOK_NOT_RECORDED) after handing over the rest, and takes Meta\'s retry', async () => {
    const receipts: string[] = [];
    const recorder = aRecorder({
      onDeliveryReceipt: (receipt) => {
        receipts.push(receipt.messageId);
        return receipts.length === 1 ? Promise.reject(new Error('the hub could not record this delivery receipt')) : Promise.resolve();
      },
    });
    const webhook = webhookOf(await aProvider(recorder));
    const body = JSON.stringify(aWebhook(aStatusValue(aStatus(), aStatus({ id: OTHER_WAMID }))));
    expect(await webhook(aPost(body))).toEqual({ refused: ProviderWebhookErrorCode.NotRecorded, reason: 'the hub could not record 1 of its statuses and messages; send it again' });
    expect(receipts).toEqual([SENT_WAMID, OTHER_WAMID]);
    // Meta sends the same webhook again; this time the hub takes it.
    expect(await webhook(aPost(body))).toEqual({ status: 200 });
    expect(receipts).toEqual([SENT_WAMID, OTHER_WAMID, SENT_WAMID, OTHER_WAMID]);
  });

  it("refuses a webhook whose citizen's reply the hub could not record, so the reply is not lost", async () => {
    const recorder = aRecorder({ onInbound: () => Promise.reject(new Error('the hub could not record this inbound message')) });
    const webhook = webhookOf(await aProvider(recorder));
    const body = JSON.stringify(aWebhook(aMessagesValue(anInboundMessage('text', { text: { body: 'Sudah saya bayar' } }))));
    expect(await webhook(aPost(body))).toMatchObject({ refused: ProviderWebhookErrorCode.NotRecorded });
  });

  it('answers 200 within seconds even while the hub has not taken a receipt yet, so Meta does not send it again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const recorder = aRecorder({ onDeliveryReceipt: () => new Promise<void>(() => undefined) });
    const webhook = webhookOf(await aProvider(recorder));
    let answer: unknown;
    const pending = webhook(aPost(delivered)).then((a) => (answer = a));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1_000);
    await pending;
    expect(answer).toEqual({ status: 200 });
  });
});
