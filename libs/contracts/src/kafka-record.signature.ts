import { createHmac, timingSafeEqual } from 'node:crypto';

/** The id of the API key whose secret signed the record (`live_…` or `test_…`, the part before the dot). */
export const KAFKA_KEY_HEADER = 'kabar-key';
/** `v1=` and the base64 HMAC-SHA256 of the record's signing input under the key's secret. */
export const KAFKA_SIGNATURE_HEADER = 'kabar-signature';

const SIGNATURE_VERSION = 'v1';

/** Headers and value of a record as a producer sends it or as the hub reads it (header values as UTF-8 strings). */
export interface SignableRecord {
  readonly value: Buffer | string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What a v1 signature covers: every `ce_*` header and `content-type` (the CloudEvent's attributes in binary mode),
 * names lowercased and sorted, one `name:value` line each, then an empty line, then the value's bytes (the whole
 * event in structured mode, the data in binary mode). The record key is not covered: it only picks the partition.
 * A line break in a covered header, or a colon in its name, would let two different header sets sign alike, so such
 * a record has no signing input (null) and is refused; so has one name spelt twice with different values.
 */
export function kafkaSigningHeader(headers: Readonly<Record<string, string>>): string | null {
  // Checked on every record the hub consumes, so written without per-header regexes or maps.
  const covered: [string, string][] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (!lower.startsWith('ce_') && lower !== 'content-type') continue;
    if (hasLineBreak(lower) || lower.includes(':') || hasLineBreak(value)) return null;
    // Two spellings of one name count once when they agree; the parser refuses them when they do not.
    const previous = covered.find(([seen]) => seen === lower);
    if (previous === undefined) covered.push([lower, value]);
    else if (previous[1] !== value) return null;
  }
  if (covered.length > 1) covered.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let head = '';
  for (const [name, value] of covered) head += `${name}:${value}\n`;
  return `${head}\n`;
}

const hasLineBreak = (text: string): boolean => text.includes('\n') || text.includes('\r');

/** The `kabar-signature` value for a record under a key's secret; null when the record cannot be signed (see above). */
export function kafkaRecordSignature(secret: string, record: SignableRecord): string | null {
  const head = kafkaSigningHeader(record.headers);
  if (head === null) return null;
  const hmac = createHmac('sha256', secret).update(head, 'utf8');
  if (record.value !== null) hmac.update(record.value);
  return `${SIGNATURE_VERSION}=${hmac.digest('base64')}`;
}

/**
 * The record's headers with `kabar-key` and `kabar-signature` added, as an agency's producer sends them.
 * @example producer.send({ topic: 'kabar.events.v1', messages: [{ key, value, headers: signKafkaRecord(keyId, secret, { value, headers }) }] })
 */
export function signKafkaRecord(keyId: string, secret: string, record: SignableRecord): Record<string, string> {
  const signature = kafkaRecordSignature(secret, record);
  if (signature === null) throw new TypeError('a ce_* or content-type header has a line break (or a colon in its name): such a record cannot be signed');
  return { ...record.headers, [KAFKA_KEY_HEADER]: keyId, [KAFKA_SIGNATURE_HEADER]: signature };
}

/** True when `kabar-signature` is this record's v1 signature under the secret; compared in constant time. */
export function hasValidKafkaSignature(secret: string, record: SignableRecord): boolean {
  const sent = record.headers[KAFKA_SIGNATURE_HEADER];
  const expected = kafkaRecordSignature(secret, record);
  if (sent === undefined || expected === null) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
