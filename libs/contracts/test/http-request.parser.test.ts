import { CloudEventErrorCode, DEFAULT_LIMITS, parseHttpRequest, toStructuredJson } from '@kabar/contracts';
import { describe, expect, it } from 'vitest';

import { BATCH, BINARY_HEADERS, caught, errorOf, eventOf, FULL_EVENT, FULL_MEMBERS, json, MINIMAL, STRUCTURED } from './cloud-event.fixtures.js';

describe('parseHttpRequest, structured mode', () => {
  it('reads every attribute, typed extensions and JSON data', () => {
    const outcome = parseHttpRequest(STRUCTURED, json(FULL_MEMBERS));
    expect(outcome.mode).toBe('structured');
    expect(outcome.results).toEqual([{ ok: true, event: FULL_EVENT }]);
  });

  it.each([
    'application/cloudevents+json; charset=utf-8',
    'application/cloudevents+json;charset=UTF-8',
    'Application/CloudEvents+JSON',
  ])('accepts content type %s', (contentType) => {
    const { mode, results } = parseHttpRequest({ 'content-type': contentType }, json(MINIMAL));
    expect(mode).toBe('structured');
    expect(eventOf(results[0])).toEqual({ ...MINIMAL, extensions: {} });
  });

  it('treats null attributes and extensions as absent, keeps null data, and ignores a UTF-8 BOM', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json({ ...MINIMAL, subject: null, region: null, data: null })]);
    expect(eventOf(parseHttpRequest(STRUCTURED, body).results[0])).toEqual({ ...MINIMAL, data: null, extensions: {} });
  });

  it('accepts a +json datacontenttype and keeps time exactly as sent', () => {
    const members = { ...MINIMAL, datacontenttype: 'application/vnd.kabar.birth+json', time: '2026-01-31t09:30:00.123456z', data: [1, 'two'] };
    expect(eventOf(parseHttpRequest(STRUCTURED, json(members)).results[0])).toEqual({
      ...MINIMAL,
      datacontenttype: 'application/vnd.kabar.birth+json',
      time: '2026-01-31t09:30:00.123456z',
      data: [1, 'two'],
      extensions: {},
    });
  });

  it('reports an invalid event as a result, not a throw', () => {
    const { results } = parseHttpRequest(STRUCTURED, json({ ...MINIMAL, source: undefined }));
    const error = errorOf(results[0]);
    expect([error.code, error.message, error.details]).toEqual([CloudEventErrorCode.MissingAttribute, 'missing required attribute "source"', { attribute: 'source' }]);
    expect(results[0]).toMatchObject({ ok: false, index: 0 });
  });
});

