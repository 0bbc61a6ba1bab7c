import 'reflect-metadata';

import { AgencyService, createHub } from '@kabar/hub';
import { aConfig, eventually } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type AgencyFixture, anAgency, typeOf } from './support/agency-fixture.js';
import {
  aCitizenRow,
  aNationalId,
  aNotification,
  type Call,
  caller,
  IMPORT,
  importCitizens,
  type ImportResult,
  signInByEmail,
  SmtpInbox,
} from './support/citizen-fixture.js';

const REQUEST = 'mutation($ch: String!, $a: String!) { requestSignInCode(channel: $ch, address: $a) }';
const SIGN_IN = 'mutation($ch: String!, $a: String!, $c: String!) { signIn(channel: $ch, address: $a, code: $c) { token expiresAt } }';
const ME = `{ me { id name nationalId regionCode language timezone quietHours { start end } digest caps { messageClass count periodSeconds }
  channelOrder { category channels } contactPoints { id channel address verified verifiedBy invalid } } }`;
const UPDATE = 'mutation($i: UpdatePreferencesInput!) { updatePreferences(input: $i) { language timezone quietHours { start end } digest caps { messageClass count periodSeconds } channelOrder { category channels } } }';
const ADD_POINT = 'mutation($ch: String!, $a: String!) { addContactPoint(channel: $ch, address: $a) { id channel address verified verifiedBy } }';
const VERIFY_POINT = 'mutation($id: ID!, $c: String!) { verifyContactPoint(id: $id, code: $c) { id verified verifiedBy } }';
const REMOVE_POINT = 'mutation($id: ID!) { removeContactPoint(id: $id) }';
const HISTORY = `query($limit: Int, $before: DateTime, $after: ID) { myNotifications(limit: $limit, before: $before, after: $after) {
  id agencyName eventType messageClass channel state reason decisionTrail subject body dueAt createdAt forDelegate onBehalfOf purged } }`;

interface Me {
  id: string;
  name: string;
  nationalId: string;
  regionCode: string;
  language: string;
  timezone: string;
  quietHours: { start: string; end: string } | null;
  digest: boolean;
  caps: unknown[];
  channelOrder: unknown[];
  contactPoints: { id: string; channel: string; address: string; verified: boolean; verifiedBy: string | null; invalid: boolean }[];
}

interface HistoryItem {
  id: string;
  agencyName: string;
  eventType: string;
  channel: string | null;
  state: string;
  decisionTrail: string[];
  subject: string | null;
  body: string | null;
  createdAt: string;
  forDelegate: boolean;
  onBehalfOf: string | null;
  purged: boolean;
}

const codeOf = (res: { errors?: readonly { extensions?: { code?: string } }[] }): string | undefined => res.errors?.[0]?.extensions?.code;

