import { brotliDecompressSync } from 'node:zlib';

import type { BusRecord } from '@kabar/messaging';
import { describe, expect, it } from 'vitest';

import { packRecords, unpackRecords } from '../src/outbox-pack.js';

const record = (n: number, key: string | null): BusRecord => ({ topic: 'kabar.status.v1', key, value: Buffer.from([n, 0, 255, n]), headers: { 'content-type': 'application/json', n: String(n) } });

describe('outbox packing', () => {
  it('unpacks exactly what it packed, in order, with null and non-ASCII keys and empty values', () => {
    const records = [record(1, 'bapenda-bdg'), record(2, null), { ...record(3, 'dukcapil-ñ'), value: Buffer.alloc(0), headers: {} }];
    expect(unpackRecords('kabar.status.v1', packRecords(records))).toEqual(records);
  });

  it('refuses a truncated pack instead of publishing half a record', () => {
    const packed = packRecords([record(1, 'a'), record(2, 'b')]);
    expect(() => unpackRecords('kabar.status.v1', packed.subarray(0, packed.length - 2))).toThrow();
    const plain = brotliDecompressSync(packed.subarray(1));
    expect(() => unpackRecords('kabar.status.v1', plain.subarray(0, plain.length - 2))).toThrow(/truncated/);
  });

  it('lays each record out as length-prefixed key, headers JSON and value, the format rows already stored use', () => {
    const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
    const bytes = (text: string): number[] => [...Buffer.from(text, 'utf8')];
    const records = [record(7, 'dukcapil-ñ'), { ...record(8, null), value: Buffer.from('é') }];
    const expected = [
      ...u32(11), ...bytes('dukcapil-ñ'), ...u32(43), ...bytes('{"content-type":"application/json","n":"7"}'),
      ...u32(4), 7, 0, 255, 7,
      ...u32(0xffff_ffff), ...u32(43), ...bytes('{"content-type":"application/json","n":"8"}'), ...u32(2), ...bytes('é'),
    ];
    expect([...brotliDecompressSync(packRecords(records).subarray(1))]).toEqual(expected);
  });

  it('packs nothing into nothing', () => {
    expect(unpackRecords('kabar.status.v1', packRecords([]))).toEqual([]);
  });

  it('stores status messages compressed, and still reads the plain packs written before', () => {
    const statuses = Array.from({ length: 500 }, (_, n) => ({
      ...record(n, 'bapenda-bdg'),
      value: Buffer.from(JSON.stringify({ specversion: '1.0', id: `${String(n).padStart(8, '0')}-1111-4111-8111-111111111111.delivered`, source: 'urn:kabar:hub', type: 'id.kabar.notification.status.v1', data: { state: 'delivered', channel: 'inbox' } })),
    }));
    const packed = packRecords(statuses);
    const plain = brotliDecompressSync(packed.subarray(1));
    expect(packed[0]).toBe(0x01);
    expect(packed.length * 4).toBeLessThan(plain.length);
    expect(unpackRecords('kabar.status.v1', packed)).toEqual(statuses);
    // A plain pack (the row format before compression) starts with a length byte of 0x00 or 0xFF.
    expect([0x00, 0xff]).toContain(plain[0]);
    expect(unpackRecords('kabar.status.v1', plain)).toEqual(statuses);
  });
});
