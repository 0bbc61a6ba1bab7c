import type { Channel } from './channel.type.js';

/** One rendered notification for one recipient on one channel: everything a plugin needs, nothing it must look up. */
export interface OutboundMessage {
  readonly notificationId: string;
  /** Stable across retries of the same delivery; plugins pass it to peers that de-duplicate (e.g. `webhook-id`). */
  readonly idempotencyKey: string;
  readonly channel: Channel;
  /** Phone number (E.164), e-mail address, device token, URL, or for the inbox the citizen id. */
  readonly to: string;
  /** Sender id / from address chosen by the route, when the channel has one. */
  readonly sender?: string;
  /** BCP 47 tag the message was rendered in. */
  readonly locale: string;
  readonly subject?: string;
  /** Plain text; always present, even when `html` is. */
  readonly body: string;
  readonly html?: string;
  readonly agencyCode: string;
  readonly eventType: string;
  readonly eventId: string;
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * Answers the citizen can tap (a survey question's choices), for channels that show buttons or lists (WhatsApp);
   * a tapped option comes back as the reply's `payload` = its `id`. The body still says them in words, so a plugin
   * that shows no buttons sends it as it is.
   */
  readonly replyOptions?: readonly { readonly id: string; readonly title: string }[];
}
