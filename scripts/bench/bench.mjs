// npm run bench [-- --events N] [--broadcast N] [--history N] [--channel inbox|sms] [--callbacks]
//                  [--transport kafka|http [--batch N] [--connections N]]
// Publishes N CloudEvents to Kafka and measures the whole Kabar path (Kafka -> ingest -> PostgreSQL -> outbox ->
// dispatch -> inbox plugin) in a real hub process, then, in the same run, the raw floor: a bare kafkajs consumer that
// reads the same records and inserts them into PostgreSQL in batches, and the contract floor (contract-floor.mjs: the
// writes and messages the contract needs, with no reads and no checks). Prints figures and the ratios. Then a broadcast:
// one event to a region of --broadcast N generated citizens (default 1,000,000), paged through the policy engine and
// dispatched to the inbox. The policy runs on every event (consent, dedup, caps, channel, quiet hours); platform caps
// and quiet hours are switched off so that every event is deliverable and the figures do not depend on the hour.
// --channel sms delivers through the sms-smpp plugin to a real SMPP peer (`kabar smsc`, in its own process) that
// answers every submit_sm and sends a delivery receipt; the run ends when every notification is delivered (receipt
// applied). --callbacks gives the agency a callback URL: a receiver in this process counts the signed status
// callbacks, and the run ends when all have arrived.
// --transport http publishes the same events over the hubs' POST /v1/events instead of Kafka: --batch events per
// request (1: one structured event per request, as most agencies send; more: application/cloudevents-batch+json), from
// --connections kept-alive connections spread over the hubs, authenticated with the agency's API key. The client is
// this process: its CPU is in the machine's figure. The floor still reads the records from Kafka (its own topic).
// Not a test.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { Agent as HttpAgent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { signKafkaRecord } from '@kabar/contracts';
import { generateWebhookSecret, hashSecret, newCredential, SecretBox } from '@kabar/core';
import { TOPICS } from '@kabar/messaging';
import { AgencyRepository, CatalogRepository, CitizenRepository, migrate, openDatabase } from '@kabar/persistence';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

import { runContractFloor } from './contract-floor.mjs';

const { values } = parseArgs({
  options: { broadcast: { type: 'string', default: '1000000' }, events: { type: 'string', default: '100000' }, citizens: { type: 'string', default: '1000' }, partitions: { type: 'string', default: '6' }, hubs: { type: 'string', default: '1' }, history: { type: 'string', default: '0' }, channel: { type: 'string', default: 'inbox' }, callbacks: { type: 'boolean', default: false }, transport: { type: 'string', default: 'kafka' }, batch: { type: 'string', default: '100' }, connections: { type: 'string', default: '8' } },
});
const HUBS = Number(values.hubs);
const N = Number(values.events);
const CITIZENS = Number(values.citizens);
const PARTITIONS = Number(values.partitions);
const BROADCAST = Number(values.broadcast);
const HISTORY = Number(values.history);
const CHANNEL = values.channel;
if (CHANNEL !== 'inbox' && CHANNEL !== 'sms') throw new Error(`--channel must be inbox or sms, not ${CHANNEL}`);
const CALLBACKS = values.callbacks;
const TRANSPORT = values.transport;
if (TRANSPORT !== 'kafka' && TRANSPORT !== 'http') throw new Error(`--transport must be kafka or http, not ${TRANSPORT}`);
const BATCH = Number(values.batch);
const CONNECTIONS = Number(values.connections);
if (!(BATCH >= 1 && BATCH <= 1000) || !(CONNECTIONS >= 1)) throw new Error('--batch must be 1 to 1000 (the hub\'s batch limit) and --connections at least 1');
// Status messages (and so callbacks) per notification: accepted and delivered; an SMS is also sent before its receipt.
const STATUSES_PER_NOTIFICATION = CHANNEL === 'sms' ? 3 : 2;
const env = Object.fromEntries(
  readFileSync(new URL('../../.kabar/services.env', import.meta.url), 'utf8')
    .split('\n').filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2)),
);
const adminUrl = env.DATABASE_URL;
const brokers = env.KAFKA_BROKERS.split(',');
const quiet = { debug() {}, info() {}, warn: console.warn, error: console.error };
const SOURCE = '/bench/agency';
const TYPE = 'id.go.bench.reminder.v1';
const subjectOf = (i) => `3200000000${String(i).padStart(6, '0')}`;

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try { return await fn(client); } finally { await client.end(); }
}

