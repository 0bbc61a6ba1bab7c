import type { Channel } from './channel.type.js';

/** What became of a sent message, as its provider reported later (an SMS delivery receipt, a WhatsApp status). */
export interface ProviderReceipt {
  /** The `providerMessageId` of the sent outcome it is about. */
  readonly messageId: string;
  readonly state: 'delivered' | 'failed' | 'expired' | 'rejected';
  /** The provider's own word for operators, e.g. `UNDELIV`; never personal data. */
  readonly stat: string;
  /** The provider's error code, when it gave one. */
  readonly error?: string;
}

/** What a citizen sent, where a provider tells more than text; absent means `text`. */
export const INBOUND_KINDS = ['text', 'button', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'reaction'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

/** A message a citizen sent in (an SMS reply, a WhatsApp message), as the provider delivered it. */
export interface ProviderInbound {
  readonly channel: Channel;
  /** The citizen's address: E.164 for phones. */
  readonly from: string;
  /** The number, short code or account the citizen wrote to. */
  readonly to: string;
  /** The text; a media caption, a button's title or a reaction's emoji for those kinds; empty when there is none. */
  readonly text: string;
  readonly providerMessageId?: string;
  /** Absent for plain text (SMS is always text). */
  readonly kind?: InboundKind;
  /** A button's or list row's id as the message that offered it defined it: a survey answer's code, say. */
  readonly payload?: string;
  /** The `providerMessageId` of the message this answers (or reacts to): often a notification Kabar sent. */
  readonly replyTo?: string;
  /** A photo, recording, video, document or sticker: the provider's id to fetch it by, and its type. */
  readonly media?: { readonly id: string; readonly mimeType?: string };
}
