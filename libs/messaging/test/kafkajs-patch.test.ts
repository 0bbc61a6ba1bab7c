import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

// patches/kafkajs+2.2.4.patch (applied by `npm install` through patch-package), five changes found in the benchmark:
// - kafkajs grouped a send's messages by partition with `[...current, message]`, copying the partition's list once per
//   message. Status records share their agency's key, so a 512 KiB send puts about a thousand on one partition; the
//   copies were an eighth of everything the hub allocated.
// - its Encoder zero-filled a fresh 512-byte buffer for every record and every header (7 % of the hub's CPU). It writes
//   strictly in sequence and hands out only the bytes it wrote, so it now takes unzeroed memory from Node's pool.
// - its varints went through an array and a new Buffer each (several per record), and its varlongs through Long
//   objects; they are now written straight into the buffer, and a varlong within 30 bits takes the 32-bit path.
// - its murmur2 (the default partitioner, run for every message) computed in 64-bit Long objects over BigInt; it is
//   now 32-bit integer arithmetic, as in the Java client, about twenty times faster, with the same hashes.
// - its CRC-32C over every record batch sent went one byte per step (2 % of the hub's CPU); it now goes eight bytes per
//   step through eight derived tables (slicing-by-8), three to four times faster.
// - each record was one growing encoder plus one encoder per header copied into it, and every layer of a produce request
//   (batch, partition, topic, request) a growing encoder copied into the next. A record is now one encoder of its exact
//   size with its headers written in place, and each layer is sized for what it holds: encoding 1,000 status records
//   went from 5.0 to 3.4 ms, with the same bytes (the broker checks them in the Kafka tests).
// - a request's payload was copied into a header encoder and that into a size-prefixed one: two fresh megabyte buffers
//   per produce request, mostly page faults (2 % of the hub's CPU in the benchmark profile). The size and header are now
//   a small buffer of their own, and the connection writes both in one writev.
const require = createRequire(import.meta.url);
const modulePath = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
const encoderPath = require.resolve('kafkajs/src/protocol/encoder.js');
const murmurPath = require.resolve('kafkajs/src/producer/partitioners/default/murmur2.js');
const crcPath = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js');
const recordPath = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
const requestPath = require.resolve('kafkajs/src/protocol/request.js');

interface Message {
  readonly key: string;
  readonly n: number;
}
type Group = (args: { topic: string; partitionMetadata: readonly unknown[]; messages: readonly Message[]; partitioner: (a: { message: Message }) => number }) => Record<string, Message[]>;

describe('kafkajs patch: grouping messages by partition', () => {
  it('is installed (npm install applies patches/)', () => {
    expect(readFileSync(modulePath, 'utf8')).not.toContain('[...current, message]');
    expect(readFileSync(encoderPath, 'utf8')).not.toContain('Buffer.alloc(');
    expect(readFileSync(crcPath, 'utf8')).toContain('slicing-by-8');
    expect(readFileSync(murmurPath, 'utf8')).toContain('Math.imul');
    expect(readFileSync(recordPath, 'utf8')).not.toContain("require('../../header/v0')");
    expect(readFileSync(requestPath, 'utf8')).toContain('buffers: [header, payload]');
    expect(readFileSync(encoderPath, 'utf8')).not.toContain('this.writeBufferInternal(Buffer.from(byteArray))\n    return this\n  }\n\n  writeVarLong');
  });

  it('keeps every message, in order, under the partition the partitioner chose', () => {
    const group = require(modulePath) as Group;
    const messages = Array.from({ length: 20_000 }, (_, n) => ({ key: `k${String(n % 7)}`, n }));
    const grouped = group({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }) => message.n % 3 });
    expect(Object.keys(grouped).sort()).toEqual(['0', '1', '2']);
    for (const [partition, list] of Object.entries(grouped)) {
      expect(list.every((m) => m.n % 3 === Number(partition))).toBe(true);
      expect(list.map((m) => m.n)).toEqual(messages.filter((m) => m.n % 3 === Number(partition)).map((m) => m.n));
    }
    expect(group({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });
});

interface EncoderLike {
  writeInt8(v: number): EncoderLike;
  writeInt32(v: number): EncoderLike;
  writeVarIntString(v: string): EncoderLike;
  writeVarIntBytes(v: Buffer): EncoderLike;
  writeEncoder(v: EncoderLike): EncoderLike;
  readonly buffer: Buffer;
}

describe('kafkajs patch: encoder on unzeroed memory', () => {
  it('hands out exactly the bytes written, across growth, whatever the pool held before', () => {
    // Leave non-zero bytes behind in Node's buffer pool, where the encoder now takes its memory from.
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(512).fill(0xab);
    const Encoder = require(encoderPath) as new (size?: number) => EncoderLike;
    const value = Buffer.from('é'.repeat(700)); // 1,400 bytes: grows the 512-byte buffer twice
    const inner = new Encoder().writeVarIntString('ce_id').writeInt8(0);
    const bytes = new Encoder().writeInt32(7).writeVarIntBytes(value).writeEncoder(inner).buffer;
    const expected = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from([0xf0, 0x15]), value, Buffer.from([0x0a]), Buffer.from('ce_id'), Buffer.from([0])]);
    expect(bytes.equals(expected)).toBe(true);
  });
});

