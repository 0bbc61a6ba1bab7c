import { type CloudEventError, CloudEventErrorCode, parseCloudEventInput, parseHttpRequest, parseKafkaRecord } from '@kabar/contracts';
import { describe, expect, it } from 'vitest';

import { BATCH, BINARY_HEADERS, caught, errorOf, json, KAFKA_BINARY_HEADERS, MINIMAL, STRUCTURED } from './cloud-event.fixtures.js';

/** A structured HTTP event with `members` merged over MINIMAL (undefined removes a member). */
const structured = (members: Record<string, unknown>): CloudEventError => errorOf(parseHttpRequest(STRUCTURED, json({ ...MINIMAL, ...members })).results[0]);
const binary = (headers: Record<string, string | undefined>, body: Buffer = Buffer.alloc(0)): CloudEventError =>
  errorOf(parseHttpRequest({ ...BINARY_HEADERS, ...headers }, body).results[0]);
const kafka = (headers: Record<string, string>, value: Buffer | null = null): CloudEventError =>
  caught(() => parseKafkaRecord({ key: null, value, headers: { ...KAFKA_BINARY_HEADERS, ...headers } }));
const input = (fields: Record<string, unknown>): CloudEventError => caught(() => parseCloudEventInput({ ...MINIMAL, ...fields }));

interface Case {
  readonly name: string;
  readonly error: () => CloudEventError;
  readonly code: CloudEventErrorCode;
  readonly details: Record<string, unknown>;
  readonly message?: string | RegExp;
}

