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
    | {
        readonly type: 'template';
        readonly template: {
          readonly name: string;
          readonly language: { readonly code: string };
          readonly components: readonly [{ readonly type: 'body'; readonly parameters: readonly [{ readonly type: 'text'; readonly text: string }] }];
        };
      }
  );

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
    return { ...envelope, type: 'text', text: { body: message.body, preview_url: false } };
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
