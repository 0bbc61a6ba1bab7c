// The contract floor: the least any implementation of the agency contract must do per event on this design
// (ARCHITECTURE §3), written as plainly as kafkajs and pg allow, so that Kabar's figures can be read against it as well
// as against the raw floor. Two consumers in this process, as Kabar's stages are in one hub process:
//   ingest   (the events topic):  one transaction per batch: the events (unique on source and id), a notification for
//            each event that is new, an outbox row holding what goes out; then the dispatch records and an `accepted`
//            status each go to Kafka and the outbox row is deleted.
//   dispatch (the dispatch topic): one transaction per batch: the notifications not yet delivered marked delivered, an
//            inbox item and a delivery attempt for each of those, an outbox row; then a `delivered` status each goes
//            out, the row is deleted.
// Kafka hands a record over again after a rebalance or a restart before its offset was committed, so both stages key
// their writes on what is new: a replayed record changes nothing and sends nothing, as the contract requires.
// What it leaves out, and Kabar does: every read (the agency's key and event type, the citizen behind the subject, their
// contact points, consents, caps and history: the policy), the checks (the CloudEvent's attributes, `data` against the
// event type's schema, the record's signature), rendering from a template, the callback consumer reading the statuses
// back, and every index not needed to answer `event(source, id)` and a citizen's inbox.
import { timeOrderedId } from '@kabar/core';

const SCHEMA = `
  create table cf_event (id uuid primary key, source text not null, ce_id text not null, subject text not null, type text not null,
    data jsonb not null, created_at timestamptz not null default now(), unique (source, ce_id));
  create table cf_notification (id uuid primary key, event_id uuid not null, subject text not null, channel text not null,
    status text not null, updated_at timestamptz not null default now()) with (fillfactor = 50);
  create index on cf_notification (event_id);
  create table cf_inbox_item (id uuid primary key, notification_id uuid not null, subject text not null, body text not null,
    created_at timestamptz not null default now());
  create index on cf_inbox_item (subject, created_at);
  create table cf_attempt (id uuid primary key, notification_id uuid not null, outcome text not null, created_at timestamptz not null default now());
  create index on cf_attempt (notification_id);
  create table cf_outbox (id bigserial primary key, records jsonb not null);`;

// One formatter for the run: building an Intl formatter per message costs more than the rest of the message.
const rupiah = new Intl.NumberFormat('id-ID');

const statusJson = (notification, event, state, at) =>
  JSON.stringify({
    specversion: '1.0', id: `${notification}.${state}`, source: 'urn:kabar:hub', type: 'id.kabar.notification.status.v1', subject: notification,
    time: at, datacontenttype: 'application/json', kabaragency: 'bench',
    data: { agency: 'bench', eventId: event.eventId, source: event.source, id: event.id, notificationId: notification, state, reason: null, channel: 'inbox', at },
  });

/**
 * Commits the rows `write` adds with the outgoing records it returns in an outbox row, publishes them, deletes the row;
 * resolves with how many records went out.
 */
