import { type CloudEvent, type HttpHeaders, type KafkaRecord, parseHttpRequest, parseKafkaRecord, toKafkaStructuredRecord, toStructuredJson } from '@kabar/contracts';
import { CloudEvent as SdkEvent, type CloudEventV1, HTTP, Kafka, type KafkaMessage, type Message } from 'cloudevents';
import { describe, expect, it } from 'vitest';

import { eventOf, FULL_EVENT } from './cloud-event.fixtures.js';

/** Built with the official SDK (cloudevents 10); its events always carry `time`, so ours do too. */
function sdkEvent(extra: Record<string, unknown> = {}): SdkEvent<Record<string, unknown>> {
  return new SdkEvent<Record<string, unknown>>({
    id: 'evt-1',
    source: '/agencies/dukcapil',
    type: 'id.go.dukcapil.birth.registered.v1',
    subject: '3273010101900001',
    time: '2026-01-31T02:30:00.000Z',
    datacontenttype: 'application/json',
    dataschema: 'https://kabar.go.id/schemas/birth-registered.v1.json',
    data: { child: { name: 'Siti' }, certificate: 'AL-2026-0001', fee: 0 },
    region: '32.73',
    priority: 5,
    urgent: true,
    ...extra,
  });
}

const EXPECTED: CloudEvent = { ...FULL_EVENT, time: '2026-01-31T02:30:00.000Z' };
/** Binary modes carry every extension as a header string, so the types do not survive (by the bindings' design). */
const EXPECTED_BINARY: CloudEvent = { ...EXPECTED, extensions: { region: '32.73', priority: '5', urgent: 'true' } };

/** What Node's HTTP server would hand over: lowercase names, string values. */
function receivedHeaders(headers: Message['headers']): HttpHeaders {
  return Object.fromEntries(
    Object.entries(headers as Record<string, unknown>)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}

function bodyBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

/**
 * What kafkajs would deliver for a record the SDK built: header values as strings (the consumer decodes the bytes),
 * undefined headers dropped, an undefined key as null. The SDK leaves object data unserialised in binary mode; kafkajs
 * only sends strings or Buffers, so the producer stringifies it.
 */
function consumedRecord(message: { key?: unknown; value?: unknown; headers: Message['headers'] }): KafkaRecord {
  const headers = Object.fromEntries(
    Object.entries(message.headers as Record<string, unknown>)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, String(value)]),
  );
  return {
    key: typeof message.key === 'string' ? message.key : Buffer.isBuffer(message.key) ? message.key.toString('utf8') : null,
    value: message.value === undefined || message.value === null ? null : bodyBytes(message.value),
    headers,
  };
}

/** The SDK's event as a plain object of its own properties (the SDK adds unset ones as undefined, which toEqual ignores). */
function plain(received: CloudEventV1<unknown> | CloudEventV1<unknown>[]): Record<string, unknown> {
  if (Array.isArray(received)) throw new Error('expected one event, got a batch');
  return Object.fromEntries(Object.entries(received));
}

describe('interop with the CloudEvents SDK (cloudevents 10)', () => {
  it('HTTP.binary → parseHttpRequest', () => {
    const message = HTTP.binary(sdkEvent());
    const outcome = parseHttpRequest(receivedHeaders(message.headers), bodyBytes(message.body));
    expect(outcome.mode).toBe('binary');
    expect(outcome.results).toEqual([{ ok: true, event: EXPECTED_BINARY }]);
  });

  it('HTTP.structured → parseHttpRequest', () => {
    const message = HTTP.structured(sdkEvent());
    const outcome = parseHttpRequest(receivedHeaders(message.headers), bodyBytes(message.body));
    expect(outcome.mode).toBe('structured');
    expect(outcome.results).toEqual([{ ok: true, event: EXPECTED }]);
  });

  it('a batch of SDK events in their JSON form → parseHttpRequest', () => {
    const second = sdkEvent({ id: 'evt-2' });
    const outcome = parseHttpRequest({ 'content-type': 'application/cloudevents-batch+json' }, Buffer.from(JSON.stringify([sdkEvent(), second])));
    expect(outcome.mode).toBe('batch');
    expect(outcome.results.map(eventOf)).toEqual([EXPECTED, { ...EXPECTED, id: 'evt-2' }]);
  });

  it('Kafka.binary → parseKafkaRecord, with the key as partitionkey', () => {
    const message = Kafka.binary(sdkEvent({ partitionkey: '3273010101900001' }));
    expect(parseKafkaRecord(consumedRecord(message))).toEqual({ ...EXPECTED_BINARY, extensions: { ...EXPECTED_BINARY.extensions, partitionkey: '3273010101900001' } });
  });

  it('Kafka.binary without a partition key → parseKafkaRecord', () => {
    const record = consumedRecord(Kafka.binary(sdkEvent()));
    expect(record.key).toBeNull();
    expect(parseKafkaRecord(record)).toEqual(EXPECTED_BINARY);
  });

  it('Kafka.structured → parseKafkaRecord, keeping extension types', () => {
    const message = Kafka.structured(sdkEvent({ partitionkey: '3273010101900001' }));
    expect(parseKafkaRecord(consumedRecord(message))).toEqual({ ...EXPECTED, extensions: { ...EXPECTED.extensions, partitionkey: '3273010101900001' } });
  });

  it('toStructuredJson → HTTP.toEvent gives back every attribute, extension and the data', () => {
    const received = plain(HTTP.toEvent({ headers: { 'content-type': 'application/cloudevents+json' }, body: toStructuredJson(EXPECTED) }));
    expect(received).toEqual(plain(sdkEvent()));
    expect(received).toEqual({
      specversion: '1.0',
      id: 'evt-1',
      source: '/agencies/dukcapil',
      type: 'id.go.dukcapil.birth.registered.v1',
      subject: '3273010101900001',
      time: '2026-01-31T02:30:00.000Z',
      datacontenttype: 'application/json',
      dataschema: 'https://kabar.go.id/schemas/birth-registered.v1.json',
      region: '32.73',
      priority: 5,
      urgent: true,
      data: { child: { name: 'Siti' }, certificate: 'AL-2026-0001', fee: 0 },
    });
  });

  it('toKafkaStructuredRecord → Kafka.toEvent', () => {
    const record = toKafkaStructuredRecord(EXPECTED, 'k1');
    const message: KafkaMessage = { key: 'k1', value: record.value, headers: { ...record.headers }, body: record.value };
    expect(plain(Kafka.toEvent(message))).toEqual(plain(sdkEvent({ partitionkey: 'k1' })));
  });
});