async function freshDatabase(name) {
  await withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`).then(() => c.query(`create database ${name}`)));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const freePort = () => new Promise((resolve, reject) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  }).on('error', reject);
});

// --callbacks: the agency's receiver, counting the callbacks (each one status message, signed; not checked here, the
// tests do that). Its CPU is this process's, not the hub's; the machine's figure includes it.
let callbacksReceived = 0;
const receiver = CALLBACKS
  ? await new Promise((resolve) => {
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        callbacksReceived += 1;
        res.writeHead(204).end();
      });
    }).listen(0, '127.0.0.1', () => resolve(server));
  })
  : null;

// --channel sms: the SMPP peer, `kabar smsc` in its own process, answering at once and sending receipts.
const SMPP_PASSWORD = 'bench';
const smsc = CHANNEL === 'sms'
  ? await (async () => {
    const port = await freePort();
    const cli = fileURLToPath(new URL('../../apps/cli/dist/main.js', import.meta.url));
    // It prints every message on stdout: thrown away, as its notes on stderr are.
    const child = spawn(process.execPath, [cli, 'smsc', '--port', String(port), '--system-id', 'kabar', '--password', SMPP_PASSWORD], { stdio: 'ignore' });
    for (let tries = 0; ; tries++) {
      const up = await new Promise((resolve) => connect(port, '127.0.0.1').once('connect', function () { this.destroy(); resolve(true); }).once('error', () => resolve(false)));
      if (up) break;
      if (tries > 100) throw new Error('kabar smsc did not start listening');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { port, child };
  })()
  : null;
const phoneOf = (i) => `+62812${String(i).padStart(7, '0')}`;

// ---- setup: database, agency, type, templates, citizens, records on Kafka
const masterKey = randomBytes(32);
const box = new SecretBox({ k1: masterKey }, 'k1');
const dbUrl = await freshDatabase('kabar_bench');
const orm = await openDatabase({ kind: 'postgres', url: dbUrl }, 10_000, quiet);
await migrate(orm);
const agency = await new AgencyRepository(orm.em).create({
  code: 'bench', name: 'Bench', defaultLocale: 'id', senderIds: CHANNEL === 'sms' ? { sms: 'BENCH' } : {}, sources: [SOURCE], ratePerMinute: 1e9, dailyQuota: 1e9,
  callbackUrl: receiver === null ? null : `http://127.0.0.1:${receiver.address().port}/kabar-status`, callbackSecretSealed: receiver === null ? null : box.encrypt(generateWebhookSecret()),
}, () => null);
// The agency's producer signs every record with its key, as the hub requires by default (KABAR_KAFKA_EVENT_AUTH).
const credential = newCredential('live');
await new AgencyRepository(orm.em).addKey({ id: credential.id, agencyId: agency.id, name: 'bench', kind: 'live', secretHash: hashSecret(credential.secret), secretSealed: box.encrypt(credential.secret) }, () => null);
const signed = (key, value) => ({ key, value, headers: signKafkaRecord(credential.id, credential.secret, { value, headers: { 'content-type': 'application/cloudevents+json' } }) });
const catalog = new CatalogRepository(orm.em);
const type = await catalog.upsertEventType(agency.id, { type: TYPE, description: null, messageClass: 'reminder', dataSchema: { type: 'object', required: ['n', 'amount', 'dueDate'], properties: { n: { type: 'integer' }, amount: { type: 'integer' }, dueDate: { type: 'string' } } }, allowedChannels: [CHANNEL], defaultExpirySeconds: 86400, requiredLocales: ['id', 'en'] }, () => null);
await catalog.addTemplateVersions(type.id, [
  // As agencies' templates are (see the demo data): amounts and dates through the number and date helpers.
  { channel: CHANNEL, locale: 'id', subject: null, body: 'Pengingat nomor {{n}}: tagihan Rp{{formatNumber amount}} jatuh tempo {{formatDate dueDate}}.', html: null },
  { channel: CHANNEL, locale: 'en', subject: null, body: 'Reminder number {{n}}: IDR {{formatNumber amount}} due on {{formatDate dueDate}}.', html: null },
], () => null);
const citizens = new CitizenRepository(orm.em);
// For SMS each citizen has a verified phone, sealed as every contact point is.
const contactsOf = (i) => (CHANNEL === 'sms' ? [{ channel: 'sms', valueSealed: box.encrypt(phoneOf(i)), lookupHash: box.lookupHash(phoneOf(i)), verified: true }] : []);
for (let i = 0; i < CITIZENS; i++) await citizens.create(box.lookupHash(subjectOf(i)), i % 2 ? 'en' : 'id', contactsOf(i));
await orm.close();

