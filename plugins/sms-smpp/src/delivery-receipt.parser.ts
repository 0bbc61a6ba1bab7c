/** Where a message ended up; receipts for states that can still change (ENROUTE, ACCEPTD) are not reported. */
export type ReceiptState = 'delivered' | 'failed' | 'expired' | 'rejected';

/** A final delivery receipt from the SMSC, for the message id its submit_sm_resp gave. */
export interface DeliveryReceipt {
  readonly messageId: string;
  readonly state: ReceiptState;
  /** The SMSC's own word, e.g. `UNDELIV`, for operators. */
  readonly stat: string;
  /** The network error code as the SMSC wrote it, e.g. `000`; meaning varies by operator. */
  readonly error?: string;
}

const STAT_STATES: Readonly<Record<string, ReceiptState>> = {
  DELIVRD: 'delivered',
  EXPIRED: 'expired',
  DELETED: 'failed',
  UNDELIV: 'failed',
  UNKNOWN: 'failed',
  REJECTD: 'rejected',
};

/** SMPP 3.4 message_state values (the TLV some SMSCs add to receipts) that are final. */
const MESSAGE_STATES: Readonly<Record<number, ReceiptState>> = { 2: 'delivered', 3: 'expired', 4: 'failed', 5: 'failed', 7: 'failed', 8: 'rejected' };

// Fields are `name:value` separated by spaces; `submit date` and `done date` have a space in the name, and `text:`
// runs to the end, so the known names are matched instead of splitting on spaces.
const FIELD = /(id|sub|dlvrd|submit date|done date|stat|err|text):(\S*)/gi;

/**
 * Reads the de-facto standard receipt text (SMPP 3.4 appendix B); `undefined` when the text is not a receipt or
 * reports a state that is not final.
 * @example parseDeliveryReceipt('id:7f3a sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:Pajak')
 *   // { messageId: '7f3a', state: 'delivered', stat: 'DELIVRD', error: '000' }
 */
export function parseDeliveryReceipt(text: string): DeliveryReceipt | undefined {
  const fields = new Map<string, string>();
  for (const [, name = '', value = ''] of text.matchAll(FIELD)) {
    const key = name.toLowerCase();
    // `text:` may quote the message, which could itself contain "stat:"; the first occurrence is the SMSC's.
    if (!fields.has(key)) fields.set(key, value);
  }
  const messageId = fields.get('id');
  const stat = fields.get('stat')?.toUpperCase();
  if (messageId === undefined || messageId === '' || stat === undefined) return undefined;
  const state = STAT_STATES[stat];
  if (state === undefined) return undefined;
  const error = fields.get('err');
  return error === undefined || error === '' ? { messageId, state, stat } : { messageId, state, stat, error };
}

/** The final state for a message_state TLV value, if it is one. */
export function receiptStateOf(messageState: number): ReceiptState | undefined {
  return MESSAGE_STATES[messageState];
}
