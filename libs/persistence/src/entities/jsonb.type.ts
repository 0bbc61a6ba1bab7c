import { JsonType } from '@mikro-orm/core';

import { jsonText } from '../json-text.js';

/**
 * MikroORM's JSON type, written through `jsonText`: half a character in an agency's name or an event type's schema is
 * stored as U+FFFD, as a text column stores it, instead of failing the whole flush (a 500 to the admin once).
 */
export class JsonbType extends JsonType {
  override convertToDatabaseValue(value: unknown): string | null {
    return value == null ? null : jsonText(value);
  }
}
