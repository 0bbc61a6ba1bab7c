import { createHmac } from 'node:crypto';

import { hasValidKafkaSignature, KAFKA_KEY_HEADER, KAFKA_SIGNATURE_HEADER, kafkaRecordSignature, kafkaSigningHeader, signKafkaRecord } from '@kabar/contracts';
import { describe, expect, it } from 'vitest';

const SECRET = 's3cr3t-part-after-the-dot';
const headers = { ce_specversion: '1.0', ce_id: 'pbb-1', ce_source: 'https://bapenda.bandung.go.id/pbb', ce_type: 'id.go.bandung.bapenda.pbb-due.v1', 'content-type': 'application/json' };
const value = Buffer.from('{"amount":450000}');

describe('Kafka record signatures (v1)', () => {
  it('covers the sorted, lowercased ce_* and content-type headers, an empty line and the value, as the README spells it out', () => {
    const input = 'ce_id:pbb-1\nce_source:https://bapenda.bandung.go.id/pbb\nce_specversion:1.0\nce_type:id.go.bandung.bapenda.pbb-due.v1\ncontent-type:application/json\n\n{"amount":450000}';
    const expected = `v1=${createHmac('sha256', SECRET).update(input).digest('base64')}`;
    expect(kafkaRecordSignature(SECRET, { value, headers: { ...headers, traceparent: '00-abc', 'CE_ID': 'pbb-1' } })).toBe(expected);
    expect(kafkaRecordSignature(SECRET, { value: value.toString(), headers })).toBe(expected);
  });

  it('signs a record so that it verifies, and any change to a covered header, the value or the secret fails', () => {
    const signed = signKafkaRecord('live_k1', SECRET, { value, headers });
    expect(signed[KAFKA_KEY_HEADER]).toBe('live_k1');
    expect(signed[KAFKA_SIGNATURE_HEADER]).toMatch(/^v1=[A-Za-z0-9+/]+=*$/);
    expect(hasValidKafkaSignature(SECRET, { value, headers: signed })).toBe(true);
    // Headers outside the signed set (tracing, the key id itself) may be added by infrastructure.
    expect(hasValidKafkaSignature(SECRET, { value, headers: { ...signed, traceparent: '00-abc' } })).toBe(true);
    expect(hasValidKafkaSignature(SECRET, { value: Buffer.from('{"amount":1}'), headers: signed })).toBe(false);
    expect(hasValidKafkaSignature(SECRET, { value, headers: { ...signed, ce_subject: '3273010101900001' } })).toBe(false);
    expect(hasValidKafkaSignature(SECRET, { value, headers: { ...signed, ce_source: '/another/agency' } })).toBe(false);
    expect(hasValidKafkaSignature('another-secret', { value, headers: signed })).toBe(false);
    expect(hasValidKafkaSignature(SECRET, { value, headers })).toBe(false);
    expect(hasValidKafkaSignature(SECRET, { value, headers: { ...signed, [KAFKA_SIGNATURE_HEADER]: 'v1=short' } })).toBe(false);
  });

  it('refuses headers whose line breaks would let two header sets sign alike', () => {
    // ce_a "x\nce_b:y" and ce_a "x" + ce_b "y" would give the same lines.
    expect(kafkaSigningHeader({ ce_a: 'x\nce_b:y' })).toBeNull();
    expect(kafkaSigningHeader({ 'ce_a:x': 'y' })).toBeNull();
    expect(kafkaSigningHeader({ ce_a: 'x', CE_A: 'y' })).toBeNull();
    expect(kafkaSigningHeader({ ce_a: 'x', ce_b: 'y' })).toBe('ce_a:x\nce_b:y\n\n');
    expect(() => signKafkaRecord('live_k1', SECRET, { value, headers: { ...headers, ce_subject: 'a\r\nb' } })).toThrow(TypeError);
    expect(hasValidKafkaSignature(SECRET, { value, headers: { ...headers, ce_subject: 'a\nb', [KAFKA_SIGNATURE_HEADER]: 'v1=x' } })).toBe(false);
  });

  it('signs a record without a value (binary mode without data)', () => {
    const signed = signKafkaRecord('test_k2', SECRET, { value: null, headers });
    expect(hasValidKafkaSignature(SECRET, { value: null, headers: signed })).toBe(true);
    expect(hasValidKafkaSignature(SECRET, { value: Buffer.alloc(0), headers: signed })).toBe(true);
  });
});
