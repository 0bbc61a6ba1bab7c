import { randomUUID } from 'node:crypto';

import type { AnswerCount, SurveySessionCounts } from '@kabar/core';
import { storableJson } from '@kabar/core';
import type { EntityManager } from '@mikro-orm/core';

import { type Audited,audited } from './audit.repository.js';
import { arrayParam, insertColumns, insertRows, Json } from './bulk.js';
import { type NewNotification, NOTIFICATION_COLUMNS, notificationRow } from './event.repository.js';
import { query } from './query.js';

/** One version of an agency's survey, its definition as saved (checked by libs/core before it gets here). */
export interface SurveyRow {
  readonly id: string;
  readonly code: string;
  readonly version: number;
  readonly definition: Record<string, unknown>;
  readonly createdAt: Date;
}

interface Row {
  id: string;
  code: string;
  version: number | string;
  definition: Record<string, unknown> | string;
  created_at: Date | string;
}

/** What a survey's progress is stored as (libs/core `SurveyProgress`). */
export interface StoredProgress {
  readonly state: string;
  readonly questionId: string | null;
  readonly answers: readonly { readonly questionId: string; readonly value: string | number }[];
  readonly refusals: number;
  readonly seen: readonly string[];
}

/**
 * The latest notification that asked a survey of one address on one channel (SMS, WhatsApp), with the session it
 * opened if the citizen has replied before: where a reply from that address goes.
 */
export interface SurveyOpening {
  /** Null in the inbox. */
  readonly contactHash: string | null;
  readonly channel: string;
  readonly notificationId: string;
  readonly eventId: string;
  /** The agency's own event: its `source` and `id`. */
  readonly source: string;
  readonly ceId: string;
  readonly agencyId: string;
  readonly agencyCode: string;
  readonly agencyName: string;
  readonly citizenId: string;
  readonly contactPointId: string | null;
  readonly locale: string;
  readonly askedAt: Date;
  /** The survey version the notification asked (its SURVEY_ASKED decision names it). */
  readonly surveyId: string;
  readonly session: (StoredProgress & { readonly id: string; readonly startedAt: Date }) | null;
}

/** A session as written after a reply: created on the first, updated after. */
export interface SessionWrite extends StoredProgress {
  readonly id: string;
  readonly openedBy: string;
  readonly surveyId: string;
  readonly agencyId: string;
  readonly eventId: string;
  readonly citizenId: string;
  readonly contactPointId: string | null;
  readonly channel: string;
  readonly contactHash: string | null;
  readonly locale: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly expiresAt: Date;
}

/** One citizen's response as the agency reads it: the answers and where they came from, never the citizen's address. */
export interface SurveyResponseRow extends StoredProgress {
  readonly id: string;
  readonly code: string;
  readonly version: number;
  readonly notificationId: string;
  readonly source: string;
  readonly ceId: string;
  readonly channel: string;
  readonly startedAt: Date;
  readonly updatedAt: Date;
  readonly finishedAt: Date | null;
  readonly expiresAt: Date;
}

/** A session closed at its deadline, as its agency's callback reports it. */
export interface ExpiredSession extends SurveyResponseRow {
  readonly agencyId: string;
  readonly agencyCode: string;
}

const answersOf = (v: unknown): StoredProgress['answers'] => (typeof v === 'string' ? JSON.parse(v) : v) as StoredProgress['answers'];
const seenOf = (v: unknown): string[] => (typeof v === 'string' ? JSON.parse(v) : v) as string[];

const toRow = (r: Row): SurveyRow => ({
  id: r.id,
  code: r.code,
  version: Number(r.version),
  definition: typeof r.definition === 'string' ? (JSON.parse(r.definition) as Record<string, unknown>) : r.definition,
  createdAt: new Date(r.created_at),
});

interface OpeningRow {
  lookup_hash: string | null;
  channel: string;
  id: string;
  event_id: string;
  source: string;
  ce_id: string;
  agency_id: string;
  code: string;
  name: string;
  citizen_id: string;
  contact_point_id: string | null;
  locale: string | null;
  created_at: Date | string;
  survey_id: string | null;
  session_id: string | null;
  state: string | null;
  question_id: string | null;
  answers: unknown;
  refusals: number | string | null;
  seen: unknown;
  started_at: Date | string | null;
}

/** What an opening reads of a notification `n` that asked a survey, its event, agency and session. */
const OPENING_COLUMNS = `n."channel", n."id", n."event_id", n."agency_id", n."citizen_id", n."contact_point_id", n."locale", n."created_at", e."source", e."ce_id", a."code", a."name",
  (select d->'params'->>'surveyId' from jsonb_array_elements(n."decisions") d where d->>'code' = 'SURVEY_ASKED' limit 1) as "survey_id",
  ss."id" as "session_id", ss."state", ss."question_id", ss."answers", ss."refusals", ss."seen", ss."started_at"`;
