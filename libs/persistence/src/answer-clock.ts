import { answerDueAt, type AnswerTarget, type TimezoneLabel, TIMEZONES, weekdaysOfDigits, WorkingCalendar } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { type Audited, audited } from './audit.repository.js';
import { arrayParam } from './bulk.js';
import { query } from './query.js';

/** When an answer is due for an agency whose clock starts at `from`; null for an agency that does not exist. */
export type DueAt = (agencyId: string, from: Date) => Date | null;

/** What of an agency its answer times depend on. */
export interface AnswerClock {
  readonly target: AnswerTarget;
  readonly timezone: TimezoneLabel;
  readonly workingWeekdays: readonly number[];
}

interface ClockRow {
  id: string;
  complaint_response_hours: number;
  complaint_response_working_days: number | null;
  timezone: string;
  working_weekdays: string;
}

const toClock = (r: ClockRow): AnswerClock => ({
  target: r.complaint_response_working_days === null ? { hours: r.complaint_response_hours } : { workingDays: r.complaint_response_working_days },
  timezone: Object.hasOwn(TIMEZONES, r.timezone) ? (r.timezone as TimezoneLabel) : 'WIB',
  workingWeekdays: weekdaysOfDigits(r.working_weekdays),
});

// A day before the earliest clock start: a clock started late on a UTC day may already be the next day in WIT.
const DAY_MS = 86_400_000;

/** The working calendar (national days off and those of `agencyIds`) from the day before `since` on, in one statement. */
async function calendarSince(tx: EntityManager, agencyIds: readonly string[], since: Date): Promise<WorkingCalendar> {
  const rows = await query<{ day: string; scope: string }>(tx, `select to_char("day", 'YYYY-MM-DD') as "day", "scope" from "day_off" where "day" >= ?::date and ("scope" = '' or "scope" = any(?::text[]))`, [
    new Date(since.getTime() - DAY_MS).toISOString().slice(0, 10),
    arrayParam([...new Set(agencyIds)]),
  ]);
  return new WorkingCalendar(rows.map((r) => ({ day: r.day, agencyId: r.scope === '' ? null : r.scope })));
}

/**
 * The due-time function for complaints of `agencyIds` whose clocks start at `since` or later: their answer targets,
 * zones and days off, read in two statements for a whole batch.
 */
export async function answerClocks(tx: EntityManager, agencyIds: readonly string[], since: Date): Promise<DueAt> {
  if (agencyIds.length === 0) return () => null;
  const rows = await query<ClockRow>(tx, 'select "id", "complaint_response_hours", "complaint_response_working_days", "timezone", "working_weekdays" from "agency" where "id" = any(?::uuid[])', [
    arrayParam([...new Set(agencyIds)]),
  ]);
  const clocks = new Map(rows.map((r) => [r.id, toClock(r)]));
  const calendar = await calendarSince(tx, agencyIds, since);
  return (agencyId, from) => {
    const clock = clocks.get(agencyId);
    return clock === undefined ? null : answerDueAt(from, clock.target, { id: agencyId, timezone: clock.timezone, workingWeekdays: clock.workingWeekdays }, calendar);
  };
}

/**
 * Moves the due time of every complaint still waiting (and not yet reported late) to what the agency's current target,
 * zone and calendar make of its clock start: after an agency's target changes (`agencyId`), or a day off is added or
 * removed (every agency that counts working days, or the one the day belongs to). Returns how many moved.
 */
