import { numberField, type SmppPdu, stringField } from './smpp-pdu.js';

/** esm_class 0b00000100: the deliver_sm is an SMSC delivery receipt. */
const ESM_CLASS_RECEIPT = 0x04;
/** message_state 2: DELIVERED. */
const MESSAGE_STATE_DELIVERED = 2;

/**
 * The de-facto standard receipt (SMPP 3.4 appendix B) with the receipted_message_id and message_state TLVs. The
 * `text:` field, which SMSCs fill with the message's start, is left empty to keep message text out of the hub.
 */
export function receiptFields(submit: SmppPdu, messageId: string, submitted: Date, done: Date): Record<string, unknown> {
  const text = `id:${messageId} sub:001 dlvrd:001 submit date:${receiptDate(submitted)} done date:${receiptDate(done)} stat:DELIVRD err:000 text:`;
  return {
    source_addr_ton: numberField(submit, 'dest_addr_ton'),
    source_addr_npi: numberField(submit, 'dest_addr_npi'),
    source_addr: stringField(submit, 'destination_addr'),
    dest_addr_ton: numberField(submit, 'source_addr_ton'),
    dest_addr_npi: numberField(submit, 'source_addr_npi'),
    destination_addr: stringField(submit, 'source_addr'),
    esm_class: ESM_CLASS_RECEIPT,
    data_coding: 0,
    // A Buffer goes out as is; the text is digits, letters, spaces and colons, the same in ASCII and GSM 7-bit.
    short_message: Buffer.from(text, 'ascii'),
    receipted_message_id: messageId,
    message_state: MESSAGE_STATE_DELIVERED,
  };
}

/** Whether a submit_sm asks for a receipt of its final outcome (registered_delivery bits 1-0 = 01, SMPP 3.4 §5.2.17). */
export const wantsReceipt = (submit: SmppPdu): boolean => (numberField(submit, 'registered_delivery') & 0x03) === 1;

const two = (n: number): string => String(n).padStart(2, '0');

/** Local time, `YYMMDDhhmm`, as receipts carry it. */
const receiptDate = (at: Date): string => `${two(at.getFullYear() % 100)}${two(at.getMonth() + 1)}${two(at.getDate())}${two(at.getHours())}${two(at.getMinutes())}`;
