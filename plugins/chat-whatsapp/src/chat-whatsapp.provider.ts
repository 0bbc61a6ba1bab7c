import { describeError } from '@kabar/core';
import {
  type ChannelProvider,
  failedOutcome,
  mapInParallel,
  type OutboundMessage,
  PluginError,
  PluginErrorCode,
  type ProviderCheck,
  type ProviderMedia,
  type ProviderWebhookRequest,
  type ProviderWebhookResponse,
  type SendOutcome,
  sentOutcome,
} from '@kabar/plugin-sdk';

import type { GraphExchange, WhatsAppCloudClient } from './whatsapp-cloud.client.js';
import { toPluginError } from './whatsapp-error.mapper.js';
import { cloudApiMessageFor, type WhatsAppTemplate } from './whatsapp-message.factory.js';
import type { WhatsAppWebhookHandler } from './whatsapp-webhook.handler.js';

/** Parallel requests per batch: enough to hide Meta's latency, well inside the Cloud API's default 80 messages/s. */
export const MAX_IN_FLIGHT = 8;

export interface ChatWhatsAppProviderOptions {
  readonly client: WhatsAppCloudClient;
  readonly phoneNumberId: string;
  /** Kabar event type → the approved template its messages are sent as. */
  readonly templates: ReadonlyMap<string, WhatsAppTemplate>;
  /** Meta's status and inbound webhooks, which the hub routes here. */
  readonly webhooks: WhatsAppWebhookHandler;
}

/** Sends each message as one Cloud API request from the configured business number; Meta's answer decides each outcome. */
export class ChatWhatsAppProvider implements ChannelProvider {
  private closed = false;

  constructor(private readonly options: ChatWhatsAppProviderOptions) {}

  send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    return mapInParallel(batch, MAX_IN_FLIGHT, (message) => this.deliver(message));
  }

  async check(): Promise<ProviderCheck> {
    const { client, phoneNumberId } = this.options;
    const startedAt = Date.now();
    try {
      // Proves the route, TLS, the token and its access to this number, without sending anything to anyone.
      const exchange = await client.get(phoneNumberId, { fields: 'display_phone_number,quality_rating' });
      const elapsed = Date.now() - startedAt;
      const number = phoneNumberOf(exchange);
      if (number === undefined) return { ok: false, detail: toPluginError(exchange, client.host).message };
      return { ok: true, detail: `WhatsApp business number ending ${number.lastDigits}, quality rating ${number.quality}, answered by ${client.host} in ${elapsed} ms` };
    } catch (error) {
      return { ok: false, detail: describeError(error) };
    }
  }

  /** Meta's subscription handshake (GET) and its signed status and message webhooks (POST). */
  webhook(request: ProviderWebhookRequest): Promise<ProviderWebhookResponse> {
    return this.options.webhooks.handle(request);
  }

  /**
   * A file a citizen sent, by Meta's media id: the media object names a URL (on Meta's media host), fetched with the
   * same token. Meta keeps media for 30 days; after that, and for an id it does not know, the answer is REJECTED.
   */
  async fetchMedia(mediaId: string): Promise<ProviderMedia> {
    const { client } = this.options;
    if (!/^\d{1,32}$/.test(mediaId)) throw new PluginError(PluginErrorCode.Rejected, 'not a WhatsApp media id');
    const described = await client.get(mediaId);
    const media = mediaObjectOf(described);
    if (media === undefined) {
      // An unknown or expired id is answered like an object the token cannot see (100/33): not a credentials problem here.
      const unknown = described.kind === 'answer' && (described.status === 400 || described.status === 404);
      throw unknown ? new PluginError(PluginErrorCode.Rejected, 'WhatsApp has no media of that id (it keeps media for 30 days)') : toPluginError(described, client.host);
    }
    const file = await client.download(media.url, MAX_MEDIA_BYTES);
    switch (file.kind) {
      case 'file':
        if (file.status !== 200) throw new PluginError(file.status >= 500 ? PluginErrorCode.ProviderError : PluginErrorCode.Rejected, `the media host answered HTTP ${String(file.status)}`);
        return { mimeType: media.mimeType ?? file.contentType, data: file.data };
      case 'tooLarge':
        throw new PluginError(PluginErrorCode.Rejected, `the file is larger than ${String(MAX_MEDIA_BYTES / 1024 / 1024)} MB`);
      default:
        throw toPluginError(file, client.host);
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.options.client.close();
    }
    return Promise.resolve();
  }

  private async deliver(message: OutboundMessage): Promise<SendOutcome> {
    const { client, phoneNumberId, templates } = this.options;
    const body = cloudApiMessageFor(message, templates);
    if (body instanceof PluginError) return failedOutcome(message, body);
    // Never rejects: a failure of the whole batch (bad token, Meta down) shows in every message's exchange.
    const exchange = await client.post(`${phoneNumberId}/messages`, body);
    const wamid = messageIdOf(exchange);
    if (wamid !== undefined) return sentOutcome(message, wamid);
    return failedOutcome(message, toPluginError(exchange, client.host, { recipient: message.to, eventType: message.eventType }));
  }
}

/** `messages[0].id` (the `wamid.…` that status webhooks name) of a successful send, if that is what came back. */
function messageIdOf(exchange: GraphExchange): string | undefined {
  if (exchange.kind !== 'answer' || exchange.status < 200 || exchange.status >= 300) return undefined;
  const messages = isRecord(exchange.json) ? exchange.json.messages : undefined;
  const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
  const id = isRecord(first) ? first.id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The business number's last four digits and quality rating: enough for an operator, not the whole number. */
function phoneNumberOf(exchange: GraphExchange): { lastDigits: string; quality: string } | undefined {
  if (exchange.kind !== 'answer' || exchange.status < 200 || exchange.status >= 300 || !isRecord(exchange.json)) return undefined;
  const { display_phone_number: display, quality_rating: quality } = exchange.json;
  if (typeof display !== 'string' || !/\d/.test(display)) return undefined;
  return { lastDigits: display.replace(/\D/g, '').slice(-4), quality: typeof quality === 'string' ? quality : 'UNKNOWN' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The largest file served: WhatsApp's limit for videos and audio (documents may be larger, and are refused). */
const MAX_MEDIA_BYTES = 16 * 1024 * 1024;

/** The URL and type of a media object (`GET /<media-id>`), when the answer is one. */
function mediaObjectOf(exchange: GraphExchange): { readonly url: string; readonly mimeType: string | undefined } | undefined {
  if (exchange.kind !== 'answer' || exchange.status !== 200 || typeof exchange.json !== 'object' || exchange.json === null) return undefined;
  const { url, mime_type: mimeType } = exchange.json as { url?: unknown; mime_type?: unknown };
  return typeof url === 'string' ? { url, mimeType: typeof mimeType === 'string' ? mimeType : undefined } : undefined;
}
