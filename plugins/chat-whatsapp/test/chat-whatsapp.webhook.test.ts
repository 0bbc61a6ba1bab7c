import { createHmac } from 'node:crypto';

import { parseWebhook, verifySubscription, verifyWebhookSignature, WhatsAppWebhookError, WhatsAppWebhookErrorCode } from '@kabar/plugin-chat-whatsapp';
import { describe, expect, it } from 'vitest';

import { aFailedStatus, aMessagesValue, anInboundMessage, aStatus, aStatusValue, aWebhook, BUSINESS_PHONE_NUMBER_ID, SENT_WAMID } from './whatsapp-webhook.builder.js';

const APP_SECRET = 'f3a9c1d2e4b5a6978877665544332211';
// HMAC-SHA256 of EMPTY_BODY under APP_SECRET, computed with `openssl dgst -sha256 -hmac`.
const EMPTY_BODY = '{"object":"whatsapp_business_account","entry":[]}';
const EMPTY_BODY_SIGNATURE = 'sha256=3d22dbd6ce51765ffe6c77aaf7a9c1e757f5dc086f63a56661f337e3b3a182b0';
const sign = (body: string | Buffer, secret = APP_SECRET): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function errorOf(run: () => unknown): unknown {
  try {
    run();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('verifyWebhookSignature (X-Hub-Signature-256)', () => {
  it("accepts Meta's signature of the raw body, in either hex case, as a string or a Buffer", () => {
    expect(verifyWebhookSignature(EMPTY_BODY, EMPTY_BODY_SIGNATURE, APP_SECRET)).toEqual({ valid: true });
    expect(verifyWebhookSignature(Buffer.from(EMPTY_BODY), EMPTY_BODY_SIGNATURE.toUpperCase().replace('SHA256', 'sha256'), APP_SECRET)).toEqual({ valid: true });
    expect(verifyWebhookSignature(EMPTY_BODY, [EMPTY_BODY_SIGNATURE], APP_SECRET)).toEqual({ valid: true });
  });

  it('verifies the bytes as sent, with non-ASCII escaped as Meta does, not a re-serialised copy', () => {
    const raw = '{"object":"whatsapp_business_account","entry":[{"text":"Terima kasih \\ud83d\\ude4f"}]}';
    const header = sign(raw);
    expect(verifyWebhookSignature(raw, header, APP_SECRET)).toEqual({ valid: true });
    expect(verifyWebhookSignature(JSON.stringify(JSON.parse(raw)), header, APP_SECRET)).toEqual({ valid: false, reason: 'no-matching-signature' });
  });

  it.each([
    ['a tampered body', `${EMPTY_BODY} `, EMPTY_BODY_SIGNATURE, APP_SECRET, 'no-matching-signature'],
    ['another app secret', EMPTY_BODY, EMPTY_BODY_SIGNATURE, '0123456789abcdef0123456789abcdef', 'no-matching-signature'],
    ['an empty app secret', EMPTY_BODY, sign(EMPTY_BODY, ''), '', 'no-matching-signature'],
    ['no header', EMPTY_BODY, undefined, APP_SECRET, 'missing-header'],
    ['an empty header', EMPTY_BODY, '', APP_SECRET, 'missing-header'],
    ['the SHA-1 header format', EMPTY_BODY, 'sha1=3d22dbd6ce51765ffe6c77aaf7a9c1e757f5dc08', APP_SECRET, 'malformed-header'],
    ['a bare hex digest', EMPTY_BODY, EMPTY_BODY_SIGNATURE.slice('sha256='.length), APP_SECRET, 'malformed-header'],
    ['a truncated digest', EMPTY_BODY, EMPTY_BODY_SIGNATURE.slice(0, -2), APP_SECRET, 'malformed-header'],
    ['two headers', EMPTY_BODY, [EMPTY_BODY_SIGNATURE, EMPTY_BODY_SIGNATURE], APP_SECRET, 'malformed-header'],
  ])('refuses %s', (_label, body, header, secret, reason) => {
    expect(verifyWebhookSignature(body, header, secret)).toEqual({ valid: false, reason });
  });
});

describe('verifySubscription (the GET handshake)', () => {
  const query = (token: string, challenge = '1158201444', mode = 'subscribe'): URLSearchParams =>
    new URLSearchParams({ 'hub.mode': mode, 'hub.verify_token': token, 'hub.challenge': challenge });

  it('answers the challenge when the verify token matches, from URLSearchParams or a parsed query object', () => {
    expect(verifySubscription(query('kabar-verify-7f3a'), 'kabar-verify-7f3a')).toEqual({ accepted: true, challenge: '1158201444' });
    const parsed = { 'hub.mode': 'subscribe', 'hub.verify_token': 'kabar-verify-7f3a', 'hub.challenge': '1158201444' };
    expect(verifySubscription(parsed, 'kabar-verify-7f3a')).toEqual({ accepted: true, challenge: '1158201444' });
  });

  it.each([
    ['another token', query('guess'), 'kabar-verify-7f3a', 'wrong-verify-token'],
    ['a token when none is configured', query(''), '', 'wrong-verify-token'],
    ['a mode other than subscribe', query('kabar-verify-7f3a', '1158201444', 'unsubscribe'), 'kabar-verify-7f3a', 'not-a-subscription'],
    ['a query without hub fields', new URLSearchParams({ challenge: '1' }), 'kabar-verify-7f3a', 'not-a-subscription'],
    ['a challenge that is markup', query('kabar-verify-7f3a', '<script>alert(1)</script>'), 'kabar-verify-7f3a', 'bad-challenge'],
    ['a repeated token (an array)', { 'hub.mode': 'subscribe', 'hub.verify_token': ['kabar-verify-7f3a'], 'hub.challenge': '1' }, 'kabar-verify-7f3a', 'wrong-verify-token'],
  ])('refuses %s', (_label, given, verifyToken, reason) => {
    expect(verifySubscription(given, verifyToken)).toEqual({ accepted: false, reason });
  });
});

describe('parseWebhook', () => {
  it('reads sent, delivered and read receipts, with the notification id Meta echoes', () => {
    const body = aWebhook(
      aStatusValue(
        aStatus({ status: 'sent', timestamp: '1735707600', biz_opaque_callback_data: 'c0ffee00-1111-4222-8333-444455556666' }),
        aStatus({ status: 'delivered', timestamp: '1735707602' }),
        aStatus({ status: 'read', timestamp: '1735707630', conversation: undefined, pricing: undefined }),
      ),
    );
    expect(parseWebhook(body)).toEqual({
      statuses: [
        { phoneNumberId: BUSINESS_PHONE_NUMBER_ID, providerMessageId: SENT_WAMID, notificationId: 'c0ffee00-1111-4222-8333-444455556666', state: 'sent', at: new Date('2025-01-01T05:00:00Z') },
        { phoneNumberId: BUSINESS_PHONE_NUMBER_ID, providerMessageId: SENT_WAMID, state: 'delivered', at: new Date('2025-01-01T05:00:02Z') },
        { phoneNumberId: BUSINESS_PHONE_NUMBER_ID, providerMessageId: SENT_WAMID, state: 'read', at: new Date('2025-01-01T05:00:30Z') },
      ],
      inbound: [],
    });
  });

  it.each([
    [131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.', 'REJECTED', false],
    [131026, 'Message undeliverable', 'Unable to deliver message. Reasons can include: The recipient phone number is not a WhatsApp phone number.', 'INVALID_RECIPIENT', false],
    [131000, 'Something went wrong', 'Message failed to send due to an unknown error.', 'PROVIDER_ERROR', true],
    [131049, 'This message was not delivered to maintain healthy ecosystem engagement.', 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.', 'REJECTED', false],
  ])('reads a failed receipt with error %i as %s (retryable: %s)', (code, title, details, pluginCode, retryable) => {
    const [status] = parseWebhook(aWebhook(aStatusValue(aFailedStatus(code, title, details)))).statuses;
    expect(status).toEqual({
      phoneNumberId: BUSINESS_PHONE_NUMBER_ID,
      providerMessageId: SENT_WAMID,
      state: 'failed',
      at: new Date('2025-01-01T05:00:05Z'),
      errorCode: code,
      error: { code: pluginCode, retryable, message: expect.stringMatching(new RegExp(`^WhatsApp #${code}: `)) as unknown },
    });
  });

  it('says, for a failed receipt outside the 24-hour window, that a template is needed', () => {
    const [status] = parseWebhook(aWebhook(aStatusValue(aFailedStatus(131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.')))).statuses;
    expect(status?.error?.message).toBe(
      "WhatsApp #131047: Re-engagement message. Message failed to send because more than 24 hours have passed since the customer last replied to this number. Outside the 24-hour customer-service window WhatsApp delivers only approved templates: map the event type to one in the plugin's \"templates\" setting.",
    );
  });

  it('reads a text from a citizen, as E.164, with the message it replies to', () => {
    const body = aWebhook(aMessagesValue(anInboundMessage('text', { text: { body: 'Terima kasih, saya ambil besok.' }, context: { from: '6281115002024', id: SENT_WAMID } })));
    expect(parseWebhook(body)).toEqual({
      statuses: [],
      inbound: [
        {
          phoneNumberId: BUSINESS_PHONE_NUMBER_ID,
          from: '+6281234567890',
          providerMessageId: 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDMUY4QzQ1RjE4QTlBRTk1AA==',
          at: new Date('2025-01-01T05:01:00Z'),
          replyTo: SENT_WAMID,
          kind: 'text',
          text: 'Terima kasih, saya ambil besok.',
        },
      ],
    });
  });

  it('reads an image with its caption as media to fetch', () => {
    const image = { caption: 'Foto KK terbaru', mime_type: 'image/jpeg', sha256: 'Yc5lQ9lX2aJkz0m0mF9sZy3Q4x1zj1a5m0dG3hT7x9Q=', id: '1234567890123456' };
    const [inbound] = parseWebhook(aWebhook(aMessagesValue(anInboundMessage('image', { image })))).inbound;
    expect(inbound).toMatchObject({ kind: 'image', mediaId: '1234567890123456', mimeType: 'image/jpeg', text: 'Foto KK terbaru' });
    expect(inbound).not.toHaveProperty('replyTo');
  });

  it("reads a template's quick-reply button and an interactive button reply, with what they were defined to send", () => {
    const button = anInboundMessage('button', { button: { text: 'Ya, saya hadir', payload: 'ATTEND_YES' }, context: { from: '6281115002024', id: SENT_WAMID } });
    const interactive = anInboundMessage('interactive', { interactive: { type: 'button_reply', button_reply: { id: 'reschedule', title: 'Ganti jadwal' } } });
    const list = anInboundMessage('interactive', { interactive: { type: 'list_reply', list_reply: { id: 'office-jaksel', title: 'Jakarta Selatan', description: 'Jl. Radio' } } });
    const { inbound } = parseWebhook(aWebhook(aMessagesValue(button, interactive, list)));
    expect(inbound.map(({ kind, text, payload, replyTo }) => ({ kind, text, payload, replyTo }))).toEqual([
      { kind: 'button', text: 'Ya, saya hadir', payload: 'ATTEND_YES', replyTo: SENT_WAMID },
      { kind: 'interactive', text: 'Ganti jadwal', payload: 'reschedule', replyTo: undefined },
      { kind: 'interactive', text: 'Jakarta Selatan', payload: 'office-jaksel', replyTo: undefined },
    ]);
  });

  it('reads reactions, locations and types it does not know, without their content', () => {
    const reaction = anInboundMessage('reaction', { reaction: { message_id: SENT_WAMID, emoji: '\u{1F44D}' } });
    const location = anInboundMessage('location', { location: { latitude: -6.2615, longitude: 106.8106, name: 'Disdukcapil Jakarta Selatan' } });
    const unknown = anInboundMessage('unsupported', { errors: [{ code: 131051, title: 'Message type unknown' }] });
    const { inbound } = parseWebhook(aWebhook(aMessagesValue(reaction, location, unknown)));
    expect(inbound.map(({ kind, text, replyTo }) => ({ kind, text, replyTo }))).toEqual([
      { kind: 'reaction', text: '\u{1F44D}', replyTo: SENT_WAMID },
      { kind: 'location', text: undefined, replyTo: undefined },
      { kind: 'unsupported', text: undefined, replyTo: undefined },
    ]);
  });

  it('takes the raw body as a string or bytes, reads every change of every entry, and leaves other fields and unknown states out', () => {
    const body = aWebhook(aStatusValue(aStatus(), aStatus({ status: 'deleted' })), aMessagesValue(anInboundMessage('text', { text: { body: 'Halo' } })));
    const withTemplateReview = { ...body, entry: [...(body.entry as unknown[]), { id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }] };
    const raw = JSON.stringify(withTemplateReview);
    for (const given of [raw, Buffer.from(raw), withTemplateReview]) {
      const parsed = parseWebhook(given);
      expect(parsed.statuses.map((s) => s.state)).toEqual(['delivered']);
      expect(parsed.inbound.map((m) => m.text)).toEqual(['Halo']);
    }
  });

  it.each([
    ['text that is not JSON', '{"object":', '(body)', 'is not JSON'],
    ['a JSON array', [], '(body)', 'is not an object'],
    ['a body without its object', { entry: [] }, 'object', 'is not a non-empty string'],
    ['entry that is not an array', { object: 'whatsapp_business_account', entry: {} }, 'entry', 'is not an array'],
    ['a change without its field', { object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ value: aStatusValue() }] }] }, 'entry[0].changes[0].field', 'is not a non-empty string'],
    ['a value without metadata', aWebhook({ messaging_product: 'whatsapp', statuses: [] }), 'entry[0].changes[0].value.metadata', 'is not an object'],
    ['a status without an id', aWebhook(aStatusValue(aStatus({ id: undefined }))), 'entry[0].changes[0].value.statuses[0].id', 'is not a non-empty string'],
    ['a timestamp that is not Unix seconds', aWebhook(aStatusValue(aStatus({ timestamp: '2025-01-01T05:00:00Z' }))), 'entry[0].changes[0].value.statuses[0].timestamp', 'is not a Unix time in seconds'],
    ['statuses that is not an array', aWebhook({ ...aStatusValue(), statuses: aStatus() }), 'entry[0].changes[0].value.statuses', 'is not an array'],
    ['a message from no phone number', aWebhook(aMessagesValue(anInboundMessage('text', { text: { body: 'Halo' } }, { from: 'budi' }))), 'entry[0].changes[0].value.messages[0].from', 'is not a phone number'],
    ['a text without its body', aWebhook(aMessagesValue(anInboundMessage('text', { text: {} }))), 'entry[0].changes[0].value.messages[0].text.body', 'is not a non-empty string'],
    ['an image without its media id', aWebhook(aMessagesValue(anInboundMessage('image', { image: { caption: 'KTP' } }))), 'entry[0].changes[0].value.messages[0].image.id', 'is not a non-empty string'],
  ])('refuses %s, naming where it is malformed', (_label, body, path, problem) => {
    const error = errorOf(() => parseWebhook(body));
    expect(error).toBeInstanceOf(WhatsAppWebhookError);
    expect(error).toMatchObject({ code: WhatsAppWebhookErrorCode.Malformed, message: `not a WhatsApp webhook: ${path} ${problem}`, details: { path } });
  });

  it('refuses a webhook for another Meta product as UNEXPECTED_OBJECT', () => {
    const error = errorOf(() => parseWebhook({ object: 'page', entry: [] }));
    expect(error).toMatchObject({ code: WhatsAppWebhookErrorCode.UnexpectedObject, message: 'the webhook is for "page", not whatsapp_business_account' });
  });
});
