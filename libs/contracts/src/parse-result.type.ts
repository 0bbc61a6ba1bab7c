import type { CloudEventError } from './cloud-event.exception.js';
import type { CloudEvent } from './cloud-event.type.js';

/** One event's outcome, so a bad event in a batch is reported without rejecting the others. */
export type ParseResult = { readonly ok: true; readonly event: CloudEvent } | { readonly ok: false; readonly error: CloudEventError; readonly index: number };