/** CRC-32C bit by bit, straight from its definition (reflected polynomial 0x82F63B78): slow, and independent of tables. */
function crc32cByBits(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('kafkajs patch: CRC-32C eight bytes at a time', () => {
  const crc32c = require(crcPath) as (buffer: Buffer) => number;

  it('gives the check value of the standard test vector', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('agrees with the bitwise definition at every length around the 8-byte steps and on a large batch', () => {
    let seed = 7;
    const random = (length: number): Buffer => Buffer.from(Array.from({ length }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff));
    for (let length = 0; length <= 70; length++) {
      const bytes = random(length);
      expect(crc32c(bytes)).toBe(crc32cByBits(bytes));
    }
    const large = random(300_001);
    expect(crc32c(large)).toBe(crc32cByBits(large));
    // A view into a larger buffer, as the encoder hands it over.
    expect(crc32c(large.subarray(3, 1_003))).toBe(crc32cByBits(large.subarray(3, 1_003)));
  });
});

/** Zigzag LEB128 from the definition, in BigInt: the bytes Kafka expects for a varint (32) or varlong (64). */
function zigzagVarint(value: bigint, bits: 32n | 64n): number[] {
  let zigzag = BigInt.asUintN(Number(bits), (value << 1n) ^ (value >> (bits - 1n)));
  const bytes: number[] = [];
  while (zigzag >= 0x80n) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return bytes;
}

interface VarEncoder {
  writeVarInt(v: number): VarEncoder;
  writeVarLong(v: number): VarEncoder;
  readonly buffer: Buffer;
}

describe('kafkajs patch: varints written in place', () => {
  const Encoder = require(encoderPath) as (new (size?: number) => VarEncoder) & { sizeOfVarLong(v: number): number; sizeOfVarInt(v: number): number };
  const edges = [0, 1, -1, 63, -64, 64, -65, 8191, 8192, -8193, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, 2 ** 31 - 1, -(2 ** 31)];

  it('writes varints byte for byte as the definition says, across buffer growth', () => {
    // A 1-byte start makes nearly every write grow the buffer.
    const encoder = new Encoder(1);
    for (const v of edges) encoder.writeVarInt(v);
    expect([...encoder.buffer]).toEqual(edges.flatMap((v) => zigzagVarint(BigInt(v), 32n)));
  });

  it('writes varlongs, small ones on the 32-bit path and large ones on the 64-bit path, with matching sizes', () => {
    const values = [...edges, 1_764_547_200_000, -1_764_547_200_000, 2 ** 52, -(2 ** 52)];
    const encoder = new Encoder(1);
    for (const v of values) encoder.writeVarLong(v);
    expect([...encoder.buffer]).toEqual(values.flatMap((v) => zigzagVarint(BigInt(v), 64n)));
    for (const v of values) expect(Encoder.sizeOfVarLong(v)).toBe(zigzagVarint(BigInt(v), 64n).length);
  });
});

describe('kafkajs patch: murmur2 in 32-bit arithmetic', () => {
  const murmur2 = require(murmurPath) as (key: string | Buffer) => number;

  it("hashes as the Java client does, so keyed records land on the partitions other clients pick", () => {
    // The values of Apache Kafka's own Utils.murmur2 test.
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2('abc')).toBe(479470107);
  });

  it('covers every tail length and bytes with the high bit set', () => {
    // Computed with the unpatched kafkajs implementation.
    expect(murmur2('')).toBe(275646681);
    expect(murmur2('é')).toBe(186971271);
    expect(murmur2('bench')).toBe(-1369556065);
    expect(murmur2(Buffer.from([0xff, 0x80, 0x7f, 0x00, 0xfe, 0xc3, 0x01]))).toBe(-1962230793);
  });
});

/** A Kafka record (v2 format) from its definition: every field in order, varints by zigzagVarint. */
function recordByDefinition(r: { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer | null; headers: [string, Buffer][] }): Buffer {
  const bytes = (b: Buffer | null): number[] => (b === null ? zigzagVarint(-1n, 32n) : [...zigzagVarint(BigInt(b.length), 32n), ...b]);
  const body = [
    0,
    ...zigzagVarint(BigInt(r.timestampDelta), 64n),
    ...zigzagVarint(BigInt(r.offsetDelta), 32n),
    ...bytes(r.key),
    ...bytes(r.value),
    ...zigzagVarint(BigInt(r.headers.length), 32n),
    ...r.headers.flatMap(([k, v]) => [...bytes(Buffer.from(k)), ...bytes(v)]),
  ];
  return Buffer.from([...zigzagVarint(BigInt(body.length), 32n), ...body]);
}

describe('kafkajs patch: a record in one encoder of its exact size', () => {
  const Record = require(recordPath) as (r: { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]> }) => { readonly buffer: Buffer; size(): number };

  it('writes the fields as the record format defines, headers in place, with no byte to spare', () => {
    // Leave non-zero bytes in the pool the encoder takes its memory from.
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(1024).fill(0xcd);
    const cases: { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]> }[] = [
      { offsetDelta: 0, timestampDelta: 0, key: null, value: null, headers: {} },
      { offsetDelta: 3, timestampDelta: 1_500, key: Buffer.from('bapenda-bdg'), value: Buffer.from('{"ä":"ü"}'), headers: { 'content-type': Buffer.from('application/json') } },
      { offsetDelta: 70_000, timestampDelta: 2 ** 40, key: Buffer.from('k'), value: Buffer.alloc(3_000, 7), headers: { ce_id: Buffer.from('é'.repeat(90)), multi: [Buffer.from('a'), Buffer.from('bb')] } },
    ];
    for (const c of cases) {
      const headers = Object.entries(c.headers).flatMap(([k, v]): [string, Buffer][] => (Array.isArray(v) ? v.map((one): [string, Buffer] => [k, one]) : [[k, v]]));
      const encoded = Record(c);
      const expected = recordByDefinition({ ...c, headers });
      expect(encoded.buffer.equals(expected)).toBe(true);
      expect(encoded.size()).toBe(expected.length);
    }
  });
});

