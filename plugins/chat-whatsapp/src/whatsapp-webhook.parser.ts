import { graphErrorToPluginError, readGraphError } from './whatsapp-error.mapper.js';
import { WhatsAppWebhookError, WhatsAppWebhookErrorCode } from './whatsapp-webhook.exception.js';
import type { WhatsAppInbound, WhatsAppStatus, WhatsAppStatusState, WhatsAppWebhook } from './whatsapp-webhook.type.js';

const OBJECT = 'whatsapp_business_account';
const STATES: Readonly<Record<string, WhatsAppStatusState>> = { sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed' };
const WA_ID = /^[1-9]\d{5,14}$/;

type Json = Readonly<Record<string, unknown>>;
type Content = Pick<WhatsAppInbound, 'kind' | 'text' | 'mediaId' | 'mimeType' | 'payload' | 'replyTo'>;

/**
 * Reads a Cloud API webhook (`entry[].changes[]` with `field: "messages"`) into delivery receipts and inbound
 * messages. Takes the raw body (string or bytes) or its parsed JSON; verify the signature on the raw bytes first.
 * Statuses in states Kabar does not track and changes to other fields are left out; a body whose shape is wrong where
 * it matters throws a `WhatsAppWebhookError` naming the path.
 * @example parseWebhook(rawBody).statuses // [{ phoneNumberId: '106540352242922', providerMessageId: 'wamid.HBgN…', state: 'delivered', at: 2025-01-01T05:00:00.000Z }]
 */
export function parseWebhook(body: unknown): WhatsAppWebhook {
  const root = record(decode(body), '(body)');
  const object = string(root.object, 'object');
  if (object !== OBJECT) throw new WhatsAppWebhookError(WhatsAppWebhookErrorCode.UnexpectedObject, `the webhook is for "${object}", not ${OBJECT}`, { path: 'object' });
  const statuses: WhatsAppStatus[] = [];
  const inbound: WhatsAppInbound[] = [];
  array(root.entry, 'entry').forEach((rawEntry, i) => {
    const entry = record(rawEntry, `entry[${i}]`);
    array(entry.changes, `entry[${i}].changes`).forEach((rawChange, j) => {
      const path = `entry[${i}].changes[${j}]`;
      const change = record(rawChange, path);
      // The same endpoint receives template reviews, quality updates and more; only `messages` carries these.
      if (string(change.field, `${path}.field`) !== 'messages') return;
      const value = record(change.value, `${path}.value`);
      const metadata = record(value.metadata, `${path}.value.metadata`);
      const phoneNumberId = string(metadata.phone_number_id, `${path}.value.metadata.phone_number_id`);
      optionalArray(value.statuses, `${path}.value.statuses`).forEach((raw, k) => {
        const status = statusOf(raw, `${path}.value.statuses[${k}]`, phoneNumberId);
        if (status !== undefined) statuses.push(status);
      });
      optionalArray(value.messages, `${path}.value.messages`).forEach((raw, k) => inbound.push(inboundOf(raw, `${path}.value.messages[${k}]`, phoneNumberId)));
    });
  });
  return { statuses, inbound };
}

function statusOf(raw: unknown, path: string, phoneNumberId: string): WhatsAppStatus | undefined {
  const status = record(raw, path);
  const providerMessageId = string(status.id, `${path}.id`);
  const word = string(status.status, `${path}.status`);
  const at = seconds(status.timestamp, `${path}.timestamp`);
  const notificationId = optionalString(status.biz_opaque_callback_data, `${path}.biz_opaque_callback_data`);
  // Meta adds states now and then (e.g. `deleted`, `warning`); they say nothing about delivery.
  const state = STATES[word];
  if (state === undefined) return undefined;
  const base = { phoneNumberId, providerMessageId, ...(notificationId === undefined ? {} : { notificationId }), state, at };
  const first = optionalArray(status.errors, `${path}.errors`)[0];
  if (first === undefined) return base;
  const graphError = readGraphError(record(first, `${path}.errors[0]`));
  const recipient = optionalString(status.recipient_id, `${path}.recipient_id`);
  const error = graphErrorToPluginError(graphError, recipient === undefined ? {} : { recipient: `+${recipient}` });
  return {
    ...base,
    ...(graphError.code === undefined ? {} : { errorCode: graphError.code }),
    error: { code: error.code, retryable: error.retryable, message: error.message },
  };
}

function inboundOf(raw: unknown, path: string, phoneNumberId: string): WhatsAppInbound {
  const message = record(raw, path);
  const from = string(message.from, `${path}.from`);
  if (!WA_ID.test(from)) fail(`${path}.from`, 'is not a phone number');
  const providerMessageId = string(message.id, `${path}.id`);
  const at = seconds(message.timestamp, `${path}.timestamp`);
  const context = message.context === undefined ? undefined : record(message.context, `${path}.context`);
  const replyTo = optionalString(context?.id, `${path}.context.id`);
  const content = contentOf(string(message.type, `${path}.type`), message, path);
  return { phoneNumberId, from: `+${from}`, providerMessageId, at, ...(replyTo === undefined ? {} : { replyTo }), ...content };
}

function contentOf(type: string, message: Json, path: string): Content {
  switch (type) {
    case 'text':
      return { kind: 'text', text: string(record(message.text, `${path}.text`).body, `${path}.text.body`) };
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker': {
      const media = record(message[type], `${path}.${type}`);
      return {
        kind: type,
        mediaId: string(media.id, `${path}.${type}.id`),
        ...optionalField('text', media.caption, `${path}.${type}.caption`),
        ...optionalField('mimeType', media.mime_type, `${path}.${type}.mime_type`),
      };
    }
    case 'button': {
      // A quick-reply button of a template message.
      const button = record(message.button, `${path}.button`);
      return { kind: 'button', ...optionalField('text', button.text, `${path}.button.text`), ...optionalField('payload', button.payload, `${path}.button.payload`) };
    }
    case 'interactive': {
      const interactive = record(message.interactive, `${path}.interactive`);
      const name = interactive.type === 'list_reply' ? 'list_reply' : 'button_reply';
      const reply = interactive[name] === undefined ? undefined : record(interactive[name], `${path}.interactive.${name}`);
      return { kind: 'interactive', ...optionalField('text', reply?.title, `${path}.interactive.${name}.title`), ...optionalField('payload', reply?.id, `${path}.interactive.${name}.id`) };
    }
    case 'reaction': {
      const reaction = record(message.reaction, `${path}.reaction`);
      // No emoji: the citizen took a reaction back.
      return { kind: 'reaction', ...optionalField('text', reaction.emoji, `${path}.reaction.emoji`), ...optionalField('replyTo', reaction.message_id, `${path}.reaction.message_id`) };
    }
    case 'location':
    case 'contacts':
      return { kind: type };
    default:
      return { kind: 'unsupported' };
  }
}

