import { type AuditActor, checkDayOff } from '@kabar/core';
import { AgencyRepository, DayOffRepository } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { AgencyError, AgencyErrorCode } from './agency.errors.js';

export interface DayOffView {
  readonly day: string;
  readonly name: string;
  /** Null: a day off for every agency. */
  readonly agencyCode: string | null;
}

export interface DaysOffChange {
  /** Days added, renamed or removed. */
  readonly changed: number;
  /** Complaints waiting for an answer whose due time moved. */
  readonly dueTimesMoved: number;
}

/** A year of public holidays and collective leave fits in one call. */
export const DAYS_OFF_PER_CALL = 400;

/**
 * The working calendar admins keep: national days off and agencies' own. Answer times in working days skip them, and
 * each change moves the due times of complaints already waiting, so a collective-leave day declared late still counts.
 */
@Injectable()
export class DaysOffService {
  private readonly days: DayOffRepository;
  private readonly agencies: AgencyRepository;

  constructor(em: EntityManager) {
    this.days = new DayOffRepository(em);
    this.agencies = new AgencyRepository(em);
  }

  /** Refused with DAY_OFF_INVALID (a year outside 2000–2100) or AGENCY_NOT_FOUND. */
  async year(year: number, agencyCode: string | null): Promise<DayOffView[]> {
    if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new AgencyError(AgencyErrorCode.DayOffInvalid, `the year must be from 2000 to 2100, got ${String(year)}`);
    const codes = await this.codes();
    const agencyId = agencyCode === null ? null : await this.agencyId(agencyCode);
    return (await this.days.year(year, agencyId)).map((d) => ({ day: d.day, name: d.name, agencyCode: d.agencyId === null ? null : (codes.get(d.agencyId) ?? null) }));
  }

  /**
   * Adds days off (or renames those already there) in one audited transaction. Refused as a whole, before anything
   * changes, with DAY_OFF_INVALID (each bad day named by its place) or AGENCY_NOT_FOUND.
   */
  async set(days: readonly DayOffView[], actor: AuditActor): Promise<DaysOffChange> {
    if (days.length === 0 || days.length > DAYS_OFF_PER_CALL) {
      throw new AgencyError(AgencyErrorCode.DayOffInvalid, `give 1 to ${String(DAYS_OFF_PER_CALL)} days off at a time, got ${String(days.length)}`);
    }
    const problems: string[] = [];
    const seen = new Map<string, number>();
    const checked = days.flatMap((d, i) => {
      const check = checkDayOff(d.day, d.name);
      if (!check.ok) problems.push(`day ${String(i + 1)}: ${check.problem}`);
      if (!check.ok) return [];
      // One statement writes them all, and it can write each day of a scope once.
      const key = `${check.day} ${d.agencyCode ?? ''}`;
      const first = seen.get(key);
      if (first !== undefined) problems.push(`day ${String(i + 1)}: ${check.day} is already day ${String(first)}${d.agencyCode === null ? '' : ` for ${d.agencyCode}`}`);
      seen.set(key, first ?? i + 1);
      return [{ ...check, agencyCode: d.agencyCode }];
    });
    if (problems.length > 0) throw new AgencyError(AgencyErrorCode.DayOffInvalid, problems.join('; '), { problems });
    const ids = new Map<string, string>();
    for (const code of new Set(checked.flatMap((d) => (d.agencyCode === null ? [] : [d.agencyCode])))) ids.set(code, await this.agencyId(code));
    const rows = checked.map((d) => ({ day: d.day, name: d.name, agencyId: d.agencyCode === null ? null : (ids.get(d.agencyCode) ?? null) }));
    const sorted = rows.map((r) => r.day).sort();
    const moved = await this.days.set(rows, (dueTimesMoved) => ({
      action: 'day_off.set',
      actor,
      agencyId: rows.length === 1 ? (rows[0]?.agencyId ?? null) : null,
      target: { kind: 'day_off', id: sorted.length === 1 ? (sorted[0] ?? '') : `${sorted[0] ?? ''}..${sorted.at(-1) ?? ''}` },
      details: { days: sorted, agencies: [...ids.keys()].sort(), national: rows.some((r) => r.agencyId === null), dueTimesMoved },
    }));
    return { changed: rows.length, dueTimesMoved: moved };
  }

  /** Refused with DAY_OFF_INVALID, AGENCY_NOT_FOUND or DAY_OFF_NOT_FOUND. */
  async remove(day: string, agencyCode: string | null, actor: AuditActor): Promise<DaysOffChange> {
    const check = checkDayOff(day, '-');
    if (!check.ok) throw new AgencyError(AgencyErrorCode.DayOffInvalid, check.problem);
    const agencyId = agencyCode === null ? null : await this.agencyId(agencyCode);
    const result = await this.days.remove(check.day, agencyId, (r) =>
      r.removed
        ? { action: 'day_off.removed', actor, agencyId, target: { kind: 'day_off', id: check.day }, details: { agency: agencyCode, dueTimesMoved: r.moved } }
        : null,
    );
    if (!result.removed) throw new AgencyError(AgencyErrorCode.DayOffNotFound, `no day off on ${check.day}${agencyCode === null ? ' for every agency' : ` for ${agencyCode}`}`);
    return { changed: 1, dueTimesMoved: result.moved };
  }

  private async agencyId(code: string): Promise<string> {
    const agency = await this.agencies.findByCode(code);
    if (agency === null) throw new AgencyError(AgencyErrorCode.NotFound, `no agency ${code}`);
    return agency.id;
  }

  private async codes(): Promise<Map<string, string>> {
    return new Map((await this.agencies.list()).map((a) => [a.id, a.code]));
  }
}
