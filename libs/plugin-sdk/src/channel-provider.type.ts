import type { OutboundMessage } from './outbound-message.type.js';
import type { ProviderWebhookRequest, ProviderWebhookResponse } from './provider-webhook.type.js';
import type { SendOutcome } from './send-outcome.type.js';

export interface ProviderCheck {
  readonly ok: boolean;
  /** One line for the operator console, e.g. "HTTP 405 from hooks.example.org in 38 ms" or the connection error. */
  readonly detail: string;
}

/** A file a citizen sent (a photo with a complaint), as the provider keeps it. */
export interface ProviderMedia {
  readonly mimeType: string;
  readonly data: Buffer;
}

/** A configured connection to one peer, made by `PluginManifest.create`. */
export interface ChannelProvider {
  /**
   * Sends a batch and returns one outcome per message, in the batch's order. A message that fails on its own becomes a
   * `failed` outcome; only a failure of the whole batch may reject, with a `PluginError` whose `retryable` the hub obeys.
   */
  send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]>;
  /**
   * True when the peer keeps at most one message per `idempotencyKey` whatever it is sent (the in-app inbox stores by
   * notification id). A re-send after a crash is then harmless, so the hub skips the claim it otherwise commits before
   * every call (one database write per message). Leave it unset when the peer may show a citizen the same message twice.
   */
  readonly deduplicates?: boolean;
  /** A real handshake with the peer where it allows one; never rejects: trouble is `ok: false` with the reason. */
  check(): Promise<ProviderCheck>;
  /** Releases connections; idempotent. The hub sends nothing after calling it. */
  close(): Promise<void>;
  /**
   * Takes what the peer pushes back over HTTP (delivery statuses, citizens' replies, subscription handshakes), which
   * the hub routes from `GET|POST /v1/plugins/<name>/webhook` (an install's name or id, or the id of a plugin configured
   * at start). Authenticate the raw body first
   * (refuse when the secret to do so is not configured), report receipts and replies through the context's
   * `onDeliveryReceipt`/`onInbound`, and answer quickly: peers retry what they think went unanswered. Without it
   * the hub answers that route 404.
   * @example async webhook(request) { return verified(request.body, request.headers['x-signature']) ? { status: 200 } : { refused: ProviderWebhookErrorCode.BadSignature, reason: 'X-Signature does not match' }; }
   */
  webhook?(request: ProviderWebhookRequest): Promise<ProviderWebhookResponse>;
  /**
   * The file behind a media id this provider reported with a citizen's message (`ProviderInbound.media.id`), for the
   * agency the message was routed to; the hub serves it and keeps no copy. Rejects with a `PluginError` (REJECTED for
   * an id the peer does not know or a file over the plugin's limit). Without it the hub answers that the channel
   * cannot fetch media.
   * @example const photo = await provider.fetchMedia?.('1234567890123456') // { mimeType: 'image/jpeg', data: <Buffer …> }
   */
  fetchMedia?(mediaId: string): Promise<ProviderMedia>;
}