describe('kafkajs patch: a request as its header and its payload', () => {
  type CreateRequest = (args: { correlationId: number; clientId: string | null; request: { apiKey: number; apiVersion: number; encode: () => Promise<EncoderLike> } }) => Promise<{ buffers: Buffer[]; size: number }>;
  const createRequest = require(requestPath) as CreateRequest;
  const Encoder = require(encoderPath) as new (size?: number) => EncoderLike;
  const int16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
  const int32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

  it('puts size, API key, version, correlation id and client id ahead of the payload, as the protocol defines', async () => {
    const value = Buffer.alloc(3_000, 0x61);
    for (const clientId of ['kabar-hub', 'é', null]) {
      const { buffers, size } = await createRequest({ correlationId: 70_000, clientId, request: { apiKey: 0, apiVersion: 3, encode: () => Promise.resolve(new Encoder().writeInt32(7).writeVarIntBytes(value)) } });
      const client = clientId === null ? int16(-1) : [...int16(Buffer.byteLength(clientId)), ...Buffer.from(clientId)];
      const body = [...int16(0), ...int16(3), ...int32(70_000), ...client, ...int32(7), ...zigzagVarint(BigInt(value.length), 32n), ...value];
      const wire = Buffer.concat(buffers);
      expect(wire.equals(Buffer.from([...int32(body.length), ...body]))).toBe(true);
      expect(size).toBe(wire.length);
    }
  });
});
