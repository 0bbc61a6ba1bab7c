import { readBinaryAttributes } from './binary-headers.reader.js';
import { CloudEventError } from './cloud-event.exception.js';
import { createCloudEvent, payloadTooLarge, type RawCloudEvent } from './cloud-event.factory.js';
import type { CloudEvent } from './cloud-event.type.js';
import { CloudEventErrorCode } from './cloud-event-error-code.enum.js';
import { type CloudEventLimits, DEFAULT_LIMITS } from './cloud-event-limits.constant.js';
import { isJsonObject, parseJsonBytes } from './json-value.util.js';
import { CLOUDEVENTS_MEDIA_PREFIX, hasUtf8Charset, isJsonMediaType, parseMediaType, STRUCTURED_CONTENT_TYPE } from './media-type.util.js';
import { readStructuredEvent } from './structured-event.reader.js';

/** A consumed Kafka record with header values already decoded from bytes to UTF-8 strings. */
export interface KafkaRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

const kafkaHeaderFor = (attribute: string): string => (attribute === 'datacontenttype' ? 'content-type' : `ce_${attribute}`);

/**
 * Reads a record from `kabar.events.v1` per the CloudEvents Kafka binding: structured when `content-type` is
 * `application/cloudevents+json`, binary (`ce_*` headers, value is the JSON data) otherwise. A non-null record key
 * becomes the `partitionkey` extension. Throws CloudEventError for anything Kabar cannot accept.
 * @example parseKafkaRecord({ key: '3273010101900001', value, headers: { 'content-type': 'application/cloudevents+json' } })
 */
export function parseKafkaRecord(record: KafkaRecord, limits: Partial<CloudEventLimits> = {}): CloudEvent {
  const { maxEventBytes } = { ...DEFAULT_LIMITS, ...limits };
  const headers = lowercaseHeaders(record.headers);
  const contentType = headers.get('content-type');
  if (record.value !== null && record.value.length > maxEventBytes) throw payloadTooLarge(record.value.length, maxEventBytes);

  let raw: RawCloudEvent;
  let headerFor: ((attribute: string) => string) | undefined;
  if (contentType?.trim().toLowerCase().startsWith(CLOUDEVENTS_MEDIA_PREFIX) === true) {
    const mediaType = parseMediaType(contentType);
    if (mediaType?.essence !== STRUCTURED_CONTENT_TYPE || !hasUtf8Charset(mediaType)) {
      throw new CloudEventError(
        CloudEventErrorCode.UnsupportedContentType,
        `content type ${JSON.stringify(contentType.slice(0, 80))} is not supported on Kafka: send one event per record as "${STRUCTURED_CONTENT_TYPE}" (UTF-8), or JSON data with ce_* headers (binary mode)`,
        { header: 'content-type' },
      );
    }
    if (record.value === null || record.value.length === 0) throw new CloudEventError(CloudEventErrorCode.MalformedJson, 'record value is empty; a structured CloudEvent must be a JSON object');
    const members = parseJsonBytes(record.value, 'record value');
    if (!isJsonObject(members)) throw new CloudEventError(CloudEventErrorCode.NotAnObject, 'a structured CloudEvent must be a JSON object');
    raw = readStructuredEvent(members);
  } else {
    raw = readBinary(headers, contentType, record.value);
    headerFor = kafkaHeaderFor;
  }
  let inputBytes = (record.value?.length ?? 0) + (record.key?.length ?? 0);
  for (const [name, value] of headers) inputBytes += name.length + value.length;
  return createCloudEvent(withPartitionKey(raw, record.key, headerFor), { maxEventBytes, inputBytes, ...(headerFor === undefined ? {} : { headerFor }) });
}

function lowercaseHeaders(headers: Readonly<Record<string, string>>): Map<string, string> {
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const previous = lowered.get(key);
    // Kafka header names are case-sensitive; two spellings of one name with different values are ambiguous.
    if (previous !== undefined && previous !== value) {
      throw new CloudEventError(CloudEventErrorCode.InvalidAttribute, `header "${key}" is sent twice with different values`, { header: key });
    }
    lowered.set(key, value);
  }
  return lowered;
}

function readBinary(headers: Map<string, string>, contentType: string | undefined, value: Buffer | null): RawCloudEvent {
  // The Kafka binding carries datacontenttype in content-type; some SDKs (cloudevents-sdk-javascript) also send
  // ce_datacontenttype, which is harmless when it agrees.
  const prefixed = headers.get('ce_datacontenttype');
  if (prefixed !== undefined) {
    if (contentType !== undefined && prefixed !== contentType) {
      throw new CloudEventError(CloudEventErrorCode.InvalidAttribute, 'attribute "datacontenttype": headers "content-type" and "ce_datacontenttype" disagree; send "content-type" only', {
        attribute: 'datacontenttype',
        header: 'ce_datacontenttype',
      });
    }
    headers.delete('ce_datacontenttype');
  }
  const datacontenttype = contentType ?? prefixed;
  const { attributes, extensions } = readBinaryAttributes(headers, 'ce_');
  if (value === null || value.length === 0) return { attributes: { ...attributes, datacontenttype }, extensions };

  const mediaType = datacontenttype === undefined ? undefined : parseMediaType(datacontenttype);
  if (!isJsonMediaType(mediaType) || !hasUtf8Charset(mediaType)) {
    throw new CloudEventError(
      CloudEventErrorCode.DataNotJson,
      datacontenttype === undefined
        ? 'binary-mode data needs a "content-type" header: Kabar accepts application/json or a +json type in UTF-8'
        : `binary-mode data must be JSON, but "content-type" is ${JSON.stringify(datacontenttype.slice(0, 80))}: Kabar accepts application/json or a +json type in UTF-8`,
      { attribute: 'datacontenttype', header: 'content-type' },
    );
  }
  return { attributes: { ...attributes, datacontenttype }, extensions, data: { value: parseJsonBytes(value, 'record value (binary-mode data)') } };
}

/** Kafka binding 3.1: the `partitionkey` extension maps to the record key; a different value in the event is a producer bug. */
function withPartitionKey(raw: RawCloudEvent, key: string | null, headerFor: ((attribute: string) => string) | undefined): RawCloudEvent {
  if (key === null) return raw;
  const declared = raw.extensions.get('partitionkey');
  if (declared !== undefined && declared !== key) {
    const header = headerFor?.('partitionkey');
    throw new CloudEventError(
      CloudEventErrorCode.InvalidAttribute,
      `attribute "partitionkey"${header === undefined ? '' : ` (header "${header}")`} differs from the record key; per the Kafka binding they must be equal (or omit "partitionkey")`,
      { attribute: 'partitionkey', ...(header === undefined ? {} : { header }) },
    );
  }
  const extensions = new Map(raw.extensions);
  extensions.set('partitionkey', key);
  return { ...raw, extensions };
}
