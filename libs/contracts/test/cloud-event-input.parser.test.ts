import { type CloudEventInput, parseCloudEventInput, toStructuredJson } from '@kabar/contracts';
import { describe, expect, it } from 'vitest';

import { caught, FULL_EVENT, MINIMAL } from './cloud-event.fixtures.js';

describe('parseCloudEventInput', () => {
  it('maps a complete GraphQL input to the same event the HTTP and Kafka bindings produce', () => {
    const input: CloudEventInput = {
      ...MINIMAL,
      subject: '3273010101900001',
      time: '2026-01-31T09:30:00+07:00',
      datacontenttype: 'application/json',
      dataschema: 'https://kabar.go.id/schemas/birth-registered.v1.json',
      data: { child: { name: 'Siti' }, certificate: 'AL-2026-0001', fee: 0 },
      extensions: { region: '32.73', priority: 5, urgent: true },
    };
    expect(parseCloudEventInput(input)).toEqual(FULL_EVENT);
  });

  it('treats null optional fields, null extensions and null data as absent', () => {
    const event = parseCloudEventInput({ ...MINIMAL, subject: null, time: null, datacontenttype: null, dataschema: null, data: null, extensions: { region: null } });
    expect(event).toStrictEqual({ ...MINIMAL, extensions: {} });
  });

  it.each([
    ['https://dukcapil.go.id/registry', 'an absolute URL'],
    ['/agencies/dukcapil', 'an absolute path'],
    ['urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e', 'a URN'],
    ['dukcapil', 'a bare name'],
    ['http://[2001:db8::1]:8080/x?y=1#z', 'an IPv6 host with query and fragment'],
    ['mailto:helpdesk@dukcapil.go.id', 'a mailto URI'],
    ['/a%20b', 'percent-encoding'],
  ])('accepts source %s (%s)', (source) => {
    expect(parseCloudEventInput({ ...MINIMAL, source }).source).toBe(source);
  });

  it.each(['2026-01-31T09:30:00Z', '2026-01-31T09:30:00.5+07:00', '2024-02-29T23:59:60-09:30', '2026-01-31t09:30:00z'])('accepts time %s', (time) => {
    expect(parseCloudEventInput({ ...MINIMAL, time }).time).toBe(time);
  });

  it('accepts extension names of exactly 20 characters and 32-bit integer bounds', () => {
    const extensions = { abcdefghij0123456789: 'x', min: -(2 ** 31), max: 2 ** 31 - 1, flag: false };
    expect(parseCloudEventInput({ ...MINIMAL, extensions }).extensions).toEqual(extensions);
  });

  it('accepts data nested 64 levels deep (the cap that keeps hostile nesting from overflowing the stack)', () => {
    const data: unknown = JSON.parse('{"a":'.repeat(63) + '[]' + '}'.repeat(63));
    expect(parseCloudEventInput({ ...MINIMAL, data }).data).toEqual(data);
  });

  it('accepts an event of exactly maxEventBytes and throws one byte more', () => {
    const size = Buffer.byteLength(toStructuredJson({ ...MINIMAL, data: { a: 'xyz' }, extensions: {} }));
    expect(parseCloudEventInput({ ...MINIMAL, data: { a: 'xyz' } }, { maxEventBytes: size }).data).toEqual({ a: 'xyz' });
    expect(caught(() => parseCloudEventInput({ ...MINIMAL, data: { a: 'xyz' } }, { maxEventBytes: size - 1 })).details).toEqual({ limit: size - 1, actual: size });
  });
});
