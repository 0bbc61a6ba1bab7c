import 'reflect-metadata';

import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isLocale, SecretBox, TemplateRenderer } from '@kabar/core';
import { AgencyService, createHub, InboundStage } from '@kabar/hub';
import { TOPICS } from '@kabar/messaging';
import { AgencyRepository, CatalogRepository } from '@kabar/persistence';
import { aConfig, eventually, graphql } from '@kabar/testing';
import { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sql';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The parts of demo.json these tests read (the hub writes it; `kabar demo` reads it). */
interface DemoFile {
  adminToken: string;
  agencies: {
    code: string;
    sources: string[];
    key: { id: string; token: string };
    eventTypes: { type: string; allowedChannels: string[]; example: Record<string, unknown> }[];
  }[];
  citizens: { nationalId: string; name: string; locale: 'id' | 'en'; contacts: { channel: string; value: string }[]; session: { token: string } }[];
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

// The demo seeding of `npm start`: an embedded hub (PGlite on disk under a temporary KABAR_DATA_DIR, in-process bus),
// started twice on the same database the way a person restarts it.
describe('demo data on the embedded mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kabar-demo-'));
  const config = aConfig()
    .with({ dataDir, database: { kind: 'pglite', dataDir: join(dataDir, 'pglite') }, demo: true })
    .build();
  const logs: string[] = [];
  let app: INestApplication;
  let url: string;
  let demo: DemoFile;

  const start = async (): Promise<INestApplication> => {
    const hub = await createHub(config, pino({ level: 'info' }, { write: (line: string) => logs.push(line) }));
    await hub.listen(0, '127.0.0.1');
    return hub;
  };
  const seedLines = (): string[] => logs.filter((line) => line.includes('seeded demo data'));

  // PGlite on disk seeding four agencies and publishing the showcase takes a few seconds on a busy machine.
  beforeAll(async () => {
    app = await start();
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  it('seeds the four Bandung agencies with their sources and sender IDs, reachable with the demo admin token', async () => {
    const res = await graphql<{ agencies: { code: string; name: string; sources: string[]; senderIds: { sms: string | null; email: string | null } }[] }>(
      url,
      '{ agencies { code name sources senderIds { sms email } } }',
      {},
      bearer(demo.adminToken),
    );
    expect(res.errors).toBeUndefined();
    const agencies = res.data?.agencies ?? [];
    expect(agencies.map((a) => [a.code, a.name])).toEqual([
      ['bapenda-bdg', 'Bapenda Kota Bandung'],
      ['disdukcapil-bdg', 'Disdukcapil Kota Bandung'],
      ['lapor-bdg', 'LAPOR! Kota Bandung'],
      ['rsud-bdg', 'RSUD Kota Bandung'],
    ]);
    for (const agency of agencies) {
      expect(agency.sources.length, agency.code).toBeGreaterThan(0);
      expect(agency.senderIds.sms, agency.code).toMatch(/^[A-Z ]{1,11}$/);
      expect(agency.senderIds.email, agency.code).toMatch(/<[a-z]+@[a-z.]+\.go\.id>$/);
    }
    expect(demo.agencies.map((a) => a.code)).toEqual(agencies.map((a) => a.code));
  });

  it("counts LAPOR!'s answer time in working days, on a calendar with this year's fixed national holidays", async () => {
    const year = new Date().getUTCFullYear();
    const res = await graphql<{ agencies: { code: string; complaintResponseWorkingDays: number | null; timezone: string }[]; daysOff: { day: string; name: string; agencyCode: string | null }[] }>(
      url,
      `{ agencies { code complaintResponseWorkingDays timezone } daysOff(year: ${String(year)}) { day name agencyCode } }`,
      {},
      bearer(demo.adminToken),
    );
    expect(res.data?.agencies.find((a) => a.code === 'lapor-bdg')).toEqual({ code: 'lapor-bdg', complaintResponseWorkingDays: 3, timezone: 'WIB' });
    expect(res.data?.agencies.find((a) => a.code === 'bapenda-bdg')?.complaintResponseWorkingDays).toBeNull();
    expect(res.data?.daysOff).toContainEqual({ day: `${String(year)}-08-17`, name: 'Hari Kemerdekaan Republik Indonesia', agencyCode: null });
    expect(res.data?.daysOff).toHaveLength(5);
  });

  it('gives each agency a live key and its event types', async () => {
    for (const agency of demo.agencies) {
      expect(agency.key.token, agency.code).toMatch(/^live_[A-Za-z0-9]{12}\./);
      const res = await graphql<{ eventTypes: { type: string; messageClass: string; allowedChannels: string[]; requiredLocales: string[] }[] }>(
        url,
        '{ eventTypes { type messageClass allowedChannels requiredLocales } }',
        {},
        bearer(agency.key.token),
      );
      expect(res.data?.eventTypes, agency.code).toEqual(
        expect.arrayContaining([expect.objectContaining({ type: agency.eventTypes[0]?.type, allowedChannels: agency.eventTypes[0]?.allowedChannels, requiredLocales: ['id', 'en'] })]),
      );
    }
  });

  it("asks LAPOR!'s satisfaction survey after its ticket updates by SMS", async () => {
    const lapor = demo.agencies.find((a) => a.code === 'lapor-bdg');
    const res = await graphql<{ eventTypes: { survey: string | null }[]; surveys: { code: string; version: number }[] }>(url, '{ eventTypes { survey } surveys { code version } }', {}, bearer(lapor?.key.token ?? ''));
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ eventTypes: [{ survey: 'kepuasan-layanan' }], surveys: [{ code: 'kepuasan-layanan', version: 1 }] });
  });

  it('logs one info line with the admin token and where demo.json is, saying it is a local demo', () => {
    expect(seedLines()).toHaveLength(1);
    const line = JSON.parse(seedLines()[0] ?? '{}') as { level: number; msg: string; demoFile: string };
    expect(line.level).toBe(30);
    expect(line.msg).toContain(demo.adminToken);
    expect(line.msg).toContain('local demo');
    expect(line.demoFile).toBe(join(dataDir, 'demo.json'));
  });

  it('writes demo.json for the owner only', () => {
    expect(statSync(join(dataDir, 'demo.json')).mode & 0o777).toBe(0o600);
    expect(demo.citizens).toHaveLength(5);
    for (const citizen of demo.citizens) {
      expect(citizen.nationalId).toMatch(/^3273\d{12}$/);
      for (const contact of citizen.contacts) expect(contact.value).toMatch(contact.channel === 'sms' ? /^\+628\d{8,11}$/ : /@example\.com$/);
    }
    expect(new Set(demo.citizens.map((c) => c.locale))).toEqual(new Set(['id', 'en']));
  });

  it('has a template for every allowed channel in id and en, each rendering the example data', async () => {
    const catalog = new CatalogRepository(app.get(EntityManager));
    const renderer = new TemplateRenderer();
    const types = await catalog.findEventTypes(demo.agencies.flatMap((a) => a.eventTypes.map((t) => t.type)));
    for (const eventType of demo.agencies.flatMap((a) => a.eventTypes)) {
      const stored = types.get(eventType.type);
      const templates = await catalog.latestTemplates([stored?.id ?? '']);
      expect(templates.map((t) => `${t.channel}/${t.locale}`).sort(), eventType.type).toEqual(eventType.allowedChannels.flatMap((c) => [`${c}/en`, `${c}/id`]).sort());
      for (const template of templates) {
        const locale = isLocale(template.locale) ? template.locale : 'id';
        const rendered = renderer.render(template, eventType.example, locale, template.id);
        const label = `${eventType.type} ${template.channel}/${template.locale}`;
        expect(rendered.body, label).not.toMatch(/\{\{|undefined|NaN/);
        expect(rendered.html === undefined ? template.channel !== 'email' : rendered.html.startsWith('<p>'), `${label} html`).toBe(true);
        // One SMS segment (GSM 7-bit: the templates are plain Indonesian and English).
        expect(template.channel === 'sms' ? rendered.body.length : 0, label).toBeLessThanOrEqual(160);
      }
    }
  });

  it('accepts an event published over HTTP with a demo key for a demo citizen and sends it in the citizen language', async () => {
    const agency = demo.agencies[0];
    const eventType = agency?.eventTypes[0];
    const citizen = demo.citizens.find((c) => c.locale === 'en');
    if (agency === undefined || eventType === undefined || citizen === undefined) throw new Error('demo.json lacks an agency or an English-speaking citizen');
    const source = agency.sources[0] ?? '';
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', ...bearer(agency.key.token) },
      body: JSON.stringify({ specversion: '1.0', id: 'demo-test-1', source, type: eventType.type, subject: citizen.nationalId, data: eventType.example }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ id: 'demo-test-1', duplicate: false, status: 'accepted' });

    const done = await eventually(async () => {
      const res = await graphql<{ event: { notifications: { channel: string; state: string; templateVersion: number }[] } | null }>(
        url,
        'query($s: String!, $i: String!) { event(source: $s, id: $i) { notifications { channel state templateVersion } } }',
        { s: source, i: 'demo-test-1' },
        bearer(agency.key.token),
      );
      const notification = res.data?.event?.notifications[0];
      return notification !== undefined && ['sent', 'delivered'].includes(notification.state) ? notification : undefined;
    });
    expect(done).toMatchObject({ channel: citizen.contacts[0]?.channel, templateVersion: 1 });
    const [row] = await (app.get(EntityManager).fork() as SqlEntityManager).execute<{ locale: string; rendered_body: string }[]>("select n.locale, n.rendered_body from notification n join event e on e.id = n.event_id where e.ce_id = 'demo-test-1'");
    expect(row?.locale).toBe('en');
    expect(row?.rendered_body).toContain('IDR 1,250,000');
  });

  it("records the demo's setup in the audit trail as the hub's own, sealed into an unbroken chain on PGlite", async () => {
    type Entry = { action: string; agencyCode: string | null; actor: { kind: string; id: string } };
    const log = await graphql<{ auditLog: Entry[] }>(url, '{ auditLog(first: 200) { action agencyCode actor { kind id } } }', {}, bearer(demo.adminToken));
    const entries = log.data?.auditLog ?? [];
    // The hub registering its master key at first start comes before the demo; everything after is the demo's.
    expect(entries.at(-1)).toMatchObject({ action: 'secret_key.registered', actor: { kind: 'system', id: 'hub' } });
    expect(new Set(entries.slice(0, -1).map((e) => `${e.actor.kind}:${e.actor.id}`))).toEqual(new Set(['system:demo']));
    expect(entries.filter((e) => e.action === 'agency.created').map((e) => e.agencyCode).sort()).toEqual((await app.get(AgencyService).list()).map((a) => a.code).sort());
    expect(entries.filter((e) => e.action === 'complaint.answered')).toHaveLength(1);
    const checked = await graphql<{ auditIntegrity: { checked: number; broken: unknown } }>(url, '{ auditIntegrity { checked broken { seq } } }', {}, bearer(demo.adminToken));
    expect(checked.data?.auditIntegrity).toEqual({ checked: entries.length, broken: null });
  });

  it('seeds nothing on the next start of the same database', async () => {
    const before = readFileSync(join(dataDir, 'demo.json'), 'utf8');
    await app.close();
    app = await start();
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    expect(await app.get(AgencyService).list()).toHaveLength(4);
    expect(await new AgencyRepository(app.get(EntityManager)).countAdmins()).toBe(1);
    expect(readFileSync(join(dataDir, 'demo.json'), 'utf8')).toBe(before);
    expect(seedLines()).toHaveLength(1);
    const res = await graphql<{ agencies: unknown[] }>(url, '{ agencies { code } }', {}, bearer(demo.adminToken));
    expect(res.data?.agencies).toHaveLength(4);
  });

  it('shows the policy at work in the seeded notifications: merged, deferred into a digest, held, falling back', async () => {
    const em = app.get(EntityManager).fork() as SqlEntityManager;
    const rows = await em.execute<{ type: string; state: string; channel: string | null; reason: string | null; fallback: { channel: string }[] | string }[]>(
      "select e.type, n.state, n.channel, n.reason, n.fallback from notification n join event e on e.id = n.event_id where e.ce_id like 'demo-%' and e.ce_id <> 'demo-test-1' order by n.created_at",
    );
    expect(rows.map((r) => [r.type.split('.').at(-2), r.state])).toEqual([
      ['death-registered', expect.stringMatching(/^(accepted|dispatching|delivered|sent)$/) as unknown],
      ['death-reported', 'merged'],
      ['pbb-due', expect.stringMatching(/^(accepted|dispatching|sent)$/) as unknown],
      ['pbb-due', 'deferred'],
      ['pbb-due', 'held'],
      ['birth-certificate-ready', expect.stringMatching(/^(accepted|dispatching|sent)$/) as unknown],
      ['complaint-status-changed', expect.stringMatching(/^(accepted|dispatching|delivered)$/) as unknown],
    ]);
    // Each citizen sees it in plain words, with the session token demo.json gives them.
    const trail = async (name: string): Promise<string[]> => {
      const citizen = demo.citizens.find((c) => c.name === name);
      const res = await graphql<{ myNotifications: { decisionTrail: string[] }[] }>(url, '{ myNotifications { decisionTrail } }', {}, bearer(citizen?.session.token ?? ''));
      expect(res.errors, name).toBeUndefined();
      return (res.data?.myNotifications ?? []).flatMap((n) => n.decisionTrail);
    };
    expect(await trail('Siti Rahmawati')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Digabung dengan pesan Disdukcapil Kota Bandung pukul \d\d:\d\d WIB$/), expect.stringMatching(/^Ditunda ke ringkasan harian Anda pukul 19:00 WIB/)]),
    );
    expect(await trail('Budi Santoso')).toEqual(expect.arrayContaining([expect.stringMatching(/^Ditahan karena jam tenang hingga \d\d:\d\d WIB$/)]));
    expect(await trail('Dewi Lestari')).toEqual(expect.arrayContaining(['Sent by e-mail; if not delivered, SMS next, then the Kabar inbox']));
    const birth = rows.at(-2);
    const fallback = birth?.fallback ?? [];
    expect(birth?.channel).toBe('email');
    expect((typeof fallback === 'string' ? (JSON.parse(fallback) as { channel: string }[]) : fallback).map((f) => f.channel)).toEqual(['sms', 'inbox']);
    // Andi reads his complaint's update in the Kabar inbox, in English.
    const andi = demo.citizens.find((c) => c.name === 'Andi Pratama');
    const inbox = await eventually(async () => {
      const res = await graphql<{ myInbox: { unread: number; messages: { agencyName: string; subject: string; body: string }[] } }>(
        url,
        '{ myInbox { unread messages { agencyName subject body } } }',
        {},
        bearer(andi?.session.token ?? ''),
      );
      return res.data?.myInbox.unread === 1 ? res.data.myInbox : undefined;
    });
    expect(inbox.messages).toEqual([{ agencyName: 'LAPOR! Kota Bandung', subject: 'Complaint LPR-2026-004217 status', body: '"Lampu PJU mati di Jl. Dago": resolved (Dinas Sumber Daya Air dan Bina Marga).' }]);
  });

  it("shows Andi his SMS to the complaint line with its reference and LAPOR!'s answer, in English, and lets him add to it", async () => {
    const andi = demo.citizens.find((c) => c.name === 'Andi Pratama');
    const siti = demo.citizens.find((c) => c.name === 'Siti Rahmawati');
    const QUERY = '{ myComplaints { reference agencyName channel state messages { direction text hasMedia } } }';
    type Mine = { myComplaints: { reference: string; agencyName: string; channel: string; state: string; messages: { direction: string; text: string | null; hasMedia: boolean }[] }[] };
    const [report] = (await graphql<Mine>(url, QUERY, {}, bearer(andi?.session.token ?? ''))).data?.myComplaints ?? [];
    expect(report).toMatchObject({ agencyName: 'LAPOR! Kota Bandung', channel: 'sms', state: 'answered' });
    expect(report?.messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'The street lamp in front of Jl. Dago 12 has been out for a week.'],
      ['out', `We received your report ${report?.reference ?? ''} and passed it to LAPOR! Kota Bandung. Reply to this message to add details.`],
      ['out', 'Thank you. Our team will replace the lamp by Friday.'],
    ]);
    expect((await graphql<Mine>(url, QUERY, {}, bearer(siti?.session.token ?? ''))).data?.myComplaints).toEqual([]);

    // Andi adds a detail from the preference centre: it joins his report, which waits for LAPOR! again.
    const [mine] = (await graphql<{ myComplaints: { id: string }[] }>(url, '{ myComplaints { id } }', {}, bearer(andi?.session.token ?? ''))).data?.myComplaints ?? [];
    const ADD = 'mutation($id: ID!, $t: String!) { addToMyComplaint(id: $id, text: $t) { state messages { direction text } } }';
    type Added = { addToMyComplaint: { state: string; messages: { direction: string; text: string | null }[] } };
    const added = await graphql<Added>(url, ADD, { id: mine?.id, t: ' The lamp is on pole number 7. ' }, bearer(andi?.session.token ?? ''));
    expect(added.data?.addToMyComplaint.state).toBe('open');
    expect(added.data?.addToMyComplaint.messages.at(-1)).toEqual({ direction: 'in', text: 'The lamp is on pole number 7.' });
    expect((await graphql<Added>(url, ADD, { id: mine?.id, t: 'x' }, bearer(siti?.session.token ?? ''))).errors?.[0]?.extensions?.code).toBe('COMPLAINT_NOT_FOUND');
    expect((await graphql<Added>(url, ADD, { id: mine?.id, t: '  ' }, bearer(andi?.session.token ?? ''))).errors?.[0]?.extensions?.code).toBe('COMPLAINT_ANSWER_INVALID');
    const lapor = demo.agencies.find((a) => a.code === 'lapor-bdg');
    const seen = await graphql<{ complaints: { reference: string; state: string; messages: { text: string | null }[] }[] }>(url, '{ complaints { reference state messages { text } } }', {}, bearer(lapor?.key.token ?? ''));
    expect(seen.data?.complaints.find((c) => c.reference === report?.reference)).toMatchObject({ state: 'open', messages: [{}, {}, {}, { text: 'The lamp is on pole number 7.' }] });
    expect((await graphql<Mine>(url, QUERY, {}, bearer(demo.adminToken))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("lets Andi answer LAPOR!'s survey beside the message in his inbox, one question at a time, and tells LAPOR! once he is done", async () => {
    const andi = demo.citizens.find((c) => c.name === 'Andi Pratama');
    const siti = demo.citizens.find((c) => c.name === 'Siti Rahmawati');
    const as = (token: string | undefined) => <T>(query: string, variables: Record<string, unknown> = {}) => graphql<T>(url, query, variables, bearer(token ?? ''));
    const SURVEY = 'notificationId agencyName title state answered question { id kind text choices { code label } min max maxLength }';
    const ANSWER = `mutation($n: ID!, $q: String!, $a: String!) { answerSurvey(notificationId: $n, questionId: $q, answer: $a) { ${SURVEY} } }`;
    type Survey = { notificationId: string; state: string; answered: number; question: { id: string; kind: string; text: string; choices: { code: string; label: string }[]; min: number | null; max: number | null } | null };
    const mine = await eventually(async () => (await as(andi?.session.token)<{ mySurveys: Survey[] }>(`{ mySurveys { ${SURVEY} } }`)).data?.mySurveys[0]);
    // In his language (English), with its choices; the message itself stays as the template wrote it.
    expect(mine).toMatchObject({
      agencyName: 'LAPOR! Kota Bandung',
      title: 'LAPOR! service satisfaction survey',
      state: 'open',
      answered: 0,
      question: { id: 'puas', kind: 'choice', text: 'Are you satisfied with how your complaint is handled?', choices: [{ code: 'ya', label: 'Yes' }, { code: 'tidak', label: 'No' }] },
    });
    const answer = (questionId: string, given: string, token = andi?.session.token) => as(token)<{ answerSurvey: Survey }>(ANSWER, { n: mine.notificationId, q: questionId, a: given });
    const codeOf = async (pending: ReturnType<typeof answer>) => (await pending).errors?.[0]?.extensions?.code;

    expect(await codeOf(answer('puas', 'mungkin'))).toBe('SURVEY_ANSWER_INVALID');
    expect(await codeOf(answer('skor', '5'))).toBe('SURVEY_NOT_WAITING');
    expect(await codeOf(answer('puas', 'ya', siti?.session.token))).toBe('SURVEY_NOT_FOUND');
    expect(await codeOf(as(andi?.session.token)(ANSWER, { n: 'not-an-id', q: 'puas', a: 'ya' }))).toBe('SURVEY_NOT_FOUND');
    expect((await answer('puas', 'ya')).data?.answerSurvey).toMatchObject({ state: 'open', answered: 1, question: { id: 'skor', kind: 'rating', min: 1, max: 5 } });
    expect(await codeOf(answer('skor', '6'))).toBe('SURVEY_ANSWER_INVALID');
    expect((await answer('skor', '5')).data?.answerSurvey).toMatchObject({ state: 'completed', answered: 2, question: null });
    expect(await codeOf(answer('skor', '4'))).toBe('SURVEY_CLOSED');

    const lapor = demo.agencies.find((a) => a.code === 'lapor-bdg');
    const responses = await graphql<{ surveyResponses: { state: string; channel: string; answers: { questionId: string; value: unknown }[] }[] }>(
      url,
      '{ surveyResponses(survey: "kepuasan-layanan") { state channel answers { questionId value } } }',
      {},
      bearer(lapor?.key.token ?? ''),
    );
    expect(responses.data?.surveyResponses).toEqual([{ state: 'completed', channel: 'inbox', answers: [{ questionId: 'puas', value: 'ya' }, { questionId: 'skor', value: 5 }] }]);
    // Summed up on the embedded database too; a 1–5 score is no element of the satisfaction index.
    const summary = await graphql<{ surveySummary: unknown }>(
      url,
      '{ surveySummary(survey: "kepuasan-layanan") { sessions { asked completed } completionRate questions { id answered choices { code count } mean } satisfaction { value } } }',
      {},
      bearer(lapor?.key.token ?? ''),
    );
    expect(summary.data?.surveySummary).toEqual({
      sessions: { asked: 1, completed: 1 },
      completionRate: 1,
      questions: [
        { id: 'puas', answered: 1, choices: [{ code: 'ya', count: 1 }, { code: 'tidak', count: 0 }], mean: null },
        { id: 'skor', answered: 1, choices: [], mean: 5 },
        { id: 'masalah', answered: 0, choices: [], mean: null },
      ],
      satisfaction: null,
    });
  });
});

