import type { MinuteOfDay, TimezoneLabel } from './policy.types.js';

/**
 * Minutes each zone is ahead of UTC. A fixed table instead of asking `Intl.DateTimeFormat` for every instant: none of
 * Indonesia's zones has observed daylight saving or changed offset since 1964, so the table is exact for every date the
 * hub will see, and plain arithmetic on it finds "the next 06:00 WIT" directly, where Intl can only format an instant
 * and would need a search to go back from wall-clock time to an instant. A unit test pins the table to the ICU data.
 */
const UTC_OFFSET_MINUTES: Readonly<Record<TimezoneLabel, number>> = { WIB: 7 * 60, WITA: 8 * 60, WIT: 9 * 60 };

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Modulo that stays non-negative, so instants before 1970 still land inside the day. */
const mod = (value: number, divisor: number): number => ((value % divisor) + divisor) % divisor;

const offsetMs = (timezone: TimezoneLabel): number => UTC_OFFSET_MINUTES[timezone] * MINUTE_MS;

/** The local wall-clock minute of `at` (seconds dropped: 05:59:59 is still minute 359). */
export function localMinuteOfDay(at: Date, timezone: TimezoneLabel): MinuteOfDay {
  return Math.floor(mod(at.getTime() + offsetMs(timezone), DAY_MS) / MINUTE_MS);
}

/** The first instant strictly after `after` whose local wall-clock time is `minute`. */
export function nextLocalMinute(after: Date, timezone: TimezoneLabel, minute: MinuteOfDay): Date {
  const ms = after.getTime();
  const localMidnight = ms - mod(ms + offsetMs(timezone), DAY_MS);
  const sameDay = localMidnight + minute * MINUTE_MS;
  return new Date(sameDay > ms ? sameDay : sameDay + DAY_MS);
}

/** `HH:MM` of `at` on the local 24-hour clock. */
export function formatLocalTime(at: Date, timezone: TimezoneLabel): string {
  const minute = localMinuteOfDay(at, timezone);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

/** The instant the local day holding `at` began (local midnight). */
export function localDayStart(at: Date, timezone: TimezoneLabel): Date {
  const ms = at.getTime();
  return new Date(ms - mod(ms + offsetMs(timezone), DAY_MS));
}

/** The local calendar date of `at`, as `YYYY-MM-DD`, with its weekday (0 Sunday … 6 Saturday). */
export function localDate(at: Date, timezone: TimezoneLabel): { readonly date: string; readonly weekday: number } {
  const shifted = new Date(at.getTime() + offsetMs(timezone));
  return { date: shifted.toISOString().slice(0, 10), weekday: shifted.getUTCDay() };
}