function decode(body: unknown): unknown {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body;
  try {
    return JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    return fail('(body)', 'is not JSON');
  }
}

function fail(path: string, problem: string): never {
  throw new WhatsAppWebhookError(WhatsAppWebhookErrorCode.Malformed, `not a WhatsApp webhook: ${path} ${problem}`, { path });
}

function record(value: unknown, path: string): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : fail(path, 'is not an object');
}

function array(value: unknown, path: string): readonly unknown[] {
  return Array.isArray(value) ? value : fail(path, 'is not an array');
}

function optionalArray(value: unknown, path: string): readonly unknown[] {
  return value === undefined ? [] : array(value, path);
}

function string(value: unknown, path: string): string {
  return typeof value === 'string' && value !== '' ? value : fail(path, 'is not a non-empty string');
}

function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : string(value, path);
}

function optionalField<Name extends string>(name: Name, value: unknown, path: string): Partial<Record<Name, string>> {
  const text = optionalString(value, path);
  return text === undefined ? {} : ({ [name]: text } as Record<Name, string>);
}

/** Meta's timestamps are Unix seconds, as a string of digits. */
function seconds(value: unknown, path: string): Date {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof text === 'string' && /^\d{1,12}$/.test(text) ? new Date(Number(text) * 1000) : fail(path, 'is not a Unix time in seconds');
}
