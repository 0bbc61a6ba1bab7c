import { parseCsv } from '../citizens/csv.js';
import { localDate, localDayStart } from '../policy/local-time.js';
import type { TimezoneLabel } from '../policy/policy.types.js';

/**
 * How long a complaint may wait for its agency's answer: hours on the clock, or working days. Indonesian complaint
 * handling counts working days (hari kerja): a complaint sent on Friday evening is not three days late on Monday.
 */
export type AnswerTarget = { readonly hours: number } | { readonly workingDays: number };

export const MAX_ANSWER_HOURS = 2_160;
/** Sixty working days: the longest a public-service complaint may take to settle (Permenpan RB 62/2018). */
export const MAX_ANSWER_WORKING_DAYS = 60;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** ISO weekdays, 1 Monday to 7 Sunday. The civil service's week is Monday to Friday (Perpres 21/2023). */
export const FIVE_DAY_WEEK: readonly number[] = [1, 2, 3, 4, 5];

/** A working week as the database keeps it: its ISO weekday digits in order, '12345' for Monday to Friday. */
export const weekdayDigits = (weekdays: readonly number[]): string => [...new Set(weekdays)].sort((a, b) => a - b).join('');

/** The ISO weekdays of stored digits (anything but 1 to 7 is ignored). */
export const weekdaysOfDigits = (digits: string): number[] => Array.from(digits.matchAll(/[1-7]/g), (m) => Number(m[0]));

/** Null when `weekdays` is a working week (1 to 7 distinct ISO weekdays), else what is wrong with it. */
export function checkWorkingWeekdays(weekdays: readonly number[]): string | null {
  if (weekdays.length === 0) return 'a working week needs at least one working day';
  if (weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return 'working weekdays are 1 (Monday) to 7 (Sunday)';
  if (new Set(weekdays).size !== weekdays.length) return 'a working weekday is given twice';
  return null;
}

/**
 * The dates an agency does not work on days of its working week: the national days off (public holidays and
 * collective leave) and its own (a regional holiday, the city's anniversary). Dates are local `YYYY-MM-DD`.
 */
export class WorkingCalendar {
  private readonly national = new Set<string>();
  private readonly own = new Map<string, Set<string>>();

  /** `agencyId` null marks a day off for every agency. */
  constructor(daysOff: Iterable<{ readonly day: string; readonly agencyId: string | null }> = []) {
    for (const { day, agencyId } of daysOff) {
      if (agencyId === null) this.national.add(day);
      else this.own.set(agencyId, (this.own.get(agencyId) ?? new Set<string>()).add(day));
    }
  }

  isDayOff(agencyId: string, date: string): boolean {
    return this.national.has(date) || (this.own.get(agencyId)?.has(date) ?? false);
  }
}

/**
 * When the answer is due if the agency's clock starts at `from`. In working days, counting starts the day after
 * `from` (the day a complaint arrives is not a whole day's work), and the answer is due at the end of the last
 * working day, local midnight in the agency's zone: three working days from Friday 15:00 WIB is Thursday 00:00 WIB.
 */
export function answerDueAt(
  from: Date,
  target: AnswerTarget,
  agency: { readonly id: string; readonly timezone: TimezoneLabel; readonly workingWeekdays?: readonly number[] },
  calendar: WorkingCalendar,
): Date {
  if ('hours' in target) return new Date(from.getTime() + target.hours * HOUR_MS);
  const week = new Set(agency.workingWeekdays ?? FIVE_DAY_WEEK);
  let dayStart = localDayStart(from, agency.timezone).getTime();
  // Bounded: a week has a working day, and the calendar holds finitely many days off.
  for (let counted = 0, steps = 0; steps < 366 * 5; steps += 1) {
    dayStart += DAY_MS;
    const { date, weekday } = localDate(new Date(dayStart), agency.timezone);
    // JavaScript counts Sunday as 0; ISO as 7.
    if (!week.has(weekday === 0 ? 7 : weekday) || calendar.isDayOff(agency.id, date)) continue;
    counted += 1;
    if (counted === target.workingDays) return new Date(dayStart + DAY_MS);
  }
  // Only a calendar with five years of days off in a row ends here; the answer is then due when that span ends.
  return new Date(dayStart + DAY_MS);
}

export type DayOffCheck = { readonly ok: true; readonly day: string; readonly name: string } | { readonly ok: false; readonly problem: string };

const DAY_OFF_NAME_LIMIT = 200;

/** A day off as an admin enters it: a real calendar date `YYYY-MM-DD` and a name (`Hari Raya Idulfitri 1448 H`). */
export function checkDayOff(day: string, name: string): DayOffCheck {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day.trim());
  const parsed = match === null ? null : new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (match === null || parsed === null || parsed.toISOString().slice(0, 10) !== day.trim()) {
    return { ok: false, problem: `expected a date like 2027-03-10, got ${JSON.stringify(day)}` };
  }
  const year = parsed.getUTCFullYear();
  if (year < 2000 || year > 2100) return { ok: false, problem: `the year must be from 2000 to 2100, got ${String(year)}` };
  const trimmed = name.trim();
  if (trimmed === '') return { ok: false, problem: 'the day off needs a name, e.g. "Hari Kemerdekaan RI"' };
  if (trimmed.length > DAY_OFF_NAME_LIMIT) return { ok: false, problem: `the name is over ${String(DAY_OFF_NAME_LIMIT)} characters` };
  return { ok: true, day: day.trim(), name: trimmed };
}

