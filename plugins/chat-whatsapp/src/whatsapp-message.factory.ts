import { type OutboundMessage, PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

/** An approved WhatsApp message template, by the name and language it was approved under in WhatsApp Manager. */
export interface WhatsAppTemplate {
  readonly name: string;
  /** WhatsApp's language code, e.g. `id` or `en_US`. */
  readonly language: string;
}

interface CloudApiEnvelope {
  readonly messaging_product: 'whatsapp';
  readonly recipient_type: 'individual';
  /** E.164 digits without the `+`. */
  readonly to: string;
  /** Echoed by Meta in the message's status webhooks: the notification id, so receipts find their notification. */
  readonly biz_opaque_callback_data: string;
}

/** The JSON body of `POST /<version>/<phone-number-id>/messages`: free-form text, or an approved template. */
export type CloudApiMessage = CloudApiEnvelope &
  (
    | { readonly type: 'text'; readonly text: { readonly body: string; readonly preview_url: false } }
    | { readonly type: 'interactive'; readonly interactive: Interactive }
    | {
        readonly type: 'template';
        readonly template: {
          readonly name: string;
          readonly language: { readonly code: string };
          readonly components: readonly [{ readonly type: 'body'; readonly parameters: readonly [{ readonly type: 'text'; readonly text: string }] }];
        };
      }
  );

/** Reply buttons (up to three) or a list (up to ten rows): a survey question's answers to tap. */
type Interactive =
  | {
      readonly type: 'button';
      readonly body: { readonly text: string };
      readonly action: { readonly buttons: readonly { readonly type: 'reply'; readonly reply: { readonly id: string; readonly title: string } }[] };
    }
  | {
      readonly type: 'list';
      readonly body: { readonly text: string };
      readonly action: { readonly button: string; readonly sections: readonly [{ readonly rows: readonly { readonly id: string; readonly title: string }[] }] };
    };

// WhatsApp's limits for interactive messages (Cloud API reference, "Interactive object").
const MAX_BUTTONS = 3;
const MAX_BUTTON_TITLE = 20;
const MAX_BUTTON_BODY = 1024;
const MAX_ROWS = 10;
const MAX_ROW_TITLE = 24;
const MAX_ID = 200;
/** The label of the button that opens a list, in the message's language. */
const LIST_BUTTON: Readonly<Record<string, string>> = { id: 'Pilih jawaban', en: 'Choose an answer' };

// E.164: a country code that does not start with 0, at most 15 digits in all.
const E164 = /^\+([1-9]\d{6,14})$/;
/** WhatsApp's limit for a text message's body. */
const MAX_TEXT_LENGTH = 4096;

/**
 * The Cloud API message for an outbound message, or the `PluginError` that makes sending it pointless.
 *
 * A message whose event type has a template is sent as that template, with the rendered body as its one body
 * parameter: outside the 24-hour customer-service window (the citizen has not written in the last day) WhatsApp
 * delivers nothing else. Other messages go as plain text, without link previews.
 * @example cloudApiMessageFor(anOutboundMessage({ channel: 'whatsapp', eventType: 'tax.due' }), new Map([['tax.due', { name: 'tagihan_pajak', language: 'id' }]]))
 */
export function cloudApiMessageFor(message: OutboundMessage, templates: ReadonlyMap<string, WhatsAppTemplate>): CloudApiMessage | PluginError {
  const digits = E164.exec(message.to)?.[1];
  if (digits === undefined) return new PluginError(PluginErrorCode.InvalidRecipient, 'the recipient is not a phone number in E.164 form (+<country code><number>)');
  if (message.body.trim() === '') return new PluginError(PluginErrorCode.Rejected, 'the message body is empty');
  const envelope: CloudApiEnvelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: digits, biz_opaque_callback_data: message.notificationId };
  const template = templates.get(message.eventType);
  if (template === undefined) {
    if (message.body.length > MAX_TEXT_LENGTH) {
      return new PluginError(PluginErrorCode.Rejected, `the message body has ${message.body.length} characters; WhatsApp takes at most ${MAX_TEXT_LENGTH} in a text message`);
    }
    const interactive = interactiveFor(message);
    return interactive === undefined ? { ...envelope, type: 'text', text: { body: message.body, preview_url: false } } : { ...envelope, type: 'interactive', interactive };
  }
  return {
    ...envelope,
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      components: [{ type: 'body', parameters: [{ type: 'text', text: templateParameter(message.body) }] }],
    },
  };
}

/** WhatsApp refuses a template parameter with line breaks, tabs or more than four spaces in a row (error 132018). */
function templateParameter(body: string): string {
  return body.replace(/\s+/g, ' ').trim();
}

/**
 * The message's reply options as buttons (up to three, with a body WhatsApp takes under buttons) or a list (up to
 * ten), titles shortened to WhatsApp's limits (the body says them in full); undefined when there are none or they
 * cannot be shown, and the message goes as text.
 */
function interactiveFor(message: OutboundMessage): Interactive | undefined {
  const options = message.replyOptions ?? [];
  if (options.length === 0 || options.length > MAX_ROWS || options.some((o) => o.id === '' || o.id.length > MAX_ID)) return undefined;
  const body = { text: message.body };
  if (options.length <= MAX_BUTTONS && message.body.length <= MAX_BUTTON_BODY) {
    return { type: 'button', body, action: { buttons: options.map((o) => ({ type: 'reply', reply: { id: o.id, title: shorten(o.title, MAX_BUTTON_TITLE) } })) } };
  }
  const button = LIST_BUTTON[message.locale.split('-')[0] ?? ''] ?? LIST_BUTTON['en'] ?? 'Choose';
  return { type: 'list', body, action: { button, sections: [{ rows: options.map((o) => ({ id: o.id, title: shorten(o.title, MAX_ROW_TITLE) })) }] } };
}

/** At most `max` characters (code points), with an ellipsis when cut. */
function shorten(text: string, max: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}
