import 'reflect-metadata';

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

  it('is for agencies only', async () => {
    const res = await as(hub.url, lapor.admin, LIST);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
