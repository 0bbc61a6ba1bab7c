import { type CloudEvent, CloudEventError, type ParseResult } from '@kabar/contracts';
import { expect } from 'vitest';

/** The smallest valid event, as JSON-format members; tests add or override what they exercise. */
export const MINIMAL = { specversion: '1.0', id: 'evt-1', source: '/agencies/dukcapil', type: 'id.go.dukcapil.birth.registered.v1' } as const;

/** A typical agency event: every optional attribute, typed extensions, JSON data. */
export const FULL_MEMBERS = {
  ...MINIMAL,
  subject: '3273010101900001',
  time: '2026-01-31T09:30:00+07:00',
  datacontenttype: 'application/json',
  dataschema: 'https://kabar.go.id/schemas/birth-registered.v1.json',
  region: '32.73',
  priority: 5,
  urgent: true,
  data: { child: { name: 'Siti' }, certificate: 'AL-2026-0001', fee: 0 },
} as const;

export const FULL_EVENT: CloudEvent = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/agencies/dukcapil',
  type: 'id.go.dukcapil.birth.registered.v1',
  subject: '3273010101900001',
  time: '2026-01-31T09:30:00+07:00',
  datacontenttype: 'application/json',
  dataschema: 'https://kabar.go.id/schemas/birth-registered.v1.json',
  data: { child: { name: 'Siti' }, certificate: 'AL-2026-0001', fee: 0 },
  extensions: { region: '32.73', priority: 5, urgent: true },
};

export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

export const STRUCTURED = { 'content-type': 'application/cloudevents+json' } as const;
export const BATCH = { 'content-type': 'application/cloudevents-batch+json' } as const;

/** Binary-mode HTTP headers for MINIMAL, with JSON data. */
export const BINARY_HEADERS = {
  'content-type': 'application/json',
  'ce-specversion': '1.0',
  'ce-id': 'evt-1',
  'ce-source': '/agencies/dukcapil',
  'ce-type': 'id.go.dukcapil.birth.registered.v1',
} as const;

/** Binary-mode Kafka headers for MINIMAL, with JSON data. */
export const KAFKA_BINARY_HEADERS = {
  'content-type': 'application/json',
  ce_specversion: '1.0',
  ce_id: 'evt-1',
  ce_source: '/agencies/dukcapil',
  ce_type: 'id.go.dukcapil.birth.registered.v1',
} as const;

/** Runs `act`, asserts it throws a CloudEventError, and returns it for further assertions. */
export function caught(act: () => unknown): CloudEventError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(CloudEventError);
    return error as CloudEventError;
  }
  throw new Error('expected a CloudEventError, but nothing was thrown');
}

/** The event of a successful result, failing the test with the error's message otherwise. */
export function eventOf(result: ParseResult | undefined): CloudEvent {
  if (result === undefined) throw new Error('no result');
  if (!result.ok) throw new Error(`expected an event, got ${result.error.code}: ${result.error.message}`);
  return result.event;
}

/** The error of a failed result, failing the test otherwise. */
export function errorOf(result: ParseResult | undefined): CloudEventError {
  if (result === undefined) throw new Error('no result');
  if (result.ok) throw new Error(`expected an error, got event ${result.event.id}`);
  return result.error;
}
