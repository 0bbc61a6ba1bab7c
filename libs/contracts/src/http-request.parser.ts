import { readBinaryAttributes } from './binary-headers.reader.js';
import { CloudEventError } from './cloud-event.exception.js';
import { createCloudEvent, payloadTooLarge } from './cloud-event.factory.js';
import { CloudEventErrorCode } from './cloud-event-error-code.enum.js';
import { type CloudEventLimits, DEFAULT_LIMITS } from './cloud-event-limits.constant.js';
import { isJsonObject, parseJsonBytes } from './json-value.util.js';
import { BATCH_CONTENT_TYPE, CLOUDEVENTS_MEDIA_PREFIX, hasUtf8Charset, isJsonMediaType, parseMediaType, STRUCTURED_CONTENT_TYPE } from './media-type.util.js';
import { attemptEvent } from './parse-attempt.util.js';
import type { ParseResult } from './parse-result.type.js';
import { decodeHeaderValue } from './percent-decoding.util.js';
import { readStructuredEvent } from './structured-event.reader.js';

/** Node's `IncomingHttpHeaders` shape (names lowercase; only `set-cookie` is ever an array there). */
export type HttpHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export type HttpContentMode = 'binary' | 'structured' | 'batch';

export interface HttpParseOutcome {
  readonly mode: HttpContentMode;
  /** One entry per event, in request order: one for binary and structured mode, one per element for a batch. */
  readonly results: readonly ParseResult[];
}

const httpHeaderFor = (attribute: string): string => (attribute === 'datacontenttype' ? 'content-type' : `ce-${attribute}`);

/**
 * Reads a request to `POST /v1/events` per the CloudEvents HTTP binding: binary (`ce-*` headers), structured
 * (`application/cloudevents+json`) or batch (`application/cloudevents-batch+json`). Problems with one event come back
 * in `results`; problems with the request as a whole (unreadable body, bad batch, unsupported content type) throw.
 * @example const { mode, results } = parseHttpRequest(req.headers, req.body) // mode: 'structured', results[0].ok: true
 */
export function parseHttpRequest(headers: HttpHeaders, body: Uint8Array, limits: Partial<CloudEventLimits> = {}): HttpParseOutcome {
  const effective: CloudEventLimits = { ...DEFAULT_LIMITS, ...limits };
  const lowered = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const contentType = lowered.get('content-type');
  if (Array.isArray(contentType)) {
    throw new CloudEventError(CloudEventErrorCode.UnsupportedContentType, 'the "content-type" header must be sent once', { header: 'content-type' });
  }
  const typeText = typeof contentType === 'string' ? contentType : undefined;
  if (typeText?.trim().toLowerCase().startsWith(CLOUDEVENTS_MEDIA_PREFIX) === true) {
    const mediaType = parseMediaType(typeText);
    const supported = (mediaType?.essence === STRUCTURED_CONTENT_TYPE || mediaType?.essence === BATCH_CONTENT_TYPE) && hasUtf8Charset(mediaType);
    if (mediaType === undefined || !supported) {
      throw new CloudEventError(
        CloudEventErrorCode.UnsupportedContentType,
        `content type ${JSON.stringify(typeText.slice(0, 80))} is not supported: send "${STRUCTURED_CONTENT_TYPE}" (one event), "${BATCH_CONTENT_TYPE}" (a JSON array of events), or JSON data with ce-* headers (binary mode), in UTF-8`,
        { header: 'content-type' },
      );
    }
    return mediaType.essence === BATCH_CONTENT_TYPE ? { mode: 'batch', results: parseBatch(body, effective) } : { mode: 'structured', results: [parseStructured(body, effective)] };
  }
  return { mode: 'binary', results: [parseBinary(lowered, typeText, body, effective)] };
}

