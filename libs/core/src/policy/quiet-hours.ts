import { localMinuteOfDay, nextLocalMinute } from './local-time.js';
import type { MinuteOfDay, PlatformPolicy, PolicyCitizen, QuietHours, TimezoneLabel } from './policy.types.js';

/** The citizen's window, else the platform's; a window with start = end is how a citizen says "none". */
export function quietWindowOf(citizen: PolicyCitizen, platform: PlatformPolicy): QuietHours | null {
  const window = citizen.quietHours ?? platform.quietHours;
  return window === null || window.start === window.end ? null : window;
}

/** Start inclusive, end exclusive; `start > end` wraps past midnight. */
function inWindow(minute: MinuteOfDay, quiet: QuietHours): boolean {
  return quiet.start < quiet.end ? minute >= quiet.start && minute < quiet.end : minute >= quiet.start || minute < quiet.end;
}

/**
 * When the quiet window that `at` falls in ends, or null if `at` is not in quiet hours.
 * @example quietUntil(new Date('2026-12-01T15:30Z'), 'WIB', { start: 1260, end: 360 }) // 2026-12-01T23:00Z (06:00 WIB)
 */
export function quietUntil(at: Date, timezone: TimezoneLabel, quiet: QuietHours | null): Date | null {
  if (quiet === null || quiet.start === quiet.end) return null;
  if (!inWindow(localMinuteOfDay(at, timezone), quiet)) return null;
  // Inside the window the next local `end` is the window's own end: today's if before midnight wrapped, else tomorrow's.
  return nextLocalMinute(at, timezone, quiet.end);
}

/**
 * The next local `digestAt` strictly after `after`, moved to the end of quiet hours if it falls inside them.
 * @example nextDigestAt(new Date('2026-12-01T03:00Z'), 'WIB', 1140, null) // 2026-12-01T12:00Z (19:00 WIB)
 */
export function nextDigestAt(after: Date, timezone: TimezoneLabel, digestAt: MinuteOfDay, quiet: QuietHours | null): Date {
  const due = nextLocalMinute(after, timezone, digestAt);
  return quietUntil(due, timezone, quiet) ?? due;
}
