import { CloudEventError } from './cloud-event.exception.js';
import type { CloudEvent } from './cloud-event.type.js';
import type { ParseResult } from './parse-result.type.js';

/**
 * Runs one event's parse and turns its CloudEventError into a result, so one bad event does not sink its batch.
 * Anything else is a bug and propagates.
 * @example attemptEvent(0, () => createCloudEvent(raw))
 */
export function attemptEvent(index: number, parse: () => CloudEvent): ParseResult {
  try {
    return { ok: true, event: parse() };
  } catch (error) {
    if (error instanceof CloudEventError) return { ok: false, error, index };
    throw error;
  }
}
