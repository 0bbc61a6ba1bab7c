import { CHANNELS, checkLanguage, checkTimezone, isChannel, isMessageClass } from '@kabar/core';
import type { PreferencePatch } from '@kabar/persistence';

/** Preferences as a client sends them; `undefined` leaves a setting as it is, `quietHours: null` restores the default. */
export interface PreferencesInput {
  readonly language?: string | null | undefined;
  readonly timezone?: string | null | undefined;
  readonly quietHours?: { readonly start: string; readonly end: string } | null | undefined;
  readonly digest?: boolean | null | undefined;
  readonly caps?: readonly { readonly messageClass: string; readonly count: number; readonly periodSeconds: number }[] | null | undefined;
  readonly channelOrder?: readonly { readonly category: string; readonly channels: readonly string[] }[] | null | undefined;
}

export interface Problem {
  readonly field: string;
  readonly message: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const CATEGORY = /^(\*|[a-z0-9][a-z0-9-]{0,31})$/;
// A year: longer windows would make a cap meaningless and overflow nothing useful.
const MAX_PERIOD_SECONDS = 366 * 86_400;

/** "21:30" -> 1290 minutes after midnight; null when not HH:MM. */
export function minuteOfDay(text: string): number | null {
  const match = HH_MM.exec(text.trim());
  return match === null ? null : Number(match[1]) * 60 + Number(match[2]);
}

/** 1290 -> "21:30". */
export const hhmm = (minute: number): string => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/**
 * Turns a preference update into a patch for the store, or every problem with it (the client fixes all at once).
 * Explicit nulls for anything but `quietHours` mean "unchanged", as GraphQL clients often send them for absent fields.
 * @example parsePreferences({ quietHours: { start: '22:00', end: '05:30' } }) // { patch: { quietStart: 1320, quietEnd: 330 } }
 */
export function parsePreferences(input: PreferencesInput): { patch: PreferencePatch } | { problems: Problem[] } {
  const problems: Problem[] = [];
  const patch: { -readonly [K in keyof PreferencePatch]: PreferencePatch[K] } = {};
  if (input.language != null) {
    const checked = checkLanguage(input.language);
    if (checked.ok && input.language.trim() !== '') patch.locale = checked.value;
    else problems.push({ field: 'language', message: checked.ok ? 'expected id or en, got nothing' : checked.message });
  }
  if (input.timezone != null) {
    const checked = checkTimezone(input.timezone);
    if (checked.ok) patch.timezone = checked.value;
    else problems.push({ field: 'timezone', message: checked.message });
  }
  if (input.quietHours === null) {
    patch.quietStart = null;
    patch.quietEnd = null;
  } else if (input.quietHours !== undefined) {
    const start = minuteOfDay(input.quietHours.start);
    const end = minuteOfDay(input.quietHours.end);
    if (start === null) problems.push({ field: 'quietHours.start', message: `expected HH:MM (00:00 to 23:59), got ${JSON.stringify(input.quietHours.start)}` });
    if (end === null) problems.push({ field: 'quietHours.end', message: `expected HH:MM (00:00 to 23:59), got ${JSON.stringify(input.quietHours.end)}` });
    if (start !== null && end !== null) {
      patch.quietStart = start;
      patch.quietEnd = end;
    }
  }
  if (input.digest != null) patch.digest = input.digest;
  if (input.caps != null) {
    const caps: Record<string, { count: number; periodSeconds: number }> = {};
    input.caps.forEach((cap, i) => {
      const field = `caps[${i}]`;
      if (!isMessageClass(cap.messageClass) || cap.messageClass === 'critical') {
        problems.push({ field: `${field}.messageClass`, message: `expected transactional, reminder or informational (critical messages are never capped), got ${JSON.stringify(cap.messageClass)}` });
      } else if (Object.hasOwn(caps, cap.messageClass)) {
        problems.push({ field: `${field}.messageClass`, message: `${cap.messageClass} is capped twice` });
      }
      if (!Number.isInteger(cap.count) || cap.count < 1) problems.push({ field: `${field}.count`, message: `expected a positive whole number, got ${cap.count}` });
      if (!Number.isInteger(cap.periodSeconds) || cap.periodSeconds < 1 || cap.periodSeconds > MAX_PERIOD_SECONDS) {
        problems.push({ field: `${field}.periodSeconds`, message: `expected a whole number of seconds from 1 to ${MAX_PERIOD_SECONDS}, got ${cap.periodSeconds}` });
      }
      caps[cap.messageClass] = { count: cap.count, periodSeconds: cap.periodSeconds };
    });
    patch.caps = caps;
  }
  if (input.channelOrder != null) {
    const order: Record<string, string[]> = {};
    input.channelOrder.forEach((entry, i) => {
      const field = `channelOrder[${i}]`;
      if (!CATEGORY.test(entry.category)) problems.push({ field: `${field}.category`, message: `expected * or a category like tax or civil-registry, got ${JSON.stringify(entry.category)}` });
      else if (Object.hasOwn(order, entry.category)) problems.push({ field: `${field}.category`, message: `${entry.category} is listed twice` });
      if (entry.channels.length === 0) problems.push({ field: `${field}.channels`, message: 'expected at least one channel' });
      const unknown = entry.channels.filter((c) => !isChannel(c));
      if (unknown.length > 0) problems.push({ field: `${field}.channels`, message: `unknown channel(s) ${unknown.join(', ')}; expected ${CHANNELS.join(', ')}` });
      if (new Set(entry.channels).size !== entry.channels.length) problems.push({ field: `${field}.channels`, message: 'a channel is listed twice' });
      order[entry.category] = [...entry.channels];
    });
    patch.channelOrder = order;
  }
  return problems.length > 0 ? { problems } : { patch };
}