const cases: readonly Case[] = [
  // MISSING_ATTRIBUTE, for each required attribute, in each way of sending one.
  ...(['specversion', 'id', 'source', 'type'] as const).flatMap((attribute): Case[] => [
    { name: `structured without ${attribute}`, error: () => structured({ [attribute]: undefined }), code: CloudEventErrorCode.MissingAttribute, details: { attribute }, message: `missing required attribute "${attribute}"` },
    { name: `structured with ${attribute}: null`, error: () => structured({ [attribute]: null }), code: CloudEventErrorCode.MissingAttribute, details: { attribute } },
    {
      name: `binary without ce-${attribute}`,
      error: () => binary({ [`ce-${attribute}`]: undefined }),
      code: CloudEventErrorCode.MissingAttribute,
      details: { attribute, header: `ce-${attribute}` },
      message: `missing required attribute "${attribute}" (header "ce-${attribute}")`,
    },
    {
      name: `kafka without ce_${attribute}`,
      error: () => caught(() => parseKafkaRecord({ key: null, value: null, headers: Object.fromEntries(Object.entries(KAFKA_BINARY_HEADERS).filter(([h]) => h !== `ce_${attribute}`)) })),
      code: CloudEventErrorCode.MissingAttribute,
      details: { attribute, header: `ce_${attribute}` },
      message: `missing required attribute "${attribute}" (header "ce_${attribute}")`,
    },
    { name: `input without ${attribute}`, error: () => input({ [attribute]: undefined }), code: CloudEventErrorCode.MissingAttribute, details: { attribute } },
  ]),
  // INVALID_ATTRIBUTE
  ...(['id', 'source', 'type'] as const).flatMap((attribute): Case[] => [
    { name: `empty ${attribute}`, error: () => structured({ [attribute]: '' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute }, message: `attribute "${attribute}" must be a non-empty string` },
    { name: `numeric ${attribute}`, error: () => structured({ [attribute]: 42 }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute } },
  ]),
  ...(['subject', 'time', 'datacontenttype', 'dataschema'] as const).map(
    (attribute): Case => ({ name: `empty ${attribute}`, error: () => structured({ [attribute]: '' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute } }),
  ),
  ...['has space', 'http://[::1', '1a:b/c', '%zz', 'x#a#b', '/path/[x]'].map(
    (source): Case => ({ name: `source ${JSON.stringify(source)}`, error: () => structured({ source }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'source' }, message: /must be a URI-reference/ }),
  ),
  ...['2026-01-31', '2026-01-31 09:30:00Z', '2026-02-30T00:00:00Z', '2026-01-31T24:00:00Z', '2026-01-31T09:30:00', '2026-01-31T09:30:00+0700', 'yesterday'].map(
    (time): Case => ({ name: `time ${time}`, error: () => structured({ time }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'time' }, message: /must be an RFC 3339 timestamp/ }),
  ),
  { name: 'relative dataschema', error: () => structured({ dataschema: '/schemas/x.json' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'dataschema' }, message: /must be an absolute URI/ },
  { name: 'datacontenttype not a media type', error: () => structured({ datacontenttype: 'json' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'datacontenttype' } },
  { name: 'uppercase extension name', error: () => structured({ Region: 'x' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'Region' }, message: /lowercase letters a-z and digits 0-9/ },
  { name: 'extension name with a dash (binary)', error: () => binary({ 'ce-trace-id': 'x' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'trace-id', header: 'ce-trace-id' } },
  { name: 'extension name of 21 characters', error: () => structured({ abcdefghijklmnopqrstu: 'x' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'abcdefghijklmnopqrstu' } },
  { name: 'object extension value', error: () => structured({ region: { code: '32.73' } }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'region' }, message: /string, a boolean or a 32-bit integer/ },
  { name: 'fractional extension value', error: () => structured({ score: 1.5 }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'score' } },
  { name: 'extension beyond 32 bits', error: () => structured({ count: 2 ** 31 }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'count' } },
  { name: 'core attribute as a GraphQL extension', error: () => input({ extensions: { id: 'other' } }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'id' }, message: /core CloudEvents member/ },
  { name: 'GraphQL extensions not an object', error: () => input({ extensions: ['a'] }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'extensions' } },
  { name: 'broken percent-encoding', error: () => binary({ 'ce-subject': '100%' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'subject', header: 'ce-subject' }, message: /invalid percent-encoding/ },
  { name: 'a ce- header sent twice', error: () => errorOf(parseHttpRequest({ ...BINARY_HEADERS, 'ce-region': ['a', 'b'] }, Buffer.alloc(0)).results[0]), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'region', header: 'ce-region' } },
  { name: 'ce-datacontenttype over HTTP', error: () => binary({ 'ce-datacontenttype': 'application/json' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'datacontenttype', header: 'ce-datacontenttype' } },
  { name: 'Kafka content-type and ce_datacontenttype disagree', error: () => kafka({ ce_datacontenttype: 'application/xml' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'datacontenttype', header: 'ce_datacontenttype' } },
  { name: 'specversion not a string', error: () => structured({ specversion: 1 }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'specversion' } },
  // Control characters, which CloudEvents strings must not use (and U+0000, which the database cannot store: a 500 once).
  ...(
    [
      ['id', 'a\u0000b'],
      ['subject', '3273010101\u0000900001'],
      ['subject', 'line\nbreak'],
      ['type', 'id.go.x\u007f.v1'],
      ['source', '/agency\u0085'],
    ] as const
  ).map(
    ([attribute, value]): Case => ({
      name: `${attribute} with U+${value.codePointAt(value.search(/[\u0000-\u001f\u007f-\u009f]/))?.toString(16).padStart(4, '0') ?? ''}`,
      error: () => structured({ [attribute]: value }),
      code: CloudEventErrorCode.InvalidAttribute,
      details: { attribute },
      message: `attribute "${attribute}" must not contain control characters (U+0000 to U+001F, U+007F to U+009F), as CloudEvents 1.0 requires`,
    }),
  ),
  { name: 'extension value with a tab', error: () => structured({ region: '32\t73' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'region' }, message: /must not contain control characters/ },
  { name: 'GraphQL subject with U+0000', error: () => input({ subject: 'a\u0000' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'subject' } },
  { name: 'Kafka ce_id with U+0000', error: () => kafka({ ce_id: 'a\u0000b' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'id', header: 'ce_id' } },
  { name: 'id of 256 characters', error: () => structured({ id: 'x'.repeat(256) }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'id' }, message: /must be at most 255 characters/ },
  {
    name: 'U+0000 in a string of data',
    error: () => structured({ data: { note: ['ok', 'a\u0000b'] } }),
    code: CloudEventErrorCode.InvalidAttribute,
    details: { attribute: 'data' },
    message: 'data holds the character U+0000 (NUL) in a string or a key, which cannot be stored; remove it',
  },
  { name: 'U+0000 in a key of data', error: () => structured({ data: { 'a\u0000': 1 } }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'data' } },
  // Half a character (a UTF-16 surrogate alone): jsonb refuses it, so a complaint title holding one was a 500 once.
  ...(
    [
      ['id', 'pbb-\ud83d', 'U+D83D'],
      ['subject', '\udc4d3273010101900001', 'U+DC4D'],
      ['region', '32.73\ud800', 'U+D800'],
    ] as const
  ).map(
    ([attribute, value, half]): Case => ({
      name: `${attribute} with an unpaired surrogate ${half}`,
      error: () => structured({ [attribute]: value }),
      code: CloudEventErrorCode.InvalidAttribute,
      details: { attribute },
      message: `attribute "${attribute}" must be well-formed Unicode, but holds an unpaired surrogate (${half}), half of a character`,
    }),
  ),
  { name: 'GraphQL source with an unpaired surrogate', error: () => input({ source: '/agency/\udbff' }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'source' } },
  {
    name: 'an unpaired surrogate in a string of data',
    // JSON.stringify writes the lone half as the escape "\ud83d", as an agency's serializer would.
    error: () => structured({ data: { title: ['ok', 'Lampu \ud83d mati'] } }),
    code: CloudEventErrorCode.InvalidAttribute,
    details: { attribute: 'data' },
    message: /unpaired surrogate in a string or a key/,
  },
  { name: 'an unpaired surrogate in a key of data', error: () => structured({ data: { ['\udc00a']: 1 } }), code: CloudEventErrorCode.InvalidAttribute, details: { attribute: 'data' } },
  // UNSUPPORTED_SPECVERSION
  ...['0.3', '1.0.2', '1'].map(
    (specversion): Case => ({
      name: `specversion ${specversion}`,
      error: () => structured({ specversion }),
      code: CloudEventErrorCode.UnsupportedSpecversion,
      details: { attribute: 'specversion' },
      message: `unsupported specversion "${specversion}": Kabar accepts CloudEvents "1.0" only`,
    }),
  ),
  { name: 'specversion 0.3 in a header', error: () => binary({ 'ce-specversion': '0.3' }), code: CloudEventErrorCode.UnsupportedSpecversion, details: { attribute: 'specversion', header: 'ce-specversion' } },
  // UNSUPPORTED_CONTENT_TYPE
  { name: 'structured Avro', error: () => caught(() => parseHttpRequest({ 'content-type': 'application/cloudevents+avro' }, Buffer.alloc(1))), code: CloudEventErrorCode.UnsupportedContentType, details: { header: 'content-type' } },
  { name: 'batch on Kafka', error: () => kafka({ 'content-type': 'application/cloudevents-batch+json' }, json([MINIMAL])), code: CloudEventErrorCode.UnsupportedContentType, details: { header: 'content-type' } },
  // DATA_NOT_JSON
  { name: 'data_base64', error: () => structured({ data_base64: 'aGFsbw==' }), code: CloudEventErrorCode.DataNotJson, details: { attribute: 'data_base64' }, message: /data_base64.*JSON data only/ },
  { name: 'structured text data', error: () => structured({ datacontenttype: 'text/plain', data: 'halo' }), code: CloudEventErrorCode.DataNotJson, details: { attribute: 'datacontenttype' } },
  { name: 'JSON data in another charset', error: () => structured({ datacontenttype: 'application/json; charset=iso-8859-1', data: {} }), code: CloudEventErrorCode.DataNotJson, details: { attribute: 'datacontenttype' } },
  {
    name: 'binary text body',
    error: () => binary({ 'content-type': 'text/plain' }, Buffer.from('halo')),
    code: CloudEventErrorCode.DataNotJson,
    details: { attribute: 'datacontenttype', header: 'content-type' },
    message: 'binary-mode data must be JSON, but "content-type" is "text/plain": Kabar accepts application/json or a +json type in UTF-8',
  },
  { name: 'binary body without content-type', error: () => binary({ 'content-type': undefined }, json({})), code: CloudEventErrorCode.DataNotJson, details: { attribute: 'datacontenttype', header: 'content-type' } },
  { name: 'Kafka binary octet-stream', error: () => kafka({ 'content-type': 'application/octet-stream' }, Buffer.from([1, 2])), code: CloudEventErrorCode.DataNotJson, details: { attribute: 'datacontenttype', header: 'content-type' } },
  {
    name: 'data nested 65 levels deep',
    error: () => structured({ data: JSON.parse('['.repeat(65) + ']'.repeat(65)) as unknown }),
    code: CloudEventErrorCode.DataNotJson,
    details: { attribute: 'data', limit: 64 },
    message: 'data nests deeper than 64 levels of objects and arrays; flatten it',
  },
  { name: 'GraphQL data that is not JSON', error: () => input({ data: { at: new Date(0) } }), code: CloudEventErrorCode.DataNotJson, details: { attribute: 'data' } },
  // PAYLOAD_TOO_LARGE
  { name: 'event over the limit', error: () => caught(() => parseCloudEventInput({ ...MINIMAL, data: 'x' }, { maxEventBytes: 10 })), code: CloudEventErrorCode.PayloadTooLarge, details: { limit: 10, actual: 119 } },
  // Whole-request codes.
  { name: 'malformed JSON', error: () => caught(() => parseHttpRequest(STRUCTURED, Buffer.from('{'))), code: CloudEventErrorCode.MalformedJson, details: {} },
  { name: 'not an object', error: () => caught(() => parseHttpRequest(STRUCTURED, json('event'))), code: CloudEventErrorCode.NotAnObject, details: {} },
  { name: 'not an array', error: () => caught(() => parseHttpRequest(BATCH, json({}))), code: CloudEventErrorCode.NotAnArray, details: {} },
  { name: 'empty batch', error: () => caught(() => parseHttpRequest(BATCH, json([]))), code: CloudEventErrorCode.EmptyBatch, details: {} },
  { name: 'batch too large', error: () => caught(() => parseHttpRequest(BATCH, json([MINIMAL, MINIMAL]), { maxBatchEvents: 1 })), code: CloudEventErrorCode.BatchTooLarge, details: { limit: 1, actual: 2 } },
];

describe('CloudEventError codes', () => {
  it.each(cases)('$name → $code', ({ error, code, details, message }) => {
    const thrown = error();
    expect(thrown.code).toBe(code);
    expect(thrown.details).toEqual(details);
    // Cases without a message to pin still produce one.
    expect(thrown.message).toMatch(message ?? /\S/);
    expect(thrown.name).toBe('CloudEventError');
  });

  it('covers every code', () => {
    const covered = new Set(cases.map((c) => c.code));
    expect(Object.values(CloudEventErrorCode).filter((code) => !covered.has(code))).toEqual([]);
  });

  it('never echoes the rejected value of an attribute', () => {
    const error = structured({ subject: '3273010101900001', time: 'NIK 3273010101900001' });
    expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain('3273010101900001');
  });

  it('takes characters outside the Basic Multilingual Plane whole, in attributes and in data', () => {
    const [result] = parseHttpRequest(STRUCTURED, json({ ...MINIMAL, id: 'lapor-\u{1F44D}', region: '\u{1F3E0}', data: { title: 'Lampu mati \u{1F4A1}', ['\u{1F600}']: 1 } })).results;
    expect(result?.ok).toBe(true);
  });

  it('takes an id of 255 characters, and control characters JSON data may carry besides U+0000', () => {
    const [result] = parseHttpRequest(STRUCTURED, json({ ...MINIMAL, id: 'x'.repeat(255), data: { note: 'line\nbreak\ttab' } })).results;
    expect(result?.ok).toBe(true);
  });
});
