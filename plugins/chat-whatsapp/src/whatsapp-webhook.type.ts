import type { PluginErrorCode } from '@kabar/plugin-sdk';

/** Where a sent message is, per Meta; `failed` can follow `sent`, and `read` needs the citizen's read receipts on. */
export type WhatsAppStatusState = 'sent' | 'delivered' | 'read' | 'failed';

/** One `statuses[]` entry of a `messages` webhook: a delivery receipt for a message this plugin sent. */
export interface WhatsAppStatus {
  /** The business number it concerns (`metadata.phone_number_id`), which tells the installs apart. */
  readonly phoneNumberId: string;
  /** The `wamid.…` a sent outcome reported as `providerMessageId`. */
  readonly providerMessageId: string;
  /** The notification id the plugin sent as `biz_opaque_callback_data`, when Meta echoes it. */
  readonly notificationId?: string;
  readonly state: WhatsAppStatusState;
  readonly at: Date;
  /** Meta's error code, for `failed`. */
  readonly errorCode?: number;
  /** The failure in the hub's terms, as a failed send outcome carries it (131026 is INVALID_RECIPIENT, …). */
  readonly error?: { readonly code: PluginErrorCode; readonly retryable: boolean; readonly message: string };
}

/** What a citizen sent; unknown and newer types arrive as `unsupported`. */
export type WhatsAppInboundKind =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'button'
  | 'interactive'
  | 'reaction'
  | 'unsupported';

/** One `messages[]` entry of a `messages` webhook: a citizen writing to the business number. */
export interface WhatsAppInbound {
  readonly phoneNumberId: string;
  /** The citizen's number in E.164 (`+` and WhatsApp's `from` digits): personal data, never to be logged. */
  readonly from: string;
  readonly providerMessageId: string;
  readonly at: Date;
  readonly kind: WhatsAppInboundKind;
  /** A text's body, a media caption, a button's or list row's title, a reaction's emoji. */
  readonly text?: string;
  /** Media to fetch with `GET /<version>/<media-id>` (image, audio, video, document, sticker). */
  readonly mediaId?: string;
  readonly mimeType?: string;
  /** What a quick-reply button (`button.payload`) or an interactive reply (`id`) was defined to send back. */
  readonly payload?: string;
  /** The `wamid.…` this answers (`context.id`), or the one a reaction reacts to: often a notification Kabar sent. */
  readonly replyTo?: string;
}

/** Everything one webhook delivery carried that concerns messages; other fields (template updates, …) are left out. */
export interface WhatsAppWebhook {
  readonly statuses: readonly WhatsAppStatus[];
  readonly inbound: readonly WhatsAppInbound[];
}
