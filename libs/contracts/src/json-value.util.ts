import { unpairedSurrogate } from '@kabar/core';

import { CloudEventError } from './cloud-event.exception.js';
import { CloudEventErrorCode } from './cloud-event-error-code.enum.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8 JSON bytes (a leading BOM is ignored, as RFC 8259 allows), or throws MALFORMED_JSON naming `what`.
 * @example parseJsonBytes(Buffer.from('{"a":1}'), 'request body') // { a: 1 }
 */
export function parseJsonBytes(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    // The parser's own message quotes the input, which may hold personal data; say where instead.
    throw new CloudEventError(CloudEventErrorCode.MalformedJson, `${what} is not valid UTF-8 JSON`);
  }
}

/**
 * True for a plain JSON object (not an array, not null).
 * @example isJsonObject(JSON.parse('{}')) // true
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Real payloads nest a handful of levels; a cap keeps serialisation (recursive in V8) far from the stack limit. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `value` survives a JSON round trip unchanged (null, boolean, finite number, string, arrays and plain objects
 * of those) within MAX_JSON_DEPTH levels, and can be stored: 'nul' for a string or key holding U+0000, which JSON
 * allows (`"\u0000"`) and PostgreSQL's jsonb and text refuse; 'unpaired-surrogate' for one holding half a character.
 * Iterative, so hostile nesting cannot overflow the stack.
 * @example checkJsonValue({ nik: '3273...', amount: 1.5 }) // 'ok'
 */
export function checkJsonValue(value: unknown): 'ok' | 'not-json' | 'too-deep' | 'nul' | 'unpaired-surrogate' {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const current = next.value;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return 'nul';
      if (unpairedSurrogate(current) !== undefined) return 'unpaired-surrogate';
      continue;
    }
    if (typeof current === 'boolean' || current === null) continue;
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) return 'not-json';
      continue;
    }
    if (typeof current !== 'object') return 'not-json';
    if (next.depth >= MAX_JSON_DEPTH) return 'too-deep';
    let children: unknown[];
    if (Array.isArray(current)) {
      children = current;
    } else {
      const proto: unknown = Object.getPrototypeOf(current);
      if (proto !== Object.prototype && proto !== null) return 'not-json';
      const keys = Object.keys(current);
      if (keys.some((key) => key.includes('\u0000'))) return 'nul';
      if (keys.some((key) => unpairedSurrogate(key) !== undefined)) return 'unpaired-surrogate';
      children = Object.values(current);
    }
    for (const child of children) pending.push({ value: child, depth: next.depth + 1 });
  }
  return 'ok';
}
