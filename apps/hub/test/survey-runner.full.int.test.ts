import 'reflect-metadata';

import { createHmac } from 'node:crypto';

import { SecretBox } from '@kabar/core';
import { InboundStage, SurveyRunner } from '@kabar/hub';
import { TOPICS } from '@kabar/messaging';
import { WaitingRepository } from '@kabar/persistence';
import { eventually, queryDatabase } from '@kabar/testing';
import { EntityManager } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { type GraphPeer, startGraphPeer } from '../../../plugins/chat-whatsapp/test/whatsapp-cloud.fixture.js';
import { aMessagesValue, anInboundMessage, aWebhook, BUSINESS_PHONE_NUMBER_ID, CITIZEN_WA_ID } from '../../../plugins/chat-whatsapp/test/whatsapp-webhook.builder.js';
import { type SmscPeer, startSmscPeer } from '../../../plugins/sms-smpp/test/smsc-peer.fixture.js';
import { as } from './support/agency-fixture.js';
import { type CallbackReceiver, callbackReceiver } from './support/callback-receiver.js';
import { noDeliveryInFlight } from './support/delivery-records.js';
import { type FullHub, startFullHub } from './support/full-hub.js';
import { type PolicyAgency, policyAgency, registeredCitizen, registerType } from './support/policy-fixture.js';
import { SATISFACTION } from './support/survey-fixture.js';

const WA_TOKEN = 'EAAJkabarTestSystemUserToken0123456789abcdef';
const WA_SECRET = 'f3a9c1d2e4b5a6978877665544332211';

const RESPONSES = `query($s: String!, $after: ID) { surveyResponses(survey: $s, after: $after) {
  id survey version state waitingFor answers { questionId value } notificationId source eventId channel finishedAt } }`;

interface Response {
  readonly id: string;
  readonly state: string;
  readonly waitingFor: string | null;
  readonly answers: { questionId: string; value: unknown }[];
  readonly eventId: string;
}

/**
 * The survey stage end to end on PostgreSQL and Kafka, with sms-smpp against a real SMSC: the first question follows
 * the message, each SMS reply (a deliver_sm from the SMSC) is read against the skip logic and answered with the next
 * question from the agency's sender ID, a finished survey reaches the agency's callback signed, and `surveyResponses`
 * shows where each citizen is. Nothing of it is visible to another agency.
 */