function parseStructured(body: Uint8Array, limits: CloudEventLimits): ParseResult {
  // Refuse before parsing: the compact form is what counts, but a body this big is not worth decoding.
  if (body.length > limits.maxEventBytes) return { ok: false, error: payloadTooLarge(body.length, limits.maxEventBytes), index: 0 };
  const value = parseJsonBytes(body, 'request body');
  if (!isJsonObject(value)) throw new CloudEventError(CloudEventErrorCode.NotAnObject, 'a structured CloudEvent must be a JSON object');
  return attemptEvent(0, () => createCloudEvent(readStructuredEvent(value), { maxEventBytes: limits.maxEventBytes }));
}

function parseBatch(body: Uint8Array, limits: CloudEventLimits): readonly ParseResult[] {
  if (body.length > limits.maxBatchBytes) {
    throw new CloudEventError(CloudEventErrorCode.BatchTooLarge, `batch body is ${body.length} bytes, over the limit of ${limits.maxBatchBytes} bytes; split it`, {
      limit: limits.maxBatchBytes,
      actual: body.length,
    });
  }
  const value = parseJsonBytes(body, 'batch body');
  if (!Array.isArray(value)) throw new CloudEventError(CloudEventErrorCode.NotAnArray, `a "${BATCH_CONTENT_TYPE}" body must be a JSON array of events`);
  if (value.length === 0) throw new CloudEventError(CloudEventErrorCode.EmptyBatch, 'batch holds no events; send at least one');
  if (value.length > limits.maxBatchEvents) {
    throw new CloudEventError(CloudEventErrorCode.BatchTooLarge, `batch holds ${value.length} events, over the limit of ${limits.maxBatchEvents}; split it`, {
      limit: limits.maxBatchEvents,
      actual: value.length,
    });
  }
  return value.map((element: unknown, index) =>
    attemptEvent(index, () => {
      if (!isJsonObject(element)) throw new CloudEventError(CloudEventErrorCode.NotAnObject, 'each batch element must be a JSON object (one structured CloudEvent)');
      return createCloudEvent(readStructuredEvent(element), { maxEventBytes: limits.maxEventBytes });
    }),
  );
}

function parseBinary(headers: ReadonlyMap<string, string | readonly string[] | undefined>, contentType: string | undefined, body: Uint8Array, limits: CloudEventLimits): ParseResult {
  if (body.length > limits.maxEventBytes) return { ok: false, error: payloadTooLarge(body.length, limits.maxEventBytes), index: 0 };
  let data: { value: unknown } | undefined;
  if (body.length > 0) {
    const mediaType = contentType === undefined ? undefined : parseMediaType(contentType);
    if (!isJsonMediaType(mediaType) || !hasUtf8Charset(mediaType)) {
      const error = new CloudEventError(
        CloudEventErrorCode.DataNotJson,
        contentType === undefined
          ? 'binary-mode data needs a "content-type" header: Kabar accepts application/json or a +json type in UTF-8'
          : `binary-mode data must be JSON, but "content-type" is ${JSON.stringify(contentType.slice(0, 80))}: Kabar accepts application/json or a +json type in UTF-8`,
        { attribute: 'datacontenttype', header: 'content-type' },
      );
      return { ok: false, error, index: 0 };
    }
    data = { value: parseJsonBytes(body, 'request body (binary-mode data)') };
  }
  return attemptEvent(0, () => {
    const decoded = new Map<string, string>();
    for (const [name, value] of headers) {
      if (!name.startsWith('ce-') || value === undefined) continue;
      if (typeof value !== 'string') {
        const attribute = name.slice('ce-'.length);
        throw new CloudEventError(CloudEventErrorCode.InvalidAttribute, `attribute "${attribute}" (header "${name}") must be sent once`, { attribute, header: name });
      }
      decoded.set(name, decodeHeaderValue(name, value));
    }
    const { attributes, extensions } = readBinaryAttributes(decoded, 'ce-');
    return createCloudEvent(
      { attributes: { ...attributes, datacontenttype: contentType }, extensions, ...(data === undefined ? {} : { data }) },
      { maxEventBytes: limits.maxEventBytes, headerFor: httpHeaderFor },
    );
  });
}
