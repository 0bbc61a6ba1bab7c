import { type AuditActor, isUuid, parseSurvey, summarizeSurvey, type SurveySummary } from '@kabar/core';
import { SurveyRepository, type SurveyResponseRow, type SurveyRow } from '@kabar/persistence';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';

import { SurveyError, SurveyErrorCode } from './survey.errors.js';

/** An agency's surveys: checked in full (libs/core) before a version is stored; only ever the agency's own. */
@Injectable()
export class SurveyService {
  private readonly store: SurveyRepository;

  constructor(em: EntityManager) {
    this.store = new SurveyRepository(em);
  }

  async save(agencyId: string, raw: unknown, actor: AuditActor): Promise<SurveyRow> {
    const parsed = parseSurvey(raw);
    if ('problems' in parsed) {
      const message = parsed.problems.map((p) => `${p.path === '' ? '/' : p.path} ${p.message}`).join('; ');
      throw new SurveyError(SurveyErrorCode.Invalid, message, { problems: parsed.problems });
    }
    // The parsed survey, not the input: nothing unchecked is stored.
    return this.store.save(agencyId, parsed.survey.code, { ...parsed.survey }, (saved) => ({
      action: 'survey.saved',
      actor,
      agencyId,
      target: { kind: 'survey', id: saved.code },
      details: { version: saved.version, questions: parsed.survey.questions.length },
    }));
  }

  list(agencyId: string): Promise<SurveyRow[]> {
    return this.store.latest(agencyId);
  }

  /**
   * One version of one of the agency's surveys (the latest unless `version`), summed up over the sessions begun in
   * [from, to) (all of them when not given): counts, distributions and the satisfaction index. UNKNOWN_SURVEY for
   * none (or another agency's), SURVEY_PERIOD_INVALID for a period that ends before it starts.
   */
  async summary(agencyId: string, code: string, version: number | null, from: Date | null, to: Date | null, now = new Date()): Promise<{ code: string; version: number; summary: SurveySummary }> {
    const start = from ?? new Date(0);
    const end = to ?? new Date(now.getTime() + 1);
    if (start.getTime() >= end.getTime()) throw new SurveyError(SurveyErrorCode.PeriodInvalid, '`from` must be before `to`');
    const tally = await this.store.tally(agencyId, code, version, start, end, now);
    if (tally === null) throw new SurveyError(SurveyErrorCode.Unknown, version === null ? `you have no survey "${code}"` : `you have no version ${String(version)} of survey "${code}"`);
    const parsed = parseSurvey(tally.survey.definition);
    // Stored definitions were parsed at save; one that no longer parses is a defect, not the agency's input.
    if ('problems' in parsed) throw new Error(`stored survey ${code} v${String(tally.survey.version)} does not parse`);
    return { code, version: tally.survey.version, summary: summarizeSurvey(parsed.survey, tally.sessions, tally.answers) };
  }

  /** Responses to one of the agency's surveys, oldest first, `first` (1 to 200) after the response `after`. */
  async responses(agencyId: string, code: string, after: string | null, first: number): Promise<SurveyResponseRow[]> {
    if (after !== null && !isUuid(after)) throw new SurveyError(SurveyErrorCode.BadCursor, 'after must be the id of a survey response');
    if (!(await this.store.latest(agencyId)).some((s) => s.code === code)) throw new SurveyError(SurveyErrorCode.Unknown, `you have no survey "${code}"`);
    return this.store.responses(agencyId, code, after, Math.min(Math.max(Math.trunc(first), 1), 200));
  }
}
