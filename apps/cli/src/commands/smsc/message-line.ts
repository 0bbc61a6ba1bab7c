import { numberField, type SmppPdu, stringField, TON_INTERNATIONAL } from './smpp-pdu.js';

/** esm_class bit 6: short_message starts with a User Data Header. */
const ESM_CLASS_UDHI = 0x40;
const DATA_CODING_UCS2 = 0x08;

/** `14:03:07  BAPENDA BDG → +6281234567890  [part 1/2, ref 7] (UCS-2) Pajak …`, control characters escaped. */
export function messageLine(pdu: SmppPdu, at: Date): string {
  const { text, udh } = decodedMessage(pdu);
  const part = (numberField(pdu, 'esm_class') & ESM_CLASS_UDHI) === 0 ? undefined : concatenation(udh);
  const tags = [
    part === undefined ? '' : `[part ${part.sequence}/${part.total}, ref ${part.reference}] `,
    (numberField(pdu, 'data_coding') & 0x0f) === DATA_CODING_UCS2 ? '(UCS-2) ' : '',
  ].join('');
  const from = address(stringField(pdu, 'source_addr'), numberField(pdu, 'source_addr_ton'));
  const to = address(stringField(pdu, 'destination_addr'), numberField(pdu, 'dest_addr_ton'));
  return `${clock(at)}  ${from} → ${to}  ${tags}${escapeControls(text)}`;
}

/**
 * short_message (or message_payload) as the library decoded it by data_coding: `{ udh?: Buffer[], message }`, the
 * message a string for the alphabets it knows (GSM 7-bit, Latin-1, UCS-2) and the raw octets otherwise.
 */
function decodedMessage(pdu: SmppPdu): { text: string; udh: readonly Buffer[] } {
  const shortMessage = pdu['short_message'] as { message?: unknown; udh?: unknown } | undefined;
  const payload = pdu['message_payload'] as { message?: unknown; udh?: unknown } | undefined;
  const value = isEmpty(shortMessage?.message) && payload !== undefined ? payload : shortMessage;
  const message = value?.message;
  const udh = Array.isArray(value?.udh) ? value.udh.filter((ie): ie is Buffer => Buffer.isBuffer(ie)) : [];
  if (typeof message === 'string') return { text: message, udh };
  if (Buffer.isBuffer(message)) return { text: `<${message.length} octets, data_coding 0x${numberField(pdu, 'data_coding').toString(16).padStart(2, '0')}: ${message.toString('hex')}>`, udh };
  return { text: '', udh };
}

const isEmpty = (message: unknown): boolean => message === undefined || message === '' || (Buffer.isBuffer(message) && message.length === 0);

/** The concatenation information element: IEI 0x00 (8-bit reference) or 0x08 (16-bit), then total and sequence. */
function concatenation(udh: readonly Buffer[]): { reference: number; total: number; sequence: number } | undefined {
  for (const ie of udh) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5) return { reference: ie.readUInt8(2), total: ie.readUInt8(3), sequence: ie.readUInt8(4) };
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) return { reference: ie.readUInt16BE(2), total: ie.readUInt8(4), sequence: ie.readUInt8(5) };
  }
  return undefined;
}

const address = (addr: string, ton: number): string => (ton === TON_INTERNATIONAL && /^\d+$/.test(addr) ? `+${addr}` : addr);

const escapeControls = (text: string): string =>
  text.replace(/\p{Cc}/gu, (char) => (char === '\n' ? '\\n' : char === '\r' ? '\\r' : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`));

const two = (n: number): string => String(n).padStart(2, '0');

/** Local time, `HH:MM:SS`. */
const clock = (at: Date): string => `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