describe('parseHttpRequest, binary mode', () => {
  it('maps ce-* headers to attributes, content-type to datacontenttype and the body to data', () => {
    const headers = {
      ...BINARY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'ce-subject': '3273010101900001',
      'ce-time': '2026-01-31T09:30:00+07:00',
      'ce-dataschema': 'https://kabar.go.id/schemas/birth-registered.v1.json',
      'ce-region': '32.73',
      host: 'kabar.go.id',
      'x-request-id': 'r-1',
    };
    const outcome = parseHttpRequest(headers, json({ certificate: 'AL-2026-0001' }));
    expect(outcome.mode).toBe('binary');
    expect(eventOf(outcome.results[0])).toEqual({
      ...MINIMAL,
      subject: '3273010101900001',
      time: '2026-01-31T09:30:00+07:00',
      datacontenttype: 'application/json; charset=utf-8',
      dataschema: 'https://kabar.go.id/schemas/birth-registered.v1.json',
      data: { certificate: 'AL-2026-0001' },
      extensions: { region: '32.73' },
    });
  });

  it('percent-decodes header values (HTTP binding 3.1.3.2)', () => {
    const headers = { ...BINARY_HEADERS, 'ce-subject': 'Jl.%20Merdeka%20%E2%84%96%201%2C%20100%25', 'ce-note': 'caf%C3%A9' };
    const event = eventOf(parseHttpRequest(headers, Buffer.alloc(0)).results[0]);
    expect([event.subject, event.extensions]).toEqual(['Jl. Merdeka № 1, 100%', { note: 'café' }]);
  });

  it('accepts an event without data (empty body), keeping the declared content type', () => {
    const event = eventOf(parseHttpRequest({ ...BINARY_HEADERS, 'content-type': 'text/plain' }, Buffer.alloc(0)).results[0]);
    expect(event).toEqual({ ...MINIMAL, datacontenttype: 'text/plain', extensions: {} });
    expect('data' in event).toBe(false);
  });

  it('names the header in the message when an attribute is missing or invalid', () => {
    const missing = errorOf(parseHttpRequest({ ...BINARY_HEADERS, 'ce-type': undefined }, json({})).results[0]);
    expect([missing.message, missing.details]).toEqual(['missing required attribute "type" (header "ce-type")', { attribute: 'type', header: 'ce-type' }]);

    const invalid = errorOf(parseHttpRequest({ ...BINARY_HEADERS, 'ce-time': 'tomorrow' }, json({})).results[0]);
    expect([invalid.code, invalid.details]).toEqual([CloudEventErrorCode.InvalidAttribute, { attribute: 'time', header: 'ce-time' }]);
    expect(invalid.message).toMatch(/^attribute "time" \(header "ce-time"\) must be an RFC 3339 timestamp/);
  });
});

describe('parseHttpRequest, batch mode', () => {
  it('returns one result per event, in order, so one bad event does not reject the others', () => {
    const batch = [MINIMAL, { ...MINIMAL, id: 'evt-2', time: 'yesterday' }, 'not an event', { ...MINIMAL, id: 'evt-4', data: { ok: true } }];
    const { mode, results } = parseHttpRequest(BATCH, json(batch));
    expect(mode).toBe('batch');
    expect(results.map((r) => (r.ok ? r.event.id : `${r.index}:${r.error.code}:${String(r.error.details.attribute)}`))).toEqual([
      'evt-1',
      '1:INVALID_ATTRIBUTE:time',
      '2:NOT_AN_OBJECT:undefined',
      'evt-4',
    ]);
    expect(eventOf(results[3])).toEqual({ ...MINIMAL, id: 'evt-4', data: { ok: true }, extensions: {} });
  });
});

describe('parseHttpRequest, whole-request problems throw', () => {
  it.each([
    ['structured body not JSON', STRUCTURED, Buffer.from('{"id":'), CloudEventErrorCode.MalformedJson, 'request body is not valid UTF-8 JSON'],
    ['structured body not UTF-8', STRUCTURED, Buffer.from([0x7b, 0xff, 0x7d]), CloudEventErrorCode.MalformedJson, 'request body is not valid UTF-8 JSON'],
    ['structured body not an object', STRUCTURED, json([MINIMAL]), CloudEventErrorCode.NotAnObject, 'a structured CloudEvent must be a JSON object'],
    ['binary JSON data not JSON', BINARY_HEADERS, Buffer.from('{nope}'), CloudEventErrorCode.MalformedJson, 'request body (binary-mode data) is not valid UTF-8 JSON'],
    ['batch body not JSON', BATCH, Buffer.from('[{'), CloudEventErrorCode.MalformedJson, 'batch body is not valid UTF-8 JSON'],
    ['batch not an array', BATCH, json(MINIMAL), CloudEventErrorCode.NotAnArray, 'a "application/cloudevents-batch+json" body must be a JSON array of events'],
    ['empty batch', BATCH, json([]), CloudEventErrorCode.EmptyBatch, 'batch holds no events; send at least one'],
  ])('%s', (_name, headers, body, code, message) => {
    const error = caught(() => parseHttpRequest(headers, body));
    expect([error.code, error.message]).toEqual([code, message]);
  });

  it.each(['application/cloudevents+avro', 'application/cloudevents+json; charset=iso-8859-1', 'application/cloudevents-batch+json; charset=utf-16', 'application/cloudevents'])(
    'refuses content type %s',
    (contentType) => {
      const error = caught(() => parseHttpRequest({ 'content-type': contentType }, json(MINIMAL)));
      expect([error.code, error.details]).toEqual([CloudEventErrorCode.UnsupportedContentType, { header: 'content-type' }]);
      expect(error.message).toContain('application/cloudevents+json');
    },
  );
});

