import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

import type { BusRecord } from '@kabar/messaging';

/** Length prefix that stands for a null key. */
const NULL_KEY = 0xffff_ffff;

/**
 * First byte of a compressed pack. A plain pack starts with a big-endian length whose high byte is 0x00 (a key under
 * 16 MiB) or 0xFF (no key), never this.
 */
const COMPRESSED = 0x01;

/**
 * Many bus records of one topic as one outbox row: per record a 4-byte big-endian length and the bytes of its key
 * (0xFFFFFFFF for none), its headers as JSON, and its value. One row instead of thousands saves the database a row,
 * an index entry and a delete per status message; the relay unpacks them back into the same records, in order.
 *
 * The pack is stored compressed (brotli at quality 0, behind a COMPRESSED byte): status messages repeat their
 * envelope and agency, so they shrink about eight times for well under a millisecond per pack, where sending them
 * whole to PostgreSQL and its WAL was the largest part of what the hub wrote to the database.
 */
export function packRecords(records: readonly BusRecord[]): Buffer {
  const plain = plainPack(records);
  const compressed = brotliCompressSync(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_SIZE_HINT]: plain.length } });
  return Buffer.concat([Buffer.from([COMPRESSED]), compressed]);
}

/**
 * The plain pack, written into one buffer sized beforehand: building it from five small buffers per record and
 * concatenating them was a visible share of the hub's allocations (a pack is 500 status messages).
 */
function plainPack(records: readonly BusRecord[]): Buffer {
  const headers = records.map((r) => JSON.stringify(r.headers));
  let size = 0;
  records.forEach((r, i) => {
    size += 12 + (r.key === null ? 0 : Buffer.byteLength(r.key, 'utf8')) + Buffer.byteLength(headers[i] ?? '', 'utf8') + r.value.length;
  });
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  // Writes a 4-byte length, then the string's bytes in the space after it, and fills the length in.
  const text = (value: string): void => {
    const written = out.write(value, at + 4, 'utf8');
    out.writeUInt32BE(written, at);
    at += 4 + written;
  };
  records.forEach((r, i) => {
    if (r.key === null) at = out.writeUInt32BE(NULL_KEY, at);
    else text(r.key);
    text(headers[i] ?? '');
    at = out.writeUInt32BE(r.value.length, at);
    at += r.value.copy(out, at);
  });
  return out;
}

/**
 * The records `packRecords` packed, all on `topic`, from a compressed pack or a plain one (as written before packs
 * were compressed); throws on a truncated or malformed pack.
 */
export function unpackRecords(topic: string, packed: Uint8Array): BusRecord[] {
  const stored = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const buffer = stored[0] === COMPRESSED ? brotliDecompressSync(stored.subarray(1)) : stored;
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