const OPENING_JOINS = `join "event" e on e."id" = n."event_id" join "agency" a on a."id" = n."agency_id" left join "survey_session" ss on ss."opened_by" = n."id"`;
const ASKED = `n."decisions" @> '[{"code":"SURVEY_ASKED"}]'`;

function toOpening(r: OpeningRow): SurveyOpening[] {
  if (r.survey_id === null) return [];
  return [
    {
      contactHash: r.lookup_hash,
      channel: r.channel,
      notificationId: r.id,
      eventId: r.event_id,
      source: r.source,
      ceId: r.ce_id,
      agencyId: r.agency_id,
      agencyCode: r.code,
      agencyName: r.name,
      citizenId: r.citizen_id,
      contactPointId: r.contact_point_id,
      locale: r.locale ?? 'id',
      askedAt: new Date(r.created_at),
      surveyId: r.survey_id,
      session:
        r.session_id === null
          ? null
          : {
              id: r.session_id,
              state: r.state ?? 'open',
              questionId: r.question_id,
              answers: answersOf(r.answers),
              refusals: Number(r.refusals ?? 0),
              seen: seenOf(r.seen),
              startedAt: new Date(r.started_at ?? r.created_at),
            },
    },
  ];
}

interface ResponseDbRow {
  id: string;
  code: string;
  version: number | string;
  opened_by: string;
  source: string;
  ce_id: string;
  channel: string;
  agency_id: string;
  agency_code: string;
  state: string;
  question_id: string | null;
  answers: unknown;
  refusals: number | string;
  seen: unknown;
  started_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
  expires_at: Date | string;
}

/** A session `ss` as its agency reads it, with its survey `s`, event `e` and agency `a`. */
const RESPONSE_COLUMNS = `ss."id", s."code", s."version", ss."opened_by", e."source", e."ce_id", ss."channel", ss."agency_id", a."code" as "agency_code", ss."state",
  ss."question_id", ss."answers", ss."refusals", ss."seen", ss."started_at", ss."updated_at", ss."finished_at", ss."expires_at"`;

