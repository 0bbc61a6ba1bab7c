import 'reflect-metadata';

import { randomUUID } from 'node:crypto';

import { queryDatabase } from '@kabar/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type AgencyFixture, anAgency, as } from './support/agency-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';
import { SATISFACTION, texts as t } from './support/survey-fixture.js';

const SAVE = 'mutation($d: JSONObject!) { saveSurvey(definition: $d) { code version definition } }';
const LIST = '{ surveys { code version definition } }';

// Surveys through the agency contract on real PostgreSQL and Kafka: versions, isolation between agencies, and every
// problem of a bad definition named with its place.
describe('surveys on PostgreSQL', () => {
  const services = inject('services');
  let hub: FullHub;
  let lapor: AgencyFixture & { admin: string };
  let bapenda: AgencyFixture & { admin: string };

  beforeAll(async () => {
    hub = await startFullHub(services);
    lapor = await anAgency(hub.app, hub.url, 'lapor-bdg');
    bapenda = await anAgency(hub.app, hub.url, 'bapenda-bdg');
  });

  afterAll(async () => {
    await hub.close();
  });

  it('saves versions, shows an agency only the latest of its own, and never another agency’s', async () => {
    const first = await as<{ saveSurvey: { version: number; definition: unknown } }>(hub.url, lapor.key, SAVE, { d: SATISFACTION });
    expect(first.errors).toBeUndefined();
    expect(first.data?.saveSurvey).toEqual({ code: 'kepuasan-layanan', version: 1, definition: SATISFACTION });
    // Two editors at once: each gets a version of its own.
    const both = await Promise.all([as(hub.url, lapor.key, SAVE, { d: SATISFACTION }), as(hub.url, lapor.key, SAVE, { d: { ...SATISFACTION, title: t('Survei', 'Survey') } })]);
    expect(both.map((r) => (r.data as { saveSurvey: { version: number } } | undefined)?.saveSurvey.version).sort()).toEqual([2, 3]);

    const own = await as<{ surveys: { code: string; version: number }[] }>(hub.url, lapor.key, LIST);
    expect(own.data?.surveys.map((s) => [s.code, s.version])).toEqual([['kepuasan-layanan', 3]]);
    expect((await as<{ surveys: unknown[] }>(hub.url, bapenda.key, LIST)).data?.surveys).toEqual([]);
    // The same code is another agency's own survey, versioned on its own.
    const theirs = await as<{ saveSurvey: { version: number } }>(hub.url, bapenda.key, SAVE, { d: SATISFACTION });
    expect(theirs.data?.saveSurvey.version).toBe(1);
  });

  it('refuses a bad survey with SURVEY_INVALID, listing each problem where it is', async () => {
    const loop = { ...SATISFACTION, questions: [{ ...SATISFACTION.questions[2], next: 'puas' }, ...SATISFACTION.questions.slice(0, 2)] };
    const res = await as(hub.url, lapor.key, SAVE, { d: { ...loop, title: { id: 'Survei' } } });
    expect(res.errors?.[0]?.extensions?.code).toBe('SURVEY_INVALID');
    expect((res.errors?.[0]?.extensions as { problems?: unknown } | undefined)?.problems).toEqual([{ path: '/title/en', message: 'expected a text in this language' }]);
    const looping = await as(hub.url, lapor.key, SAVE, { d: loop });
    expect(looping.errors?.[0]?.message).toBe('/questions the questions loop: masalah → puas → masalah');
    const count = await as<{ surveys: { version: number }[] }>(hub.url, lapor.key, LIST);
    expect(count.data?.surveys[0]?.version).toBe(3);
  });

  it('sums up a survey: sessions by outcome, answers by choice and score, and the satisfaction index over a period', async () => {
    // A community satisfaction survey (SKM): two elements on the 1–4 scale, a choice and a text.
    const skm = {
      code: 'skm',
      title: t('Survei Kepuasan Masyarakat', 'Community satisfaction survey'),
      questions: [
        { id: 'persyaratan', kind: 'rating', text: t('Kesesuaian persyaratan (1-4)', 'Requirements (1-4)'), min: 1, max: 4 },
        { id: 'waktu', kind: 'rating', text: t('Kecepatan waktu (1-4)', 'Speed (1-4)'), min: 1, max: 4 },
        { id: 'kanal', kind: 'choice', text: t('Lewat mana?', 'Which way?'), choices: [{ code: 'loket', label: t('Loket', 'Counter') }, { code: 'online', label: t('Online', 'Online') }] },
        { id: 'saran', kind: 'text', text: t('Saran Anda', 'Your advice') },
      ],
    };
    const saved = await as<{ saveSurvey: { version: number } }>(hub.url, lapor.key, SAVE, { d: skm });
    expect(saved.errors).toBeUndefined();
    const [survey] = await queryDatabase<{ id: string; agency_id: string }>(hub.database.url, "select id, agency_id from survey where code = 'skm'");
    if (survey === undefined) throw new Error('the survey was not stored');
    // Sessions as the survey runner writes them (survey-runner.full.int.test.ts walks citizens through real ones).
    const DAY = 86_400_000;
    const session = async (state: string, startedDaysAgo: number, answers: [string, string | number][], expiresInDays = 2): Promise<void> => {
      const started = new Date(Date.now() - startedDaysAgo * DAY);
      await queryDatabase(
        hub.database.url,
        `insert into survey_session (id, opened_by, survey_id, agency_id, event_id, citizen_id, channel, locale, state, answers, refusals, seen, started_at, updated_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, 'sms', 'id', $7, $8::jsonb, 0, '[]', $9, $9, $10)`,
        [randomUUID(), randomUUID(), survey.id, survey.agency_id, randomUUID(), randomUUID(), state, JSON.stringify(answers.map(([questionId, value]) => ({ questionId, value }))), started, new Date(Date.now() + expiresInDays * DAY)],
      );
    };
    await session('completed', 2, [['persyaratan', 4], ['waktu', 3], ['kanal', 'online'], ['saran', 'Antrean sudah cepat']]);
    await session('completed', 1, [['persyaratan', 3], ['waktu', 2], ['kanal', 'loket']]);
    await session('abandoned', 1, [['persyaratan', 1]]);
    await session('open', 0, [['persyaratan', 4]]);
    await session('open', 3, [], -1);
    await session('completed', 40, [['persyaratan', 1], ['waktu', 1]]);

    const SUMMARY = `query($s: String!, $v: Int, $from: DateTime, $to: DateTime) { surveySummary(survey: $s, version: $v, from: $from, to: $to) {
      survey version sessions { asked completed abandoned expired open } completionRate
      questions { id kind answered choices { code count } scores { score count } mean } satisfaction { value grade questions respondents } } }`;
    type Summary = {
      sessions: Record<string, number>;
      completionRate: number | null;
      questions: { id: string; answered: number; choices: unknown[]; scores: { score: number; count: number }[]; mean: number | null }[];
      satisfaction: { value: number; grade: string; questions: string[]; respondents: number } | null;
    };
    const all = await as<{ surveySummary: Summary & { survey: string; version: number } }>(hub.url, lapor.key, SUMMARY, { s: 'skm' });
    expect(all.errors).toBeUndefined();
    const summary = all.data?.surveySummary;
    expect(summary).toMatchObject({ survey: 'skm', version: 1, sessions: { asked: 6, completed: 3, abandoned: 1, expired: 1, open: 1 }, completionRate: 0.5 });
    expect(summary?.questions.map((q) => [q.id, q.answered, q.mean])).toEqual([
      ['persyaratan', 5, 2.6],
      ['waktu', 3, 2],
      ['kanal', 2, null],
      ['saran', 1, null],
    ]);
    expect(summary?.questions[0]?.scores).toEqual([
      { score: 1, count: 2 },
      { score: 2, count: 0 },
      { score: 3, count: 1 },
      { score: 4, count: 2 },
    ]);
    expect(summary?.questions[2]?.choices).toEqual([
      { code: 'loket', count: 1 },
      { code: 'online', count: 1 },
    ]);
    // Completed questionnaires only: (8/3 + 6/3) / 2 × 25 = 58.33, grade D; what citizens wrote is not in it.
    expect(summary?.satisfaction).toEqual({ value: 58.33, grade: 'D', questions: ['persyaratan', 'waktu'], respondents: 3 });
    expect(JSON.stringify(all.data)).not.toContain('Antrean');

    // The last week only: the questionnaire of 40 days ago drops out, (3.5 + 2.5) / 2 × 25 = 75, grade C.
    const week = await as<{ surveySummary: Summary }>(hub.url, lapor.key, SUMMARY, { s: 'skm', from: new Date(Date.now() - 7 * DAY).toISOString() });
    expect(week.data?.surveySummary).toMatchObject({ sessions: { asked: 5, completed: 2 }, satisfaction: { value: 75, grade: 'C', respondents: 2 } });

    const refused = async (key: string, variables: Record<string, unknown>): Promise<unknown> => (await as(hub.url, key, SUMMARY, variables)).errors?.[0]?.extensions?.code;
    expect(await refused(bapenda.key, { s: 'skm' })).toBe('UNKNOWN_SURVEY');
    expect(await refused(lapor.key, { s: 'skm', v: 2 })).toBe('UNKNOWN_SURVEY');
    expect(await refused(lapor.key, { s: 'skm', from: new Date().toISOString(), to: new Date(Date.now() - DAY).toISOString() })).toBe('SURVEY_PERIOD_INVALID');
    expect(await refused(lapor.admin, { s: 'skm' })).toBe('FORBIDDEN');
    // A survey without elements on the 1–4 scale has no index.
    const other = await as<{ surveySummary: Summary }>(hub.url, lapor.key, SUMMARY, { s: SATISFACTION.code });
    expect(other.data?.surveySummary).toMatchObject({ sessions: { asked: 0 }, completionRate: null, satisfaction: null });
  });

  it('is for agencies only', async () => {
    const res = await as(hub.url, lapor.admin, LIST);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
