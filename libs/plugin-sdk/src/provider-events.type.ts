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

/** A message a citizen sent in (an SMS reply, a WhatsApp message), as the provider delivered it. */
export interface ProviderInbound {
  readonly channel: Channel;
  /** The citizen's address: E.164 for phones. */
  readonly from: string;
  /** The number, short code or account the citizen wrote to. */
  readonly to: string;
  readonly text: string;
  readonly providerMessageId?: string;
}
