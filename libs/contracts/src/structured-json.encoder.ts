import type { CloudEvent } from './cloud-event.type.js';
import { CONTEXT_ATTRIBUTES } from './cloud-event-attributes.constant.js';

/**
 * The JSON event format of an already valid event: context attributes, then extensions as top-level members, then data.
 * @example encodeStructuredJson(event) // '{"specversion":"1.0","id":"1",...}'
 */
export function encodeStructuredJson(event: CloudEvent): string {
  const members: Record<string, unknown> = {};
  for (const name of CONTEXT_ATTRIBUTES) {
    if (event[name] !== undefined) members[name] = event[name];
  }
  for (const [name, value] of Object.entries(event.extensions)) members[name] = value;
  if (event.data !== undefined) members['data'] = event.data;
  return JSON.stringify(members);
}