async function throughOutbox(pool, producer, write) {
  const client = await pool.connect();
  let outboxId;
  let outgoing;
  try {
    await client.query('begin');
    outgoing = await write(client);
    if (outgoing.length === 0) {
      await client.query('commit');
      return 0;
    }
    outboxId = (await client.query('insert into cf_outbox (records) values ($1) returning id', [JSON.stringify(outgoing)])).rows[0].id;
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
  // Brokers refuse requests over message.max.bytes (1 MiB by default): chunks of 512 KiB, in order, as Kabar's bus sends.
  let chunk = [];
  let bytes = 0;
  const send = async () => {
    const byTopic = new Map();
    for (const r of chunk) {
      const messages = byTopic.get(r.topic) ?? [];
      messages.push({ key: r.key, value: r.value });
      byTopic.set(r.topic, messages);
    }
    await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    [chunk, bytes] = [[], 0];
  };
  for (const r of outgoing) {
    if (chunk.length > 0 && bytes + r.value.length > 512 * 1024) await send();
    chunk.push(r);
    bytes += r.value.length;
  }
  if (chunk.length > 0) await send();
  await pool.query('delete from cf_outbox where id = $1', [outboxId]);
  return outgoing.length;
}

/**
 * Runs the contract floor over the N events already on `eventsTopic` and resolves when the last `delivered` status is
 * on Kafka, with its start and end (performance.now()).
 */
export async function runContractFloor({ kafka, pg, dbUrl, eventsTopic, namespace, partitions, n }) {
  const dispatchTopic = `${namespace}bench.contract.dispatch.v1`;
  const statusTopic = `${namespace}bench.contract.status.v1`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [dispatchTopic, statusTopic].map((topic) => ({ topic, numPartitions: partitions })) });
  await admin.disconnect();
  const pool = new pg.Pool({ connectionString: dbUrl, max: 10 });
  pool.on('error', (error) => {
    if (!pool.ending) throw error;
  });
  await pool.query(SCHEMA);
  const producer = kafka.producer();
  await producer.connect();
  const ingest = kafka.consumer({ groupId: `${namespace}contract-ingest`, maxWaitTimeInMs: 100 });
  const dispatch = kafka.consumer({ groupId: `${namespace}contract-dispatch`, maxWaitTimeInMs: 100 });
  await Promise.all([ingest.connect(), dispatch.connect()]);
  await ingest.subscribe({ topic: eventsTopic, fromBeginning: true });
  await dispatch.subscribe({ topic: dispatchTopic, fromBeginning: true });
  let start = 0;
  let delivered = 0;
  const done = new Promise((resolve, reject) => {
    // A consumer that stops for good (kafkajs does not restart it after an error it deems final) ends the run.
    for (const consumer of [ingest, dispatch]) {
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
    }
    ingest.run({
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch }) => {
        if (batch.messages.length === 0) return;
        if (start === 0) start = performance.now();
        const events = batch.messages.map((m) => ({ ...JSON.parse(m.value.toString()), eventId: timeOrderedId(), notification: timeOrderedId() }));
        await throughOutbox(pool, producer, async (client) => {
          const { rows } = await client.query(
            `with fresh as (
               insert into cf_event (id, source, ce_id, subject, type, data)
               select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) on conflict do nothing
               returning id, subject)
             insert into cf_notification (id, event_id, subject, channel, status)
             select u.notification, fresh.id, fresh.subject, 'inbox', 'accepted'
             from fresh join unnest($1::uuid[], $7::uuid[]) as u (event_id, notification) on u.event_id = fresh.id
             returning event_id`,
            [events.map((e) => e.eventId), events.map((e) => e.source), events.map((e) => e.id), events.map((e) => e.subject),
              events.map((e) => e.type), events.map((e) => JSON.stringify(e.data)), events.map((e) => e.notification)],
          );
          const fresh = new Set(rows.map((r) => r.event_id));
          const at = new Date().toISOString();
          return events.filter((e) => fresh.has(e.eventId)).flatMap((e) => [
            { topic: dispatchTopic, key: e.subject, value: JSON.stringify({ notification: e.notification, eventId: e.eventId, source: e.source, id: e.id, subject: e.subject, data: e.data }) },
            { topic: statusTopic, key: 'bench', value: statusJson(e.notification, e, 'accepted', at) },
          ]);
        });
      },
    }).catch(reject);
    dispatch.run({
      partitionsConsumedConcurrently: partitions,
      eachBatch: async ({ batch }) => {
        if (batch.messages.length === 0) return;
        const items = batch.messages.map((m) => JSON.parse(m.value.toString()));
        // Partitions run concurrently: the count is added to after the await, never read across it.
        const sent = await throughOutbox(pool, producer, async (client) => {
          const { rows } = await client.query(
            `update cf_notification set status = 'delivered', updated_at = now() where id = any($1::uuid[]) and status <> 'delivered' returning id`,
            [items.map((i) => i.notification)],
          );
          const fresh = new Set(rows.map((r) => r.id));
          const due = items.filter((i) => fresh.has(i.notification));
          if (due.length === 0) return [];
          const bodies = due.map((i) => `Pajak Anda sebesar Rp ${rupiah.format(i.data.amount)} jatuh tempo ${i.data.dueDate}.`);
          await client.query(
            `insert into cf_inbox_item (id, notification_id, subject, body) select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[])`,
            [due.map(() => timeOrderedId()), due.map((i) => i.notification), due.map((i) => i.subject), bodies],
          );
          await client.query(
            `insert into cf_attempt (id, notification_id, outcome) select id, notification_id, 'delivered' from unnest($1::uuid[], $2::uuid[]) as u (id, notification_id)`,
            [due.map(() => timeOrderedId()), due.map((i) => i.notification)],
          );
          const at = new Date().toISOString();
          return due.map((i) => ({ topic: statusTopic, key: 'bench', value: statusJson(i.notification, i, 'delivered', at) }));
        });
        delivered += sent;
        if (delivered >= n) resolve(performance.now());
      },
    }).catch(reject);
  });
  const end = await done;
  await Promise.all([ingest.disconnect(), dispatch.disconnect(), producer.disconnect()]);
  // The figures count only if the work was done: every event stored once, delivered to the inbox, told twice.
  const { rows } = await pool.query(`select (select count(*) from cf_event) as events, (select count(*) from cf_inbox_item) as inbox,
    (select count(*) from cf_notification where status = 'delivered') as delivered, (select count(*) from cf_outbox) as outbox`);
  await pool.end();
  const statusAdmin = kafka.admin();
  await statusAdmin.connect();
  const offsets = await statusAdmin.fetchTopicOffsets(statusTopic);
  await statusAdmin.disconnect();
  const statuses = offsets.reduce((sum, o) => sum + Number(o.high), 0);
  const counts = { events: Number(rows[0].events), inbox: Number(rows[0].inbox), delivered: Number(rows[0].delivered), outbox: Number(rows[0].outbox), statuses };
  const expected = { events: n, inbox: n, delivered: n, outbox: 0, statuses: 2 * n };
  if (JSON.stringify(counts) !== JSON.stringify(expected)) throw new Error(`the contract floor did other work than its ${n} events: ${JSON.stringify(counts)}`);
  return { start, end };
}
