import { timeOrderedId } from '@kabar/core';
import { describe, expect, it } from 'vitest';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisOf = (id: string): number => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('timeOrderedId', () => {
  it('is a UUID version 7 with the RFC 9562 variant', () => {
    for (let i = 0; i < 1_000; i++) expect(timeOrderedId()).toMatch(UUID_V7);
  });

  it('starts with the Unix time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 2, 1, 30, 0, 123);
    const id = timeOrderedId(at);
    expect(millisOf(id)).toBe(at);
    expect(id.startsWith('01a2345f-723b-7')).toBe(true);
  });

  it('sorts by time across milliseconds (as text, so byte by byte, the order of a uuid index)', () => {
    const ids = Array.from({ length: 200 }, (_, i) => timeOrderedId(1_780_000_000_000 + i * 7));
    expect([...ids].sort()).toEqual(ids);
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('keeps 74 random bits: ids of one millisecond do not repeat', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => timeOrderedId(1_780_000_000_000)));
    expect(ids.size).toBe(100_000);
  });
});
