import type { PluginContext } from '@kabar/plugin-sdk';

import type { DeliveryReceipt } from './delivery-receipt.parser.js';

/** A mobile-originated SMS (a citizen replying), as the SMSC delivered it. */
export interface InboundSms {
  /** E.164 (`+62…`) when the SMSC marked the number international, else as the SMSC sent it. */
  readonly from: string;
  /** The number or short code the citizen wrote to. */
  readonly to: string;
  /** Decoded; one part of a concatenated MO arrives as its own text (parts are not reassembled). */
  readonly text: string;
}

/**
 * `PluginContext` plus the two hooks only this plugin has, until the SDK carries parseStatus()/receive(). Both are
 * optional: without them receipts and replies are still acknowledged to the SMSC (deliver_sm_resp), then dropped.
 * A hook that throws or rejects is logged, never fatal; the SMSC has been answered already.
 */
export interface SmsSmppContext extends PluginContext {
  /** A final delivery receipt; `messageId` matches a `providerMessageId` of a sent outcome (the last part's id). */
  readonly onDeliveryReceipt?: (receipt: DeliveryReceipt) => void | Promise<void>;
  readonly onInbound?: (sms: InboundSms) => void | Promise<void>;
}
