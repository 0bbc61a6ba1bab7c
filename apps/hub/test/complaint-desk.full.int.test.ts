import 'reflect-metadata';

import { createHmac } from 'node:crypto';

import { SecretBox } from '@kabar/core';
import { COMPLAINT_ESCALATED_TYPE, COMPLAINT_MESSAGE_TYPE, COMPLAINT_OVERDUE_TYPE, COMPLAINT_TRANSFER_TYPE, ComplaintDeadlines, ComplaintDesk, InboundStage } from '@kabar/hub';
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
/** The citizen's photo as Meta keeps it: a JPEG's first bytes and some more. */
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200_000, 9)]);

const COMPLAINT_FIELDS = 'id reference number state channel registered locale closedAt messages { id direction kind text media notificationId }';

interface Complaint {
  readonly id: string;
  readonly reference: string;
  readonly number: number;
  readonly state: string;
  readonly registered: boolean;
  readonly locale: string;
  readonly messages: { direction: string; text: string | null; notificationId: string | null }[];
}

interface Sms {
  readonly from: string;
  readonly text: string;
}

/**
 * The complaint desk end to end on PostgreSQL and Kafka, with sms-smpp against a real SMSC and chat-whatsapp against a
 * TLS peer shaped like Meta's Graph API: a citizen's own SMS to the city's short code (a deliver_sm from the SMSC), or
 * a photo by WhatsApp (a signed webhook), is routed by the admins' inbound routes, acknowledged from the short
 * code with its reference, and reaches the agency's callback signed; the agency's answer comes back to the citizen's
 * number, registered or not. No agency sees another's complaints, and no callback names the citizen's number.
 */
