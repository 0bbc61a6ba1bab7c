import { CloudEventError } from './cloud-event.exception.js';
import type { RawCloudEvent } from './cloud-event.factory.js';
import { isContextAttribute } from './cloud-event-attributes.constant.js';
import { CloudEventErrorCode } from './cloud-event-error-code.enum.js';

/**
 * Splits a JSON-format event into context attributes, extensions and data; JSON null counts as absent, as the JSON
 * format requires. `data_base64` is refused here because Kabar only takes JSON data.
 * @example readStructuredEvent({ specversion: '1.0', id: '1', source: '/x', type: 't', data: {} })
 */
export function readStructuredEvent(members: Readonly<Record<string, unknown>>): RawCloudEvent {
  const attributes: Record<string, unknown> = {};
  const extensions = new Map<string, unknown>();
  let data: { value: unknown } | undefined;
  for (const [name, value] of Object.entries(members)) {
    if (name === 'data') {
      // A JSON null is a legitimate data value, unlike a null attribute.
      data = { value };
    } else if (name === 'data_base64') {
      if (value === null) continue;
      throw new CloudEventError(
        CloudEventErrorCode.DataNotJson,
        'binary data ("data_base64") is not accepted: Kabar takes JSON data only; send it as "data" with a JSON datacontenttype',
        { attribute: 'data_base64' },
      );
    } else if (value === null) {
      continue;
    } else if (isContextAttribute(name)) {
      attributes[name] = value;
    } else {
      extensions.set(name, value);
    }
  }
  return { attributes, extensions, ...(data === undefined ? {} : { data }) };
}
