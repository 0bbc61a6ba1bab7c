import { CloudEventErrorCode, DEFAULT_LIMITS, parseKafkaRecord, toStructuredJson } from '@kabar/contracts';
import { describe, expect, it } from 'vitest';

import { caught, FULL_EVENT, FULL_MEMBERS, json, KAFKA_BINARY_HEADERS, MINIMAL } from './cloud-event.fixtures.js';

describe('parseKafkaRecord, binary mode', () => {
  it('maps ce_* headers to attributes, content-type to datacontenttype, the value to data and the key to partitionkey', () => {
    const headers = { ...KAFKA_BINARY_HEADERS, ce_subject: '3273010101900001', ce_time: '2026-01-31T09:30:00+07:00', ce_region: '32.73' };
    expect(parseKafkaRecord({ key: '3273010101900001', value: json({ certificate: 'AL-2026-0001' }), headers })).toEqual({
      ...MINIMAL,
      subject: '3273010101900001',
      time: '2026-01-31T09:30:00+07:00',
      datacontenttype: 'application/json',
      data: { certificate: 'AL-2026-0001' },
      extensions: { region: '32.73', partitionkey: '3273010101900001' },
    });
  });

  it('does not percent-decode (the Kafka binding carries header values as plain UTF-8)', () => {
    const event = parseKafkaRecord({ key: null, value: null, headers: { ...KAFKA_BINARY_HEADERS, ce_subject: 'diskon%20100%' } });
    expect(event.subject).toBe('diskon%20100%');
  });

  it('accepts a record without data (null or empty value) and without a key', () => {
    for (const value of [null, Buffer.alloc(0)]) {
      expect(parseKafkaRecord({ key: null, value, headers: KAFKA_BINARY_HEADERS })).toEqual({ ...MINIMAL, datacontenttype: 'application/json', extensions: {} });
    }
  });

  it('tolerates ce_datacontenttype when it agrees with content-type, or stands alone', () => {
    const agreeing = parseKafkaRecord({ key: null, value: json(1), headers: { ...KAFKA_BINARY_HEADERS, ce_datacontenttype: 'application/json' } });
    const withoutContentType = Object.fromEntries(Object.entries(KAFKA_BINARY_HEADERS).filter(([name]) => name !== 'content-type'));
    const alone = parseKafkaRecord({ key: null, value: json(1), headers: { ...withoutContentType, ce_datacontenttype: 'application/json' } });
    expect([agreeing, alone]).toEqual([
      { ...MINIMAL, datacontenttype: 'application/json', data: 1, extensions: {} },
      { ...MINIMAL, datacontenttype: 'application/json', data: 1, extensions: {} },
    ]);
  });

  it('reads header names case-insensitively', () => {
    const event = parseKafkaRecord({ key: null, value: null, headers: { ...KAFKA_BINARY_HEADERS, 'Content-Type': 'application/json', CE_Region: '32.73' } });
    expect(event.extensions).toEqual({ region: '32.73' });
  });

  it('refuses a ce_partitionkey that differs from the record key, naming the header', () => {
    const error = caught(() => parseKafkaRecord({ key: 'k1', value: null, headers: { ...KAFKA_BINARY_HEADERS, ce_partitionkey: 'k2' } }));
    expect([error.code, error.details]).toEqual([CloudEventErrorCode.InvalidAttribute, { attribute: 'partitionkey', header: 'ce_partitionkey' }]);
  });

  it('throws MALFORMED_JSON for a JSON content type whose value does not parse', () => {
    const error = caught(() => parseKafkaRecord({ key: null, value: Buffer.from('{'), headers: KAFKA_BINARY_HEADERS }));
    expect([error.code, error.message]).toEqual([CloudEventErrorCode.MalformedJson, 'record value (binary-mode data) is not valid UTF-8 JSON']);
  });
});

describe('parseKafkaRecord, structured mode', () => {
  it('reads the value as a JSON-format event', () => {
    expect(parseKafkaRecord({ key: null, value: json(FULL_MEMBERS), headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } })).toEqual(FULL_EVENT);
  });

  it('adds the record key as partitionkey, and accepts an equal one in the event', () => {
    const headers = { 'content-type': 'application/cloudevents+json' };
    const expected = { ...MINIMAL, extensions: { partitionkey: 'k1' } };
    expect(parseKafkaRecord({ key: 'k1', value: json(MINIMAL), headers })).toEqual(expected);
    expect(parseKafkaRecord({ key: 'k1', value: json({ ...MINIMAL, partitionkey: 'k1' }), headers })).toEqual(expected);
    const error = caught(() => parseKafkaRecord({ key: 'k1', value: json({ ...MINIMAL, partitionkey: 'k2' }), headers }));
    expect([error.code, error.details]).toEqual([CloudEventErrorCode.InvalidAttribute, { attribute: 'partitionkey' }]);
  });

  it.each([
    ['an empty value', null, CloudEventErrorCode.MalformedJson],
    ['a value that is not JSON', Buffer.from('nope'), CloudEventErrorCode.MalformedJson],
    ['a value that is not an object', json([MINIMAL]), CloudEventErrorCode.NotAnObject],
    ['an event with data_base64', json({ ...MINIMAL, data_base64: 'AAE=' }), CloudEventErrorCode.DataNotJson],
    ['an event without id', json({ ...MINIMAL, id: null }), CloudEventErrorCode.MissingAttribute],
  ])('throws for %s', (_name, value, code) => {
    expect(caught(() => parseKafkaRecord({ key: null, value, headers: { 'content-type': 'application/cloudevents+json' } })).code).toBe(code);
  });
});

describe('parseKafkaRecord, size limit', () => {
  it('accepts an event of exactly maxEventBytes and throws one byte more', () => {
    const headers = { 'content-type': 'application/cloudevents+json' };
    const overhead = Buffer.byteLength(toStructuredJson({ ...MINIMAL, data: '', extensions: {} }));
    const atLimit = json({ ...MINIMAL, data: 'x'.repeat(DEFAULT_LIMITS.maxEventBytes - overhead) });
    expect(atLimit.length).toBe(DEFAULT_LIMITS.maxEventBytes);
    expect(parseKafkaRecord({ key: null, value: atLimit, headers }).id).toBe('evt-1');

    const over = json({ ...MINIMAL, data: 'x'.repeat(DEFAULT_LIMITS.maxEventBytes - overhead + 1) });
    const error = caught(() => parseKafkaRecord({ key: null, value: over, headers }));
    expect([error.code, error.details]).toEqual([CloudEventErrorCode.PayloadTooLarge, { limit: 262_144, actual: 262_145 }]);
  });

  it('counts the partitionkey taken from the record key', () => {
    const headers = { 'content-type': 'application/cloudevents+json' };
    const size = Buffer.byteLength(toStructuredJson({ ...MINIMAL, extensions: { partitionkey: 'k1' } }));
    expect(parseKafkaRecord({ key: 'k1', value: json(MINIMAL), headers }, { maxEventBytes: size }).id).toBe('evt-1');
    expect(caught(() => parseKafkaRecord({ key: 'k1', value: json(MINIMAL), headers }, { maxEventBytes: size - 1 })).code).toBe(CloudEventErrorCode.PayloadTooLarge);
  });
});
