#!/usr/bin/env node
// Readiness probe for the Kafka broker used by Kabar (run from the repo root by scripts/services.sh).
//
//   node scripts/kafka-ready.mjs [--brokers=127.0.0.1:19092] [--ping] [--timeout=30]
//
// Default (full) mode proves the broker is usable by the hub's client, kafkajs 2.2.4:
//   1. admin: describe the cluster, create topic `kabar.services.ready` (1 partition, RF 1) if missing;
//   2. producer: send one record with acks=all;
//   3. consumer: join group `kabar.services.ready` (classic protocol), fetch, and see that very record.
// --ping only connects and describes the cluster (used for an external KAFKA_BROKERS).
// Exit 0 when every step passed, 1 otherwise (the reason goes to stderr). One attempt per run: the caller retries.
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel } from 'kafkajs';

const TOPIC = 'kabar.services.ready';
const GROUP = 'kabar.services.ready';

const opts = { brokers: process.env.KAFKA_BROKERS || '127.0.0.1:19092', ping: false, timeout: 30 };
for (const arg of process.argv.slice(2)) {
  const [key, value] = arg.replace(/^--/, '').split(/=(.*)/s, 2);
  if (key === 'brokers' && value) opts.brokers = value;
  else if (key === 'ping') opts.ping = true;
  else if (key === 'timeout' && Number(value) > 0) opts.timeout = Number(value);
  else {
    console.error(`kafka-ready: unknown argument ${arg}`);
    process.exit(2);
  }
}
const brokers = opts.brokers.split(',').map((b) => b.trim()).filter(Boolean);

// Hard stop, whatever kafkajs is doing (its retries can outlive our budget).
setTimeout(() => {
  for (const line of kafkaLog.slice(-5)) console.error(line);
  console.error(`kafka-ready: gave up after ${opts.timeout}s`);
  process.exit(1);
}, opts.timeout * 1000).unref();

const started = Date.now();
const ms = () => `${Date.now() - started} ms`;
const say = (msg) => console.log(`kafka-ready: ${msg}`);

// kafkajs logs retried errors (e.g. "group coordinator is not available" while __consumer_offsets is being
// created): keep them and print them only when the probe fails.
const kafkaLog = [];
const logCreator = () => ({ namespace, log }) => {
  const { message, error } = log;
  kafkaLog.push(`[kafkajs ${namespace}] ${message}${error ? `: ${error}` : ''}`);
};

const kafka = new Kafka({
  clientId: 'kabar-services-ready',
  brokers,
  connectionTimeout: 3000,
  requestTimeout: 10000,
  retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  logLevel: logLevel.ERROR,
  logCreator,
});

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    say(`connected to ${brokers.join(',')} (cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller})`);
    if (opts.ping) return;
    const created = await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    say(`topic ${TOPIC} ${created ? 'created' : 'already there'}`);
  } finally {
    await admin.disconnect();
  }

  const token = `ready-${randomUUID()}`;
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  let produced;
  try {
    [produced] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'ready', value: token }] });
  } finally {
    await producer.disconnect();
  }
  say(`produced to ${TOPIC}[${produced.partition}] at offset ${produced.baseOffset} (acks=all) after ${ms()}`);

  const consumer = kafka.consumer({
    groupId: GROUP,
    sessionTimeout: 10000,
    rebalanceTimeout: 10000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  let joined;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    joined = payload;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const seen = await new Promise((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .run({
          autoCommit: true,
          eachMessage: async ({ partition, message }) => {
            if (message.value?.toString() === token) resolve({ partition, offset: message.offset });
          },
        })
        .catch(reject);
    });
    await consumer.commitOffsets([{ topic: TOPIC, partition: seen.partition, offset: String(Number(seen.offset) + 1) }]);
    say(
      `consumer group ${GROUP} joined (member ${joined?.memberId ?? '?'}, protocol ${joined?.groupProtocol ?? '?'}) ` +
        `and read ${TOPIC}[${seen.partition}] offset ${seen.offset} back after ${ms()}`,
    );
  } finally {
    await consumer.disconnect();
  }
}

try {
  await main();
  say(`ok in ${ms()}`);
  process.exit(0);
} catch (err) {
  for (const line of kafkaLog.slice(-5)) console.error(line);
  const cause = err?.cause ? ` (cause: ${err.cause.message ?? err.cause})` : '';
  console.error(`kafka-ready: ${err?.name ?? 'Error'}: ${err?.message ?? err}${cause}`);
  process.exit(1);
}
