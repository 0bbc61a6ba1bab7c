/** Size limits applied while parsing; every transport uses the same ones so an event accepted on one is accepted on all. */
export interface CloudEventLimits {
  /** Largest event, in UTF-8 bytes of its structured JSON form (`toStructuredJson`). */
  readonly maxEventBytes: number;
  /** Most events in one `application/cloudevents-batch+json` request. */
  readonly maxBatchEvents: number;
  /** Largest batch request body, in bytes. */
  readonly maxBatchBytes: number;
}

/** 256 KiB per event (the usual broker/webhook ceiling), 1000 events and 5 MiB per batch. */
export const DEFAULT_LIMITS: CloudEventLimits = Object.freeze({
  maxEventBytes: 256 * 1024,
  maxBatchEvents: 1000,
  maxBatchBytes: 5 * 1024 * 1024,
});
