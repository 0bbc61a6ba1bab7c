import { describe, expect, it } from 'vitest';

import { nextDigestAt, type QuietHours, quietUntil, type TimezoneLabel } from '../../src/policy/index.js';

const NIGHT: QuietHours = { start: 21 * 60, end: 6 * 60 };

describe('quietUntil', () => {
  it.each<[string, string, TimezoneLabel, QuietHours | null, string | null]>([
    // 2026-12-01T15:30Z is 22:30 WIB on 1 December but 00:30 WIT on 2 December: both quiet, ending at different instants.
    ['22:30 WIB ends at 06:00 WIB', '2026-12-01T15:30:00Z', 'WIB', NIGHT, '2026-12-01T23:00:00.000Z'],
    ['00:30 WIT (next local day) ends at 06:00 WIT', '2026-12-01T15:30:00Z', 'WIT', NIGHT, '2026-12-01T21:00:00.000Z'],
    ['23:30 WITA ends at 06:00 WITA', '2026-12-01T15:30:00Z', 'WITA', NIGHT, '2026-12-01T22:00:00.000Z'],
    ['21:00 WIT, the window opening, ends next morning', '2026-12-01T12:00:00Z', 'WIT', NIGHT, '2026-12-01T21:00:00.000Z'],
    ['start is inclusive: 21:00:00 WIB', '2026-12-01T14:00:00Z', 'WIB', NIGHT, '2026-12-01T23:00:00.000Z'],
    ['a second before the start is not quiet', '2026-12-01T13:59:59Z', 'WIB', NIGHT, null],
    ['a second before the end is still quiet', '2026-12-01T22:59:59Z', 'WIB', NIGHT, '2026-12-01T23:00:00.000Z'],
    ['end is exclusive: 06:00:00 WIB', '2026-12-01T23:00:00Z', 'WIB', NIGHT, null],
    ['03:00 WIB just after midnight', '2026-11-30T20:00:00Z', 'WIB', NIGHT, '2026-11-30T23:00:00.000Z'],
    ['midday is not quiet', '2026-12-01T05:00:00Z', 'WIB', NIGHT, null],
    ['a daytime window 13:00-15:00 WIB at 13:30', '2026-12-01T06:30:00Z', 'WIB', { start: 13 * 60, end: 15 * 60 }, '2026-12-01T08:00:00.000Z'],
    ['a daytime window 13:00-15:00 WIB at 15:00', '2026-12-01T08:00:00Z', 'WIB', { start: 13 * 60, end: 15 * 60 }, null],
    ['no window', '2026-12-01T15:30:00Z', 'WIB', null, null],
    ['start = end means none', '2026-12-01T15:30:00Z', 'WIB', { start: 0, end: 0 }, null],
  ])('%s', (_name, instant, timezone, quiet, expected) => {
    expect(quietUntil(new Date(instant), timezone, quiet)?.toISOString() ?? null).toBe(expected);
  });
});

describe('nextDigestAt', () => {
  it.each<[string, string, TimezoneLabel, number, QuietHours | null, string]>([
    ['later the same local day', '2026-12-01T03:00:00Z', 'WIB', 19 * 60, NIGHT, '2026-12-01T12:00:00.000Z'],
    ['a second before digest time: that digest', '2026-12-01T11:59:59Z', 'WIB', 19 * 60, NIGHT, '2026-12-01T12:00:00.000Z'],
    ['exactly at digest time: strictly after, so tomorrow', '2026-12-01T12:00:00Z', 'WIB', 19 * 60, NIGHT, '2026-12-02T12:00:00.000Z'],
    ['19:00 WIT is two hours earlier in UTC than 19:00 WIB', '2026-12-01T03:00:00Z', 'WIT', 19 * 60, NIGHT, '2026-12-01T10:00:00.000Z'],
    ['after 19:00 WIT the next is tomorrow', '2026-12-01T10:30:00Z', 'WIT', 19 * 60, NIGHT, '2026-12-02T10:00:00.000Z'],
    ['a digest time inside quiet hours moves to their end', '2026-12-01T03:00:00Z', 'WIB', 22 * 60, NIGHT, '2026-12-01T23:00:00.000Z'],
    ['a citizen window 18:00-20:00 around a 19:00 digest', '2026-12-01T03:00:00Z', 'WIB', 19 * 60, { start: 18 * 60, end: 20 * 60 }, '2026-12-01T13:00:00.000Z'],
    ['no quiet hours', '2026-12-01T03:00:00Z', 'WIB', 22 * 60, null, '2026-12-01T15:00:00.000Z'],
  ])('%s', (_name, after, timezone, digestAt, quiet, expected) => {
    expect(nextDigestAt(new Date(after), timezone, digestAt, quiet).toISOString()).toBe(expected);
  });
});