export async function rescheduleWaiting(tx: EntityManager, scope: { readonly agencyId: string } | 'working-days'): Promise<number> {
  const waiting = await query<{ id: string; agency_id: string; due_from: Date | string; due_at: Date | string }>(
    tx,
    `select c."id", c."agency_id", c."due_from", c."due_at" from "complaint" c join "agency" a on a."id" = c."agency_id"
     where c."due_at" is not null and c."due_from" is not null and c."reminded_at" is null
       and ${scope === 'working-days' ? 'a."complaint_response_working_days" is not null' : 'c."agency_id" = ?'}
     for update of c`,
    scope === 'working-days' ? [] : [scope.agencyId],
  );
  if (waiting.length === 0) return 0;
  const starts = waiting.map((w) => new Date(w.due_from));
  const dueAt = await answerClocks(tx, waiting.map((w) => w.agency_id), new Date(starts.reduce((min, d) => Math.min(min, d.getTime()), Number.POSITIVE_INFINITY)));
  const moved = waiting.flatMap((w, i) => {
    const due = dueAt(w.agency_id, starts[i] ?? new Date(w.due_from));
    return due === null || due.getTime() === new Date(w.due_at).getTime() ? [] : [{ id: w.id, due }];
  });
  if (moved.length === 0) return 0;
  await query(tx, 'update "complaint" c set "due_at" = v."due" from unnest(?::uuid[], ?::timestamptz[]) as v("id", "due") where c."id" = v."id"', [
    arrayParam(moved.map((m) => m.id)),
    arrayParam(moved.map((m) => m.due)),
  ]);
  return moved.length;
}

export interface DayOffRow {
  readonly day: string;
  readonly name: string;
  /** Null: every agency's. */
  readonly agencyId: string | null;
}

/** Days off as admins keep them; each change moves the due times it affects, in its own audited transaction. */
export class DayOffRepository {
  constructor(private readonly em: EntityManager) {}

  /** The days off of one year, national and every agency's (or, with `agencyId`, national and that agency's). */
  async year(year: number, agencyId: string | null): Promise<DayOffRow[]> {
    const rows = await query<{ day: string; name: string; scope: string }>(
      this.em.fork(),
      `select to_char("day", 'YYYY-MM-DD') as "day", "name", "scope" from "day_off"
       where "day" >= make_date(?::int, 1, 1) and "day" < make_date(?::int + 1, 1, 1) ${agencyId === null ? '' : `and ("scope" = '' or "scope" = ?)`}
       order by "day", "scope"`,
      agencyId === null ? [year, year] : [year, year, agencyId],
    );
    return rows.map((r) => ({ day: r.day, name: r.name, agencyId: r.scope === '' ? null : r.scope }));
  }

  /** Adds days off, or renames those already there; returns how many complaints' due times moved. */
  async set(days: readonly DayOffRow[], audit: Audited<number>, now = new Date()): Promise<number> {
    return audited(this.em, audit, async (tx) => {
      if (days.length === 0) return 0;
      await query(
        tx,
        `insert into "day_off" ("day", "scope", "name", "created_at") select v."day", v."scope", v."name", ? from unnest(?::date[], ?::text[], ?::text[]) as v("day", "scope", "name")
         on conflict ("day", "scope") do update set "name" = excluded."name"`,
        [now, arrayParam(days.map((d) => d.day)), arrayParam(days.map((d) => d.agencyId ?? '')), arrayParam(days.map((d) => d.name))],
      );
      return this.reschedule(tx, days);
    });
  }

  /** Removes one day off; returns whether there was one and how many due times moved. */
  async remove(day: string, agencyId: string | null, audit: Audited<{ removed: boolean; moved: number }>): Promise<{ removed: boolean; moved: number }> {
    return audited(this.em, audit, async (tx) => {
      const gone = await query(tx, 'delete from "day_off" where "day" = ?::date and "scope" = ? returning "day"', [day, agencyId ?? '']);
      if (gone.length === 0) return { removed: false, moved: 0 };
      return { removed: true, moved: await this.reschedule(tx, [{ day, name: '', agencyId }]) };
    });
  }

  private async reschedule(tx: EntityManager, days: readonly DayOffRow[]): Promise<number> {
    if (days.some((d) => d.agencyId === null)) return rescheduleWaiting(tx, 'working-days');
    let moved = 0;
    for (const agencyId of new Set(days.flatMap((d) => (d.agencyId === null ? [] : [d.agencyId])))) moved += await rescheduleWaiting(tx, { agencyId });
    return moved;
  }
}
