import 'reflect-metadata';

import { SecretBox } from '@kabar/core';
import { WaitingScheduler } from '@kabar/hub';
import { eventually, queryDatabase, type TestDatabase } from '@kabar/testing';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { DESTINATION, type SmscPeer,startSmscPeer } from '../../../plugins/sms-smpp/test/smsc-peer.fixture.js';
import { DispatchService } from '../src/delivery/dispatch.service.js';
import { as } from './support/agency-fixture.js';
import { type FullHub, startFullHub } from './support/full-hub.js';
import { type PolicyAgency, policyAgency, registeredCitizen, registerType } from './support/policy-fixture.js';

/**
 * Dispatch against a real SMSC that throttles and then goes away mid-run: retries with backoff, a final failure that
 * moves on to the citizen's next channel, and a circuit breaker that stops calling the dead SMSC and closes again
 * after a successful half-open probe once it is back.
 */
describe('delivery retries and circuit breaking on PostgreSQL and Kafka', () => {
  const services = inject('services');
  let hub: FullHub;
  let database: TestDatabase;
  let app: INestApplication;
  let url: string;
  let smsc: SmscPeer;
  let agency: PolicyAgency;
  let type: string;
  let nik = 3273010101900500;
  let namespace = '';

  const sql = <Row extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<Row[]> => queryDatabase<Row>(database.url, text, values);
  const stateOf = async (ceId: string) =>
    (await sql<{ id: string; state: string; channel: string }>('select n.id, n.state, n.channel from notification n join event e on e.id = n.event_id where e.ce_id = $1', [ceId]))[0];
  const attemptsOf = async (notificationId: string | undefined) =>
    (await sql<{ plugin: string; error_code: string | null }>('select plugin, error_code from delivery_attempt where notification_id = $1 order by id', [notificationId])).map((a) => [
      a.plugin,
      a.error_code,
    ]);
  const retryDue = async (notificationId: string | undefined): Promise<Date> => {
    const [job] = await sql<{ due_at: Date }>("select due_at from scheduled_job where kind = 'retry' and ref = $1", [notificationId]);
    if (job === undefined) throw new Error('no retry scheduled');
    return new Date(job.due_at);
  };
  const smsCitizen = async (phone: string): Promise<string> => {
    const nationalId = String(nik++);
    await registeredCitizen(app, { nationalId, contacts: [{ channel: 'sms', value: phone }] });
    return nationalId;
  };
  const publish = async (id: string, subject: string): Promise<void> => {
    const res = await as(url, agency.key, 'mutation($e: CloudEventInput!) { publishEvent(event: $e) { status } }', {
      e: { specversion: '1.0', id, source: agency.source, type, subject, data: { note: id } },
    });
    if (res.errors !== undefined) throw new Error(JSON.stringify(res.errors));
  };
  const waitFor = (ceId: string, states: string[]) => eventually(async () => {
    const n = await stateOf(ceId);
    return n !== undefined && states.includes(n.state) ? n : undefined;
  });

  beforeAll(async () => {
    smsc = await startSmscPeer();
    const plugins = { 'sms-smpp': { host: '127.0.0.1', port: smsc.port, systemId: 'kabar', password: 'rahasia1', defaultSender: 'KABAR', responseTimeoutMs: 1_000 } };
    hub = await startFullHub(services, (config) => config.with({ plugins, delivery: { maxAttempts: 3, breakerThreshold: 2, breakerCooldownMs: 1_000 } }));
    ({ app, url, database } = hub);
    namespace = hub.config.kafka?.namespace ?? '';
    agency = await policyAgency(app, url, 'bapenda-bdg', 'Bapenda Kota Bandung');
    type = await registerType(url, agency, 'bill', { messageClass: 'transactional', channels: ['sms', 'inbox'] });
  });

  afterAll(async () => {
    await hub.close();
    await smsc.close();
  });

  it('retries a throttled message with backoff, then fails it and moves on to the inbox', async () => {
    await publish('throttled-1', await smsCitizen(DESTINATION.throttled));
    const first = await waitFor('throttled-1', ['retrying']);
    const due = await retryDue(first.id);
    expect(due.getTime()).toBeGreaterThan(Date.now() + 10_000);

    await app.get(WaitingScheduler).runOnce(new Date(due.getTime() + 1_000));
    await eventually(async () => ((await attemptsOf(first.id)).length === 2 ? true : undefined));
    await waitFor('throttled-1', ['retrying']);
    await app.get(WaitingScheduler).runOnce(new Date((await retryDue(first.id)).getTime() + 1_000));

    // The third (last) attempt fails for good, and the citizen's next channel takes over at once.
    const moved = await eventually(async () => {
      const n = await stateOf('throttled-1');
      return n?.state === 'failed' || n?.channel === 'inbox' ? n : undefined;
    });
    await app.get(WaitingScheduler).runOnce(new Date());
    await waitFor('throttled-1', ['delivered']);
    expect((await stateOf('throttled-1'))?.channel).toBe('inbox');
    expect(await attemptsOf(moved.id)).toEqual([
      ['sms-smpp', 'RATE_LIMITED'],
      ['sms-smpp', 'RATE_LIMITED'],
      ['sms-smpp', 'RATE_LIMITED'],
      ['inbox', null],
    ]);
  });

  it('marks an SMS delivered on the SMSC delivery receipt, or moves on to the next channel when the receipt says it failed', async () => {
    await publish('dlr-ok', await smsCitizen('+6281234560101'));
    await publish('dlr-fail', await smsCitizen('+6281234560102'));
    const ok = await waitFor('dlr-ok', ['sent']);
    const fail = await waitFor('dlr-fail', ['sent']);
    const messageIdOf = async (id: string | undefined) =>
      (await sql<{ provider_message_id: string }>('select provider_message_id from delivery_attempt where notification_id = $1', [id]))[0]?.provider_message_id ?? '';
    const receipt = (messageId: string, stat: string) => ({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234560101', esm_class: 0x04, data_coding: 0,
      short_message: `id:${messageId} sub:001 dlvrd:001 submit date:2612011030 done date:2612011031 stat:${stat} err:000 text:x`,
    });
    await smsc.deliver(receipt(await messageIdOf(ok.id), 'DELIVRD'));
    await smsc.deliver(receipt(await messageIdOf(fail.id), 'UNDELIV'));
    expect((await waitFor('dlr-ok', ['delivered'])).channel).toBe('sms');
    // UNDELIV: failed for good on SMS, so the citizen's inbox takes it at once.
    await eventually(async () => {
      await app.get(WaitingScheduler).runOnce(new Date());
      return (await stateOf('dlr-fail'))?.channel === 'inbox' ? true : undefined;
    });
    expect(await attemptsOf((await waitFor('dlr-fail', ['delivered'])).id)).toEqual([
      ['sms-smpp', null],
      ['inbox', null],
    ]);
  });

  it('applies a delivery receipt that overtook its attempt once the attempt is written, and receipts that come together', async () => {
    const messageIdOf = async (ceId: string) =>
      (await sql<{ provider_message_id: string }>('select d.provider_message_id from delivery_attempt d join notification n on n.id = d.notification_id join event e on e.id = n.event_id where e.ce_id = $1', [ceId]))[0]
        ?.provider_message_id ?? '';
    const receipt = (messageId: string) => ({
      source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234560201', esm_class: 0x04, data_coding: 0,
      short_message: `id:${messageId} sub:001 dlvrd:001 submit date:2612011030 done date:2612011031 stat:DELIVRD err:000 text:x`,
    });
    // The peer numbers the messages it accepts: the receipt for the next one comes before it is even sent, as a fast
    // SMSC's receipt can come before the hub has written the attempt of a large batch.
    const early = `tsel-${String(smsc.submits.filter((s) => s.messageId !== undefined).length + 1).padStart(6, '0')}`;
    expect((await smsc.deliver(receipt(early))).command_status).toBe(0);
    expect(await sql("select payload->>'state' as state from scheduled_job where kind = 'receipt'")).toEqual([{ state: 'delivered' }]);
    await publish('dlr-early', await smsCitizen('+6281234560201'));
    await eventually(async () => ((await stateOf('dlr-early'))?.state === 'delivered' ? true : undefined));
    expect(await messageIdOf('dlr-early')).toBe(early);
    expect(await sql("select id from scheduled_job where kind = 'receipt'")).toEqual([]);

    // Five receipts at once, each answered only when recorded; a repeated receipt changes nothing.
    const ids = ['dlr-many-1', 'dlr-many-2', 'dlr-many-3', 'dlr-many-4', 'dlr-many-5'];
    for (const [i, id] of ids.entries()) await publish(id, await smsCitizen(`+628123456030${String(i)}`));
    for (const id of ids) await waitFor(id, ['sent']);
    const answers = await Promise.all([...ids, ids[0] ?? ''].map(async (id) => (await smsc.deliver(receipt(await messageIdOf(id)))).command_status));
    expect(answers).toEqual([0, 0, 0, 0, 0, 0]);
    for (const id of ids) expect((await stateOf(id))?.state).toBe('delivered');
  });

  /** Reads a topic from its start until `done` says the records are enough. */
  const readTopic = async <T,>(topic: string, done: (records: { value: Record<string, unknown>; headers: Record<string, string> }[]) => T | undefined): Promise<T> => {
    const kafka = new Kafka({ brokers: services.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${topic}-reader-${namespace}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${namespace}${topic}`, fromBeginning: true });
    const received: { value: Record<string, unknown>; headers: Record<string, string> }[] = [];
    await consumer.run({
      eachMessage: ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        received.push({ value: JSON.parse(message.value?.toString() ?? '{}') as Record<string, unknown>, headers });
        return Promise.resolve();
      },
    });
    try {
      return await eventually(() => Promise.resolve(done(received)));
    } finally {
      await consumer.disconnect();
    }
  };

  it('publishes a citizen’s SMS reply on kabar.inbound.v1 with the sender sealed', async () => {
    const replies = readTopic('kabar.inbound.v1', (records) => (records.length > 0 ? records : undefined));
    await smsc.deliver({ source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234560103', destination_addr: '1500123', esm_class: 0, data_coding: 0, short_message: 'SUDAH BAYAR' });
    const [reply] = (await replies).map((r) => r.value);
    const box = app.get(SecretBox);
    expect(reply).toMatchObject({ plugin: 'sms-smpp', channel: 'sms', to: '1500123', text: 'SUDAH BAYAR', fromHash: box.lookupHash('+6281234560103') });
    expect(box.decrypt(String(reply?.fromSealed))).toBe('+6281234560103');
    expect(JSON.stringify(reply)).not.toContain('6281234560103');
  });

  it('asks the SMSC to deliver a reply again while the database cannot record it, and publishes the retry once it can', async () => {
    const replies = readTopic('kabar.inbound.v1', (records) => (records.some((r) => r.value.text === 'JALAN RUSAK') ? records : undefined));
    const reply = { source_addr_ton: 1, source_addr_npi: 1, source_addr: '6281234560104', destination_addr: '1500123', esm_class: 0, data_coding: 0, short_message: 'JALAN RUSAK' };
    // The outbox out of reach: the reply cannot be recorded.
    await sql('alter table outbox rename to outbox_out_of_reach');
    try {
      expect(await smsc.deliver(reply)).toMatchObject({ command: 'deliver_sm_resp', command_status: 0x64 });
    } finally {
      await sql('alter table outbox_out_of_reach rename to outbox');
    }
    expect(await smsc.deliver(reply)).toMatchObject({ command: 'deliver_sm_resp', command_status: 0 });
    expect((await replies).filter((r) => r.value.text === 'JALAN RUSAK')).toHaveLength(1);
  });

  it('puts each delivery that failed for good on kabar.dispatch.dlq.v1, with the reason in headers and no personal data', async () => {
    const dead = await readTopic('kabar.dispatch.dlq.v1', (records) => (records.length >= 2 ? records : undefined));
    const byId = new Map(dead.map((d) => [String(d.value.id), d]));
    // Retries spent at the SMSC's throttling, and a delivery receipt saying UNDELIV.
    expect(byId.get('throttled-1')).toMatchObject({
      value: { agency: 'bapenda-bdg', channel: 'sms', plugin: 'sms-smpp', code: 'RATE_LIMITED', source: agency.source },
      headers: { 'kabar-dlq-code': 'RATE_LIMITED', 'kabar-dlq-reason': 'RATE_LIMITED: retries spent after 3 attempts', 'kabar-agency': 'bapenda-bdg' },
    });
    expect(byId.get('dlr-fail')).toMatchObject({ value: { channel: 'sms', code: 'DLR_FAILED' }, headers: { 'kabar-dlq-code': 'DLR_FAILED', 'kabar-dlq-reason': "DLR_FAILED: the provider's receipt says UNDELIV" } });
    expect(JSON.stringify(dead)).not.toMatch(/6281234560|\+628/);
  });

  it('opens the circuit when the SMSC goes down, stops calling it, and closes it after a probe once it is back', async () => {
    const port = smsc.port;
    await smsc.close();
    for (const id of ['down-1', 'down-2']) {
      await publish(id, await smsCitizen('+6281234560001'));
      await waitFor(id, ['retrying']);
    }
    expect(await attemptsOf((await stateOf('down-2'))?.id)).toEqual([['sms-smpp', 'CONNECTION_FAILED']]);

    // Two outages in a row: the circuit is open, the next message is not even handed to the plugin.
    await publish('down-3', await smsCitizen('+6281234560002'));
    const refused = await waitFor('down-3', ['retrying']);
    expect(await attemptsOf(refused.id)).toEqual([['sms-smpp', 'CIRCUIT_OPEN']]);

    smsc = await startSmscPeer(undefined, port);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the breaker's cooldown, on the hub's own clock
    // Retries come due (the scheduler is run two minutes ahead: past the backoff, well before the ten-minute fallback
    // deadline); the first batch is the half-open probe, its success closes the circuit and the rest follow.
    await eventually(async () => {
      await app.get(WaitingScheduler).runOnce(new Date(Date.now() + 2 * 60_000));
      const states = await Promise.all(['down-1', 'down-2', 'down-3'].map(async (id) => (await stateOf(id))?.state));
      return states.every((state) => state === 'sent') ? true : undefined;
    }).catch(async (error: unknown) => {
      const rows = await Promise.all(['down-1', 'down-2', 'down-3'].map(async (id) => [id, await stateOf(id), await attemptsOf((await stateOf(id))?.id)]));
      throw new Error(`${String(error)}: ${JSON.stringify(rows)}`);
    });
    expect(smsc.submits).toHaveLength(3);
    const attempts = await attemptsOf(refused.id);
    expect(attempts[0]).toEqual(['sms-smpp', 'CIRCUIT_OPEN']);
    expect(attempts.at(-1)).toEqual(['sms-smpp', null]);
  });

  it('does not send again what another worker claimed and is still sending, and sends it once that claim has run out', async () => {
    const phone = '+6281234560401';
    await publish('in-flight-1', await smsCitizen(phone));
    const sent = await waitFor('in-flight-1', ['sent']);
    const submitsTo = (): number => smsc.submits.filter((s) => s.destinationAddr === phone.slice(1)).length;
    expect(submitsTo()).toBe(1);
    // As if another worker had just claimed it and were calling the SMSC when a rebalance handed its dispatch batch here.
    await sql("update notification set state = 'dispatching', updated_at = now() where id = $1", [sent.id]);
    const batch = { topic: 'kabar.dispatch.v1', key: null, value: Buffer.from(JSON.stringify({ notificationIds: [sent.id] })), headers: {}, partition: 0, offset: '0', timestamp: Date.now() };
    await app.get(DispatchService).handle([batch]);
    expect(submitsTo()).toBe(1);
    expect((await stateOf('in-flight-1'))?.state).toBe('dispatching');
    // A retry for when that claim runs out (five minutes, and a second).
    const [job] = await sql<{ due_at: Date; claimed_at: Date }>(
      "select j.due_at, n.updated_at as claimed_at from scheduled_job j join notification n on n.id::text = j.ref where j.kind = 'retry' and j.ref = $1",
      [sent.id],
    );
    expect(job === undefined ? undefined : new Date(job.due_at).getTime() - new Date(job.claimed_at).getTime()).toBe(301_000);

    // That worker died: once its claim is older than the lease, the retry sends it, once.
    await sql("update notification set updated_at = now() - interval '6 minutes' where id = $1", [sent.id]);
    await app.get(WaitingScheduler).runOnce(new Date(Date.now() + 302_000));
    await waitFor('in-flight-1', ['sent']);
    expect(submitsTo()).toBe(2);
    expect((await attemptsOf(sent.id)).map(([plugin]) => plugin)).toEqual(['sms-smpp', 'sms-smpp']);
  });

  it('claims an SMS (committed) before handing it to the SMSC, where a crash mid-call would leave it visible', async () => {
    // This number gets no answer from the SMSC: the call lasts until the plugin's 1 s timeout, long enough to look.
    await publish('claimed-1', await smsCitizen(DESTINATION.silent));
    const during = await eventually(async () => {
      const [n] = await sql<{ state: string; attempts: number }>("select n.state, n.attempts from notification n join event e on e.id = n.event_id where e.ce_id = 'claimed-1'");
      return n?.state === 'dispatching' ? n : undefined;
    }, 10_000, 20);
    expect(during.attempts).toBe(1);
    expect(smsc.submits.some((s) => s.destinationAddr === DESTINATION.silent.slice(1))).toBe(true);
    const after = await waitFor('claimed-1', ['retrying']);
    expect(await attemptsOf(after.id)).toEqual([['sms-smpp', 'TIMEOUT']]);
  });
});
