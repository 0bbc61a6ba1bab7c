/** Why an incoming CloudEvent (or a whole request carrying events) was refused; the edges map these once each. */
export enum CloudEventErrorCode {
  /** Bytes that must be JSON (structured event, batch, JSON data) do not parse, or are not UTF-8. */
  MalformedJson = 'MALFORMED_JSON',
  /** A structured event (or batch element) is valid JSON but not a JSON object. */
  NotAnObject = 'NOT_AN_OBJECT',
  /** A batch body is valid JSON but not a JSON array. */
  NotAnArray = 'NOT_AN_ARRAY',
  MissingAttribute = 'MISSING_ATTRIBUTE',
  InvalidAttribute = 'INVALID_ATTRIBUTE',
  UnsupportedSpecversion = 'UNSUPPORTED_SPECVERSION',
  /** The envelope's content type selects a format Kabar does not read (e.g. `application/cloudevents+avro`). */
  UnsupportedContentType = 'UNSUPPORTED_CONTENT_TYPE',
  /** The event's data is not JSON: `data_base64`, or a non-JSON `datacontenttype` with data. */
  DataNotJson = 'DATA_NOT_JSON',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  EmptyBatch = 'EMPTY_BATCH',
  BatchTooLarge = 'BATCH_TOO_LARGE',
}