// The citizen side on the embedded hub (in-memory PGlite, in-process bus). Codes reach a real SMTP server through
// the email-smtp plugin, the same route notifications take, and are read from what that server received.
describe('citizens (embedded)', () => {
  let inbox: SmtpInbox;
  let app: INestApplication;
  let url: string;
  let admin: Call;
  let agency: AgencyFixture;
  let anyone: Call;

  /** Imports a fresh citizen with an e-mail address and signs them in. */
  const aSignedInCitizen = async (build = aCitizenRow()): Promise<{ call: Call; me: Me; email: string; nationalId: string }> => {
    const row = build.build();
    await importCitizens(admin, [row]);
    const email = row.email ?? '';
    const call = caller(url, await signInByEmail(url, inbox, email));
    const res = await call<{ me: Me }>(ME);
    if (res.data === undefined) throw new Error(JSON.stringify(res.errors));
    return { call, me: res.data.me, email, nationalId: row.nationalId };
  };

  // Booting PGlite and migrating it takes seconds on a busy machine; the unit project's 10 s hook default is tight.
  beforeAll(async () => {
    inbox = await SmtpInbox.start();
    app = await createHub(aConfig().with({ plugins: inbox.pluginConfig }).build(), pino({ level: 'silent' }));
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    admin = caller(url, await app.get(AgencyService).createAdmin('citizen test admin', { kind: 'system', id: 'test' }));
    agency = await anAgency(app, url, 'bapenda-bdg');
    anyone = caller(url, null);
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await inbox.close();
  });

  describe('import', () => {
    it('counts a dry run without writing, then creates, then updates the same citizens on a re-run', async () => {
      const rows = [aCitizenRow().build(), aCitizenRow().inEnglish().withPhone('0812-3456-7890').build()];
      const run = async (dryRun: boolean, input = rows): Promise<ImportResult | undefined> =>
        (await admin<{ importCitizens: ImportResult }>(IMPORT, { rows: input, dryRun })).data?.importCitizens;

      expect(await run(true)).toEqual({ created: 2, updated: 0, errors: [] });
      expect(await run(true), 'the dry run wrote nothing').toEqual({ created: 2, updated: 0, errors: [] });
      expect(await run(false)).toEqual({ created: 2, updated: 0, errors: [] });
      expect(await run(true)).toEqual({ created: 0, updated: 2, errors: [] });
      const renamed = rows.map((r) => ({ ...r, name: 'Siti R. Hidayat' }));
      expect(await run(false, renamed)).toEqual({ created: 0, updated: 2, errors: [] });

      const call = caller(url, await signInByEmail(url, inbox, rows[1]?.email ?? ''));
      const me = (await call<{ me: Me }>(ME)).data?.me;
      expect(me).toMatchObject({ name: 'Siti R. Hidayat', language: 'en', regionCode: '32.73.01.1001', timezone: 'WIB' });
      expect(me?.contactPoints.map((p) => [p.channel, p.verified, p.verifiedBy])).toEqual([
        ['sms', true, 'import'],
        ['email', true, 'import'],
      ]);
    });

    it('reports every problem per row, with 0-based indexes, and then writes nothing at all', async () => {
      const good = aCitizenRow().build();
      const rows = [
        good,
        aCitizenRow().with({ phone: '12345', timezone: 'PST', email: null }).build(),
        aCitizenRow(good.nationalId).build(),
        aCitizenRow().with({ email: '', phone: null }).build(),
      ];
      const res = await admin<{ importCitizens: ImportResult }>(IMPORT, { rows, dryRun: false });
      const errors = res.data?.importCitizens.errors ?? [];
      expect(res.data?.importCitizens).toMatchObject({ created: 0, updated: 0 });
      expect(errors.map((e) => [e.index, e.field])).toEqual([
        [1, 'timezone'],
        [1, 'phone'],
        [2, 'nationalId'],
        [3, 'contact'],
      ]);
      expect(errors[2]?.message).toContain('same national ID as row 0');
      // The valid row was not written either: a dry run still counts it as new.
      expect((await admin<{ importCitizens: ImportResult }>(IMPORT, { rows: [good], dryRun: true })).data?.importCitizens.created).toBe(1);
    });

    it('refuses more than 1000 rows in one call', async () => {
      const row = aCitizenRow().build();
      const res = await admin(IMPORT, { rows: Array.from({ length: 1001 }, () => row), dryRun: true });
      expect(codeOf(res)).toBe('IMPORT_TOO_LARGE');
      expect(res.errors?.[0]?.message).toContain('at most 1000 rows');
    });

    it('is for admins only', async () => {
      const rows = [aCitizenRow().build()];
      expect(codeOf(await anyone(IMPORT, { rows, dryRun: true }))).toBe('UNAUTHENTICATED');
      expect(codeOf(await caller(url, agency.key)(IMPORT, { rows, dryRun: true }))).toBe('FORBIDDEN');
    });
  });

  describe('sign-in by code', () => {
    it('mails a code to a verified address and exchanges it for a 24-hour session', async () => {
      const row = aCitizenRow().withEmail('Dewi.Lestari@Example.COM').build();
      await importCitizens(admin, [row]);
      // Typed with another case in the domain: the address is normalized before it is looked up.
      const asked = await anyone<{ requestSignInCode: boolean }>(REQUEST, { ch: 'email', a: 'Dewi.Lestari@EXAMPLE.com' });
      expect(asked.data?.requestSignInCode).toBe(true);
      const [mail] = inbox.to('Dewi.Lestari@example.com');
      expect(mail?.subject).toBe('Kode masuk Kabar');
      expect(mail?.text).toMatch(/^Kode masuk Kabar Anda: \d{6}\. Berlaku 10 menit\. Jangan berikan kepada siapa pun\.$/);

      const code = inbox.lastCode('Dewi.Lestari@example.com');
      const startedAt = Date.now();
      const res = await anyone<{ signIn: { token: string; expiresAt: string } }>(SIGN_IN, { ch: 'email', a: 'Dewi.Lestari@example.com', c: code });
      expect(res.errors).toBeUndefined();
      expect(res.data?.signIn.token).toMatch(/^cit_[A-Za-z0-9_-]{43}$/);
      const lifetimeHours = (Date.parse(res.data?.signIn.expiresAt ?? '') - startedAt) / 3_600_000;
      expect(Math.round(lifetimeHours)).toBe(24);
      const me = await caller(url, res.data?.signIn.token ?? '')<{ me: { name: string } }>('{ me { name } }');
      expect(me.data?.me.name).toBe('Siti Rahmawati');

      const again = await anyone(SIGN_IN, { ch: 'email', a: 'Dewi.Lestari@example.com', c: code });
      expect(codeOf(again), 'a code works once').toBe('INVALID_CODE');
    });

    it('writes the code in the citizen language', async () => {
      const row = aCitizenRow().inEnglish().build();
      await importCitizens(admin, [row]);
      await anyone(REQUEST, { ch: 'email', a: row.email });
      expect(inbox.to(row.email ?? '')[0]).toMatchObject({
        subject: 'Your Kabar sign-in code',
        text: expect.stringMatching(/^Your Kabar sign-in code: \d{6}\. Valid for 10 minutes\. Do not share it with anyone\.$/) as unknown,
      });
    });

    it('answers a wrong code and an unknown address alike, and mails nothing to an unknown address', async () => {
      const row = aCitizenRow().build();
      await importCitizens(admin, [row]);
      await anyone(REQUEST, { ch: 'email', a: row.email });
      const right = inbox.lastCode(row.email ?? '');
      const wrong = await anyone(SIGN_IN, { ch: 'email', a: row.email, c: right === '000000' ? '000001' : '000000' });

      const stranger = 'nobody@example.com';
      expect((await anyone<{ requestSignInCode: boolean }>(REQUEST, { ch: 'email', a: stranger })).data?.requestSignInCode).toBe(true);
      expect(inbox.to(stranger)).toEqual([]);
      const unknown = await anyone(SIGN_IN, { ch: 'email', a: stranger, c: '123456' });

      expect(codeOf(wrong)).toBe('INVALID_CODE');
      expect(codeOf(unknown)).toBe('INVALID_CODE');
      expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
      // The wrong guess did not spend the code.
      expect(codeOf(await anyone(SIGN_IN, { ch: 'email', a: row.email, c: right }))).toBeUndefined();
    });

    it('kills a code after five wrong tries, even for the right code next', async () => {
      const row = aCitizenRow().build();
      await importCitizens(admin, [row]);
      await anyone(REQUEST, { ch: 'email', a: row.email });
      const right = inbox.lastCode(row.email ?? '');
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      const answers: (string | undefined)[] = [];
      for (let i = 0; i < 5; i++) answers.push(codeOf(await anyone(SIGN_IN, { ch: 'email', a: row.email, c: wrong })));
      expect(answers).toEqual(Array(5).fill('INVALID_CODE'));
      expect(codeOf(await anyone(SIGN_IN, { ch: 'email', a: row.email, c: right }))).toBe('RATE_LIMITED');
      // A new code works again.
      await anyone(REQUEST, { ch: 'email', a: row.email });
      expect(codeOf(await anyone(SIGN_IN, { ch: 'email', a: row.email, c: inbox.lastCode(row.email ?? '') }))).toBeUndefined();
    });

    it('sends at most 3 codes per 15 minutes, and an unknown address meets the same limit', async () => {
      const row = aCitizenRow().build();
      await importCitizens(admin, [row]);
      const ask = async (address: string): Promise<string> => {
        const res = await anyone<{ requestSignInCode: boolean }>(REQUEST, { ch: 'email', a: address });
        return codeOf(res) ?? String(res.data?.requestSignInCode);
      };
      const known = [await ask(row.email ?? ''), await ask(row.email ?? ''), await ask(row.email ?? ''), await ask(row.email ?? '')];
      const unknown = [await ask('ghost@example.com'), await ask('ghost@example.com'), await ask('ghost@example.com'), await ask('ghost@example.com')];
      expect(known).toEqual(['true', 'true', 'true', 'RATE_LIMITED']);
      expect(unknown).toEqual(known);
      expect(inbox.to(row.email ?? '')).toHaveLength(3);
    });

    it('never signs in with an unverified contact point', async () => {
      const { call } = await aSignedInCitizen();
      const added = await call<{ addContactPoint: { id: string; verified: boolean } }>(ADD_POINT, { ch: 'email', a: 'belum.terverifikasi@example.org' });
      expect(added.data?.addContactPoint.verified).toBe(false);
      const verifyCode = inbox.lastCode('belum.terverifikasi@example.org');
      const mailsBefore = inbox.to('belum.terverifikasi@example.org').length;

      expect((await anyone<{ requestSignInCode: boolean }>(REQUEST, { ch: 'email', a: 'belum.terverifikasi@example.org' })).data?.requestSignInCode).toBe(true);
      expect(inbox.to('belum.terverifikasi@example.org'), 'no sign-in code went out').toHaveLength(mailsBefore);
      expect(codeOf(await anyone(SIGN_IN, { ch: 'email', a: 'belum.terverifikasi@example.org', c: verifyCode }))).toBe('INVALID_CODE');
    });

    it('rejects a malformed address or channel with CITIZEN_INVALID_INPUT', async () => {
      expect(codeOf(await anyone(REQUEST, { ch: 'email', a: 'not-an-address' }))).toBe('CITIZEN_INVALID_INPUT');
      expect(codeOf(await anyone(REQUEST, { ch: 'pigeon', a: 'coo' }))).toBe('CITIZEN_INVALID_INPUT');
    });

    it('refuses unknown or made-up session tokens', async () => {
      expect(codeOf(await caller(url, `cit_${'A'.repeat(43)}`)(ME))).toBe('INVALID_CREDENTIALS');
      expect(codeOf(await caller(url, 'cit_short')(ME))).toBe('INVALID_CREDENTIALS');
    });
  });

  describe('profile and preferences', () => {
    it('shows me my profile with the national ID and addresses masked', async () => {
      const nationalId = aNationalId();
      const { me } = await aSignedInCitizen(aCitizenRow(nationalId).withPhone('+6281234567890').withEmail('andi@example.com'));
      expect(me).toMatchObject({
        name: 'Siti Rahmawati',
        nationalId: `************${nationalId.slice(-4)}`,
        regionCode: '32.73.01.1001',
        language: 'id',
        timezone: 'WIB',
        quietHours: null,
        digest: false,
        caps: [],
        channelOrder: [],
      });
      expect(me.contactPoints.map((p) => [p.channel, p.address, p.verified, p.invalid])).toEqual([
        ['sms', '+62812****7890', true, false],
        ['email', 'a***@example.com', true, false],
      ]);
    });

    it('updates preferences, and a null quiet-hours window means the platform default again', async () => {
      const { call } = await aSignedInCitizen();
      const res = await call<{ updatePreferences: unknown }>(UPDATE, {
        i: {
          language: 'en',
          timezone: 'WITA',
          quietHours: { start: '22:00', end: '05:30' },
          digest: true,
          caps: [{ messageClass: 'reminder', count: 2, periodSeconds: 604800 }],
          channelOrder: [
            { category: 'tax', channels: ['push', 'sms'] },
            { category: '*', channels: ['sms'] },
          ],
        },
      });
      expect(res.errors).toBeUndefined();
      expect(res.data?.updatePreferences).toEqual({
        language: 'en',
        timezone: 'WITA',
        quietHours: { start: '22:00', end: '05:30' },
        digest: true,
        caps: [{ messageClass: 'reminder', count: 2, periodSeconds: 604800 }],
        channelOrder: [
          { category: 'tax', channels: ['push', 'sms'] },
          { category: '*', channels: ['sms'] },
        ],
      });
      const none = await call<{ updatePreferences: { quietHours: unknown; language: string } }>(UPDATE, { i: { quietHours: { start: '00:00', end: '00:00' } } });
      expect(none.data?.updatePreferences).toMatchObject({ quietHours: { start: '00:00', end: '00:00' }, language: 'en' });
      const reset = await call<{ updatePreferences: { quietHours: unknown } }>(UPDATE, { i: { quietHours: null } });
      expect(reset.data?.updatePreferences.quietHours).toBeNull();
    });

    it('lists every problem of an invalid update with extensions.code, and changes nothing', async () => {
      const { call } = await aSignedInCitizen();
      const res = await call(UPDATE, {
        i: {
          language: 'fr',
          timezone: 'PST',
          quietHours: { start: '25:00', end: '06:00' },
          caps: [
            { messageClass: 'critical', count: 1, periodSeconds: 86400 },
            { messageClass: 'reminder', count: 0, periodSeconds: 86400 },
          ],
          channelOrder: [{ category: 'tax', channels: ['pigeon'] }],
        },
      });
      const error = res.errors?.[0] as { extensions?: { code?: string; problems?: { field: string }[] } } | undefined;
      expect(error?.extensions?.code).toBe('CITIZEN_INVALID_INPUT');
      expect(error?.extensions?.problems?.map((p) => p.field)).toEqual(['language', 'timezone', 'quietHours.start', 'caps[0].messageClass', 'caps[1].count', 'channelOrder[0].channels']);
      const me = (await call<{ me: Me }>(ME)).data?.me;
      expect(me).toMatchObject({ language: 'id', timezone: 'WIB', quietHours: null, caps: [], channelOrder: [] });
    });
  });

  describe('contact points', () => {
    it('adds a point unverified, mails it a code, verifies it with the code, then signs in with it and removes it', async () => {
      const { call } = await aSignedInCitizen();
      const added = await call<{ addContactPoint: { id: string; channel: string; address: string; verified: boolean; verifiedBy: string | null } }>(ADD_POINT, {
        ch: 'email',
        a: 'Kantor@Example.org',
      });
      expect(added.data?.addContactPoint).toMatchObject({ channel: 'email', address: 'K***@example.org', verified: false, verifiedBy: null });
      const id = added.data?.addContactPoint.id ?? '';
      const mail = inbox.to('Kantor@example.org').at(-1);
      expect(mail?.text).toMatch(/^Kode verifikasi Kabar Anda: \d{6}\./);
      const code = inbox.lastCode('Kantor@example.org');

      expect(codeOf(await call(VERIFY_POINT, { id, c: code === '111111' ? '222222' : '111111' }))).toBe('INVALID_CODE');
      const verified = await call<{ verifyContactPoint: unknown }>(VERIFY_POINT, { id, c: code });
      expect(verified.data?.verifyContactPoint).toEqual({ id, verified: true, verifiedBy: 'code' });

      const token = await signInByEmail(url, inbox, 'Kantor@example.org');
      expect(token).toMatch(/^cit_/);

      expect((await call<{ removeContactPoint: boolean }>(REMOVE_POINT, { id })).data?.removeContactPoint).toBe(true);
      const me = (await call<{ me: Me }>(ME)).data?.me;
      expect(me?.contactPoints.map((p) => p.id)).not.toContain(id);
      expect(codeOf(await call(REMOVE_POINT, { id }))).toBe('CONTACT_POINT_NOT_FOUND');
    });

    it('adds a phone for SMS (sent by the console stand-in in embedded mode) and refuses bad addresses', async () => {
      const { call } = await aSignedInCitizen();
      const added = await call<{ addContactPoint: { channel: string; address: string; verified: boolean } }>(ADD_POINT, { ch: 'sms', a: '0813 9876 5432' });
      expect(added.data?.addContactPoint).toMatchObject({ channel: 'sms', address: '+62813****5432', verified: false });
      expect(codeOf(await call(ADD_POINT, { ch: 'sms', a: '021-555-1234' }))).toBe('CITIZEN_INVALID_INPUT');
      expect(codeOf(await call(ADD_POINT, { ch: 'inbox', a: 'x' }))).toBe('CITIZEN_INVALID_INPUT');
    });

    it("cannot touch another citizen's contact points", async () => {
      const owner = await aSignedInCitizen();
      const other = await aSignedInCitizen();
      const pointId = owner.me.contactPoints[0]?.id ?? '';
      expect(codeOf(await other.call(REMOVE_POINT, { id: pointId }))).toBe('CONTACT_POINT_NOT_FOUND');
      expect(codeOf(await other.call(VERIFY_POINT, { id: pointId, c: '123456' }))).toBe('CONTACT_POINT_NOT_FOUND');
      expect(codeOf(await other.call(REMOVE_POINT, { id: 'not-a-uuid' }))).toBe('CONTACT_POINT_NOT_FOUND');
      expect((await owner.call<{ me: Me }>(ME)).data?.me.contactPoints.map((p) => p.id)).toContain(pointId);
    });
  });

  describe('consents', () => {
    it('appends every grant and withdrawal; the latest is in force', async () => {
      const { call } = await aSignedInCitizen();
      const grant = 'mutation($p: String!, $v: String!) { grantConsent(purpose: $p, noticeVersion: $v) { purpose action noticeVersion recordedAt } }';
      const withdraw = 'mutation($p: String!, $v: String!) { withdrawConsent(purpose: $p, noticeVersion: $v) { purpose action noticeVersion recordedAt } }';
      const receipt = await call<{ grantConsent: { purpose: string; action: string; noticeVersion: string; recordedAt: string } }>(grant, { p: 'tax-reminders', v: '2026-01' });
      expect(receipt.errors).toBeUndefined();
      expect(receipt.data?.grantConsent).toMatchObject({ purpose: 'tax-reminders', action: 'granted', noticeVersion: '2026-01' });
      expect(Number.isNaN(Date.parse(receipt.data?.grantConsent.recordedAt ?? ''))).toBe(false);
      await call(withdraw, { p: 'tax-reminders', v: '2026-01' });
      await call(grant, { p: 'tax-reminders', v: '2026-02' });

      const res = await call<{
        me: { consents: { current: unknown[]; history: { purpose: string; action: string; basis: string; noticeVersion: string; channel: string; evidence: { via: string; at: string } }[] } };
      }>('{ me { consents { current { purpose granted noticeVersion } history { purpose action basis noticeVersion channel evidence } } } }');
      const consents = res.data?.me.consents;
      expect(consents?.current).toEqual([{ purpose: 'tax-reminders', granted: true, noticeVersion: '2026-02' }]);
      expect(consents?.history.map((h) => [h.action, h.noticeVersion, h.basis, h.channel])).toEqual([
        ['granted', '2026-01', 'consent', 'preference-centre'],
        ['withdrawn', '2026-01', 'consent', 'preference-centre'],
        ['granted', '2026-02', 'consent', 'preference-centre'],
      ]);
      expect(Object.keys(consents?.history[0]?.evidence ?? {}).sort()).toEqual(['at', 'via']);
      expect(consents?.history[0]?.evidence.via).toBe('graphql');
      expect(codeOf(await call(grant, { p: 'Tax Reminders!', v: '2026-01' }))).toBe('CITIZEN_INVALID_INPUT');
    });
  });

  describe('delegates', () => {
    const DELEGATES = '{ me { delegates { id direction relation citizenId nationalId } } }';
    const ADD = 'mutation($n: String!, $r: String!) { addDelegate(nationalId: $n, relation: $r) { direction relation citizenId nationalId } }';
    const REMOVE = 'mutation($d: ID!) { removeDelegate(delegateId: $d) }';

    it('lets a registered citizen act for me, shows the delegation from both sides, and ends it', async () => {
      const child = await aSignedInCitizen();
      const guardian = await aSignedInCitizen();
      const added = await child.call<{ addDelegate: unknown }>(ADD, { n: guardian.nationalId, r: 'guardian' });
      expect(added.data?.addDelegate).toEqual({ direction: 'ACTS_FOR_ME', relation: 'guardian', citizenId: guardian.me.id, nationalId: `************${guardian.nationalId.slice(-4)}` });
      const fromGuardian = await guardian.call<{ me: { delegates: { direction: string; citizenId: string; relation: string }[] } }>(DELEGATES);
      expect(fromGuardian.data?.me.delegates).toMatchObject([{ direction: 'I_ACT_FOR', citizenId: child.me.id, relation: 'guardian' }]);

      expect((await child.call<{ removeDelegate: boolean }>(REMOVE, { d: guardian.me.id })).data?.removeDelegate).toBe(true);
      expect((await child.call<{ me: { delegates: unknown[] } }>(DELEGATES)).data?.me.delegates).toEqual([]);
      expect(codeOf(await child.call(REMOVE, { d: guardian.me.id }))).toBe('DELEGATE_NOT_FOUND');
    });

    it('needs an existing citizen other than me, and a sensible relation', async () => {
      const me = await aSignedInCitizen();
      expect(codeOf(await me.call(ADD, { n: aNationalId(), r: 'guardian' }))).toBe('CITIZEN_NOT_FOUND');
      expect(codeOf(await me.call(ADD, { n: me.nationalId, r: 'guardian' }))).toBe('CITIZEN_INVALID_INPUT');
      expect(codeOf(await me.call(ADD, { n: '12', r: 'guardian' }))).toBe('CITIZEN_INVALID_INPUT');
      expect(codeOf(await me.call(ADD, { n: me.nationalId, r: 'Best Friend!' }))).toBe('CITIZEN_INVALID_INPUT');
    });
  });

  describe('history and export', () => {
    const QUIET = { step: 'quiet-hours', code: 'QUIET_HOURS_HELD', params: { until: '2026-12-01T23:00:00.000Z' } };

    it('lists a notification published by an agency, as the pipeline left it', async () => {
      const { call, nationalId } = await aSignedInCitizen(aCitizenRow().withPhone('0812 7000 0001'));
      const published = await caller(url, agency.key)<{ publishEvent: { status: string } }>('mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
        e: { specversion: '1.0', id: `hist-${nationalId}`, source: agency.source, type: typeOf(agency.code), subject: nationalId, data: { amount: 1250000, dueDate: '2026-12-31' } },
      });
      expect(published.errors).toBeUndefined();
      const [item] = await eventually(async () => {
        const items = (await call<{ myNotifications: HistoryItem[] }>(HISTORY)).data?.myNotifications ?? [];
        return items.length > 0 ? items : undefined;
      });
      expect(item).toMatchObject({ agencyName: `Agency ${agency.code}`, eventType: typeOf(agency.code), forDelegate: false, onBehalfOf: null, purged: false });
      expect(item?.decisionTrail.every((line) => typeof line === 'string' && line !== '')).toBe(true);
    });

    it('explains each decision in my language and time zone, hides purged content and pages by time', async () => {
      const { call, me } = await aSignedInCitizen(aCitizenRow().inEnglish());
      const older = new Date(Date.now() - 60_000);
      await aNotification(app, { citizenId: me.id, agencyCode: agency.code, state: 'sent', subject: 'Tax due', body: 'Your tax is due', purged: true, createdAt: older });
      await aNotification(app, { citizenId: me.id, agencyCode: agency.code, state: 'held', decisions: [QUIET, { step: 'channel', code: 'FUTURE_CODE', params: {} }, 'junk'] });

      const items = (await call<{ myNotifications: HistoryItem[] }>(HISTORY)).data?.myNotifications ?? [];
      expect(items.map((i) => [i.state, i.decisionTrail, i.subject, i.body, i.purged])).toEqual([
        ['held', ['Held for quiet hours until 06:00 WIB', 'FUTURE_CODE'], null, 'Pesan uji', false],
        ['sent', [], null, null, true],
      ]);

      await call(UPDATE, { i: { language: 'id', timezone: 'WITA' } });
      const [held] = (await call<{ myNotifications: HistoryItem[] }>(HISTORY, { limit: 1 })).data?.myNotifications ?? [];
      expect(held?.decisionTrail[0]).toBe('Ditahan karena jam tenang hingga 07:00 WITA');
      const page2 = (await call<{ myNotifications: HistoryItem[] }>(HISTORY, { before: held?.createdAt })).data?.myNotifications ?? [];
      expect(page2.map((i) => i.state)).toEqual(['sent']);
      expect(codeOf(await call(HISTORY, { limit: 0 }))).toBe('CITIZEN_INVALID_INPUT');
    });

    it("pages on from the last notification exactly, even through one batch's shared instant, and only through my own", async () => {
      const { call, me } = await aSignedInCitizen();
      const other = await aSignedInCitizen();
      const instant = new Date(Date.now() - 30_000);
      for (const subject of ['a', 'b', 'c']) await aNotification(app, { citizenId: me.id, agencyCode: agency.code, subject, createdAt: instant });
      const theirs = await aNotification(app, { citizenId: other.me.id, agencyCode: agency.code });

      const first = (await call<{ myNotifications: HistoryItem[] }>(HISTORY, { limit: 2 })).data?.myNotifications ?? [];
      const rest = (await call<{ myNotifications: HistoryItem[] }>(HISTORY, { limit: 2, after: first.at(-1)?.id })).data?.myNotifications ?? [];
      expect([first.length, rest.length]).toEqual([2, 1]);
      expect(new Set([...first, ...rest].map((i) => i.id)).size).toBe(3);
      // `before` with the same instant finds nothing more: why `after` exists.
      expect((await call<{ myNotifications: HistoryItem[] }>(HISTORY, { before: first.at(-1)?.createdAt })).data?.myNotifications).toEqual([]);
      for (const after of [theirs, 'not-a-uuid']) expect(codeOf(await call(HISTORY, { after })), after).toBe('CITIZEN_INVALID_INPUT');
    });

    it("shows notices sent to my guardian about me, and the guardian sees whom they were about; never another citizen's", async () => {
      const child = await aSignedInCitizen();
      const guardian = await aSignedInCitizen();
      const stranger = await aSignedInCitizen();
      await aNotification(app, { citizenId: guardian.me.id, onBehalfOf: child.me.id, agencyCode: agency.code, decisions: [{ step: 'recipients', code: 'DELEGATE', params: {} }] });

      const forChild = (await child.call<{ myNotifications: HistoryItem[] }>(HISTORY)).data?.myNotifications ?? [];
      const forGuardian = (await guardian.call<{ myNotifications: HistoryItem[] }>(HISTORY)).data?.myNotifications ?? [];
      expect(forChild.map((i) => [i.forDelegate, i.onBehalfOf, i.decisionTrail])).toEqual([[true, null, []]]);
      expect(forGuardian.map((i) => [i.forDelegate, i.onBehalfOf, i.decisionTrail])).toEqual([[false, child.me.id, ['Dikirim kepada Anda sebagai wali']]]);
      expect((await stranger.call<{ myNotifications: HistoryItem[] }>(HISTORY)).data?.myNotifications).toEqual([]);
    });

    it('exports everything held about me, unmasked, with the retention rules', async () => {
      const nationalId = aNationalId();
      const { call, me } = await aSignedInCitizen(aCitizenRow(nationalId).withPhone('+6281234560000').withEmail('ekspor@example.com'));
      await call('mutation { grantConsent(purpose: "health-info", noticeVersion: "v1") { action } }');
      await aNotification(app, { citizenId: me.id, agencyCode: agency.code, state: 'held', decisions: [QUIET] });
      const res = await call<{ exportMyData: Record<string, unknown> }>('{ exportMyData }');
      expect(res.errors).toBeUndefined();
      const data = res.data?.exportMyData as {
        profile: Record<string, unknown>;
        contactPoints: { channel: string; address: string }[];
        consents: { history: { purpose: string; action: string }[] };
        delegations: unknown[];
        notifications: { decisionTrail: string[]; body: string | null }[];
        retention: { renderedContentDaysByMessageClass: Record<string, number>; deliveryOutcomes: string };
      };
      expect(data.profile).toMatchObject({ id: me.id, nationalId, name: 'Siti Rahmawati', regionCode: '32.73.01.1001', language: 'id', timezone: 'WIB' });
      expect(data.contactPoints.map((p) => [p.channel, p.address])).toEqual([
        ['sms', '+6281234560000'],
        ['email', 'ekspor@example.com'],
      ]);
      expect(data.consents.history).toMatchObject([{ purpose: 'health-info', action: 'granted' }]);
      expect(data.delegations).toEqual([]);
      expect(data.notifications).toMatchObject([{ decisionTrail: ['Ditahan karena jam tenang hingga 06:00 WIB'], body: 'Pesan uji' }]);
      expect(data.retention.renderedContentDaysByMessageClass).toEqual({ critical: 90, transactional: 7, reminder: 7, informational: 7 });
      expect(data.retention.deliveryOutcomes).toContain('without personal data');
    });
  });

  describe('scope isolation', () => {
    it('keeps citizen data behind a citizen session of that citizen', async () => {
      const alice = await aSignedInCitizen();
      const bob = await aSignedInCitizen();
      expect(codeOf(await anyone(ME))).toBe('UNAUTHENTICATED');
      expect(codeOf(await caller(url, agency.key)(ME))).toBe('FORBIDDEN');
      expect(codeOf(await caller(url, agency.key)('{ exportMyData }'))).toBe('FORBIDDEN');
      expect(codeOf(await admin(ME))).toBe('FORBIDDEN');
      // A citizen session opens neither admin nor agency operations.
      expect(codeOf(await alice.call(IMPORT, { rows: [], dryRun: true }))).toBe('FORBIDDEN');
      expect(codeOf(await alice.call('{ agencies { code } }'))).toBe('FORBIDDEN');
      expect(codeOf(await alice.call('query($s: String!) { event(source: $s, id: "x") { id } }', { s: agency.source }))).toBe('FORBIDDEN');
      // Each token reads its own citizen only.
      expect((await bob.call<{ me: { id: string } }>('{ me { id } }')).data?.me.id).toBe(bob.me.id);
      expect(bob.me.id).not.toBe(alice.me.id);
    });
  });
});
