import { createCloudEvent } from './cloud-event.factory.js';
import type { CloudEvent } from './cloud-event.type.js';
import { encodeStructuredJson } from './structured-json.encoder.js';

/**
 * The event in the CloudEvents JSON format (`application/cloudevents+json`). Validates first, so Kabar never publishes
 * an event its own parsers would refuse; throws CloudEventError if it would.
 * @example toStructuredJson({ specversion: '1.0', id: 'n-1', source: '/kabar', type: 'id.go.kabar.delivery.delivered.v1', extensions: {} })
 */
export function toStructuredJson(event: CloudEvent): string {
  const checked = createCloudEvent({
    attributes: event,
    extensions: new Map(Object.entries(event.extensions)),
    ...(event.data === undefined ? {} : { data: { value: event.data } }),
  });
  return encodeStructuredJson(checked);
}
