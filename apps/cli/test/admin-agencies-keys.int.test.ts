import 'reflect-metadata';

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createHub } from '@kabar/hub';
import { aConfig, closedPort, createTestDatabase, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { kabar } from './support/run-kabar.js';

const ADMIN_TOKEN = /^adm_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]{43}$/;
const LIVE_TOKEN = /^live_[A-Za-z0-9]{12}\.[A-Za-z0-9_-]{43}$/;

// The bootstrap path of a fresh PostgreSQL installation, with the real `kabar` binary: migrate, create an admin in the
// database, then manage agencies and keys through a hub running in this process on the same database.
describe('kabar admin, agencies and keys', () => {
  const services = inject('services');
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let token: string;
  /** The environment of an operator who has exported KABAR_URL and KABAR_TOKEN. */
  let hubEnv: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(services.databaseUrl);
    const migrated = await kabar(['migrate'], { DATABASE_URL: database.url });
    if (migrated.code !== 0) throw new Error(`kabar migrate failed: ${migrated.stderr}`);
    app = await createHub(aConfig().withPostgres(database.url).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('creates an admin in the database, printing only the token on stdout', async () => {
    const run = await kabar(['admin', 'create', '--name', 'Ops Bandung'], { DATABASE_URL: database.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^adm_\S+\n$/);
    token = run.stdout.trim();
    expect(token).toMatch(ADMIN_TOKEN);
    expect(run.stderr).toContain('shown only this once');
    expect(run.stderr).not.toContain(token);
    hubEnv = { KABAR_URL: url, KABAR_TOKEN: token };
    const rows = await queryDatabase<{ id: string; name: string; secret_hash: string }>(database.url, 'select id, name, secret_hash from admin_credential');
    expect(rows).toEqual([{ id: token.split('.')[0], name: 'Ops Bandung', secret_hash: expect.not.stringContaining(token.split('.')[1] ?? '') as unknown }]);
  });

  it('refuses to create an admin on a PostgreSQL database that is not migrated (exit 3)', async () => {
    const empty = await createTestDatabase(services.databaseUrl);
    try {
      const run = await kabar(['admin', 'create'], { DATABASE_URL: empty.url });
      expect(run.code).toBe(3);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/schema is behind by \d+ migration\(s\); run `kabar migrate` first/);
    } finally {
      await empty.drop();
    }
  });

  it('creates an agency through the hub and lists it as a table or JSON', async () => {
    const created = await kabar(
      [
        'agencies',
        'create',
        '--code',
        'bapenda-bdg',
        '--name',
        'Bapenda Kota Bandung',
        '--source',
        'https://bapenda.bandung.go.id/pbb',
        '--source',
        'https://bapenda.bandung.go.id/bphtb',
        '--sms-sender',
        'BAPENDA BDG',
        '--email-sender',
        'Bapenda <noreply@bapenda.bandung.go.id>',
        '--locale',
        'en',
      ],
      hubEnv,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('created agency bapenda-bdg "Bapenda Kota Bandung" (sources: https://bapenda.bandung.go.id/pbb, https://bapenda.bandung.go.id/bphtb)\n');

    // --url and --token instead of the environment.
    const second = await kabar(['agencies', 'create', '--code', 'lapor-bdg', '--name', 'LAPOR! Kota Bandung', '--source', '/lapor', '--json', '--url', url, '--token', token]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ code: 'lapor-bdg', defaultLocale: 'id', sources: ['/lapor'], senderIds: { sms: null, email: null } });

    const listed = await kabar(['agencies', 'list'], hubEnv);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CODE\s+NAME\s+LOCALE\s+SOURCES\s+SMS SENDER\s+E-MAIL SENDER\s+RATE\s+QUOTA\s+ANSWER TIME$/);
    expect(lines[1]).toMatch(/^bapenda-bdg\s+Bapenda Kota Bandung\s+en\s+https:\/\/bapenda\.bandung\.go\.id\/pbb, https:\/\/bapenda\.bandung\.go\.id\/bphtb\s+BAPENDA BDG\s+Bapenda </);
    expect(lines[2]).toMatch(/^lapor-bdg\s+LAPOR! Kota Bandung\s+id\s+\/lapor\s+-\s+-\s+3000\/min\s+250000\/day\s+72 h WIB$/);
    // Columns line up under their headers.
    expect([lines[1]?.indexOf('Bapenda Kota'), lines[2]?.indexOf('LAPOR!')]).toEqual([lines[0]?.indexOf('NAME'), lines[0]?.indexOf('NAME')]);

    const json = await kabar(['agencies', 'list', '--json'], hubEnv);
    expect((JSON.parse(json.stdout) as { code: string }[]).map((a) => a.code)).toEqual(['bapenda-bdg', 'lapor-bdg']);
  });

  it('changes an agency: a sender flag left out keeps its value, "" removes one, and limits are whole numbers', async () => {
    const updated = await kabar(['agencies', 'update', 'lapor-bdg', '--name', 'LAPOR! Bandung', '--sms-sender', 'LAPOR BDG', '--rate', '600', '--quota', '5000', '--answer-hours', '48', '--json'], hubEnv);
    expect(updated.stderr).toBe('');
    expect(JSON.parse(updated.stdout)).toMatchObject({
      code: 'lapor-bdg',
      name: 'LAPOR! Bandung',
      senderIds: { sms: 'LAPOR BDG', email: null },
      ratePerMinute: 600,
      dailyQuota: 5000,
      complaintResponseHours: 48,
      sources: ['/lapor'],
    });
    const email = await kabar(['agencies', 'update', 'lapor-bdg', '--email-sender', 'LAPOR <tiket@lapor.example>', '--source', '/lapor', '--source', '/lapor/v2', '--json'], hubEnv);
    expect(JSON.parse(email.stdout)).toMatchObject({ senderIds: { sms: 'LAPOR BDG', email: 'LAPOR <tiket@lapor.example>' }, sources: ['/lapor', '/lapor/v2'] });
    const cleared = await kabar(['agencies', 'update', 'lapor-bdg', '--sms-sender', ''], hubEnv);
    expect(cleared.stdout).toBe('updated agency lapor-bdg "LAPOR! Bandung" (sources: /lapor, /lapor/v2; 600/min, 5000/day per key)\n');
    const listed = await kabar(['agencies', 'list', '--json'], hubEnv);
    expect((JSON.parse(listed.stdout) as { code: string; senderIds: unknown }[]).find((a) => a.code === 'lapor-bdg')?.senderIds).toEqual({ sms: null, email: 'LAPOR <tiket@lapor.example>' });

    const nothing = await kabar(['agencies', 'update', 'lapor-bdg'], hubEnv);
    expect([nothing.code, nothing.stderr.split('\n')[0]]).toEqual([2, 'kabar: agencies update needs something to change']);
    const noCode = await kabar(['agencies', 'update', '--name', 'x'], hubEnv);
    expect([noCode.code, noCode.stderr.split('\n')[0]]).toEqual([2, 'kabar: agencies update needs one agency code']);
    expect(await kabar(['agencies', 'update', 'lapor-bdg', '--rate', 'many'], hubEnv)).toMatchObject({ code: 2, stderr: 'kabar: --rate must be a whole number, got "many"\n' });
    const taken = await kabar(['agencies', 'update', 'lapor-bdg', '--source', 'https://bapenda.bandung.go.id/pbb'], hubEnv);
    expect(taken).toMatchObject({ code: 1, stderr: 'kabar: AGENCY_CONFLICT: one of the sources is already registered to another agency\n' });
  });

  it('prints the hub error code and message, and exits 1', async () => {
    const invalid = await kabar(['agencies', 'create', '--code', 'Not Valid', '--name', 'x', '--source', 'has space', '--sms-sender', 'MUCH-TOO-LONG-SENDER'], hubEnv);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toBe(
      'kabar: AGENCY_INVALID_INPUT: code must be 2-64 lowercase letters, digits or dashes; source "has space" must be a URI reference without spaces; SMS sender ID must be 1-11 letters, digits, spaces, dots or dashes\n',
    );
    const taken = await kabar(['agencies', 'create', '--code', 'bapenda-bdg', '--name', 'Again', '--source', '/other'], hubEnv);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/^kabar: AGENCY_CONFLICT: agency code bapenda-bdg or one of its sources is already registered\n$/);
    const locale = await kabar(['agencies', 'create', '--code', 'x-bdg', '--name', 'X', '--source', '/x', '--locale', 'fr'], hubEnv);
    expect(locale.stderr).toContain('kabar: AGENCY_INVALID_INPUT: defaultLocale must be id or en');
    const unknown = await kabar(['keys', 'list', '--agency', 'nobody'], hubEnv);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('kabar: AGENCY_NOT_FOUND: no agency nobody\n');
    const wrongToken = await kabar(['agencies', 'list'], { ...hubEnv, KABAR_TOKEN: `adm_AAAAAAAAAAAA.${'a'.repeat(43)}` });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toBe('kabar: INVALID_CREDENTIALS: unknown, revoked or wrong API key\n');
  });

  it('exits 2 on usage errors before calling the hub', async () => {
    const missing = await kabar(['agencies', 'create', '--name', 'No Code'], hubEnv);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^kabar: agencies create needs --code, --source\n/);
    expect((await kabar(['keys', 'issue'], hubEnv)).stderr).toMatch(/^kabar: keys issue needs --agency\n/);
    expect((await kabar(['keys', 'revoke', '--agency', 'bapenda-bdg'], hubEnv)).code).toBe(2);
    const noToken = await kabar(['agencies', 'list'], { KABAR_URL: url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('an admin token is needed: set KABAR_TOKEN');
    expect((await kabar(['agencies', 'delete'], hubEnv)).code).toBe(2);
    expect((await kabar(['agencies', 'list', '--colour'], hubEnv)).code).toBe(2);
    expect((await kabar(['agencies', 'list', 'extra'], hubEnv)).code).toBe(2);
    expect((await kabar(['agencies', 'list', '--url', 'ftp://hub'], hubEnv)).code).toBe(2);
    expect((await kabar(['admin', 'create', '--name', ''], hubEnv)).code).toBe(2);
    expect((await kabar(['admin', 'destroy'])).code).toBe(2);
    const kind = await kabar(['keys', 'issue', '--agency', 'bapenda-bdg', '--kind', 'gold'], hubEnv);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toBe('kabar: --kind must be live or test, got "gold"\n');
  });

  it('issues a key (the token once, on stdout), lists it, and revokes it so that POST /v1/events answers 401', async () => {
    const issued = await kabar(['keys', 'issue', '--agency', 'bapenda-bdg', '--name', 'tax backend'], hubEnv);
    expect(issued.code).toBe(0);
    const key = issued.stdout.trim();
    expect(key).toMatch(LIVE_TOKEN);
    const keyId = key.split('.')[0] ?? '';
    expect(issued.stderr).toBe(`kabar: issued live key ${keyId} "tax backend" for bapenda-bdg; the token above is shown only this once\n`);
    const testKey = await kabar(['keys', 'issue', '--agency', 'bapenda-bdg', '--kind', 'test', '--json'], hubEnv);
    expect(JSON.parse(testKey.stdout)).toMatchObject({ key: { kind: 'test', name: 'default', revokedAt: null }, secret: expect.stringMatching(/^test_/) as unknown });

    const publish = (): Promise<Response> =>
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({ specversion: '1.0', id: `k-${Date.now()}`, source: 'https://bapenda.bandung.go.id/pbb', type: 'id.go.bandung.none.v1', subject: '3273010101900001', data: {} }),
      });
    // Authenticated: the hub gets as far as the event type, which this agency never registered.
    const before = await publish();
    expect(before.status).toBe(400);
    expect(await before.json()).toMatchObject({ code: 'UNKNOWN_EVENT_TYPE' });

    const listed = await kabar(['keys', 'list', '--agency', 'bapenda-bdg'], hubEnv);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+KIND\s+CREATED\s+REVOKED$/);
    expect(lines[1]).toMatch(new RegExp(`^${keyId}\\s+tax backend\\s+live\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\s+-$`));
    expect(listed.stdout).not.toContain(key.split('.')[1]);

    const revoked = await kabar(['keys', 'revoke', '--agency', 'bapenda-bdg', '--key', keyId], hubEnv);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`revoked key ${keyId} of bapenda-bdg\n`);
    const after = await publish();
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ code: 'INVALID_CREDENTIALS' });

    const json = await kabar(['keys', 'list', '--agency', 'bapenda-bdg', '--json'], hubEnv);
    const keys = JSON.parse(json.stdout) as { id: string; revokedAt: string | null }[];
    expect(keys.find((k) => k.id === keyId)?.revokedAt).toMatch(/^\d{4}-/);
    const again = await kabar(['keys', 'revoke', '--agency', 'bapenda-bdg', '--key', keyId], hubEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`kabar: API_KEY_NOT_FOUND: no active key ${keyId} for bapenda-bdg\n`);
  });

  it("routes citizens' own messages to agencies with `kabar inbound`, and prints the hub's refusals", async () => {
    const routed = await kabar(['inbound', 'route', '--agency', 'lapor-bdg', '--channel', 'sms', '--to', '1708'], hubEnv);
    expect(routed.code).toBe(0);
    expect(routed.stdout).toMatch(/^routed sms to 1708 with keyword \(any\) to lapor-bdg \([0-9a-f-]{36}\)\n$/);
    const keyword = await kabar(['inbound', 'route', '--agency', 'bapenda-bdg', '--channel', 'sms', '--to', '1708', '--keyword', 'pajak', '--json'], hubEnv);
    const route = JSON.parse(keyword.stdout) as { id: string; keyword: string };
    expect(route.keyword).toBe('PAJAK');
    const listed = await kabar(['inbound', 'list'], hubEnv);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+CHANNEL\s+TO\s+KEYWORD\s+AGENCY$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1))).toEqual([
      ['sms', '1708', '(any)', 'lapor-bdg'],
      ['sms', '1708', 'PAJAK', 'bapenda-bdg'],
    ]);
    const invalid = await kabar(['inbound', 'route', '--agency', 'lapor-bdg', '--channel', 'email'], hubEnv);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^kabar: INBOUND_ROUTE_INVALID: channel must be one citizens can write on/);
    expect((await kabar(['inbound', 'route', '--channel', 'sms'], hubEnv)).stderr).toMatch(/^kabar: inbound route needs --agency\n/);
    expect((await kabar(['inbound', 'remove', route.id], hubEnv)).stdout).toBe(`removed inbound route ${route.id}\n`);
    const again = await kabar(['inbound', 'remove', route.id], hubEnv);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('kabar: INBOUND_ROUTE_NOT_FOUND: no inbound route of that id\n');
    expect(JSON.parse((await kabar(['inbound', 'list', '--json'], hubEnv)).stdout)).toHaveLength(1);
  });

  it('keeps the working calendar with `kabar days-off`, and sets answer times in working days with `kabar agencies`', async () => {
    const zone = await kabar(['agencies', 'update', 'lapor-bdg', '--answer-days', '5', '--timezone', 'WITA', '--escalate-to', 'bapenda-bdg', '--json'], hubEnv);
    expect(JSON.parse(zone.stdout)).toMatchObject({ complaintResponseWorkingDays: 5, timezone: 'WITA', complaintEscalation: 'bapenda-bdg' });
    expect(await kabar(['agencies', 'update', 'lapor-bdg', '--answer-days', '5', '--answer-hours', '2'], hubEnv)).toMatchObject({ code: 2, stderr: 'kabar: give --answer-hours or --answer-days, not both\n' });
    expect((await kabar(['agencies', 'list'], hubEnv)).stdout).toMatch(/\nlapor-bdg .* 5 working days WITA → bapenda-bdg\n/);
    const sixDays = await kabar(['agencies', 'update', 'lapor-bdg', '--weekdays', '1-6', '--json'], hubEnv);
    expect(JSON.parse(sixDays.stdout)).toMatchObject({ workingWeekdays: [1, 2, 3, 4, 5, 6] });
    expect((await kabar(['agencies', 'list'], hubEnv)).stdout).toMatch(/\nlapor-bdg .* 5 working days WITA days 1-6 → bapenda-bdg\n/);
    expect(await kabar(['agencies', 'update', 'lapor-bdg', '--weekdays', 'Mon-Fri'], hubEnv)).toMatchObject({ code: 2 });
    expect((await kabar(['agencies', 'update', 'lapor-bdg', '--weekdays', '0-5'], hubEnv)).stderr).toMatch(/^kabar: AGENCY_INVALID_INPUT: workingWeekdays: working weekdays are 1 \(Monday\) to 7 \(Sunday\)/);
    expect(JSON.parse((await kabar(['agencies', 'update', 'lapor-bdg', '--escalate-to', '', '--json'], hubEnv)).stdout)).toMatchObject({ complaintEscalation: null });

    const one = await kabar(['days-off', 'set', '2027-08-17', 'Hari Kemerdekaan RI'], hubEnv);
    expect(one).toMatchObject({ code: 0, stdout: '2027-08-17 is a day off for every agency: Hari Kemerdekaan RI (0 waiting complaints moved)\n' });
    const file = join(mkdtempSync(join(tmpdir(), 'kabar-days-off-')), 'libur-2027.csv');
    writeFileSync(file, 'date,name,agency\n2027-12-25,Hari Raya Natal,\n2027-09-25,"Hari jadi Kota Bandung, ke-217",lapor-bdg\n');
    expect(await kabar(['days-off', 'import', file], hubEnv)).toMatchObject({ code: 0, stdout: '2 days off set (0 waiting complaints moved)\n' });
    const listed = await kabar(['days-off', 'list', '--year', '2027'], hubEnv);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DATE\s+NAME\s+AGENCY$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['2027-08-17', 'Hari Kemerdekaan RI', '(all)'],
      ['2027-09-25', 'Hari jadi Kota Bandung, ke-217', 'lapor-bdg'],
      ['2027-12-25', 'Hari Raya Natal', '(all)'],
    ]);
    const ofBapenda = JSON.parse((await kabar(['days-off', 'list', '--year', '2027', '--agency', 'bapenda-bdg', '--json'], hubEnv)).stdout) as { day: string }[];
    expect(ofBapenda.map((d) => d.day)).toEqual(['2027-08-17', '2027-12-25']);

    // A file with one bad line sends nothing.
    writeFileSync(file, 'date,name\n2027-02-30,Salah\n2027-03-10,Baik\n');
    const bad = await kabar(['days-off', 'import', file], hubEnv);
    expect(bad).toMatchObject({ code: 1, stderr: `${file}:2: expected a date like 2027-03-10, got "2027-02-30"\nkabar: 1 line with errors: nothing imported\n` });
    expect(JSON.parse((await kabar(['days-off', 'list', '--year', '2027', '--json'], hubEnv)).stdout)).toHaveLength(3);

    expect(await kabar(['days-off', 'remove', '2027-09-25', '--agency', 'lapor-bdg'], hubEnv)).toMatchObject({ code: 0, stdout: '2027-09-25 is a working day again for lapor-bdg (0 waiting complaints moved)\n' });
    expect(await kabar(['days-off', 'remove', '2027-09-25', '--agency', 'lapor-bdg'], hubEnv)).toMatchObject({ code: 1, stderr: 'kabar: DAY_OFF_NOT_FOUND: no day off on 2027-09-25 for lapor-bdg\n' });
    expect(await kabar(['days-off', 'set', '2027-13-01', 'x'], hubEnv)).toMatchObject({ code: 1, stderr: 'kabar: DAY_OFF_INVALID: day 1: expected a date like 2027-03-10, got "2027-13-01"\n' });
    expect((await kabar(['days-off', 'list', '--year', '27'], hubEnv)).code).toBe(2);
    expect((await kabar(['days-off', 'set', '2027-08-18'], hubEnv)).code).toBe(2);
  });

  it('shows how each agency answers its complaints with `kabar complaints performance`', async () => {
    const none = await kabar(['complaints', 'performance'], hubEnv);
    expect(none).toMatchObject({ code: 0, stderr: 'kabar: no complaints opened in that period\n' });
    // Two complaints as the desk records them: one answered after three hours, one still waiting and gone overdue.
    const [lapor] = await queryDatabase<{ id: string }>(database.url, "select id from agency where code = 'lapor-bdg'");
    const complaint = (state: string, overdue: number, answeredAfterHours: number | null) =>
      queryDatabase(
        database.url,
        `insert into complaint (id, agency_id, event_id, channel, plugin, from_hash, locale, state, opened_at, last_activity_at, overdue_count, first_answered_at)
         values (gen_random_uuid(), $1, gen_random_uuid(), 'sms', 'sms-smpp', 'h', 'id', $2, now() - interval '1 day', now(), $3, now() - interval '1 day' + make_interval(hours => $4::int))`,
        [lapor?.id, state, overdue, answeredAfterHours],
      );
    await complaint('answered', 0, 3);
    await complaint('open', 1, null);
    const shown = await kabar(['complaints', 'performance'], hubEnv);
    expect(shown.stderr).toBe('');
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AGENCY\s+OPENED\s+WAITING\s+ANSWERED\s+OVERDUE\s+FOLLOW-UP\s+IN TIME\s+FIRST ANSWER$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([['lapor-bdg', '2', '1', '1', '1', '50.0 %', '100.0 %', '3 h']]);
    const json = JSON.parse((await kabar(['complaints', 'performance', '--from', '2020-01-01', '--to', '2020-02-01', '--json'], hubEnv)).stdout) as unknown[];
    expect(json).toEqual([]);
    expect(await kabar(['complaints', 'performance', '--from', '1 Nov'], hubEnv)).toMatchObject({ code: 2, stderr: 'kabar: --from must be a date like 2026-11-01, got "1 Nov"\n' });
    const backwards = await kabar(['complaints', 'performance', '--from', '2026-12-01', '--to', '2026-11-01'], hubEnv);
    expect(backwards).toMatchObject({ code: 1, stderr: 'kabar: COMPLAINT_PERIOD_INVALID: `from` must be before `to`\n' });
  });

  it('lists the changes above in the audit trail, newest first and a page at a time, and verifies it with `kabar audit`', async () => {
    const listed = await kabar(['audit', 'list', '--agency', 'bapenda-bdg'], hubEnv);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEQ\s+AT\s+ACTOR\s+AGENCY\s+ACTION\s+TARGET\s+DETAILS$/);
    // The revoked key refused above shows as `credentials.refused`, written by the hub once a minute (if a minute has
    // passed): not the admin's doing, so it is left out here.
    const rows = lines.slice(1).map((l) => l.split(/\s{2,}/)).filter((r) => r[4] !== 'credentials.refused');
    // What the admin did to Bapenda above, newest first; each line in the admin's name, none with a key's secret.
    expect(rows.map((r) => r[4]).filter((action) => /^(agency|api_key)\./.test(action ?? ''))).toEqual(['api_key.revoked', 'api_key.issued', 'api_key.issued', 'agency.created']);
    expect(rows.map((r) => [r[2], r[3]])).toEqual(rows.map(() => ['admin Ops Bandung', 'bapenda-bdg']));
    expect(rows.map((r) => Number(r[0]))).toEqual(rows.map((r) => Number(r[0])).sort((a, b) => b - a));
    expect(rows[0]?.[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(rows.find((r) => r[4] === 'agency.created')?.[5]).toMatch(/^agency:/);
    expect(listed.stdout).not.toMatch(/(live|test)_[A-Za-z0-9]{12}\./);

    const revoked = JSON.parse((await kabar(['audit', 'list', '--action', 'api_key.revoked', '--json'], hubEnv)).stdout) as unknown[];
    expect(revoked).toEqual([
      expect.objectContaining({ action: 'api_key.revoked', agencyCode: 'bapenda-bdg', targetKind: 'api_key', actor: expect.objectContaining({ kind: 'admin', name: 'Ops Bandung' }) as unknown, mac: expect.any(String) as unknown }),
    ]);

    // A page of two, then the rest from where it stopped: the chain has no gaps.
    const page = await kabar(['audit', 'list', '--first', '2'], hubEnv);
    expect(page.stdout.trimEnd().split('\n')).toHaveLength(3);
    const before = Number(/^kabar: older entries: kabar audit list --first 2 --before (\d+)\n$/.exec(page.stderr)?.[1]);
    const older = JSON.parse((await kabar(['audit', 'list', '--before', String(before), '--json'], hubEnv)).stdout) as { seq: number }[];
    expect(older[0]?.seq).toBe(before - 1);

    const unknownAction = await kabar(['audit', 'list', '--action', 'plugin.exploded'], hubEnv);
    expect(unknownAction.code).toBe(1);
    expect(unknownAction.stderr).toMatch(/^kabar: AUDIT_FILTER_INVALID: /);
    const unknownAgency = await kabar(['audit', 'list', '--agency', 'nobody'], hubEnv);
    expect(unknownAgency.code).toBe(1);
    expect(unknownAgency.stderr).toBe('kabar: AGENCY_NOT_FOUND: no agency nobody\n');
    expect((await kabar(['audit', 'list', '--first', '201'], hubEnv)).code).toBe(2);

    const verified = await kabar(['audit', 'verify'], hubEnv);
    expect(verified.code).toBe(0);
    const [, checked, headSeq, headMac] = /^audit trail: (\d+) entries check out; head (\d+) (\S+)\n$/.exec(verified.stdout) ?? [];
    expect(checked).toBe(headSeq);
    // The head it names is the trail's entry at that place (the hub may have appended refusals since).
    const head = (JSON.parse((await kabar(['audit', 'list', '--before', String(Number(headSeq) + 1), '--first', '1', '--json'], hubEnv)).stdout) as { seq: number; mac: string }[])[0];
    expect([String(head?.seq), head?.mac]).toEqual([headSeq, headMac]);
  });

  it('shows the master key and what needs it with `kabar secrets status`; `kabar secrets reencrypt` has nothing to move', async () => {
    const status = await kabar(['secrets', 'status'], hubEnv);
    expect(status.code).toBe(0);
    const [header, row, ...rest] = status.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^KEY\s+ROLE\s+LOOKUP\s+HELD\s+SEALED\s+AUDIT\s+NEEDED FOR$/);
    expect(row).toMatch(/^test\s+current\s+yes\s+yes\s+[1-9]\d*\s+[1-9]\d*\s+current, lookup hashes, sealed values, audit entries$/);
    expect(rest).toEqual([]);
    const reencrypted = await kabar(['secrets', 'reencrypt'], hubEnv);
    expect(reencrypted.code).toBe(0);
    expect(reencrypted.stdout).toBe('0 sealed value(s) moved to the current key\n');
    expect((await kabar(['secrets', 'reencrypt', '--batch', 'all'], hubEnv)).code).toBe(2);
  });

  it('exits 3 when the hub does not answer', async () => {
    const port = await closedPort();
    const run = await kabar(['agencies', 'list'], { KABAR_URL: `http://127.0.0.1:${port}`, KABAR_TOKEN: token });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(new RegExp(`^kabar: cannot reach the hub at http://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); start it or set KABAR_URL`));
  });
});
