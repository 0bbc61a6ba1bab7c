import type { Logger } from '@kabar/core';

import { type DeliveryReceipt, parseDeliveryReceipt, receiptStateOf } from './delivery-receipt.parser.js';
import type { IncomingDeliverSm } from './smpp-session.client.js';
import type { SmsSmppContext } from './sms-smpp-context.type.js';

/** esm_class bits 2–5 give the message type; 0b0001 (0x04) is "SMSC delivery receipt". */
const MESSAGE_TYPE_MASK = 0x3c;
const DELIVERY_RECEIPT = 0x04;
const TON_INTERNATIONAL = 1;

type Hooks = Pick<SmsSmppContext, 'onDeliveryReceipt' | 'onInbound'>;

/** Hands a deliver_sm to the receipt or the inbound hook. */
export function routeDeliverSm(deliver: IncomingDeliverSm, hooks: Hooks, logger: Logger): void {
  if ((deliver.esmClass & MESSAGE_TYPE_MASK) === DELIVERY_RECEIPT || deliver.receiptedMessageId !== undefined) {
    const receipt = receiptOf(deliver);
    if (receipt === undefined) {
      logger.debug({ plugin: 'sms-smpp' }, 'delivery receipt ignored: not final, or not in a format we read');
      return;
    }
    invoke(hooks.onDeliveryReceipt, receipt, logger);
    return;
  }
  const from = deliver.sourceTon === TON_INTERNATIONAL && /^\d+$/.test(deliver.sourceAddr) ? `+${deliver.sourceAddr}` : deliver.sourceAddr;
  invoke(hooks.onInbound, { channel: 'sms', from, to: deliver.destinationAddr, text: deliver.text }, logger);
}

/** The TLVs (receipted_message_id, message_state) are exact where an SMSC sends them; the text fills the gaps. */
function receiptOf(deliver: IncomingDeliverSm): DeliveryReceipt | undefined {
  const parsed = parseDeliveryReceipt(deliver.text);
  const messageId = deliver.receiptedMessageId ?? parsed?.messageId;
  const state = deliver.messageState === undefined ? parsed?.state : receiptStateOf(deliver.messageState);
  if (messageId === undefined || state === undefined) return undefined;
  const stat = parsed?.stat ?? `message_state ${String(deliver.messageState)}`;
  return parsed?.error === undefined ? { messageId, state, stat } : { messageId, state, stat, error: parsed.error };
}

function invoke<T>(hook: ((value: T) => void | Promise<void>) | undefined, value: T, logger: Logger): void {
  if (hook === undefined) return;
  // A hook's failure is the hub's to fix; it must not break the SMPP session that delivered the PDU.
  Promise.resolve()
    .then(() => hook(value))
    .catch((error: unknown) => logger.error({ plugin: 'sms-smpp', error: error instanceof Error ? error.message : String(error) }, 'deliver_sm hook failed'));
}