describe('surveys answered by SMS on PostgreSQL and Kafka', () => {
  const services = inject('services');
  let hub: FullHub;
  let smsc: SmscPeer;
  let graph: GraphPeer;
  let lapor: PolicyAgency;
  let other: PolicyAgency;
  let type: string;
  let signingSecret = '';
  let receiver: CallbackReceiver;
  let nik = 3273010101900700;

  const sql = <Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> => queryDatabase<Row>(hub.database.url, text, values);
  const textsTo = (phone: string): string[] => smsc.submits.filter((s) => s.destinationAddr === phone.replace('+', '')).map((s) => s.shortMessage.toString('latin1'));
  const reply = (phone: string, text: string) =>
    smsc.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: phone.replace('+', ''), destination_addr: '1500123', esm_class: 0, data_coding: 0, short_message: text });
  /** Replies once the SMSC has received `count` messages for the number, and waits for the next. */
  const answer = async (phone: string, text: string): Promise<string> => {
    const before = textsTo(phone).length;
    expect((await reply(phone, text)).command_status).toBe(0);
    return eventually(() => Promise.resolve(textsTo(phone)[before]));
  };
  const responses = async (agency: PolicyAgency, after?: string): Promise<Response[]> => {
    const res = await as<{ surveyResponses: Response[] }>(hub.url, agency.key, RESPONSES, { s: SATISFACTION.code, after });
    if (res.errors !== undefined) throw new Error(JSON.stringify(res.errors));
    return res.data?.surveyResponses ?? [];
  };
  const publish = async (id: string, phone: string): Promise<string> => {
    const nationalId = String(nik++);
    await registeredCitizen(hub.app, { nationalId, contacts: [{ channel: 'sms', value: phone }] });
    const res = await as(hub.url, lapor.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id, source: lapor.source, type, subject: nationalId, data: { note: `laporan ${id} selesai` } },
    });
    if (res.errors !== undefined) throw new Error(JSON.stringify(res.errors));
    return eventually(() => Promise.resolve(textsTo(phone)[0]));
  };

  beforeAll(async () => {
    smsc = await startSmscPeer();
    receiver = await callbackReceiver(() => signingSecret);
    graph = await startGraphPeer({ phoneNumberId: BUSINESS_PHONE_NUMBER_ID, accessToken: WA_TOKEN, displayPhoneNumber: '+62 811-1500-2024', qualityRating: 'GREEN', templates: [] });
    const plugins = {
      'sms-smpp': { host: '127.0.0.1', port: smsc.port, systemId: 'kabar', password: 'rahasia1', defaultSender: 'KABAR', responseTimeoutMs: 2_000 },
      'chat-whatsapp': { phoneNumberId: BUSINESS_PHONE_NUMBER_ID, accessToken: WA_TOKEN, baseUrl: graph.origin, caCertificates: graph.certificate.cert, appSecret: WA_SECRET },
    };
    hub = await startFullHub(services, (config) => config.with({ plugins }));
    lapor = await policyAgency(hub.app, hub.url, 'lapor-bdg', 'LAPOR! Kota Bandung');
    other = await policyAgency(hub.app, hub.url, 'bapenda-bdg', 'Bapenda Kota Bandung', lapor.admin);
    const saved = await as(hub.url, lapor.key, 'mutation($d: JSONObject!) { saveSurvey(definition: $d) { version } }', { d: SATISFACTION });
    if (saved.errors !== undefined) throw new Error(JSON.stringify(saved.errors));
    type = await registerType(hub.url, lapor, 'ticket-closed', { messageClass: 'transactional', channels: ['sms', 'inbox'], survey: SATISFACTION.code });
    const registered = await as<{ setStatusCallback: { signingSecret: string } }>(hub.url, lapor.admin, 'mutation($u: String!) { setStatusCallback(agencyCode: "lapor-bdg", url: $u) { signingSecret } }', { u: receiver.url });
    signingSecret = registered.data?.setStatusCallback.signingSecret ?? '';
    if (!signingSecret.startsWith('whsec_')) throw new Error(`no signing secret: ${JSON.stringify(registered)}`);
  });

  afterAll(async () => {
    await hub.close();
    await smsc.close();
    await graph.close();
    receiver.server.close();
  });

  it('asks the first question after the message, and walks a satisfied citizen to the end by SMS', async () => {
    const phone = '+6281234570001';
    expect(await publish('tiket-1', phone)).toBe('Pemberitahuan: laporan tiket-1 selesai\n\nPuas dengan penanganan laporan Anda?\n1. Ya\n2. Tidak\nBalas dengan nomor pilihan.');
    // The SMS goes out from the agency's sender ID, like its message did.
    expect(new Set(smsc.submits.filter((s) => s.destinationAddr === '6281234570001').map((s) => s.sourceAddr))).toEqual(new Set(['LAPOR-BDG']));

    expect(await answer(phone, '1')).toBe('Beri nilai 1-5\nBalas dengan angka 1 sampai 5.');
    expect(await answer(phone, 'sepuluh')).toBe('Maaf, balasan Anda belum bisa kami baca.\nBeri nilai 1-5\nBalas dengan angka 1 sampai 5.');
    expect(await answer(phone, '4')).toBe('Terima kasih, jawaban Anda sudah kami terima.');

    const [done] = await responses(lapor);
    expect(done).toMatchObject({ state: 'completed', waitingFor: null, eventId: 'tiket-1', answers: [{ questionId: 'puas', value: 'ya' }, { questionId: 'skor', value: 4 }] });
    // The agency hears once, signed, with the answers and its own event; never the citizen's number.
    const callback = await eventually(() => Promise.resolve(receiver.events.find((e) => e.type === 'id.kabar.survey.response.v1')));
    expect(callback).toMatchObject({
      id: `survey.${done?.id ?? ''}`,
      kabaragency: 'lapor-bdg',
      data: { survey: 'kepuasan-layanan', version: 1, state: 'completed', source: lapor.source, id: 'tiket-1', channel: 'sms', answers: [{ questionId: 'puas', value: 'ya' }, { questionId: 'skor', value: 4 }] },
    });
    expect(JSON.stringify(receiver.events)).not.toContain('6281234570001');

    // Each question was a notification of the same event, in the role `survey`, counted against no limit.
    const rows = await sql<{ recipient_role: string; message_class: string | null; state: string }>(
      "select n.recipient_role, n.message_class, n.state from notification n join event e on e.id = n.event_id where e.ce_id = 'tiket-1' order by n.created_at",
    );
    expect(rows.map((r) => r.recipient_role)).toEqual(['subject', 'survey', 'survey', 'survey']);
    expect(rows.slice(1).every((r) => r.message_class === null && r.state === 'sent')).toBe(true);
    // A reply after the end is no answer: nothing more is sent.
    expect((await reply(phone, '5')).command_status).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(textsTo(phone)).toHaveLength(4);
  });

  it('follows the skip logic for a dissatisfied citizen, and gives up after three replies it cannot read', async () => {
    const unhappy = '+6281234570002';
    await publish('tiket-2', unhappy);
    expect(await answer(unhappy, 'tidak')).toBe('Apa yang kurang?\nBalas dengan jawaban Anda.');
    expect(await answer(unhappy, 'Petugas tidak pernah datang')).toBe('Terima kasih, jawaban Anda sudah kami terima.');

    const puzzled = '+6281234570003';
    await publish('tiket-3', puzzled);
    for (const text of ['mungkin', 'entahlah']) expect(await answer(puzzled, text)).toMatch(/^Maaf, balasan Anda belum bisa kami baca\.\nPuas/);
    expect(await answer(puzzled, '??')).toContain('Survei ini kami tutup');

    const all = await responses(lapor);
    expect(all.map((r) => [r.eventId, r.state])).toEqual([
      ['tiket-1', 'completed'],
      ['tiket-2', 'completed'],
      ['tiket-3', 'abandoned'],
    ]);
    expect(all[1]?.answers).toEqual([{ questionId: 'puas', value: 'tidak' }, { questionId: 'masalah', value: 'Petugas tidak pernah datang' }]);
    // Paged after a response's id; a malformed cursor is a typed error, not a server error.
    expect((await responses(lapor, all[0]?.id)).map((r) => r.eventId)).toEqual(['tiket-2', 'tiket-3']);
    const bad = await as(hub.url, lapor.key, RESPONSES, { s: SATISFACTION.code, after: 'not-an-id' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_CURSOR');
    const abandoned = await eventually(() => Promise.resolve(receiver.events.find((e) => e.type === 'id.kabar.survey.response.v1' && (e.data as { id?: string }).id === 'tiket-3')));
    expect(abandoned).toMatchObject({ data: { state: 'abandoned', answers: [] } });
  });

  it('shows a survey under way with the question it waits for, and no agency another’s responses', async () => {
    const phone = '+6281234570004';
    await publish('tiket-4', phone);
    await answer(phone, '1');
    const open = (await responses(lapor)).find((r) => r.eventId === 'tiket-4');
    expect(open).toMatchObject({ state: 'open', waitingFor: 'skor', answers: [{ questionId: 'puas', value: 'ya' }] });
    const theirs = await as(hub.url, other.key, RESPONSES, { s: SATISFACTION.code });
    expect(theirs.errors?.[0]?.extensions?.code).toBe('UNKNOWN_SURVEY');
  });

  it('refuses a survey it cannot ask: unknown to the agency, or on channels nobody can answer on', async () => {
    const register = (agency: PolicyAgency, channels: string[]) =>
      as(hub.url, agency.key, 'mutation($i: RegisterEventTypeInput!) { registerEventType(input: $i) { survey } }', {
        i: { type: `id.go.${agency.code.replace(/[^a-z]/g, '')}.survey-check.v1`, messageClass: 'informational', dataSchema: { type: 'object' }, allowedChannels: channels, defaultExpirySeconds: 3600, survey: SATISFACTION.code },
      });
    const theirs = await register(other, ['sms']);
    expect(theirs.errors?.[0]?.extensions?.code).toBe('EVENT_TYPE_INVALID');
    expect(theirs.errors?.[0]?.message).toContain('you have no survey "kepuasan-layanan"');
    const oneWay = await register(lapor, ['email', 'push']);
    expect(oneWay.errors?.[0]?.message).toContain('a survey needs a channel citizens can answer on (sms, whatsapp, inbox)');
    expect((await register(lapor, ['sms'])).data).toEqual({ registerEventType: { survey: 'kepuasan-layanan' } });
  });

  it('takes a reply Kafka delivers twice once, and skips a record it cannot read without stopping', async () => {
    const phone = '+6281234570005';
    await publish('tiket-5', phone);
    const box = hub.app.get(SecretBox);
    const inbound = (value: Buffer, offset: string) => ({ topic: TOPICS.inbound, partition: 0, offset, timestamp: Date.now(), key: null, value, headers: {} });
    const record = inbound(Buffer.from(JSON.stringify({ id: '019ae0f0-0000-7000-8000-000000000005', channel: 'sms', fromHash: box.lookupHash(phone), text: '2', payload: null })), '1');
    const stage = hub.app.get(InboundStage);
    await stage.handle([inbound(Buffer.from('{"not json'), '0'), record]);
    await stage.handle([record]);
    // A WhatsApp-style reply that names another event's message is not an answer to this survey.
    const elsewhere = { id: '019ae0f0-0000-7000-8000-000000000006', channel: 'sms', fromHash: box.lookupHash(phone), text: 'Tidak', payload: null, inReplyTo: { eventId: '019ae0f0-0000-7000-8000-00000000ffff' } };
    await stage.handle([inbound(Buffer.from(JSON.stringify(elsewhere)), '2')]);
    expect(await eventually(() => Promise.resolve(textsTo(phone)[1]))).toBe('Apa yang kurang?\nBalas dengan jawaban Anda.');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(textsTo(phone)).toHaveLength(2);
    expect((await responses(lapor)).find((r) => r.eventId === 'tiket-5')).toMatchObject({ state: 'open', waitingFor: 'masalah', answers: [{ questionId: 'puas', value: 'tidak' }] });
  });

  it('closes the surveys left unfinished at their deadline, tells the agency what was answered, and takes no reply after', async () => {
    const runner = hub.app.get(SurveyRunner);
    expect(await runner.expireDue(new Date())).toBe(0);
    // Every session that began has its deadline; those finished since close no more (two of five are still open).
    expect(await runner.expireDue(new Date(Date.now() + 73 * 3600_000))).toBe(5);
    expect(await runner.expireDue(new Date(Date.now() + 73 * 3600_000))).toBe(0);
    // Due at the (simulated) deadline, so read off the deliveries the callback sender will make then.
    const expired = (await sql<{ payload: string }>("select payload from callback_delivery where webhook_id like 'survey.%'"))
      .map((d) => JSON.parse(d.payload) as { type: string; data: { state: string; id: string } })
      .filter((e) => e.type === 'id.kabar.survey.response.v1' && e.data.state === 'expired');
    expect(expired.map((e) => e.data).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      expect.objectContaining({ id: 'tiket-4', answers: [{ questionId: 'puas', value: 'ya' }] }),
      expect.objectContaining({ id: 'tiket-5', answers: [{ questionId: 'puas', value: 'tidak' }] }),
    ]);
    expect((await responses(lapor)).filter((r) => r.state === 'expired').map((r) => [r.eventId, r.waitingFor])).toEqual([
      ['tiket-4', null],
      ['tiket-5', null],
    ]);
    const phone = '+6281234570004';
    const sent = textsTo(phone).length;
    expect((await reply(phone, '5')).command_status).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(textsTo(phone)).toHaveLength(sent);
  });

  it('empties answers and the survey messages past retention, keeping the outcomes', async () => {
    // Past the longest retention (90 days) after the last survey closed (the deadline above, 73 hours on).
    const later = new Date(Date.now() + 94 * 86_400_000);
    await noDeliveryInFlight(hub.database.url);
    await new WaitingRepository(hub.app.get(EntityManager)).purge({ critical: 90, transactional: 7 }, later);
    const sessions = await sql<{ state: string; answers: unknown[] }>('select state, answers from survey_session');
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => s.answers.length === 0)).toBe(true);
    expect(new Set(sessions.map((s) => s.state))).toEqual(new Set(['completed', 'abandoned', 'expired']));
    const messages = await sql<{ rendered_body: string | null; state: string }>("select rendered_body, state from notification where recipient_role = 'survey'");
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.rendered_body === null && m.state === 'sent')).toBe(true);
  });

  it('asks the survey beside an inbox message, where the citizen answers it in the preference centre', async () => {
    const inboxType = await registerType(hub.url, lapor, 'ticket-closed-inbox', { messageClass: 'transactional', channels: ['inbox'], survey: SATISFACTION.code });
    const nationalId = String(nik++);
    const citizenId = await registeredCitizen(hub.app, { nationalId });
    const res = await as(hub.url, lapor.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'tiket-6', source: lapor.source, type: inboxType, subject: nationalId, data: { note: 'laporan tiket-6 selesai' } },
    });
    expect(res.errors).toBeUndefined();
    const runner = hub.app.get(SurveyRunner);
    const [asked] = await eventually(async () => {
      const found = await runner.inboxSurveys(citizenId);
      return found.length > 0 ? found : undefined;
    });
    expect(asked).toMatchObject({ agencyName: 'LAPOR! Kota Bandung', state: 'open', answered: 0, question: { id: 'puas' } });
    // The message itself carries no question: the preference centre shows it beside the message.
    const [body] = await sql<{ rendered_body: string }>("select n.rendered_body from notification n join event e on e.id = n.event_id where e.ce_id = 'tiket-6'");
    expect(body?.rendered_body).toBe('Pemberitahuan: laporan tiket-6 selesai');
    const notificationId = asked?.notificationId ?? '';
    await expect(runner.answerInInbox(citizenId, notificationId, 'puas', 'barangkali')).rejects.toMatchObject({ code: 'SURVEY_ANSWER_INVALID' });
    expect(await runner.answerInInbox(citizenId, notificationId, 'puas', 'tidak')).toMatchObject({ state: 'open', question: { id: 'masalah' } });
    expect(await runner.answerInInbox(citizenId, notificationId, 'masalah', 'Tidak ada kabar selama seminggu')).toMatchObject({ state: 'completed', question: null });
    await expect(runner.answerInInbox(citizenId, notificationId, 'masalah', 'lagi')).rejects.toMatchObject({ code: 'SURVEY_CLOSED' });
    const callback = await eventually(() => Promise.resolve(receiver.events.find((e) => e.type === 'id.kabar.survey.response.v1' && (e.data as { id?: string }).id === 'tiket-6')));
    expect(callback).toMatchObject({ data: { state: 'completed', channel: 'inbox', answers: [{ questionId: 'puas', value: 'tidak' }, { questionId: 'masalah', value: 'Tidak ada kabar selama seminggu' }] } });
  });

  it('offers the answers as WhatsApp buttons, then a list for the score, and takes a tap as the answer', async () => {
    const waType = await registerType(hub.url, lapor, 'ticket-closed-wa', { messageClass: 'transactional', channels: ['whatsapp'], survey: SATISFACTION.code });
    const nationalId = String(nik++);
    await registeredCitizen(hub.app, { nationalId, contacts: [{ channel: 'whatsapp', value: `+${CITIZEN_WA_ID}` }], preferences: { channelOrder: { '*': ['whatsapp'] } } });
    const res = await as(hub.url, lapor.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'tiket-wa', source: lapor.source, type: waType, subject: nationalId, data: { note: 'laporan tiket-wa selesai' } },
    });
    expect(res.errors).toBeUndefined();
    type Sent = { type: string; interactive?: { type: string; body: { text: string }; action: { buttons?: { reply: { id: string; title: string } }[]; sections?: { rows: { id: string }[] }[] } } };
    const sent = (): Sent[] => graph.sends().map((r) => JSON.parse(r.body) as Sent & { to: string });
    const first = await eventually(() => Promise.resolve(sent()[0]));
    expect(first).toMatchObject({ type: 'interactive', interactive: { type: 'button', action: { buttons: [{ reply: { id: 'ya', title: 'Ya' } }, { reply: { id: 'tidak', title: 'Tidak' } }] } } });
    expect(first.interactive?.body.text).toContain('Puas dengan penanganan laporan Anda?');

    // The citizen taps "Ya": WhatsApp sends the button's id back, signed.
    const tap = anInboundMessage('interactive', { interactive: { type: 'button_reply', button_reply: { id: 'ya', title: 'Ya' } } }, { id: 'wamid.tap-ya' });
    const body = JSON.stringify(aWebhook(aMessagesValue(tap)));
    const signature = `sha256=${createHmac('sha256', WA_SECRET).update(body).digest('hex')}`;
    const posted = await fetch(`${hub.url}/v1/plugins/chat-whatsapp/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
    expect(posted.status).toBe(200);
    const second = await eventually(() => Promise.resolve(sent()[1]));
    expect(second).toMatchObject({ type: 'interactive', interactive: { type: 'list', action: { button: 'Pilih jawaban', sections: [{ rows: ['1', '2', '3', '4', '5'].map((id) => ({ id })) }] } } });
    const [session] = await sql<{ answers: { questionId: string; value: unknown }[] }>("select ss.answers from survey_session ss join event e on e.id = ss.event_id where e.ce_id = 'tiket-wa'");
    expect(session?.answers).toEqual([{ questionId: 'puas', value: 'ya' }]);
  });

  it('pages responses of every version in one id order, a page at a time', async () => {
    const saved = await as<{ saveSurvey: { version: number } }>(hub.url, lapor.key, 'mutation($d: JSONObject!) { saveSurvey(definition: $d) { version } }', { d: SATISFACTION });
    expect(saved.data?.saveSurvey.version).toBeGreaterThan(1);
    const versions = await sql<{ id: string }>('select s.id from survey s join agency a on a.id = s.agency_id where s.code = $1 and a.code = $2 order by s.version', [SATISFACTION.code, lapor.code]);
    const [template] = await sql<{ id: string }>('select id from survey_session where survey_id = $1 limit 1', [versions[0]?.id]);
    // Six more responses after every real one, alternating between the versions.
    const added = Array.from({ length: 6 }, (_, i) => `ffffffff-ffff-7fff-bfff-${String(i + 1).padStart(12, '0')}`);
    for (const [i, id] of added.entries()) {
      await sql(
        `insert into survey_session (id, opened_by, survey_id, agency_id, event_id, citizen_id, contact_point_id, channel, contact_hash, locale, state, question_id, answers, refusals, seen, started_at, updated_at, finished_at, expires_at)
         select $1, gen_random_uuid(), $2, agency_id, event_id, citizen_id, contact_point_id, channel, null, locale, 'completed', null, answers, refusals, seen, started_at, updated_at, now(), expires_at
         from survey_session where id = $3`,
        [id, versions[i % versions.length]?.id, template?.id],
      );
    }
    const everyId = (await sql<{ id: string }>('select ss.id from survey_session ss join survey s on s.id = ss.survey_id where s.code = $1 and ss.agency_id = s.agency_id order by ss.id', [SATISFACTION.code])).map((r) => r.id);
    const paged: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = await as<{ surveyResponses: { id: string; version: number }[] }>(hub.url, lapor.key, 'query($s: String!, $after: ID) { surveyResponses(survey: $s, after: $after, first: 2) { id version } }', {
        s: SATISFACTION.code,
        after,
      });
      const rows = page.data?.surveyResponses ?? [];
      if (rows.length === 0) break;
      expect(rows.length).toBeLessThanOrEqual(2);
      paged.push(...rows.map((r) => r.id));
      after = rows.at(-1)?.id;
    }
    expect(paged).toEqual(everyId);
    expect(paged.slice(-6)).toEqual(added);
  });
});
