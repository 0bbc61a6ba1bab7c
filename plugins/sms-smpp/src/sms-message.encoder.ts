import { encodeGsm7, GSM7_ESCAPE } from './gsm7-alphabet.codec.js';

/** SMPP data_coding: 0 = the SMSC default alphabet (GSM 03.38), 8 = UCS-2 (sent as UTF-16BE). */
export type DataCoding = 0 | 8;

/** esm_class bit saying short_message starts with a User Data Header. */
export const ESM_CLASS_UDHI = 0x40;

/** One text ready for submit_sm: every part is a complete short_message, UDH included when there are several. */
export interface EncodedSms {
  readonly dataCoding: DataCoding;
  readonly esmClass: number;
  readonly parts: readonly Buffer[];
}

// 140 octets of user data per SMS; a 6-octet concatenation UDH leaves 134 = 153 septets or 67 UCS-2 units.
const GSM7_SINGLE = 160;
const GSM7_PART = 153;
const UCS2_SINGLE_OCTETS = 140;
const UCS2_PART_OCTETS = 134;
const MAX_PARTS = 255;

export class MessageTooLongError extends Error {}

/**
 * Encodes a text as GSM 7-bit when every character allows it, else UCS-2, split into concatenated parts when it does
 * not fit one SMS. `reference` (0–255) ties the parts together on the handset.
 * @example encodeSms('Pajak Anda Rp1.250.000 jatuh tempo', 7) // { dataCoding: 0, esmClass: 0, parts: [<34 septets>] }
 */
export function encodeSms(text: string, reference: number): EncodedSms {
  const gsm = encodeGsm7(text);
  const [dataCoding, payload, single, chunks] =
    gsm === undefined
      ? ([8, Buffer.from(text, 'utf16le').swap16(), UCS2_SINGLE_OCTETS, splitUcs2] as const)
      : ([0, gsm, GSM7_SINGLE, splitGsm7] as const);
  if (payload.length <= single) return { dataCoding, esmClass: 0, parts: [payload] };
  const pieces = chunks(payload);
  if (pieces.length > MAX_PARTS) throw new MessageTooLongError(`the text needs ${pieces.length} SMS parts; at most ${MAX_PARTS} can be joined`);
  const parts = pieces.map((piece, index) => Buffer.concat([concatenationHeader(reference, pieces.length, index + 1), piece]));
  return { dataCoding, esmClass: ESM_CLASS_UDHI, parts };
}

/** UDH with one IE 0x00 (concatenated SMS, 8-bit reference): length 5, IEI 0, IE length 3, ref, total, sequence. */
export function concatenationHeader(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, sequence]);
}

function splitGsm7(septets: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let start = 0; start < septets.length; ) {
    let end = Math.min(start + GSM7_PART, septets.length);
    // An escape must stay with the code it introduces, or both parts would show the wrong character.
    if (end < septets.length && septets[end - 1] === GSM7_ESCAPE && !escapedAt(septets, end - 1)) end--;
    parts.push(septets.subarray(start, end));
    start = end;
  }
  return parts;
}

/** Whether the ESC at `index` is itself the code of a preceding escape (ESC ESC is not a valid pair, but be exact). */
function escapedAt(septets: Buffer, index: number): boolean {
  let escapes = 0;
  for (let i = index - 1; i >= 0 && septets[i] === GSM7_ESCAPE; i--) escapes++;
  return escapes % 2 === 1;
}

function splitUcs2(octets: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let start = 0; start < octets.length; ) {
    let end = Math.min(start + UCS2_PART_OCTETS, octets.length);
    // A high surrogate (D800–DBFF) must not be parted from its low half: an emoji would break on both handsets' parts.
    const lastHigh = octets[end - 2] ?? 0;
    if (end < octets.length && lastHigh >= 0xd8 && lastHigh <= 0xdb) end -= 2;
    parts.push(octets.subarray(start, end));
    start = end;
  }
  return parts;
}