// --history N: the tables first hold N earlier events, each with its notification, attempt and inbox item, as a hub
// that has run for a while has (ids random, as every id was before time-ordered ids). An empty database flatters the
// writes: its indexes fit in memory whatever order keys arrive in.
if (HISTORY > 0) {
  const started = performance.now();
  await withClient(dbUrl, async (c) => {
    await c.query(`create temp table history as select g, gen_random_uuid() as event_id, gen_random_uuid() as notification_id,
      c.id as citizen_id from generate_series(1, ${HISTORY}) g join (select id, (row_number() over (order by id) - 1)::int as k from citizen) c on c.k = g % ${CITIZENS}`);
    await c.query(`insert into event (id, agency_id, source, ce_id, type, expires_at, data, received_via, status, created_at, sandbox)
      select event_id, $1, '/bench/history', 'h-' || g, $2, now(), jsonb_build_object('n', g), 'kafka', 'accepted', now() - interval '1 day', false from history`, [agency.id, TYPE]);
    await c.query(`insert into notification (id, event_id, agency_id, citizen_id, channel, locale, template_version, state, rendered_body, created_at, updated_at, attempts, message_class, decisions)
      select notification_id, event_id, $1, citizen_id, 'inbox', 'id', 1, 'delivered', 'Pengingat nomor ' || g, now() - interval '1 day', now() - interval '1 day', 1, 'reminder', '[]' from history`, [agency.id]);
    await c.query(`insert into delivery_attempt (notification_id, plugin, attempt_no, status, latency_ms, created_at, finished_at)
      select notification_id, 'inbox', 1, 'sent', 1, now() - interval '1 day', now() - interval '1 day' from history`);
    await c.query(`insert into inbox_item (notification_id, citizen_id, agency_code, event_type, body, locale, created_at)
      select notification_id, citizen_id, 'bench', $1, 'Pengingat nomor ' || g, 'id', now() - interval '1 day' from history`, [TYPE]);
    await c.query('vacuum analyze event, notification, delivery_attempt, inbox_item');
  });
  console.log(`history: ${fmt(HISTORY)} earlier events with their notifications, attempts and inbox items written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const namespace = `bench${randomBytes(3).toString('hex')}.`;
const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
// Over HTTP the hubs get the events from this process; the floor still reads them from Kafka, from a topic of its own.
const floorTopic = TRANSPORT === 'kafka' ? `${namespace}${TOPICS.events}` : `${namespace}bench.floor.v1`;
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [...new Set([...Object.values(TOPICS).map((t) => `${namespace}${t}`), floorTopic])].map((topic) => ({ topic, numPartitions: PARTITIONS })) });
await admin.disconnect();
const eventOf = (n) => {
  const subject = subjectOf(n % CITIZENS);
  return { specversion: '1.0', id: `b-${n}`, source: SOURCE, type: TYPE, subject, data: { n, amount: 100_000 + n, dueDate: '2026-12-31' } };
};
// Idempotent, so the topic holds exactly N records: kafkajs retries a whole produce request when one partition in it
// fails (as one can just after the topics were made), and without idempotence the partitions that had succeeded then
// hold their records twice, which every consumer below would have to read and skip.
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const produceStart = performance.now();
for (let start = 0; start < N; start += 2000) {
  const messages = [];
  for (let n = start; n < Math.min(N, start + 2000); n++) messages.push(signed(subjectOf(n % CITIZENS), JSON.stringify(eventOf(n))));
  await producer.send({ topic: floorTopic, messages });
}
await producer.disconnect();
console.log(`produced ${fmt(N)} events to Kafka in ${((performance.now() - produceStart) / 1000).toFixed(1)} s${TRANSPORT === 'http' ? ' (for the floor; the hubs get them over HTTP)' : ''}`);
// Server settings the figures depend on, printed so runs on differently configured servers are not compared blindly
// (a CI image, for one, switches autovacuum off: a fresh database then has no statistics, which cost about 5 %).
const settings = await withClient(adminUrl, (c) => c.query("select name, setting, unit from pg_settings where name in ('autovacuum', 'fsync', 'synchronous_commit', 'shared_buffers', 'wal_compression') order by name"));
console.log(`postgres: ${settings.rows.map((r) => `${r.name}=${r.setting}${r.unit === '8kB' ? ` (${fmt((Number(r.setting) * 8) / 1024)} MiB)` : ''}`).join(', ')}`);

// ---- Kabar: a real hub process consumes the backlog
const hubMain = fileURLToPath(new URL('../../apps/hub/dist/main.js', import.meta.url));
// BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the hub, to see where the time goes.
// BENCH_NODE_FLAGS adds V8/Node flags to the hubs (e.g. --heap-prof --heap-prof-dir=/tmp/heap to see what allocates).
const profile = [
  // As npm start and the k8s workers run the hub: GC tuned for its batch-shaped garbage (see deployment-worker.yaml).
  '--max-semi-space-size=64', '--external-memory-accounted-in-global-limit', '--heap-growing-percent=100',
  ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
  ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : []),
];
// --hubs N starts N hub processes sharing the consumer groups, as replicas would in Kubernetes. Over HTTP each listens
// on a port of its own, which the publisher spreads its connections over.
const hubPorts = await Promise.all(Array.from({ length: HUBS }, () => (TRANSPORT === 'http' ? freePort() : 0)));
const startHubs = () => {
  const processes = hubPorts.map((port) =>
    spawn(process.execPath, [...profile, hubMain], {
      env: {
        PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: dbUrl, KAFKA_BROKERS: brokers.join(','), KAFKA_NAMESPACE: namespace,
        KAFKA_PARTITIONS: String(PARTITIONS), KABAR_SECRET_KEY: masterKey.toString('base64'), KABAR_SECRET_KEY_ID: 'k1', KABAR_CAPS: 'none', KABAR_QUIET_HOURS: 'none',
        // KABAR_KAFKA_EVENT_AUTH=source measures the hub without checking the records' signatures.
        KABAR_KAFKA_EVENT_AUTH: process.env.KABAR_KAFKA_EVENT_AUTH ?? 'signed',
        ...(smsc === null ? {} : { KABAR_PLUGINS: JSON.stringify({ 'sms-smpp': { host: '127.0.0.1', port: smsc.port, systemId: 'kabar', password: SMPP_PASSWORD, defaultSender: 'KABAR' } }) }),
      },
      // BENCH_HUB_LOG=<file> keeps the hubs' JSON logs (warnings and errors) for a run that goes wrong.
      stdio: ['ignore', process.env.BENCH_HUB_LOG ? openSync(process.env.BENCH_HUB_LOG, 'a') : 'ignore', 'inherit'],
    }),
  );
  // A hub that exits on its own (a refused flag under an older Node, a config error) ends the run at once with its exit
  // code, instead of a minute later as "stuck at 0".
  const state = { stopping: false, died: null };
  for (const h of processes) h.once('exit', (code, signal) => { if (!state.stopping) state.died ??= `a hub process exited (code ${code}, signal ${signal}) before the run ended`; });
  const check = () => { if (state.died) throw new Error(state.died); };
  return { processes, check, kill: (signal) => { state.stopping = true; processes.forEach((h) => h.kill(signal)); }, once: (event, fn) => Promise.all(processes.map((h) => new Promise((r) => h.once(event, r)))).then(fn) };
};
// Profiles already in BENCH_CPU_PROF's folder are an earlier run's: only the new ones are summed up below.
const profileDir = process.env.BENCH_CPU_PROF;
const profilesBefore = new Set(profileDir === undefined ? [] : (() => { try { return readdirSync(profileDir); } catch { return []; } })());
let hub = startHubs();
const hubs = hub.processes;
let peakRss = 0;
const rssTimer = setInterval(async () => {
  for (const h of hubs) {
    try {
      const status = readFileSync(`/proc/${h.pid}/status`, 'utf8');
      peakRss = Math.max(peakRss, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
    } catch { /* process gone */ }
  }
}, 500);
// CPU time is steadier than wall time on a shared 2-core machine: the hubs' own (utime + stime of their processes)
// and the whole machine's (busy jiffies in /proc/stat: hubs, PostgreSQL, the broker), from the hubs' start (so their
// start-up, about 2 s of CPU, is in it) to the last notification delivered, within one poll (100 ms near the end).
const TICK_MS = 10; // USER_HZ is 100 on Linux
// CPU of a process from /proc/<pid>/stat: its own (utime + stime) and, with children, that of its exited children.
const processCpuMs = (pid, children = false) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12]) + (children ? Number(fields[13]) + Number(fields[14]) : 0)) * TICK_MS;
  } catch { return 0; }
};
const hubCpuMs = () => hubs.reduce((sum, h) => sum + processCpuMs(h.pid), 0);
// PostgreSQL: every postgres process (backends, WAL writer, checkpointer), and backends that exited meanwhile through
// the postmaster's children. The broker: the java process services.sh started.
const postgresCpuMs = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).reduce((sum, pid) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres' ? sum + processCpuMs(pid, true) : sum;
  } catch { return sum; }
}, 0);
const brokerPid = (() => {
  try { return readFileSync(new URL('../../.kabar/kafka/kafka.pid', import.meta.url), 'utf8').trim(); } catch { return null; }
})();
const brokerCpuMs = () => (brokerPid === null ? 0 : processCpuMs(brokerPid));
const machineBusyMs = () => {
  const [, user, nice, system] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return (user + nice + system) * TICK_MS;
};
const cpuNow = () => ({ hub: hubCpuMs(), postgres: postgresCpuMs(), broker: brokerCpuMs(), smsc: smsc === null ? 0 : processCpuMs(smsc.child.pid), machine: machineBusyMs() });
const cpuAtFirst = { ...cpuNow(), hub: 0 };
let cpuAtLast;
// Write-ahead log per notification: what PostgreSQL had to write for it, steady where CPU time drifts with the machine.
const walLsn = () => withClient(dbUrl, async (c) => (await c.query('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn);
const walAtFirst = await walLsn();
let walAtLast;
const hubStart = performance.now();
// --transport http: once every hub answers /health/ready, CONNECTIONS loops post the events, each taking the next
// batch, until all are accepted. A batch answered with anything but every event accepted ends the run: the figures
// would not be of the path.
const agent = new HttpAgent({ keepAlive: true, maxSockets: CONNECTIONS });
const post = (port, path, body, headers) => new Promise((resolve, reject) => {
  const req = httpRequest({ host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', agent, headers }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
  });
  req.on('error', reject);
  req.end(body);
});
const publishedOverHttp = TRANSPORT !== 'http' ? null : (async () => {
  for (const port of hubPorts) {
    for (let tries = 0; (await post(port, '/health/ready').catch(() => ({ status: 0 }))).status !== 200; tries++) {
      hub.check();
      if (tries > 600) throw new Error(`the hub on port ${port} did not get ready`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const authorization = `Bearer ${credential.token}`;
  let next = 0;
  const loop = async (connection) => {
    const port = hubPorts[connection % hubPorts.length];
    for (let start = next; start < N; start = next) {
      next += BATCH;
      const events = Array.from({ length: Math.min(BATCH, N - start) }, (_, i) => eventOf(start + i));
      const body = JSON.stringify(BATCH === 1 ? events[0] : events);
      const type = BATCH === 1 ? 'application/cloudevents+json' : 'application/cloudevents-batch+json';
      const answer = await post(port, '/v1/events', body, { authorization, 'content-type': type, 'content-length': Buffer.byteLength(body) });
      const accepted = answer.status === 202 || (answer.status === 200 && JSON.parse(answer.body).results.every((r) => r.status !== 'rejected'));
      if (!accepted) throw new Error(`POST /v1/events answered ${answer.status}: ${answer.body.slice(0, 500)}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, c) => loop(c)));
  return performance.now();
})();
// A failed publish ends the run at once, as a hub that exits does.
let publishFailed = null;
publishedOverHttp?.catch((error) => { publishFailed = error; });
const publisherCheck = () => { if (publishFailed !== null) { hub.kill('SIGTERM'); throw publishFailed; } };
let deliveredAt;
let statusesOutAt;
let receiptsAt;
let callbacksAt;
const sent = await withClient(dbUrl, async (c) => {
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    // Attempts are numbered in order, the history's first: the run's are those past it (an index range, not a scan).
    const { rows } = await c.query('select count(*)::int as n from delivery_attempt where id > $1 and status = $2', [HISTORY, 'sent']);
    if (rows[0].n >= N) {
      deliveredAt = performance.now();
      // An SMS is delivered when its receipt is applied; waits for a condition with the same one-minute stall rule.
      const until = async (what, done) => {
        let seen = -1;
        let changed = performance.now();
        for (;;) {
          const n = await done();
          if (n === true) return performance.now();
          hub.check();
          if (n !== seen) [seen, changed] = [n, performance.now()];
          if (performance.now() - changed > 60_000) {
            hub.kill('SIGTERM');
            throw new Error(`stuck waiting for ${what} at ${n}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      if (CHANNEL === 'sms') {
        receiptsAt = await until('delivery receipts', async () => {
          const delivered = (await c.query(`select count(*)::int as n from notification where agency_id = $1 and state = 'delivered'`, [agency.id])).rows[0].n;
          return delivered >= N ? true : delivered;
        });
      }
      // The work is done when the agency has heard too: every status message out of the outbox and on Kafka.
      statusesOutAt = await until('the outbox', async () => {
        const left = Number((await c.query('select coalesce(sum("records"), 0) as n from outbox')).rows[0].n);
        return left === 0 ? true : left;
      });
      // And, with --callbacks, every status message at the agency's callback URL.
      if (receiver !== null) callbacksAt = await until('callbacks', async () => (callbacksReceived >= N * STATUSES_PER_NOTIFICATION ? true : callbacksReceived));
      cpuAtLast = cpuNow();
      walAtLast = (await c.query('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
      return rows[0].n;
    }
    hub.check();
    publisherCheck();
    if (rows[0].n !== last) [last, lastChange] = [rows[0].n, performance.now()];
    // No progress for a minute means the pipeline is stuck: report it rather than wait forever.
    if (performance.now() - lastChange > 60_000) {
      hub.kill('SIGTERM');
      throw new Error(`stuck at ${rows[0].n} of ${N} delivered`);
    }
    // Counting the inbox is itself work for PostgreSQL: look once a second until the end is near, then often.
    await new Promise((r) => setTimeout(r, rows[0].n < N * 0.9 ? 1000 : 100));
  }
});
const stats = await withClient(dbUrl, (c) => c.query(`
  select extract(epoch from (max(d.created_at) - min(e.created_at))) as span,
         extract(epoch from (max(e.created_at) - min(e.created_at))) as ingest_span,
         extract(epoch from (max(d.created_at) - min(d.created_at))) as dispatch_span,
         percentile_cont(0.5) within group (order by extract(epoch from (d.created_at - e.created_at))) * 1000 as p50,
         percentile_cont(0.99) within group (order by extract(epoch from (d.created_at - e.created_at))) * 1000 as p99
  from delivery_attempt d join notification n on n.id = d.notification_id join event e on e.id = n.event_id where d.id > $1`, [HISTORY]));
// Where the time goes: per second since the first ingest, events stored, notifications claimed for dispatch, sent.
const timeline = await withClient(dbUrl, (c) => c.query(`
  with t0 as (select min(created_at) as t from event where source = $1),
  marks as (
    select floor(extract(epoch from (e.created_at - t0.t)))::int as s, 'ingested' as what from event e, t0 where e.source = $1
    union all select floor(extract(epoch from (d.created_at - t0.t)))::int, 'sent' from delivery_attempt d, t0 where d.id > $2)
  select s, count(*) filter (where what = 'ingested')::int as ingested, count(*) filter (where what = 'sent')::int as sent from marks group by s order by s`, [SOURCE, HISTORY]));
console.log(`kabar: per second since the first ingest (ingested/sent): ${timeline.rows.map((r) => `${r.s}s ${r.ingested}/${r.sent}`).join(', ')}`);
hub.kill('SIGTERM');
await new Promise((r) => hub.once('exit', r));
clearInterval(rssTimer);
if (profileDir !== undefined) {
  // Where the hub's own CPU went (start-up and the run), by area; runtime and native time is charged to its caller.
  // Loaded only here: profile-areas.ts runs through Node's type stripping (Node 24, as npm run bench uses).
  const { IDLE, profileAreas } = await import('./profile-areas.ts');
  const fresh = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile') && !profilesBefore.has(f));
  const areas = profileAreas(fresh.map((f) => JSON.parse(readFileSync(join(profileDir, f), 'utf8')))).filter((a) => a.area !== IDLE && a.share >= 0.005);
  console.log(`kabar: hub CPU by area (V8 profile; the profiler itself slows the hub): ${areas.map((a) => `${a.area} ${(a.share * 100).toFixed(1)} %`).join(', ')}`);
}
agent.destroy();
const { span, p50, p99, ingest_span: ingestSpan, dispatch_span: dispatchSpan } = stats.rows[0];
const kabarRate = N / Number(span);
console.log(`kabar: ${fmt(sent)} notifications ${CHANNEL === 'sms' ? 'sent (sms-smpp plugin to kabar smsc)' : 'delivered (inbox plugin)'}; ${fmt(kabarRate)} events/s from first ingest to last dispatch (${Number(span).toFixed(1)} s; wall ${((performance.now() - hubStart) / 1000).toFixed(1)} s incl. start)`);
console.log(`kabar: stages: ingest ${fmt(N / Number(ingestSpan))} events/s (${Number(ingestSpan).toFixed(1)} s), dispatch ${fmt(N / Number(dispatchSpan))} notifications/s (${Number(dispatchSpan).toFixed(1)} s)`);
const after = (at) => (at - deliveredAt) / 1000;
if (publishedOverHttp !== null) {
  const publishedAt = await publishedOverHttp;
  console.log(`kabar: published over HTTP (${BATCH === 1 ? 'one structured event per request' : `batches of ${fmt(BATCH)}`}, ${CONNECTIONS} kept-alive connections, ${HUBS} hub${HUBS === 1 ? '' : 's'}): the last request answered ${((publishedAt - hubStart) / 1000).toFixed(1)} s after the hubs started, the last dispatch ${(-after(publishedAt)).toFixed(1)} s after that`);
}
if (receiptsAt !== undefined) console.log(`kabar: the last delivery receipt was applied ${after(receiptsAt).toFixed(1)} s after the last send (${fmt(N / (Number(span) + after(receiptsAt)))} events/s counted to it)`);
console.log(`kabar: the last status message left the outbox ${after(statusesOutAt).toFixed(1)} s after the last ${CHANNEL === 'sms' ? 'send' : 'delivery'} (${fmt(N / (Number(span) + after(statusesOutAt)))} events/s with the statuses)${callbacksAt === undefined ? '; CPU and WAL below count until then' : ''}`);
if (callbacksAt !== undefined) console.log(`kabar: ${fmt(callbacksReceived)} status callbacks received, the last ${after(callbacksAt).toFixed(1)} s after the last send (${fmt(N / (Number(span) + after(callbacksAt)))} events/s with the callbacks); CPU and WAL below count until then`);
const perThousand = (ms) => (ms / (N / 1000)).toFixed(0);
const cpu = (what) => perThousand(cpuAtLast[what] - cpuAtFirst[what]);
const peers = `${smsc === null ? '' : `, the SMPP peer ${cpu('smsc')} ms`}${receiver === null ? '' : ' (the callback receiver is in the machine\'s figure)'}`;
console.log(`kabar: CPU per 1,000 notifications delivered, start-up included: hub ${cpu('hub')} ms, PostgreSQL ${cpu('postgres')} ms, broker ${cpu('broker')} ms${peers}; whole machine ${cpu('machine')} ms (2 cores give 2,000 ms per s)`);
const walBytes = await withClient(dbUrl, async (c) => Number((await c.query('select pg_wal_lsn_diff($1, $2) as d', [walAtLast, walAtFirst])).rows[0].d));
console.log(`kabar: PostgreSQL wrote ${fmt(walBytes / N)} bytes of WAL per notification (${walAtFirst}..${walAtLast})`);
console.log(`kabar: ingest-to-dispatch latency p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms; peak RSS per hub ${fmt(peakRss / 1048576)} MiB (${HUBS} hub process${HUBS === 1 ? '' : 'es'})`);

// ---- raw floor: kafkajs consumer -> batched INSERT into PostgreSQL, same records
await withClient(dbUrl, (c) => c.query('create table floor_event (source text, id text, subject text, data jsonb, primary key (source, id))'));
const pool = new pg.Pool({ connectionString: dbUrl, max: PARTITIONS });
// pg-pool resolves end() before its clients' sockets have closed, so the drop of the database at the end can reach
// one still closing; an idle client's error is then the pool's, and unhandled it would kill the script after its
// figures (it did once in npm test). Errors before the pool ends still do.
pool.on('error', (error) => {
  if (!pool.ending) throw error;
});
const consumer = kafka.consumer({ groupId: `${namespace}floor`, maxWaitTimeInMs: 500 });
await consumer.connect();
await consumer.subscribe({ topic: floorTopic, fromBeginning: true });
let floorCount = 0;
let floorStart = 0;
// The floor's CPU, counted as Kabar's is (first record to last insert): this process (the consumer), PostgreSQL, the
// broker and the whole machine. Next to Kabar's it says how much more work Kabar does per event, which the ratio is.
let floorCpuAtFirst;
const floorCpuNow = () => {
  const { user, system } = process.cpuUsage();
  return { ...cpuNow(), hub: (user + system) / 1000 };
};
const floorDone = new Promise((resolve) => {
  void consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      if (floorStart === 0) [floorStart, floorCpuAtFirst] = [performance.now(), floorCpuNow()];
      const params = [];
      const rows = batch.messages.map((m, i) => {
        const e = JSON.parse(m.value.toString());
        params.push(e.source, e.id, e.subject, JSON.stringify(e.data));
        return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}::jsonb)`;
      });
      if (rows.length > 0) await pool.query(`insert into floor_event values ${rows.join(',')} on conflict do nothing`, params);
      floorCount += batch.messages.length;
      if (floorCount >= N) resolve(performance.now());
    },
  });
});
const floorEnd = await floorDone;
const floorCpuAtLast = floorCpuNow();
await consumer.disconnect();
await pool.end();
const floorRate = N / ((floorEnd - floorStart) / 1000);
console.log(`floor: ${fmt(floorRate)} events/s (kafkajs eachBatch -> one INSERT per batch)`);
const floorCpu = (what) => perThousand(floorCpuAtLast[what] - floorCpuAtFirst[what]);
console.log(`floor: CPU per 1,000 events: consumer ${floorCpu('hub')} ms, PostgreSQL ${floorCpu('postgres')} ms, broker ${floorCpu('broker')} ms; whole machine ${floorCpu('machine')} ms (Kabar's: ${cpu('machine')} ms)`);
console.log(`ratio kabar/floor: ${(kabarRate / floorRate * 100).toFixed(1)} %  (goal: >= 10,000 notifications/s and >= 50 % of the floor)`);

