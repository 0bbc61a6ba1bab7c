import { CloudEventErrorCode, parseHttpRequest, parseKafkaRecord, toKafkaStructuredRecord, toStructuredJson } from '@kabar/contracts';
import { describe, expect, it } from 'vitest';

import { caught, eventOf, FULL_EVENT, MINIMAL } from './cloud-event.fixtures.js';

describe('toStructuredJson', () => {
  it('writes attributes, then extensions as top-level members, then data', () => {
    expect(toStructuredJson(FULL_EVENT)).toBe(
      '{"specversion":"1.0","id":"evt-1","source":"/agencies/dukcapil","type":"id.go.dukcapil.birth.registered.v1","subject":"3273010101900001",' +
        '"time":"2026-01-31T09:30:00+07:00","datacontenttype":"application/json","dataschema":"https://kabar.go.id/schemas/birth-registered.v1.json",' +
        '"region":"32.73","priority":5,"urgent":true,"data":{"child":{"name":"Siti"},"certificate":"AL-2026-0001","fee":0}}',
    );
  });

  it('round-trips through the structured HTTP parser', () => {
    const body = Buffer.from(toStructuredJson(FULL_EVENT));
    expect(eventOf(parseHttpRequest({ 'content-type': 'application/cloudevents+json' }, body).results[0])).toEqual(FULL_EVENT);
  });

  it('refuses to write an event Kabar would not accept', () => {
    const error = caught(() => toStructuredJson({ ...MINIMAL, extensions: { source: '/other' } }));
    expect([error.code, error.details]).toEqual([CloudEventErrorCode.InvalidAttribute, { attribute: 'source' }]);
  });
});

describe('toKafkaStructuredRecord', () => {
  it('builds a structured record that parseKafkaRecord reads back', () => {
    const record = toKafkaStructuredRecord(FULL_EVENT, 'k1');
    expect([record.key, record.headers, record.value.toString('utf8')]).toEqual(['k1', { 'content-type': 'application/cloudevents+json' }, toStructuredJson(FULL_EVENT)]);
    expect(parseKafkaRecord(record)).toEqual({ ...FULL_EVENT, extensions: { ...FULL_EVENT.extensions, partitionkey: 'k1' } });
  });

  it('allows a null key', () => {
    expect(toKafkaStructuredRecord(FULL_EVENT, null).key).toBeNull();
  });
});
