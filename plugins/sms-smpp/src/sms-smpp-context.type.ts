import type { PluginContext } from '@kabar/plugin-sdk';


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
 * The SDK's context: its `onDeliveryReceipt` gets this plugin's final receipts (`messageId` matches a sent
 * outcome's `providerMessageId`, the last part's id) and `onInbound` gets mobile-originated messages. Without them
 * receipts and replies are still acknowledged to the SMSC (deliver_sm_resp), then dropped. The SMSC is answered when
 * the hook has resolved (at most 5 s later); a hook that throws or rejects is logged, never fatal, and answered with
 * ESME_RX_T_APPN, a temporary error, so the SMSC delivers the PDU again.
 */
export type SmsSmppContext = PluginContext;
