import type { Logger } from '@kabar/core';

import { type DeliveryReceipt, parseDeliveryReceipt, receiptStateOf } from './delivery-receipt.parser.js';
import type { IncomingDeliverSm } from './smpp-session.client.js';
import type { SmsSmppContext } from './sms-smpp-context.type.js';

/** esm_class bits 2–5 give the message type; 0b0001 (0x04) is "SMSC delivery receipt". */
const MESSAGE_TYPE_MASK = 0x3c;
const DELIVERY_RECEIPT = 0x04;
const TON_INTERNATIONAL = 1;

type Hooks = Pick<SmsSmppContext, 'onDeliveryReceipt' | 'onInbound'>;

/**
 * Hands a deliver_sm to the receipt or the inbound hook. Resolves once it is taken (or there is nothing to take);
 * rejects when the hook did, so the session asks the SMSC to deliver it again.
 */
export async function routeDeliverSm(deliver: IncomingDeliverSm, hooks: Hooks, logger: Logger): Promise<void> {
  if ((deliver.esmClass & MESSAGE_TYPE_MASK) === DELIVERY_RECEIPT || deliver.receiptedMessageId !== undefined) {
    const receipt = receiptOf(deliver);
    if (receipt === undefined) {
      logger.debug({ plugin: 'sms-smpp' }, 'delivery receipt ignored: not final, or not in a format we read');
      return;
    }
    await invoke(hooks.onDeliveryReceipt, receipt, logger);
    return;
  }
  const from = deliver.sourceTon === TON_INTERNATIONAL && /^\d+$/.test(deliver.sourceAddr) ? `+${deliver.sourceAddr}` : deliver.sourceAddr;
  await invoke(hooks.onInbound, { channel: 'sms', from, to: deliver.destinationAddr, text: deliver.text }, logger);
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

async function invoke<T>(hook: ((value: T) => void | Promise<void>) | undefined, value: T, logger: Logger): Promise<void> {
  if (hook === undefined) return;
  try {
    await hook(value);
  } catch (error) {
    // The hub's to fix (its message names no citizen); the SMSC is asked to deliver the PDU again.
    logger.warn({ plugin: 'sms-smpp', error: error instanceof Error ? error.message : String(error) }, 'deliver_sm not taken by the hub; the SMSC will deliver it again');
    throw error;
  }
}
