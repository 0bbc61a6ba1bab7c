import { unpairedSurrogate } from '@kabar/core';

import { CloudEventError, type CloudEventErrorDetails } from './cloud-event.exception.js';
import { type CloudEvent, type CloudEventExtensionValue,CLOUDEVENTS_SPEC_VERSION } from './cloud-event.type.js';
import { type ContextAttribute,EXTENSION_NAME, isContextAttribute } from './cloud-event-attributes.constant.js';
import { CloudEventErrorCode } from './cloud-event-error-code.enum.js';
import { checkJsonValue, MAX_JSON_DEPTH } from './json-value.util.js';
import { hasUtf8Charset, isJsonMediaType, parseMediaType } from './media-type.util.js';
import { isRfc3339 } from './rfc3339.util.js';
import { encodeStructuredJson } from './structured-json.encoder.js';
import { isAbsoluteUri, isUriReference } from './uri-reference.util.js';

/** An event as read off a transport, before any check; `undefined` means absent (JSON null is mapped to it by readers). */
export interface RawCloudEvent {
  readonly attributes: Readonly<Partial<Record<ContextAttribute, unknown>>>;
  readonly extensions: ReadonlyMap<string, unknown>;
  /** Present when the event carries data; `value` is the JSON value. */
  readonly data?: { readonly value: unknown };
}

export interface CreateOptions {
  /** Checked against the UTF-8 length of the structured JSON form; no check when absent. */
  readonly maxEventBytes?: number;
  /** Binary modes: the header an attribute travels in, so the message points at what to fix. */
  readonly headerFor?: (attribute: string) => string;
  /**
   * Bytes the event arrived in (value plus header names and values). Re-encoding is what costs on the hot path, and
   * the structured form cannot exceed 6 bytes per input byte (JSON's worst escape, `\u00XX`) plus the attribute
   * names, so small inputs skip the exact measurement.
   */
  readonly inputBytes?: number;
}

/**
 * CloudEvents 1.0 strings must not use the control characters U+0000-U+001F and U+007F-U+009F (type system, String);
 * U+0000 would also fail in the database (a 500, where the agency is owed a 400 naming the attribute).
 */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const NO_CONTROL_CHARACTERS = 'must not contain control characters (U+0000 to U+001F, U+007F to U+009F), as CloudEvents 1.0 requires';

/** Longest `id` Kabar stores (CloudEvents sets no limit; UUIDs and database keys are far shorter). */
const MAX_ID_LENGTH = 255;

/** Room for attribute names, quotes and separators added by the structured form. */
const STRUCTURE_OVERHEAD = 1_024;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** Names and content types may be echoed (they are not personal data) but are cut short to keep messages readable. */
const quote = (value: string): string => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);

/**
 * Validates a raw event against CloudEvents 1.0 and Kabar's rules (JSON data only, size limit) and returns the event.
 * @example createCloudEvent({ attributes: { specversion: '1.0', id: '1', source: '/x', type: 't' }, extensions: new Map() })
 */
