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
    expect(() => unpackRecords('kabar.status.v1', packed.subarray(0, packed.length - 2))).toThrow(/truncated/);
  });

  it('packs nothing into nothing', () => {
    expect(unpackRecords('kabar.status.v1', packRecords([]))).toEqual([]);
  });
});