// ---- contract floor (contract-floor.mjs): the writes and messages the contract needs, with no reads and no checks
if (CHANNEL === 'inbox') {
  const contractCpuAtFirst = floorCpuNow();
  const contract = await runContractFloor({ kafka, pg, dbUrl, eventsTopic: floorTopic, namespace, partitions: PARTITIONS, n: N });
  const contractCpuAtLast = floorCpuNow();
  const contractRate = N / ((contract.end - contract.start) / 1000);
  const contractCpu = (what) => perThousand(contractCpuAtLast[what] - contractCpuAtFirst[what]);
  console.log(`contract floor: ${fmt(contractRate)} events/s (kafkajs and pg: events, notifications and outbox, the dispatch topic, inbox items and attempts, two status messages each; no reads, no checks, no policy)`);
  console.log(`contract floor: CPU per 1,000 events, its start-up included: process ${contractCpu('hub')} ms, PostgreSQL ${contractCpu('postgres')} ms, broker ${contractCpu('broker')} ms; whole machine ${contractCpu('machine')} ms (Kabar's: ${cpu('machine')} ms)`);
  console.log(`ratio contract floor/floor: ${(contractRate / floorRate * 100).toFixed(1)} %; kabar/contract floor: ${(kabarRate / contractRate * 100).toFixed(1)} %`);
}