export function createCloudEvent(raw: RawCloudEvent, options: CreateOptions = {}): CloudEvent {
  const details = (attribute: string): CloudEventErrorDetails => {
    const header = options.headerFor?.(attribute);
    return header === undefined ? { attribute } : { attribute, header };
  };
  const where = (attribute: string): string => {
    const header = options.headerFor?.(attribute);
    return header === undefined ? '' : ` (header "${header}")`;
  };
  const missing = (attribute: string): CloudEventError =>
    new CloudEventError(CloudEventErrorCode.MissingAttribute, `missing required attribute "${attribute}"${where(attribute)}`, details(attribute));
  const invalid = (attribute: string, problem: string): CloudEventError =>
    new CloudEventError(CloudEventErrorCode.InvalidAttribute, `attribute "${attribute}"${where(attribute)} ${problem}`, details(attribute));

  const { attributes } = raw;
  const specversion = attributes.specversion;
  if (specversion === undefined) throw missing('specversion');
  if (typeof specversion !== 'string') throw invalid('specversion', `must be the string "${CLOUDEVENTS_SPEC_VERSION}"`);
  if (specversion !== CLOUDEVENTS_SPEC_VERSION) {
    throw new CloudEventError(
      CloudEventErrorCode.UnsupportedSpecversion,
      `unsupported specversion ${quote(specversion)}${where('specversion')}: Kabar accepts CloudEvents "${CLOUDEVENTS_SPEC_VERSION}" only`,
      details('specversion'),
    );
  }

  /** Control characters and half characters, refused in every string attribute and string extension alike. */
  const checkText = (attribute: string, value: string): void => {
    if (CONTROL_CHARACTER.test(value)) throw invalid(attribute, NO_CONTROL_CHARACTERS);
    const half = unpairedSurrogate(value);
    if (half !== undefined) throw invalid(attribute, `must be well-formed Unicode, but holds an unpaired surrogate (${half}), half of a character`);
  };
  const required = (attribute: ContextAttribute): string => {
    const value = attributes[attribute];
    if (value === undefined) throw missing(attribute);
    if (typeof value !== 'string' || value === '') throw invalid(attribute, 'must be a non-empty string');
    checkText(attribute, value);
    return value;
  };
  const optional = (attribute: ContextAttribute): string | undefined => {
    const value = attributes[attribute];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw invalid(attribute, 'must be a non-empty string when present');
    checkText(attribute, value);
    return value;
  };

  const id = required('id');
  if (id.length > MAX_ID_LENGTH) throw invalid('id', `must be at most ${String(MAX_ID_LENGTH)} characters (it is stored, with the source, to answer replays)`);
  const source = required('source');
  if (!isUriReference(source)) throw invalid('source', 'must be a URI-reference (RFC 3986), e.g. "/agencies/dukcapil" or "https://dukcapil.go.id"');
  const type = required('type');
  const subject = optional('subject');
  const time = optional('time');
  if (time !== undefined && !isRfc3339(time)) throw invalid('time', 'must be an RFC 3339 timestamp, e.g. "2026-01-31T09:30:00+07:00"');
  const datacontenttype = optional('datacontenttype');
  const mediaType = datacontenttype === undefined ? undefined : parseMediaType(datacontenttype);
  if (datacontenttype !== undefined && mediaType === undefined) throw invalid('datacontenttype', 'must be a media type (RFC 2046), e.g. "application/json"');
  const dataschema = optional('dataschema');
  if (dataschema !== undefined && !isAbsoluteUri(dataschema)) throw invalid('dataschema', 'must be an absolute URI, e.g. "https://kabar.go.id/schemas/birth.json"');

  const extensions: Record<string, CloudEventExtensionValue> = {};
  for (const [name, value] of raw.extensions) {
    if (value === undefined) continue;
    if (isContextAttribute(name) || name === 'data') {
      throw invalid(name, 'is a core CloudEvents member and cannot be sent as an extension');
    }
    if (!EXTENSION_NAME.test(name)) {
      throw new CloudEventError(
        CloudEventErrorCode.InvalidAttribute,
        `extension attribute name ${quote(name)}${where(name)} must be 1-20 characters, lowercase letters a-z and digits 0-9 only`,
        details(name),
      );
    }
    if (typeof value === 'string') checkText(name, value);
    if (typeof value === 'string' || typeof value === 'boolean' || (Number.isInteger(value) && typeof value === 'number' && value >= INT32_MIN && value <= INT32_MAX)) {
      extensions[name] = value;
    } else {
      throw invalid(name, 'must be a string, a boolean or a 32-bit integer (the CloudEvents extension types JSON can carry)');
    }
  }

  if (raw.data !== undefined) {
    if (datacontenttype !== undefined && !(isJsonMediaType(mediaType) && hasUtf8Charset(mediaType))) {
      throw new CloudEventError(
        CloudEventErrorCode.DataNotJson,
        `data must be JSON, but datacontenttype${where('datacontenttype')} is ${quote(datacontenttype)}: Kabar accepts application/json or a +json type in UTF-8`,
        details('datacontenttype'),
      );
    }
    switch (checkJsonValue(raw.data.value)) {
      case 'ok':
        break;
      case 'not-json':
        throw new CloudEventError(CloudEventErrorCode.DataNotJson, 'data must be a JSON value (object, array, string, finite number, boolean or null)', { attribute: 'data' });
      case 'too-deep':
        throw new CloudEventError(CloudEventErrorCode.DataNotJson, `data nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays; flatten it`, { attribute: 'data', limit: MAX_JSON_DEPTH });
      case 'nul':
        throw new CloudEventError(CloudEventErrorCode.InvalidAttribute, 'data holds the character U+0000 (NUL) in a string or a key, which cannot be stored; remove it', { attribute: 'data' });
      case 'unpaired-surrogate':
        throw new CloudEventError(
          CloudEventErrorCode.InvalidAttribute,
          'data holds an unpaired surrogate in a string or a key (JSON "\\ud800" to "\\udfff" without its other half): it is half of a character and cannot be stored; send the whole character',
          { attribute: 'data' },
        );
    }
  }

  const event: CloudEvent = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id,
    source,
    type,
    ...(subject === undefined ? {} : { subject }),
    ...(time === undefined ? {} : { time }),
    ...(datacontenttype === undefined ? {} : { datacontenttype }),
    ...(dataschema === undefined ? {} : { dataschema }),
    ...(raw.data === undefined ? {} : { data: raw.data.value }),
    extensions,
  };
  const certainlySmall = options.inputBytes !== undefined && options.maxEventBytes !== undefined && options.inputBytes * 6 + STRUCTURE_OVERHEAD <= options.maxEventBytes;
  if (options.maxEventBytes !== undefined && !certainlySmall) {
    const size = Buffer.byteLength(encodeStructuredJson(event), 'utf8');
    if (size > options.maxEventBytes) throw payloadTooLarge(size, options.maxEventBytes);
  }
  return event;
}

/**
 * The error for an event over `maxEventBytes`.
 * @example throw payloadTooLarge(300_000, DEFAULT_LIMITS.maxEventBytes)
 */
export function payloadTooLarge(actual: number, limit: number): CloudEventError {
  return new CloudEventError(
    CloudEventErrorCode.PayloadTooLarge,
    `event is ${actual} bytes, over the limit of ${limit} bytes (measured as structured JSON); send large content by reference (a URL in data)`,
    { limit, actual },
  );
}
