import { storableJson } from '@kabar/core';
import { JsonType } from '@mikro-orm/core';

/**
 * MikroORM's JSON type, written through `storableJson`: half a character in an agency's name or an event type's schema is
 * stored as U+FFFD, as a text column stores it, instead of failing the whole flush (a 500 to the admin once).
 */
export class JsonbType extends JsonType {
  override convertToDatabaseValue(value: unknown): string | null {
    return value == null ? null : storableJson(value);
  }
}