describe('the demo complaint line on the embedded mode', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kabar-demo-complaints-'));
  let app: INestApplication;
  let url: string;
  let demo: DemoFile;

  beforeAll(async () => {
    app = await createHub(aConfig().with({ dataDir, database: { kind: 'pglite', dataDir: join(dataDir, 'pglite') }, demo: true }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    demo = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as DemoFile;
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  it("routes a citizen's SMS to 1708 by its first word, and lets the agency answer it, on PGlite", async () => {
    const routes = await graphql<{ inboundRoutes: { agencyCode: string; channel: string; to: string; keyword: string }[] }>(url, '{ inboundRoutes { agencyCode channel to keyword } }', {}, bearer(demo.adminToken));
    expect(routes.data?.inboundRoutes.map((r) => `${r.channel} ${r.to} ${r.keyword} → ${r.agencyCode}`)).toEqual([
      'sms 1708  → lapor-bdg',
      'sms 1708 KTP → disdukcapil-bdg',
      'sms 1708 PAJAK → bapenda-bdg',
      'whatsapp   → lapor-bdg',
    ]);
    const box = app.get(SecretBox);
    const phone = '+6281299998888';
    const sms = (id: string, text: string) => ({
      topic: TOPICS.inbound, partition: 0, offset: '0', timestamp: Date.now(), key: null, headers: {},
      value: Buffer.from(JSON.stringify({ id, plugin: 'sms-smpp', channel: 'sms', fromHash: box.lookupHash(phone), fromSealed: box.encrypt(phone), to: '1708', kind: 'text', text, receivedAt: new Date().toISOString() })),
    });
    await app.get(InboundStage).handle([sms('019ae0f0-0000-7000-8000-000000000a01', 'KTP saya hilang, bagaimana mengurusnya?'), sms('019ae0f0-0000-7000-8000-000000000a02', 'Saya di Kecamatan Coblong')]);
    const registry = demo.agencies.find((a) => a.code === 'disdukcapil-bdg');
    type Complaint = { id: string; reference: string; state: string; messages: { direction: string; text: string }[] };
    const list = await graphql<{ complaints: Complaint[] }>(url, '{ complaints { id reference state messages { direction text } } }', {}, bearer(registry?.key.token ?? ''));
    const [complaint] = list.data?.complaints ?? [];
    expect(complaint?.messages.map((m) => m.direction)).toEqual(['in', 'in', 'out']);
    expect(complaint?.messages[2]?.text).toBe(`Aduan Anda diterima dengan nomor ${complaint?.reference ?? ''} dan diteruskan ke Disdukcapil Kota Bandung. Balas pesan ini untuk menambah keterangan.`);
    const answered = await graphql<{ answerComplaint: Complaint }>(
      url,
      'mutation($id: ID!) { answerComplaint(id: $id, text: "Silakan datang ke kantor kecamatan dengan KK.") { state messages { direction text } } }',
      { id: complaint?.id },
      bearer(registry?.key.token ?? ''),
    );
    expect(answered.data?.answerComplaint).toMatchObject({ state: 'answered', messages: [{}, {}, {}, { direction: 'out', text: 'Silakan datang ke kantor kecamatan dengan KK.' }] });
  });
});

describe('demo data switched off', () => {
  it.each([
    ['KABAR_DEMO=false', false],
    ['a configuration built in code', undefined],
  ])('leaves the database empty and writes no demo.json with %s', async (_name, demo) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kabar-nodemo-'));
    const app = await createHub(aConfig().with({ dataDir, demo }).build(), pino({ level: 'silent' }));
    try {
      await app.init();
      expect(await app.get(AgencyService).list()).toEqual([]);
      expect(existsSync(join(dataDir, 'demo.json'))).toBe(false);
    } finally {
      await app.close();
    }
  }, 30_000);
});