export interface DayOffLine {
  readonly day: string;
  readonly name: string;
  /** Null: every agency. */
  readonly agencyCode: string | null;
}

export interface DaysOffCsv {
  readonly days: readonly DayOffLine[];
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

/**
 * A calendar as admins keep it in a spreadsheet: a header naming `date` and `name` (and, optionally, `agency`, empty
 * for every agency), then one day off per line. Every line is checked; any error means nothing should be sent.
 * @example parseDaysOffCsv('date,name\n2027-08-17,Hari Kemerdekaan RI\n').days // [{ day: '2027-08-17', name: 'Hari Kemerdekaan RI', agencyCode: null }]
 */
export function parseDaysOffCsv(text: string): DaysOffCsv {
  const [header, ...records] = parseCsv(text);
  if (header === undefined) return { days: [], errors: [{ line: 1, message: 'the file is empty: expected a header "date,name,agency"' }] };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const at = { date: columns.indexOf('date'), name: columns.indexOf('name'), agency: columns.indexOf('agency') };
  if (at.date < 0 || at.name < 0) return { days: [], errors: [{ line: header.line, message: `expected a header with date and name (and optionally agency), got "${header.fields.join(',')}"` }] };
  const days: DayOffLine[] = [];
  const errors: { line: number; message: string }[] = [];
  const lines = new Map<string, number>();
  for (const record of records) {
    if (record.problem !== null) {
      errors.push({ line: record.line, message: record.problem });
      continue;
    }
    const agency = at.agency < 0 ? '' : (record.fields[at.agency] ?? '').trim();
    const check = checkDayOff(record.fields[at.date] ?? '', record.fields[at.name] ?? '');
    if (!check.ok) {
      errors.push({ line: record.line, message: check.problem });
      continue;
    }
    const key = `${check.day} ${agency}`;
    const first = lines.get(key);
    if (first !== undefined) errors.push({ line: record.line, message: `${check.day} is already on line ${String(first)}` });
    else lines.set(key, record.line);
    days.push({ day: check.day, name: check.name, agencyCode: agency === '' ? null : agency });
  }
  if (days.length === 0 && errors.length === 0) errors.push({ line: header.line, message: 'no days off under the header' });
  return { days, errors };
}

/** How an agency handles complaints, counted: opened in a period, answered at all, answered without going late. */
export interface ComplaintCounts {
  readonly opened: number;
  readonly answered: number;
  readonly answeredInTime: number;
}

/**
 * The two rates complaint desks are judged by: how many complaints got an answer (follow-up rate, as LAPOR! reports
 * it), and how many of those came before their due time. Three decimals; null where there is nothing to divide.
 */
export function complaintRates(counts: ComplaintCounts): { readonly answerRate: number | null; readonly inTimeRate: number | null } {
  const rate = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);
  return { answerRate: rate(counts.answered, counts.opened), inTimeRate: rate(counts.answeredInTime, counts.answered) };
}