describe('parseHttpRequest, size limits', () => {
  /** A structured event whose JSON form is exactly `bytes` long. */
  function eventOfSize(bytes: number): Buffer {
    const overhead = Buffer.byteLength(toStructuredJson({ ...MINIMAL, data: '', extensions: {} }));
    const body = json({ ...MINIMAL, data: 'x'.repeat(bytes - overhead) });
    expect(body.length).toBe(bytes);
    return body;
  }

  it('accepts an event of exactly maxEventBytes (256 KiB by default) and refuses one byte more', () => {
    expect(eventOf(parseHttpRequest(STRUCTURED, eventOfSize(DEFAULT_LIMITS.maxEventBytes)).results[0]).id).toBe('evt-1');
    const error = errorOf(parseHttpRequest(STRUCTURED, eventOfSize(DEFAULT_LIMITS.maxEventBytes + 1)).results[0]);
    expect([error.code, error.details]).toEqual([CloudEventErrorCode.PayloadTooLarge, { limit: 262_144, actual: 262_145 }]);
  });

  it('measures a binary event by its structured JSON form, headers included', () => {
    const data = { note: 'x'.repeat(100) };
    const size = Buffer.byteLength(toStructuredJson({ ...MINIMAL, datacontenttype: 'application/json', data, extensions: {} }));
    expect(parseHttpRequest(BINARY_HEADERS, json(data), { maxEventBytes: size }).results[0]?.ok).toBe(true);
    const error = errorOf(parseHttpRequest(BINARY_HEADERS, json(data), { maxEventBytes: size - 1 }).results[0]);
    expect([error.code, error.details]).toEqual([CloudEventErrorCode.PayloadTooLarge, { limit: size - 1, actual: size }]);
  });

  it('refuses an oversized element of a batch but keeps the rest', () => {
    const small = { ...MINIMAL, id: 'small' };
    const size = Buffer.byteLength(toStructuredJson({ ...small, data: 'x'.repeat(50), extensions: {} }));
    const { results } = parseHttpRequest(BATCH, json([small, { ...small, id: 'large', data: 'x'.repeat(51) }, { ...small, data: 'x'.repeat(50) }]), {
      maxEventBytes: size,
    });
    expect(results.map((r) => (r.ok ? 'ok' : `${r.index}:${r.error.code}`))).toEqual(['ok', '1:PAYLOAD_TOO_LARGE', 'ok']);
  });

  it('accepts a batch of exactly maxBatchEvents and maxBatchBytes, and throws one over either', () => {
    const events = Array.from({ length: 3 }, (_, i) => ({ ...MINIMAL, id: `evt-${i}` }));
    const body = json(events);
    expect(parseHttpRequest(BATCH, body, { maxBatchEvents: 3, maxBatchBytes: body.length }).results).toHaveLength(3);

    const tooMany = caught(() => parseHttpRequest(BATCH, body, { maxBatchEvents: 2 }));
    expect([tooMany.code, tooMany.details]).toEqual([CloudEventErrorCode.BatchTooLarge, { limit: 2, actual: 3 }]);
    const tooBig = caught(() => parseHttpRequest(BATCH, body, { maxBatchBytes: body.length - 1 }));
    expect([tooBig.code, tooBig.details]).toEqual([CloudEventErrorCode.BatchTooLarge, { limit: body.length - 1, actual: body.length }]);
  });

  it('has documented defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({ maxEventBytes: 262_144, maxBatchEvents: 1000, maxBatchBytes: 5_242_880 });
  });
});