describe('the complaint desk on PostgreSQL and Kafka', () => {
  const services = inject('services');
  let hub: FullHub;
  let smsc: SmscPeer;
  let graph: GraphPeer;
  let lapor: PolicyAgency;
  let bapenda: PolicyAgency;
  const secrets: Record<string, string> = {};
  const receivers: Record<string, CallbackReceiver> = {};

  const sql = <Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> => queryDatabase<Row>(hub.database.url, text, values);
  /** What the SMSC received for a number, concatenated parts joined (unpacked GSM 7-bit reads as ASCII here). */
  const smsTo = (phone: string): Sms[] => {
    const texts: Sms[] = [];
    const parts = new Map<number, Buffer[]>();
    for (const submit of smsc.submits.filter((s) => s.destinationAddr === phone.replace('+', ''))) {
      if ((submit.esmClass & 0x40) === 0) {
        texts.push({ from: submit.sourceAddr, text: submit.shortMessage.toString('latin1') });
        continue;
      }
      const [reference = 0, total = 0, sequence = 0] = submit.shortMessage.subarray(3, 6);
      const pieces = parts.get(reference) ?? [];
      pieces[sequence - 1] = submit.shortMessage.subarray(6);
      parts.set(reference, pieces);
      if (pieces.filter(Boolean).length === total) {
        texts.push({ from: submit.sourceAddr, text: Buffer.concat(pieces).toString('latin1') });
        parts.delete(reference);
      }
    }
    return texts;
  };
  const write = async (phone: string, text: string, to = '1708'): Promise<void> => {
    const response = await smsc.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: phone.replace('+', ''), destination_addr: to, esm_class: 0, data_coding: 0, short_message: text });
    expect(response.command_status).toBe(0);
  };
  const nthSms = (phone: string, n: number): Promise<Sms> => eventually(() => Promise.resolve(smsTo(phone)[n]));
  const gql = async <T,>(key: string, query: string, variables?: Record<string, unknown>): Promise<T> => {
    const res = await as<T>(hub.url, key, query, variables);
    if (res.errors !== undefined || res.data === undefined) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };
  const refusal = async (key: string, query: string, variables?: Record<string, unknown>): Promise<unknown> => (await as(hub.url, key, query, variables)).errors?.[0]?.extensions?.code;
  const complaints = async (agency: PolicyAgency): Promise<Complaint[]> => (await gql<{ complaints: Complaint[] }>(agency.key, `{ complaints { ${COMPLAINT_FIELDS} } }`)).complaints;
  const answer = async (agency: PolicyAgency, id: string, text: string, close = false): Promise<Complaint> =>
    (await gql<{ answerComplaint: Complaint }>(agency.key, `mutation($id: ID!, $t: String!, $c: Boolean!) { answerComplaint(id: $id, text: $t, close: $c) { ${COMPLAINT_FIELDS} } }`, { id, t: text, c: close }))
      .answerComplaint;
  const callbacksOf = (agency: PolicyAgency): Record<string, unknown>[] => (receivers[agency.code]?.events ?? []).filter((e) => e['type'] === COMPLAINT_MESSAGE_TYPE);
  const route = (input: { agencyCode: string; channel: string; to: string; keyword?: string }) =>
    as<{ setInboundRoute: { id: string; keyword: string } }>(hub.url, lapor.admin, 'mutation($r: InboundRouteInput!) { setInboundRoute(route: $r) { id agencyCode channel to keyword } }', { r: input });

  beforeAll(async () => {
    smsc = await startSmscPeer();
    graph = await startGraphPeer({
      phoneNumberId: BUSINESS_PHONE_NUMBER_ID,
      accessToken: WA_TOKEN,
      displayPhoneNumber: '+62 811-1500-2024',
      qualityRating: 'GREEN',
      templates: [],
      media: { '1234567890123456': { mimeType: 'image/jpeg', data: PHOTO } },
    });
    const plugins = {
      'sms-smpp': { host: '127.0.0.1', port: smsc.port, systemId: 'kabar', password: 'rahasia1', defaultSender: 'KABAR', responseTimeoutMs: 2_000, stayBound: true },
      'chat-whatsapp': { phoneNumberId: BUSINESS_PHONE_NUMBER_ID, accessToken: WA_TOKEN, baseUrl: graph.origin, caCertificates: graph.certificate.cert, appSecret: WA_SECRET },
    };
    hub = await startFullHub(services, (config) => config.with({ plugins }));
    lapor = await policyAgency(hub.app, hub.url, 'lapor-bdg', 'LAPOR! Kota Bandung');
    bapenda = await policyAgency(hub.app, hub.url, 'bapenda-bdg', 'Bapenda Kota Bandung', lapor.admin);
    for (const agency of [lapor, bapenda]) {
      const receiver = await callbackReceiver(() => secrets[agency.code] ?? '');
      receivers[agency.code] = receiver;
      const set = await gql<{ setStatusCallback: { signingSecret: string } }>(lapor.admin, 'mutation($a: String!, $u: String!) { setStatusCallback(agencyCode: $a, url: $u) { signingSecret } }', {
        a: agency.code,
        u: receiver.url,
      });
      secrets[agency.code] = set.setStatusCallback.signingSecret;
    }
    // The short code's install stays bound, so the SMSC can hand it citizens' messages before anything is sent.
    await eventually(() => Promise.resolve(smsc.counts.binds > 0 ? true : undefined));
    // The city's short code goes to its complaint desk; "PAJAK …" to the tax office.
    for (const r of [{ agencyCode: 'lapor-bdg', channel: 'sms', to: '1708' }, { agencyCode: 'bapenda-bdg', channel: 'sms', to: '1708', keyword: 'pajak' }]) {
      const set = await route(r);
      if (set.errors !== undefined) throw new Error(JSON.stringify(set.errors));
    }
  });

  afterAll(async () => {
    await hub.close();
    await smsc.close();
    await graph.close();
    for (const receiver of Object.values(receivers)) receiver.server.close();
  });

  it("opens a complaint for an unregistered number, acknowledges it from the short code, and tells the agency without the citizen's number", async () => {
    const phone = '+6281299990001';
    await write(phone, 'Jalan berlubang di Jl. Soekarno-Hatta depan pasar');
    const ack = await nthSms(phone, 0);
    expect(ack.from).toBe('1708');
    expect(ack.text).toMatch(/^Aduan Anda diterima dengan nomor ADU-\d{6} dan diteruskan ke LAPOR! Kota Bandung\./);
    const [complaint] = await eventually(async () => {
      const found = await complaints(lapor);
      return found.length > 0 && found[0]?.messages.length === 2 ? found : undefined;
    });
    expect(complaint).toMatchObject({ state: 'open', channel: 'sms', registered: false, locale: 'id', reference: ack.text.match(/ADU-\d{6}/)?.[0] });
    expect(complaint?.messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'Jalan berlubang di Jl. Soekarno-Hatta depan pasar'],
      ['out', ack.text],
    ]);
    const [callback] = await eventually(() => Promise.resolve(callbacksOf(lapor).length > 0 ? callbacksOf(lapor) : undefined));
    expect(callback).toMatchObject({
      specversion: '1.0',
      type: COMPLAINT_MESSAGE_TYPE,
      subject: complaint?.id,
      kabaragency: 'lapor-bdg',
      data: { complaintId: complaint?.id, reference: complaint?.reference, opened: true, channel: 'sms', registered: false, message: { kind: 'text', text: 'Jalan berlubang di Jl. Soekarno-Hatta depan pasar' } },
    });
    expect(JSON.stringify(callback)).not.toContain('81299990001');
    // The number is kept sealed, never in clear.
    const stored = await sql<{ from_sealed: string }>('select "from_sealed" from "complaint" where "id" = $1', [complaint?.id]);
    expect(stored[0]?.from_sealed).not.toContain('81299990001');
    expect(hub.app.get(SecretBox).decrypt(stored[0]?.from_sealed ?? '')).toBe(phone);
  });

  it("keeps a citizen's later messages in their thread, carries the agency's answers back, and opens a new complaint after closing", async () => {
    const phone = '+6281299990002';
    await write(phone, 'Lampu jalan mati di RW 05');
    const ack = await nthSms(phone, 0);
    const reference = ack.text.match(/ADU-\d{6}/)?.[0] ?? '';
    const mine = async (): Promise<Complaint | undefined> => (await complaints(lapor)).find((c) => c.reference === reference);
    await write(phone, 'Sudah tiga malam');
    const joined = await eventually(async () => ((await mine())?.messages.length === 3 ? mine() : undefined));
    expect(joined.messages.map((m) => m.direction)).toEqual(['in', 'out', 'in']);
    // No second acknowledgement; the agency hears of the addition.
    const later = await eventually(() => Promise.resolve(callbacksOf(lapor).find((e) => (e['data'] as { message: { text: string } }).message.text === 'Sudah tiga malam')));
    expect(later).toMatchObject({ data: { complaintId: joined.id, reference, opened: false } });

    const answered = await answer(lapor, joined.id, 'Petugas kami menuju lokasi besok pagi.');
    expect(answered).toMatchObject({ state: 'answered' });
    expect(answered.messages.at(-1)).toMatchObject({ direction: 'out', text: 'Petugas kami menuju lokasi besok pagi.' });
    expect(await nthSms(phone, 1)).toEqual({ from: '1708', text: `LAPOR! Kota Bandung (${reference}): Petugas kami menuju lokasi besok pagi.` });
    const notificationId = answered.messages.at(-1)?.notificationId;
    expect(await eventually(async () => (await sql<{ state: string }>('select "state" from "notification" where "id" = $1', [notificationId]))[0]?.state.match(/sent|delivered/)?.[0])).toBeTruthy();

    // The citizen answers the agency: the complaint waits for it again.
    await write(phone, 'Terima kasih');
    expect(await eventually(async () => ((await mine())?.state === 'open' ? mine() : undefined))).toMatchObject({ state: 'open' });
    const closed = (await gql<{ closeComplaint: Complaint }>(lapor.key, `mutation($id: ID!) { closeComplaint(id: $id) { ${COMPLAINT_FIELDS} } }`, { id: joined.id })).closeComplaint;
    expect(closed).toMatchObject({ state: 'closed', closedAt: expect.any(String) as unknown });
    expect((await nthSms(phone, 2)).text).toBe(`LAPOR! Kota Bandung telah menutup aduan ${reference}. Terima kasih.`);
    expect(await refusal(lapor.key, 'mutation($id: ID!) { answerComplaint(id: $id, text: "lagi") { id } }', { id: joined.id })).toBe('COMPLAINT_CLOSED');

    await write(phone, 'Lampu mati lagi');
    const next = await nthSms(phone, 3);
    expect(next.text).toMatch(/^Aduan Anda diterima dengan nomor ADU-\d{6}/);
    expect(next.text).not.toContain(reference);
  });

  it('routes by keyword to another agency, and no agency sees or answers another\'s complaints', async () => {
    const phone = '+6281299990003';
    await write(phone, 'PAJAK motor saya sudah lunas tapi masih ditagih');
    const ack = await nthSms(phone, 0);
    expect(ack.text).toContain('diteruskan ke Bapenda Kota Bandung');
    const reference = ack.text.match(/ADU-\d{6}/)?.[0];
    const theirs = await eventually(async () => (await complaints(bapenda)).find((c) => c.reference === reference));
    expect(theirs.messages[0]?.text).toBe('PAJAK motor saya sudah lunas tapi masih ditagih');
    expect((await complaints(lapor)).map((c) => c.reference)).not.toContain(reference);
    expect(await gql(lapor.key, 'query($id: ID!) { complaint(id: $id) { id } }', { id: theirs.id })).toEqual({ complaint: null });
    expect(await refusal(lapor.key, 'mutation($id: ID!) { answerComplaint(id: $id, text: "bukan urusan kami") { id } }', { id: theirs.id })).toBe('COMPLAINT_NOT_FOUND');
    expect(await refusal(lapor.key, 'mutation($id: ID!) { closeComplaint(id: $id) { id } }', { id: theirs.id })).toBe('COMPLAINT_NOT_FOUND');
    expect(callbacksOf(lapor).some((e) => JSON.stringify(e).includes('motor saya'))).toBe(false);
    await eventually(() => Promise.resolve(callbacksOf(bapenda).find((e) => JSON.stringify(e).includes('motor saya'))));
    // A photo-less follow-up without the keyword stays in the tax office's thread.
    await write(phone, 'Nomor polisi D 1234 ABC');
    const followed = await eventually(async () => {
      const found = (await complaints(bapenda)).find((c) => c.reference === reference);
      return found?.messages.length === 3 ? found : undefined;
    });
    expect(followed.messages.at(-1)?.text).toBe('Nomor polisi D 1234 ABC');
  });

  it('hands a complaint to the agency responsible: the citizen is told who answers, and only that agency sees it, with the thread', async () => {
    const phone = '+6281299990009';
    await write(phone, 'Tagihan PBB saya dobel tahun ini');
    const reference = (await nthSms(phone, 0)).text.match(/ADU-\d{6}/)?.[0];
    const complaint = await eventually(async () => (await complaints(lapor)).find((c) => c.reference === reference));
    const transfer = 'mutation($id: ID!, $a: String!, $n: String) { transferComplaint(id: $id, agencyCode: $a, note: $n) }';
    expect(await refusal(lapor.key, transfer, { id: complaint.id, a: 'lapor-bdg' })).toBe('COMPLAINT_TRANSFER_INVALID');
    expect(await refusal(lapor.key, transfer, { id: complaint.id, a: 'tidak-ada' })).toBe('AGENCY_NOT_FOUND');
    expect(await refusal(bapenda.key, transfer, { id: complaint.id, a: 'lapor-bdg' })).toBe('COMPLAINT_NOT_FOUND');
    expect(await gql(lapor.key, transfer, { id: complaint.id, a: 'bapenda-bdg', n: 'Soal PBB, mohon ditangani' })).toEqual({ transferComplaint: true });

    expect((await nthSms(phone, 1)).text).toBe(`Aduan ${reference ?? ''} kami teruskan ke Bapenda Kota Bandung, yang akan menjawabnya.`);
    expect(await gql(lapor.key, 'query($id: ID!) { complaint(id: $id) { id } }', { id: complaint.id })).toEqual({ complaint: null });
    const handed = await eventually(() => Promise.resolve(receivers['bapenda-bdg']?.events.find((e) => e['type'] === COMPLAINT_TRANSFER_TYPE && e['subject'] === complaint.id)));
    expect(handed['data']).toMatchObject({ reference, from: 'lapor-bdg', note: 'Soal PBB, mohon ditangani', channel: 'sms', messages: [{ direction: 'in', text: 'Tagihan PBB saya dobel tahun ini' }, { direction: 'out' }] });
    expect(JSON.stringify(handed)).not.toContain('81299990009');
    // The citizen's next words and the answer are the tax office's now.
    await write(phone, 'Nomor objek pajak 32.73.010.001');
    const theirs = await eventually(async () => {
      const found = (await complaints(bapenda)).find((c) => c.reference === reference);
      return found?.messages.length === 4 ? found : undefined;
    });
    expect(theirs.state).toBe('open');
    await answer(bapenda, theirs.id, 'Sudah kami koreksi.');
    expect((await nthSms(phone, 2)).text).toBe(`Bapenda Kota Bandung (${reference ?? ''}): Sudah kami koreksi.`);
  });

  it("knows a registered citizen's number, and drops a message no route takes", async () => {
    const phone = '+6281299990004';
    const citizenId = await registeredCitizen(hub.app, { nationalId: '3273010101900901', contacts: [{ channel: 'sms', value: phone }] });
    await write(phone, 'Sampah belum diangkut seminggu');
    const reference = (await nthSms(phone, 0)).text.match(/ADU-\d{6}/)?.[0];
    const registeredOne = await eventually(async () => (await complaints(lapor)).find((c) => c.reference === reference));
    expect(registeredOne).toMatchObject({ registered: true });
    // The registered citizen adds a detail from the preference centre: the agency's callback hears of it.
    await hub.app.get(ComplaintDesk).addFromCitizen(citizenId, registeredOne.id, 'Di depan SD Negeri 3');
    const added = await eventually(() => Promise.resolve(callbacksOf(lapor).find((e) => (e['data'] as { message: { text: string } }).message.text === 'Di depan SD Negeri 3')));
    expect(added['data']).toMatchObject({ complaintId: registeredOne.id, opened: false, registered: true, channel: 'sms' });
    await expect(hub.app.get(ComplaintDesk).addFromCitizen('019ae0f0-0000-7000-8000-0000000000ee', registeredOne.id, 'bukan saya')).rejects.toMatchObject({ code: 'COMPLAINT_NOT_FOUND' });

    const stranger = '+6281299990005';
    await write(stranger, 'Halo?', '9999');
    await write(stranger, 'Halo lagi', '1708');
    // The second reached the desk after the first was handled (one partition per number): the first made nothing.
    await nthSms(stranger, 0);
    const rows = await sql<{ text: string }>(
      'select m."text" from "complaint_message" m join "complaint" c on c."id" = m."complaint_id" where c."from_hash" = $1 and m."direction" = \'in\'',
      [hub.app.get(SecretBox).lookupHash(stranger)],
    );
    expect(rows.map((r) => r.text)).toEqual(['Halo lagi']);
    // Operators see dropped messages counted, and what the desk did with the rest.
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toContain('kabar_citizen_messages_total{channel="sms",outcome="unrouted"} 1');
    expect(metrics).toMatch(/kabar_citizen_messages_total\{channel="sms",outcome="opened"\} \d+/);
    expect(metrics).toMatch(/kabar_citizen_messages_total\{channel="sms",outcome="joined"\} \d+/);
  });

  it('answers a message no route took with the keywords its number takes, once a day, and stays silent where it takes none', async () => {
    // 1500 takes keywords only: JALAN for the city's desk, PBB for the tax office.
    const added: string[] = [];
    for (const r of [{ agencyCode: 'lapor-bdg', channel: 'sms', to: '1500', keyword: 'jalan' }, { agencyCode: 'bapenda-bdg', channel: 'sms', to: '1500', keyword: 'pbb' }]) {
      const set = await route(r);
      expect(set.errors).toBeUndefined();
      added.push(set.data?.setInboundRoute.id ?? '');
    }
    const phone = '+6281299990016';
    await write(phone, 'Halo, lampu jalan mati', '1500');
    expect(await nthSms(phone, 0)).toEqual({
      from: '1500',
      text: 'Pesan Anda belum dapat kami teruskan. Kirim ulang dengan kata kunci di awal: JALAN untuk LAPOR! Kota Bandung, PBB untuk Bapenda Kota Bandung.',
    });
    // A second miss the same day is not answered again (an auto-responder cannot start a loop); the keyword then works.
    await write(phone, 'Halo?', '1500');
    await write(phone, 'JALAN lampu mati di Jl. Braga', '1500');
    const ack = await nthSms(phone, 1);
    expect(ack.text).toMatch(/^Aduan Anda diterima dengan nomor ADU-\d{6} dan diteruskan ke LAPOR! Kota Bandung\./);
    expect(smsTo(phone)).toHaveLength(2);
    // A number that takes no messages at all answers nothing: one partition per number, so the routed message after
    // the miss shows the miss was handled.
    const quiet = '+6281299990017';
    await write(quiet, 'Halo', '7777');
    await write(quiet, 'Halo lagi', '1708');
    await nthSms(quiet, 0);
    expect(smsTo(quiet).map((m) => m.from)).toEqual(['1708']);
    // The routes go again, so the cases below see the desk as it was set up.
    for (const id of added) await gql(lapor.admin, 'mutation($id: ID!) { removeInboundRoute(id: $id) }', { id });
  });

  it('refuses answers that are empty, too long or for no complaint, and routes that cannot be kept', async () => {
    const phone = '+6281299990006';
    await write(phone, 'Pohon tumbang di Jl. Dago');
    const reference = (await nthSms(phone, 0)).text.match(/ADU-\d{6}/)?.[0];
    const complaint = await eventually(async () => (await complaints(lapor)).find((c) => c.reference === reference));
    const answerQuery = 'mutation($id: ID!, $t: String!) { answerComplaint(id: $id, text: $t) { id } }';
    expect(await refusal(lapor.key, answerQuery, { id: complaint.id, t: '   ' })).toBe('COMPLAINT_ANSWER_INVALID');
    expect(await refusal(lapor.key, answerQuery, { id: complaint.id, t: 'a'.repeat(1_001) })).toBe('COMPLAINT_ANSWER_INVALID');
    expect(await refusal(lapor.key, answerQuery, { id: 'not-a-uuid', t: 'ok' })).toBe('COMPLAINT_NOT_FOUND');
    expect(await refusal(lapor.key, answerQuery, { id: '019ae0f0-0000-7000-8000-0000000000ff', t: 'ok' })).toBe('COMPLAINT_NOT_FOUND');
    // Nothing was sent for the refusals.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smsTo(phone)).toHaveLength(1);
    expect((await complaints(lapor)).find((c) => c.id === complaint.id)?.state).toBe('open');

    expect((await route({ agencyCode: 'lapor-bdg', channel: 'email', to: '' })).errors?.[0]?.extensions?.code).toBe('INBOUND_ROUTE_INVALID');
    expect((await route({ agencyCode: 'lapor-bdg', channel: 'sms', to: '', keyword: 'dua kata' })).errors?.[0]?.extensions).toMatchObject({ code: 'INBOUND_ROUTE_INVALID', problems: [{ field: 'keyword' }] });
    expect((await route({ agencyCode: 'tidak-ada', channel: 'sms', to: '1708' })).errors?.[0]?.extensions?.code).toBe('AGENCY_NOT_FOUND');
    expect(await refusal(lapor.admin, 'mutation { removeInboundRoute(id: "019ae0f0-0000-7000-8000-0000000000ff") }')).toBe('INBOUND_ROUTE_NOT_FOUND');
    expect(await refusal(lapor.key, 'mutation { setInboundRoute(route: { agencyCode: "lapor-bdg", channel: "sms", to: "1708" }) { id } }')).toBe('FORBIDDEN');
    expect(await refusal(lapor.key, '{ inboundRoutes { id } }')).toBe('FORBIDDEN');
    const routes = (await gql<{ inboundRoutes: { id: string; agencyCode: string; to: string; keyword: string }[] }>(lapor.admin, '{ inboundRoutes { id agencyCode to keyword } }')).inboundRoutes;
    expect(routes.map((r) => [r.agencyCode, r.to, r.keyword])).toEqual([
      ['lapor-bdg', '1708', ''],
      ['bapenda-bdg', '1708', 'PAJAK'],
    ]);
  });

  it('adds a message Kafka delivers twice once, and leaves answers to an open survey to the survey', async () => {
    const phone = '+6281299990007';
    const box = hub.app.get(SecretBox);
    const record = {
      topic: TOPICS.inbound,
      partition: 0,
      offset: '1',
      timestamp: Date.now(),
      key: null,
      headers: {},
      value: Buffer.from(JSON.stringify({ id: '019ae0f0-0000-7000-8000-000000000071', plugin: 'sms-smpp', channel: 'sms', fromHash: box.lookupHash(phone), fromSealed: box.encrypt(phone), to: '1708', kind: 'text', text: 'Banjir di Jl. Pagarsih', receivedAt: new Date().toISOString() })),
    };
    const stage = hub.app.get(InboundStage);
    await stage.handle([record]);
    await stage.handle([record]);
    const count = await sql<{ n: string }>('select count(*) as n from "complaint_message" where "id" = $1', ['019ae0f0-0000-7000-8000-000000000071']);
    expect(Number(count[0]?.n)).toBe(1);
    const threads = await sql<{ n: string }>('select count(*) as n from "complaint" where "from_hash" = $1', [box.lookupHash(phone)]);
    expect(Number(threads[0]?.n)).toBe(1);
    await nthSms(phone, 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smsTo(phone)).toHaveLength(1);

    // A citizen asked a survey answers it; once it is over, their next message is a complaint.
    const surveyed = '+6281299990008';
    await registeredCitizen(hub.app, { nationalId: '3273010101900902', contacts: [{ channel: 'sms', value: surveyed }] });
    const saved = await as(hub.url, lapor.key, 'mutation($d: JSONObject!) { saveSurvey(definition: $d) { version } }', { d: SATISFACTION });
    expect(saved.errors).toBeUndefined();
    const type = await registerType(hub.url, lapor, 'ticket-done', { messageClass: 'transactional', channels: ['sms'], survey: SATISFACTION.code });
    await gql(lapor.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id: 'tiket-99', source: lapor.source, type, subject: '3273010101900902', data: { note: 'laporan selesai' } },
    });
    await nthSms(surveyed, 0);
    await write(surveyed, '1');
    expect((await nthSms(surveyed, 1)).text).toMatch(/^Beri nilai 1-5/);
    await write(surveyed, '5');
    expect((await nthSms(surveyed, 2)).text).toBe('Terima kasih, jawaban Anda sudah kami terima.');
    await write(surveyed, 'Tapi trotoarnya masih rusak');
    expect((await nthSms(surveyed, 3)).text).toMatch(/^Aduan Anda diterima dengan nomor ADU-\d{6}/);
    const inThreads = await sql<{ text: string }>('select m."text" from "complaint_message" m join "complaint" c on c."id" = m."complaint_id" where c."from_hash" = $1 and m."direction" = \'in\'', [
      box.lookupHash(surveyed),
    ]);
    expect(inThreads.map((r) => r.text)).toEqual(['Tapi trotoarnya masih rusak']);
  });

  it('takes a photo sent on WhatsApp as a complaint, serves the photo to that agency alone, and answers on WhatsApp', async () => {
    const set = await route({ agencyCode: 'lapor-bdg', channel: 'whatsapp', to: '' });
    expect(set.errors).toBeUndefined();
    const webhook = (message: unknown): Promise<Response> => {
      const body = JSON.stringify(aWebhook(aMessagesValue(message as Record<string, never>)));
      const signature = `sha256=${createHmac('sha256', WA_SECRET).update(body).digest('hex')}`;
      return fetch(`${hub.url}/v1/plugins/chat-whatsapp/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body });
    };
    const photo = anInboundMessage('image', { image: { id: '1234567890123456', mime_type: 'image/jpeg', caption: 'Trotoar ambles di Jl. Riau' } }, { id: 'wamid.complaint-photo' });
    expect((await webhook(photo)).status).toBe(200);
    const sentToCitizen = (): { text?: { body: string } }[] =>
      graph.sends().map((r) => JSON.parse(r.body) as { to: string; text?: { body: string } }).filter((m) => m.to === CITIZEN_WA_ID);
    const ack = await eventually(() => Promise.resolve(sentToCitizen()[0]));
    const reference = ack.text?.body.match(/ADU-\d{6}/)?.[0];
    expect(ack.text?.body).toMatch(/^Aduan Anda diterima dengan nomor ADU-\d{6} dan diteruskan ke LAPOR! Kota Bandung\./);
    const complaint = await eventually(async () => (await complaints(lapor)).find((c) => c.reference === reference));
    expect(complaint).toMatchObject({ channel: 'whatsapp' });
    const callback = await eventually(() => Promise.resolve(callbacksOf(lapor).find((e) => (e['data'] as { reference: string }).reference === reference)));
    expect(callback['data']).toMatchObject({ opened: true, channel: 'whatsapp', message: { kind: 'image', text: 'Trotoar ambles di Jl. Riau', media: { id: '1234567890123456', mimeType: 'image/jpeg' } } });
    expect(JSON.stringify(callback)).not.toContain(CITIZEN_WA_ID);
    // The agency fetches the photo through Kabar, with its own key; no other agency can.
    const fetchMedia = (key: string, mediaId = '1234567890123456', id = complaint.id) => fetch(`${hub.url}/v1/complaints/${id}/media/${mediaId}`, { headers: { authorization: `Bearer ${key}` } });
    const served = await fetchMedia(lapor.key);
    expect([served.status, served.headers.get('content-type'), served.headers.get('cache-control'), served.headers.get('x-content-type-options')]).toEqual([200, 'image/jpeg', 'private, no-store', 'nosniff']);
    expect(Buffer.from(await served.arrayBuffer()).equals(PHOTO)).toBe(true);
    const problem = async (res: Response) => ({ status: res.status, type: res.headers.get('content-type'), code: ((await res.json()) as { code?: string }).code });
    expect(await problem(await fetchMedia(bapenda.key))).toEqual({ status: 404, type: 'application/problem+json; charset=utf-8', code: 'COMPLAINT_NOT_FOUND' });
    expect(await problem(await fetchMedia(lapor.key, '999'))).toMatchObject({ status: 404, code: 'MEDIA_NOT_FOUND' });
    expect(await problem(await fetchMedia(lapor.key, '1234567890123456', 'bukan-id'))).toMatchObject({ status: 404, code: 'COMPLAINT_NOT_FOUND' });
    expect((await fetch(`${hub.url}/v1/complaints/${complaint.id}/media/1234567890123456`)).status).toBe(401);
    await answer(lapor, complaint.id, 'Terima kasih, tim kami akan memeriksa.');
    expect((await eventually(() => Promise.resolve(sentToCitizen()[1]))).text?.body).toBe(`LAPOR! Kota Bandung (${reference ?? ''}): Terima kasih, tim kami akan memeriksa.`);
  });

  it("tells the agency once when a complaint waits past its response target, and the agency it escalates to, and starts the clock again with each wait", async () => {
    const HOUR = 3_600_000;
    const timed = 'query($id: ID!) { complaint(id: $id) { state dueAt overdue } }';
    type Timed = { state: string; dueAt: string | null; overdue: boolean };
    const timing = async (agency: PolicyAgency, id: string): Promise<Timed | null> => (await gql<{ complaint: Timed | null }>(agency.key, timed, { id })).complaint;
    const set = await gql<{ updateAgency: { complaintResponseHours: number; complaintEscalation: string | null } }>(
      lapor.admin,
      'mutation { updateAgency(code: "lapor-bdg", input: { complaintResponseHours: 2, complaintEscalation: "bapenda-bdg" }) { complaintResponseHours complaintEscalation } }',
    );
    expect(set.updateAgency).toEqual({ complaintResponseHours: 2, complaintEscalation: 'bapenda-bdg' });

    const phone = '+6281255550001';
    const wrote = Date.now();
    await write(phone, 'Sampah menumpuk di Jl. Braga sejak Senin');
    await nthSms(phone, 0);
    const mine = (await complaints(lapor)).find((c) => c.messages.some((m) => m.text?.startsWith('Sampah menumpuk') === true));
    if (mine === undefined) throw new Error('the complaint did not reach LAPOR!');
    const first = await timing(lapor, mine.id);
    expect(first?.overdue).toBe(false);
    const due = new Date(first?.dueAt ?? 0).getTime();
    expect(due).toBeGreaterThanOrEqual(wrote + 2 * HOUR - 1_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 2 * HOUR);
    const deadlines = hub.app.get(ComplaintDeadlines);
    expect(await deadlines.remindOverdue()).toBe(0);

    // Two hours pass for this complaint (its due time moved into the past, as the sweep would find it then).
    const lapse = (): Promise<unknown> => sql('update complaint set due_at = now() - interval \'1 second\' where id = $1', [mine.id]);
    const overdueCallbacks = (): Record<string, unknown>[] =>
      (receivers['lapor-bdg']?.events ?? []).filter((e) => e['type'] === COMPLAINT_OVERDUE_TYPE && (e['data'] as { complaintId?: string }).complaintId === mine.id);
    await lapse();
    expect(await timing(lapor, mine.id)).toMatchObject({ state: 'open', overdue: true });
    const listed = await gql<{ complaints: { id: string }[] }>(lapor.key, '{ complaints(overdue: true) { id } }');
    expect(listed.complaints.map((c) => c.id)).toEqual([mine.id]);
    expect(await deadlines.remindOverdue()).toBe(1);
    expect(await deadlines.remindOverdue()).toBe(0);
    const [told] = await eventually(() => Promise.resolve(overdueCallbacks().length > 0 ? overdueCallbacks() : undefined));
    expect(told).toMatchObject({ type: COMPLAINT_OVERDUE_TYPE, subject: mine.id, data: { complaintId: mine.id, reference: mine.reference, channel: 'sms' } });
    expect(JSON.stringify(told)).not.toContain(phone.slice(3));
    expect(JSON.stringify(told)).not.toContain('Sampah');
    // The agency it escalates to hears of it at the same time: whose complaint, which, and when it was due; not the thread.
    const escalations = (): Record<string, unknown>[] =>
      (receivers['bapenda-bdg']?.events ?? []).filter((e) => e['type'] === COMPLAINT_ESCALATED_TYPE && (e['data'] as { complaintId?: string }).complaintId === mine.id);
    const [escalated] = await eventually(() => Promise.resolve(escalations().length > 0 ? escalations() : undefined));
    expect(escalated).toMatchObject({ type: COMPLAINT_ESCALATED_TYPE, subject: mine.id, data: { complaintId: mine.id, reference: mine.reference, agency: 'lapor-bdg', channel: 'sms', dueAt: (told?.['data'] as { dueAt: string }).dueAt } });
    expect(JSON.stringify(escalated)).not.toContain('Sampah');
    expect(JSON.stringify(escalated)).not.toContain(phone.slice(3));
    expect((receivers['lapor-bdg']?.events ?? []).filter((e) => e['type'] === COMPLAINT_ESCALATED_TYPE)).toEqual([]);

    // The answer stops the clock; the citizen's next message starts a new wait, reminded about afresh.
    await answer(lapor, mine.id, 'Petugas kebersihan dijadwalkan besok pagi.');
    expect(await timing(lapor, mine.id)).toEqual({ state: 'answered', dueAt: null, overdue: false });
    expect((await gql<{ complaints: { id: string }[] }>(lapor.key, '{ complaints(overdue: true) { id } }')).complaints).toEqual([]);
    const again = Date.now();
    await write(phone, 'Belum diangkut sampai sekarang');
    // Up to a minute: under the whole suite one clean-clone run waited past 30 s here (the message's way is SMPP, the
    // outbox, Kafka and the desk's consumer); should it not come, the failure says how far it got.
    await eventually(async () => {
      if ((await timing(lapor, mine.id))?.state === 'open') return true;
      const [where] = await sql<{ outbox: number; thread: number }>(
        'select (select count(*)::int from "outbox") as "outbox", (select count(*)::int from "complaint_message" where "complaint_id" = $1) as "thread"',
        [mine.id],
      );
      throw new Error(`the complaint is not open again: ${JSON.stringify(where)} (outbox rows; messages in its thread)`);
    }, 60_000);
    const second = await timing(lapor, mine.id);
    expect(new Date(second?.dueAt ?? 0).getTime()).toBeGreaterThanOrEqual(again + 2 * HOUR - 1_000);
    await lapse();
    expect(await deadlines.remindOverdue()).toBe(1);
    await eventually(() => Promise.resolve(overdueCallbacks().length === 2 && escalations().length === 2 ? true : undefined));
    expect(new Set(overdueCallbacks().map((e) => e['id'])).size).toBe(2);
    expect(new Set(escalations().map((e) => e['id'])).size).toBe(2);

    // Handed on, the complaint waits for the other agency by that agency's own target (the default three days).
    const moved = Date.now();
    await gql(lapor.key, 'mutation($id: ID!) { transferComplaint(id: $id, agencyCode: "bapenda-bdg") }', { id: mine.id });
    const theirs = await timing(bapenda, mine.id);
    expect(theirs?.overdue).toBe(false);
    expect(new Date(theirs?.dueAt ?? 0).getTime()).toBeGreaterThanOrEqual(moved + 72 * HOUR - 1_000);
    // The citizen is told who answers now (and that message is delivered before the next test purges).
    await eventually(() => Promise.resolve(smsTo(phone).some((m) => m.text.includes('Bapenda')) ? true : undefined));

    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/kabar_complaints_overdue_total\{agency="lapor-bdg"\} 2/);
    expect(metrics).toMatch(/kabar_complaints_escalated_total\{agency="lapor-bdg",to="bapenda-bdg"\} 2/);
    const refused = await refusal(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { complaintResponseHours: 0 }) { code } }');
    expect(refused).toBe('AGENCY_INVALID_INPUT');
    expect(await refusal(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { complaintEscalation: "lapor-bdg" }) { code } }')).toBe('AGENCY_INVALID_INPUT');
    expect(await refusal(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { complaintEscalation: "no-such" }) { code } }')).toBe('AGENCY_INVALID_INPUT');
    const cleared = await gql<{ updateAgency: { complaintEscalation: string | null } }>(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { complaintEscalation: "" }) { complaintEscalation } }');
    expect(cleared.updateAgency.complaintEscalation).toBeNull();
  }, 120_000);

  it('counts answer times in working days in the agency zone, skipping days off, and moves waiting complaints when the calendar changes', async () => {
    const timed = 'query($id: ID!) { complaint(id: $id) { dueAt overdue } }';
    const dueOf = async (id: string): Promise<string | null> => (await gql<{ complaint: { dueAt: string | null } | null }>(lapor.key, timed, { id })).complaint?.dueAt ?? null;
    type Agency = { complaintResponseHours: number; complaintResponseWorkingDays: number | null; timezone: string };
    const update = async (input: string): Promise<Agency> =>
      (await gql<{ updateAgency: Agency }>(lapor.admin, `mutation { updateAgency(code: "lapor-bdg", input: { ${input} }) { complaintResponseHours complaintResponseWorkingDays timezone } }`)).updateAgency;
    expect(await update('complaintResponseWorkingDays: 3')).toMatchObject({ complaintResponseWorkingDays: 3, timezone: 'WIB' });

    // A complaint opened now waits three working days, due at a local midnight (17:00 UTC for WIB) at least a day ahead.
    const phone = '+6281255550002';
    await write(phone, 'Trotoar rusak di depan pasar');
    await nthSms(phone, 0);
    const mine = (await complaints(lapor)).find((c) => c.messages.some((m) => m.text?.startsWith('Trotoar rusak') === true));
    if (mine === undefined) throw new Error('the complaint did not reach LAPOR!');
    const opened = new Date((await dueOf(mine.id)) ?? 0);
    expect(opened.getUTCHours()).toBe(17);
    expect(opened.getUTCMinutes()).toBe(0);
    expect(opened.getTime()).toBeGreaterThan(Date.now() + 86_400_000);
    expect(opened.getTime()).toBeLessThan(Date.now() + 8 * 86_400_000);

    // Its clock as if it started on Friday 13 August 2027, 15:00 WIB: Monday 16, Tuesday 17, Wednesday 18; due at the end of the 18th, 00:00 WIB on the 19th.
    await sql("update complaint set due_from = '2027-08-13T08:00:00Z' where id = $1", [mine.id]);
    expect(await update('complaintResponseWorkingDays: 3')).toMatchObject({ complaintResponseWorkingDays: 3 });
    expect(await dueOf(mine.id)).toBe('2027-08-18T17:00:00.000Z');

    // Independence Day off for everyone moves it a day; the city's own day off on the 18th another; another agency's does not.
    type Change = { changed: number; dueTimesMoved: number };
    const setDays = async (days: unknown[]): Promise<Change> => (await gql<{ setDaysOff: Change }>(lapor.admin, 'mutation($d: [DayOffInput!]!) { setDaysOff(days: $d) { changed dueTimesMoved } }', { d: days })).setDaysOff;
    expect(await setDays([{ day: '2027-08-17', name: 'Hari Kemerdekaan RI' }])).toEqual({ changed: 1, dueTimesMoved: 1 });
    expect(await dueOf(mine.id)).toBe('2027-08-19T17:00:00.000Z');
    expect((await setDays([{ day: '2027-08-18', name: 'Hari jadi Kabupaten', agencyCode: 'bapenda-bdg' }])).dueTimesMoved).toBe(0);
    expect(await setDays([{ day: '2027-08-18', name: 'Cuti bersama kota', agencyCode: 'lapor-bdg' }])).toEqual({ changed: 1, dueTimesMoved: 1 });
    expect(await dueOf(mine.id)).toBe('2027-08-20T17:00:00.000Z');
    const listed = await gql<{ daysOff: { day: string; name: string; agencyCode: string | null }[] }>(lapor.admin, '{ daysOff(year: 2027) { day name agencyCode } }');
    expect(listed.daysOff).toEqual([
      { day: '2027-08-17', name: 'Hari Kemerdekaan RI', agencyCode: null },
      expect.objectContaining({ day: '2027-08-18' }),
      expect.objectContaining({ day: '2027-08-18' }),
    ]);
    expect(new Set(listed.daysOff.map((d) => d.agencyCode))).toEqual(new Set([null, 'bapenda-bdg', 'lapor-bdg']));
    const ofLapor = await gql<{ daysOff: { agencyCode: string | null }[] }>(lapor.admin, '{ daysOff(year: 2027, agencyCode: "lapor-bdg") { agencyCode } }');
    expect(ofLapor.daysOff.map((d) => d.agencyCode)).toEqual([null, 'lapor-bdg']);
    // The agency reads the same calendar, and never another agency's days.
    const own = await gql<{ myDaysOff: { day: string; agencyCode: string | null }[] }>(lapor.key, '{ myDaysOff(year: 2027) { day agencyCode } }');
    expect(own.myDaysOff).toEqual([
      { day: '2027-08-17', agencyCode: null },
      { day: '2027-08-18', agencyCode: 'lapor-bdg' },
    ]);

    // Removed again, and the agency moved to WIT: the same days end two hours earlier in UTC.
    const removed = await gql<{ removeDayOff: Change }>(lapor.admin, 'mutation { removeDayOff(day: "2027-08-18", agencyCode: "lapor-bdg") { changed dueTimesMoved } }');
    expect(removed.removeDayOff).toEqual({ changed: 1, dueTimesMoved: 1 });
    expect(await update('timezone: "Asia/Jayapura"')).toMatchObject({ timezone: 'WIT', complaintResponseWorkingDays: 3 });
    expect(await dueOf(mine.id)).toBe('2027-08-19T15:00:00.000Z');
    // A six-day week counts Saturday the 14th: Saturday, Monday, Wednesday; due at the end of the 18th, WIT.
    expect(await update('workingWeekdays: [6, 1, 2, 3, 4, 5]')).toMatchObject({ timezone: 'WIT' });
    expect(await dueOf(mine.id)).toBe('2027-08-18T15:00:00.000Z');
    expect((await gql<{ agencies: { code: string; workingWeekdays: number[] }[] }>(lapor.admin, '{ agencies { code workingWeekdays } }')).agencies.find((a) => a.code === 'lapor-bdg')?.workingWeekdays).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    await update('workingWeekdays: [1, 2, 3, 4, 5]');
    expect(await dueOf(mine.id)).toBe('2027-08-19T15:00:00.000Z');
    // Back to hours: counted from the same start.
    expect(await update('complaintResponseHours: 48')).toEqual({ complaintResponseHours: 48, complaintResponseWorkingDays: null, timezone: 'WIT' });
    expect(await dueOf(mine.id)).toBe('2027-08-15T08:00:00.000Z');

    // Bad input is refused by code, and changes nothing.
    expect(await refusal(lapor.admin, 'mutation { setDaysOff(days: [{ day: "2027-02-30", name: "x" }]) { changed } }')).toBe('DAY_OFF_INVALID');
    expect(await refusal(lapor.admin, 'mutation { setDaysOff(days: [{ day: "2027-03-10", name: "x" }, { day: "2027-03-10", name: "y" }]) { changed } }')).toBe('DAY_OFF_INVALID');
    expect(await refusal(lapor.admin, 'mutation { setDaysOff(days: []) { changed } }')).toBe('DAY_OFF_INVALID');
    expect(await refusal(lapor.admin, 'mutation { setDaysOff(days: [{ day: "2027-03-10", name: "x", agencyCode: "no-such" }]) { changed } }')).toBe('AGENCY_NOT_FOUND');
    expect(await refusal(lapor.admin, 'mutation { removeDayOff(day: "2027-08-18", agencyCode: "lapor-bdg") { changed } }')).toBe('DAY_OFF_NOT_FOUND');
    expect(await refusal(lapor.admin, '{ daysOff(year: 1999) { day } }')).toBe('DAY_OFF_INVALID');
    expect(await refusal(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { complaintResponseHours: 24, complaintResponseWorkingDays: 2 }) { code } }')).toBe('AGENCY_INVALID_INPUT');
    expect(await refusal(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { complaintResponseWorkingDays: 61 }) { code } }')).toBe('AGENCY_INVALID_INPUT');
    expect(await refusal(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { timezone: "Mars" }) { code } }')).toBe('AGENCY_INVALID_INPUT');
    expect(await refusal(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { workingWeekdays: [] }) { code } }')).toBe('AGENCY_INVALID_INPUT');
    expect(await refusal(lapor.admin, 'mutation { updateAgency(code: "lapor-bdg", input: { workingWeekdays: [0, 1] }) { code } }')).toBe('AGENCY_INVALID_INPUT');
    expect(await refusal(lapor.key, '{ daysOff(year: 2027) { day } }')).toBe('FORBIDDEN');
    expect(await dueOf(mine.id)).toBe('2027-08-15T08:00:00.000Z');
    await update('timezone: "WIB"');
  });

  it('reports how an agency handles its complaints: answered, in time, still waiting, and the time to a first answer', async () => {
    // Counted from now on, so the complaints of the tests above stay out of it.
    const since = new Date().toISOString();
    const phones = ['+6281255550003', '+6281255550004', '+6281255550005'];
    for (const [i, phone] of phones.entries()) {
      await write(phone, `Keluhan nomor ${String(i + 1)} tentang taman kota`);
      await nthSms(phone, 0);
    }
    const mine = (await complaints(lapor)).filter((c) => c.messages.some((m) => m.text?.endsWith('tentang taman kota') === true));
    const byText = (n: number): string => mine.find((c) => c.messages.some((m) => m.text === `Keluhan nomor ${String(n)} tentang taman kota`))?.id ?? '';
    const [inTime, late, waiting] = [byText(1), byText(2), byText(3)];
    await answer(lapor, inTime, 'Sudah kami jadwalkan.');
    // The second waits past its due time and is reported late before it is answered.
    await sql("update complaint set due_at = now() - interval '1 second' where id = $1", [late]);
    expect(await hub.app.get(ComplaintDeadlines).remindOverdue()).toBeGreaterThanOrEqual(1);
    await answer(lapor, late, 'Maaf terlambat, sudah ditangani.');

    const PERFORMANCE = `query($from: DateTime, $to: DateTime) { complaintPerformance(from: $from, to: $to) {
      agencyCode opened waiting answered closed wentOverdue answeredInTime answerRate inTimeRate medianFirstAnswerHours } }`;
    const mineNow = async (): Promise<Record<string, unknown> | undefined> =>
      (await gql<{ complaintPerformance: Record<string, unknown> }>(lapor.key, PERFORMANCE, { from: since })).complaintPerformance;
    expect(await mineNow()).toEqual({
      agencyCode: 'lapor-bdg',
      opened: 3,
      waiting: 1,
      answered: 2,
      closed: 0,
      wentOverdue: 1,
      answeredInTime: 1,
      answerRate: 0.667,
      inTimeRate: 0.5,
      medianFirstAnswerHours: 0,
    });
    // Closing without a word is no answer.
    await gql(lapor.key, 'mutation($id: ID!) { closeComplaint(id: $id) { id } }', { id: waiting });
    expect(await mineNow()).toMatchObject({ opened: 3, waiting: 0, answered: 2, closed: 1 });

    // Admins see every agency that holds complaints of the period; agencies only their own.
    const all = await gql<{ complaintPerformanceByAgency: { agencyCode: string; opened: number }[] }>(
      lapor.admin,
      'query($from: DateTime) { complaintPerformanceByAgency(from: $from) { agencyCode opened } }',
      { from: since },
    );
    expect(all.complaintPerformanceByAgency).toEqual([{ agencyCode: 'lapor-bdg', opened: 3 }]);
    const empty = await gql<{ complaintPerformance: Record<string, unknown> }>(bapenda.key, PERFORMANCE, { from: since });
    expect(empty.complaintPerformance).toMatchObject({ agencyCode: 'bapenda-bdg', opened: 0, answerRate: null, medianFirstAnswerHours: null });
    expect(await refusal(lapor.key, PERFORMANCE, { from: since, to: new Date(Date.now() - 86_400_000).toISOString() })).toBe('COMPLAINT_PERIOD_INVALID');
    expect(await refusal(lapor.key, '{ complaintPerformanceByAgency { opened } }')).toBe('FORBIDDEN');
  });

  it('purges what citizens wrote and where from under the retention policy, keeping the reference and state', async () => {
    // The answers of the tests above may still be on their way; 90 days on, they would long have gone.
    await noDeliveryInFlight(hub.database.url);
    // The purge job's round, as if the longest retention period (90 days) had passed since.
    await new WaitingRepository(hub.app.get(EntityManager)).purge({ critical: 90, transactional: 7 }, new Date(Date.now() + 91 * 86_400_000));
    expect(Number((await sql<{ n: string }>('select count(*) as n from "complaint" where "purged_at" is null or "from_sealed" is not null'))[0]?.n)).toBe(0);
    expect(Number((await sql<{ n: string }>('select count(*) as n from "notification" where "recipient_role" = \'complaint\' and "address_sealed" is not null'))[0]?.n)).toBe(0);
    const left = await sql<{ n: string }>('select count(*) as n from "complaint_message" m join "complaint" c on c."id" = m."complaint_id" where c."purged_at" is not null and m."text" is not null');
    expect(Number(left[0]?.n)).toBe(0);
    const [one] = await complaints(lapor);
    expect(one?.reference).toMatch(/^ADU-\d{6}$/);
    expect(await refusal(lapor.key, 'mutation($id: ID!) { answerComplaint(id: $id, text: "halo") { id } }', { id: (await complaints(lapor)).find((c) => c.state !== 'closed')?.id })).toBe('COMPLAINT_CLOSED');
  });
});