function toResponse(r: ResponseDbRow): ExpiredSession {
  return {
    id: r.id,
    code: r.code,
    version: Number(r.version),
    notificationId: r.opened_by,
    source: r.source,
    ceId: r.ce_id,
    channel: r.channel,
    agencyId: r.agency_id,
    agencyCode: r.agency_code,
    state: r.state,
    questionId: r.question_id,
    answers: answersOf(r.answers),
    refusals: Number(r.refusals),
    seen: seenOf(r.seen),
    startedAt: new Date(r.started_at),
    updatedAt: new Date(r.updated_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
    expiresAt: new Date(r.expires_at),
  };
}

/** Agencies' surveys, versioned: a save adds the next version, and no version is ever changed. */
export class SurveyRepository {
  constructor(private readonly em: EntityManager) {}

  async save(agencyId: string, code: string, definition: Record<string, unknown>, audit: Audited<SurveyRow>): Promise<SurveyRow> {
    return audited(this.em, audit, async (tx) => {
      // Serialise one agency's saves so two editors cannot both claim version n+1 (saves are rare; ingest never
      // locks agency rows).
      await query(tx, 'select "id" from "agency" where "id" = ? for update', [agencyId]);
      const [row] = await query<Row>(
        tx,
        `insert into "survey" ("id", "agency_id", "code", "version", "definition", "created_at")
         select ?, ?, ?, coalesce(max("version"), 0) + 1, ?::jsonb, now() from "survey" where "agency_id" = ? and "code" = ?
         returning "id", "code", "version", "definition", "created_at"`,
        [randomUUID(), agencyId, code, storableJson(definition), agencyId, code],
      );
      if (row === undefined) throw new Error('the survey insert returned no row');
      return toRow(row);
    });
  }

  /** The latest version of each of the agency's surveys, by code. */
  async latest(agencyId: string): Promise<SurveyRow[]> {
    const rows = await query<Row>(
      this.em.fork(),
      `select distinct on ("code") "id", "code", "version", "definition", "created_at" from "survey" where "agency_id" = ? order by "code", "version" desc`,
      [agencyId],
    );
    return rows.map(toRow);
  }

  /** The latest version of each type's survey, for the types that name one, by type id: one query for a batch. */
  async forTypes(typeIds: readonly string[], em: EntityManager = this.em.fork()): Promise<Map<string, SurveyRow>> {
    if (typeIds.length === 0) return new Map();
    const rows = await query<Row & { type_id: string }>(
      em,
      `select et."id" as "type_id", s."id", s."code", s."version", s."definition", s."created_at" from "event_type" et
       join lateral (select * from "survey" s where s."agency_id" = et."agency_id" and s."code" = et."survey_code" order by s."version" desc limit 1) s on true
       where et."id" = any(?::uuid[]) and et."survey_code" is not null`,
      [arrayParam([...new Set(typeIds)])],
    );
    return new Map(rows.map((r) => [r.type_id, toRow(r)]));
  }

  /** Survey versions by id. */
  async byIds(ids: readonly string[], em: EntityManager = this.em.fork()): Promise<Map<string, SurveyRow>> {
    if (ids.length === 0) return new Map();
    const rows = await query<Row>(em, 'select "id", "code", "version", "definition", "created_at" from "survey" where "id" = any(?::uuid[])', [arrayParam([...new Set(ids)])]);
    return new Map(rows.map((r) => [r.id, toRow(r)]));
  }

  /**
   * For each (address hash, channel), the latest notification since `since` that asked a survey and reached the
   * citizen there, with its session: one statement for a batch of replies. Questions sent during a survey
   * (`recipient_role` = 'survey') never open one.
   */
  async openings(em: EntityManager, keys: readonly { contactHash: string; channel: string }[], since: Date): Promise<SurveyOpening[]> {
    if (keys.length === 0) return [];
    const rows = await query<OpeningRow>(
      em,
      `select distinct on (cp."lookup_hash", n."channel") cp."lookup_hash", ${OPENING_COLUMNS}
       from "contact_point" cp
       join "notification" n on n."citizen_id" = cp."citizen_id" and n."contact_point_id" = cp."id"
       ${OPENING_JOINS}
       where cp."lookup_hash" = any(?::text[]) and n."channel" = any(?::text[]) and n."created_at" > ?
         and n."recipient_role" <> 'survey' and n."state" in ('sent', 'delivered') and ${ASKED}
       order by cp."lookup_hash", n."channel", n."created_at" desc`,
      [arrayParam([...new Set(keys.map((k) => k.contactHash))]), arrayParam([...new Set(keys.map((k) => k.channel))]), since],
    );
    return rows.flatMap(toOpening);
  }

  /**
   * The citizen's inbox messages since `since` that asked a survey (or the one given), newest first, with their
   * sessions: the surveys they answer in the preference centre.
   */
  async inboxOpenings(em: EntityManager, citizenId: string, since: Date, notificationId: string | null = null, limit = 50): Promise<SurveyOpening[]> {
    const rows = await query<OpeningRow>(
      em,
      `select null as "lookup_hash", ${OPENING_COLUMNS}
       from "notification" n
       ${OPENING_JOINS}
       where n."citizen_id" = ? and n."channel" = 'inbox' and n."created_at" > ? and n."recipient_role" <> 'survey' and n."state" = 'delivered'
         and ${ASKED} ${notificationId === null ? '' : 'and n."id" = ?'}
       order by n."created_at" desc limit ?`,
      [citizenId, since, ...(notificationId === null ? [] : [notificationId]), limit],
    );
    return rows.flatMap(toOpening);
  }

  /** Creates or updates sessions, keyed by the notification that opened them: one statement. */
  async saveSessions(em: EntityManager, sessions: readonly SessionWrite[], now: Date): Promise<void> {
    await insertRows(
      em,
      'survey_session',
      ['id', 'opened_by', 'survey_id', 'agency_id', 'event_id', 'citizen_id', 'contact_point_id', 'channel', 'contact_hash', 'locale', 'state', 'question_id', 'answers', 'refusals', 'seen', 'started_at', 'updated_at', 'finished_at', 'expires_at'],
      sessions.map((s) => [
        s.id, s.openedBy, s.surveyId, s.agencyId, s.eventId, s.citizenId, s.contactPointId, s.channel, s.contactHash, s.locale, s.state, s.questionId,
        new Json(s.answers), s.refusals, new Json(s.seen), s.startedAt, now, s.finishedAt, s.expiresAt,
      ]),
      `on conflict ("opened_by") do update set "state" = excluded."state", "question_id" = excluded."question_id", "answers" = excluded."answers",
       "refusals" = excluded."refusals", "seen" = excluded."seen", "updated_at" = excluded."updated_at", "finished_at" = excluded."finished_at"`,
    );
  }

  /**
   * One version of one of the agency's surveys (the latest when `version` is null), with its sessions begun in
   * [from, to) counted by how they stand at `now` and their answers counted by question and value (text answers by
   * question only): three statements, however many responses. Null when the agency has no such survey or version.
   */
  async tally(agencyId: string, code: string, version: number | null, from: Date, to: Date, now: Date): Promise<SurveyTally | null> {
    const em = this.em.fork();
    const [row] = await query<Row>(
      em,
      `select "id", "code", "version", "definition", "created_at" from "survey" where "agency_id" = ? and "code" = ? ${version === null ? '' : 'and "version" = ?'}
       order by "version" desc limit 1`,
      version === null ? [agencyId, code] : [agencyId, code, version],
    );
    if (row === undefined) return null;
    const survey = toRow(row);
    const states = await query<{ state: string; n: number }>(
      em,
      `select case when "state" = 'open' and "expires_at" <= ? then 'expired' else "state" end as "state", count(*)::int as "n"
       from "survey_session" where "survey_id" = ? and "started_at" >= ? and "started_at" < ? group by 1`,
      [now, survey.id, from, to],
    );
    const questions = Array.isArray(survey.definition['questions']) ? (survey.definition['questions'] as unknown[]) : [];
    const counted = questions.flatMap((q) => (typeof q === 'object' && q !== null && (q as { kind?: unknown }).kind !== 'text' ? [String((q as { id?: unknown }).id)] : []));
    const answers = await query<{ question_id: string; value: string | null; completed: boolean; n: number }>(
      em,
      `select a->>'questionId' as "question_id", case when a->>'questionId' = any(?::text[]) then a->>'value' end as "value", s."state" = 'completed' as "completed", count(*)::int as "n"
       from "survey_session" s cross join lateral jsonb_array_elements(s."answers") as a
       where s."survey_id" = ? and s."started_at" >= ? and s."started_at" < ? group by 1, 2, 3`,
      [arrayParam(counted), survey.id, from, to],
    );
    const n = (state: string): number => states.find((r) => r.state === state)?.n ?? 0;
    return {
      survey,
      sessions: { asked: states.reduce((sum, r) => sum + r.n, 0), completed: n('completed'), abandoned: n('abandoned'), expired: n('expired'), open: n('open') },
      answers: answers.map((a) => ({ questionId: a.question_id, value: a.value, completed: a.completed, count: a.n })),
    };
  }

  /** One of the agency's surveys' responses (every version), oldest first, `limit` after the session `after`. */
  async responses(agencyId: string, code: string, after: string | null, limit: number): Promise<SurveyResponseRow[]> {
    const rows = await query<ResponseDbRow>(
      this.em.fork(),
      // Each version's next page through its (survey_id, id) index, then the first `limit` of those: a page reads at
      // most versions × limit sessions, where one sort over every version's sessions made paging quadratic.
      `select ${RESPONSE_COLUMNS} from "survey" s
       cross join lateral (
         select * from "survey_session" x where x."survey_id" = s."id" and x."agency_id" = ? ${after === null ? '' : 'and x."id" > ?'} order by x."id" limit ?
       ) ss
       join "event" e on e."id" = ss."event_id" join "agency" a on a."id" = ss."agency_id"
       where s."agency_id" = ? and s."code" = ?
       order by ss."id" limit ?`,
      [agencyId, ...(after === null ? [] : [after]), limit, agencyId, code, limit],
    );
    return rows.map(toResponse);
  }

  /**
   * Closes these sessions as `expired` where they are still open, and returns what the agency is told of each, with
   * its answers so far: one statement.
   */
  async expire(em: EntityManager, sessionIds: readonly string[], now: Date): Promise<ExpiredSession[]> {
    if (sessionIds.length === 0) return [];
    const rows = await query<ResponseDbRow>(
      em,
      `update "survey_session" ss set "state" = 'expired', "question_id" = null, "finished_at" = ?, "updated_at" = ?
       from "survey" s, "event" e, "agency" a
       where ss."id" = any(?::uuid[]) and ss."state" = 'open' and s."id" = ss."survey_id" and e."id" = ss."event_id" and a."id" = ss."agency_id"
       returning ${RESPONSE_COLUMNS}`,
      [now, now, arrayParam([...new Set(sessionIds)])],
    );
    return rows.map(toResponse);
  }

  /** The messages a survey sends after its first question (next questions, asked again, closing words): one INSERT. */
  async addMessages(em: EntityManager, notifications: readonly NewNotification[], now: Date): Promise<void> {
    if (notifications.length === 0) return;
    await insertColumns(em, 'notification', NOTIFICATION_COLUMNS, notifications.map((n) => notificationRow(n, now)));
  }
}

/** A survey version's sessions and answers counted in the database, for `summarizeSurvey` (libs/core). */
export interface SurveyTally {
  readonly survey: SurveyRow;
  readonly sessions: SurveySessionCounts;
  readonly answers: AnswerCount[];
}