// ---- broadcast: one event to a region of BROADCAST generated citizens
// The broadcast's generated citizens have no phones: with --channel sms it is skipped.
if (BROADCAST > 0 && CHANNEL === 'inbox') {
  const genStart = performance.now();
  await withClient(dbUrl, (c) => c.query(`
    insert into citizen (id, subject_hash, region_code, locale, timezone, digest, caps, channel_order, created_at, updated_at)
    select gen_random_uuid(), encode(sha256(('broadcast-' || g)::bytea), 'hex'), '32.73.' || lpad((g % 30 + 1)::text, 2, '0') || '.1001',
           case when g % 2 = 0 then 'id' else 'en' end, 'WIB', false, '{}', '{}', now(), now()
    from generate_series(1, $1::int) g`, [BROADCAST]));
  console.log(`broadcast: generated ${fmt(BROADCAST)} citizens in region 32.73 in ${((performance.now() - genStart) / 1000).toFixed(1)} s`);
  const before = await withClient(dbUrl, async (c) => (await c.query('select count(*)::int as n from inbox_item')).rows[0].n);
  hub = startHubs();
  const bProducer = kafka.producer();
  await bProducer.connect();
  const published = performance.now();
  await bProducer.send({
    topic: `${namespace}${TOPICS.events}`,
    messages: [signed('region:32.73', JSON.stringify({ specversion: '1.0', id: 'broadcast-1', source: SOURCE, type: TYPE, subject: 'region:32.73', data: { n: 0, amount: 100_000, dueDate: '2026-12-31' } }))],
  });
  await bProducer.disconnect();
  let planned = 0;
  const broadcastDone = await withClient(dbUrl, async (c) => {
    let last = -1;
    let lastChange = performance.now();
    for (;;) {
      const { rows } = await c.query(`select (select count(*)::int from inbox_item) as delivered, (select status from event where ce_id = 'broadcast-1') as status`);
      const n = rows[0].delivered - before;
      if (planned === 0 && rows[0].status === 'broadcast') planned = performance.now();
      if (n >= BROADCAST) return performance.now();
      hub.check();
      if (n !== last) [last, lastChange] = [n, performance.now()];
      if (performance.now() - lastChange > 120_000) {
        hub.kill('SIGTERM');
        throw new Error(`broadcast stuck at ${n} of ${BROADCAST} delivered`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  const plannedS = (planned - published) / 1000;
  const totalS = (broadcastDone - published) / 1000;
  console.log(`broadcast: ${fmt(BROADCAST)} citizens planned through the policy in ${plannedS.toFixed(1)} s (${fmt(BROADCAST / plannedS)} /s), all dispatched to the inbox in ${totalS.toFixed(1)} s (${fmt(BROADCAST / totalS)} notifications/s)`);
}
smsc?.child.kill('SIGTERM');
receiver?.close();
// BENCH_KEEP_DB=1 leaves the kabar_bench database for a look at its tables and plans.
if (!process.env.BENCH_KEEP_DB) await withClient(adminUrl, (c) => c.query('drop database if exists kabar_bench with (force)'));
