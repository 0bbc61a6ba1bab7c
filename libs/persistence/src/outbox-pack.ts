import type { BusRecord } from '@kabar/messaging';

/** Length prefix that stands for a null key. */
const NULL_KEY = 0xffff_ffff;

/**
 * Many bus records of one topic as one outbox row: per record a 4-byte big-endian length and the bytes of its key
 * (0xFFFFFFFF for none), its headers as JSON, and its value. One row instead of thousands saves the database a row,
 * an index entry and a delete per status message; the relay unpacks them back into the same records, in order.
 */
export function packRecords(records: readonly BusRecord[]): Buffer {
  const parts: Buffer[] = [];
  const length = (n: number): Buffer => {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n, 0);
    return b;
  };
  for (const r of records) {
    if (r.key === null) parts.push(length(NULL_KEY));
    else {
      const key = Buffer.from(r.key, 'utf8');
      parts.push(length(key.length), key);
    }
    const headers = Buffer.from(JSON.stringify(r.headers), 'utf8');
    parts.push(length(headers.length), headers, length(r.value.length), r.value);
  }
  return Buffer.concat(parts);
}

/** The records `packRecords` packed, all on `topic`; throws on a truncated or malformed pack. */
export function unpackRecords(topic: string, packed: Uint8Array): BusRecord[] {
  const buffer = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const records: BusRecord[] = [];
  let at = 0;
  const take = (n: number): Buffer => {
    if (at + n > buffer.length) throw new Error(`packed outbox row is truncated at byte ${String(at)}`);
    const slice = buffer.subarray(at, at + n);
    at += n;
    return slice;
  };
  const length = (): number => take(4).readUInt32BE(0);
  while (at < buffer.length) {
    const keyLength = length();
    const key = keyLength === NULL_KEY ? null : take(keyLength).toString('utf8');
    const headers = JSON.parse(take(length()).toString('utf8')) as Record<string, string>;
    // A copy: the row's buffer is dropped after publishing, and a record must not pin all of it.
    const value = Buffer.from(take(length()));
    records.push({ topic, key, value, headers });
  }
  return records;
}
