import { KabarError } from '@kabar/core';

import type { CloudEventErrorCode } from './cloud-event-error-code.enum.js';

/**
 * What the edge may show the integrator. Values sent by the integrator are never echoed (a subject can be a national ID
 * number, and errors end up in logs); only names, limits and sizes are.
 */
export type CloudEventErrorDetails = Readonly<{
  /** The CloudEvents attribute at fault, e.g. `source`, `datacontenttype`, `data_base64`. */
  attribute?: string;
  /** Where a binary-mode attribute was read from, e.g. `ce-source` (HTTP) or `ce_source` (Kafka). */
  header?: string;
  limit?: number;
  actual?: number;
}>;

/** A CloudEvent (or a request carrying CloudEvents) that Kabar refuses, with a message an integrator can act on. */
export class CloudEventError extends KabarError<CloudEventErrorCode> {
  declare readonly details: CloudEventErrorDetails;

  constructor(
    readonly code: CloudEventErrorCode,
    message: string,
    details: CloudEventErrorDetails = {},
  ) {
    super(message, details);
  }
}
