/** A backslash escape in JSON text: an escaped backslash, a surrogate (`\ud800` to `\udfff`) or U+0000. */
const BACKSLASH_OR_UNSTORABLE_ESCAPE = /\\(?:\\|ud[89a-f][0-9a-f]{2}|u0000)/g;

/**
 * JSON text for a jsonb parameter. `JSON.stringify` writes half a character (a UTF-16 surrogate without its other
 * half, which citizens' texts and providers' payloads can hold) as the escape `\ud83d`, and U+0000 as `\u0000`;
 * PostgreSQL's jsonb refuses the whole value for either. Both are stored as U+FFFD instead (a text column gets U+FFFD
 * for a half from the driver). Whole pairs are written as characters, never escaped, so every surrogate escape in the
 * text is a half; escaped backslashes are matched first, left to right, so a literal `\\ud800` stays as it was.
 * @example jsonText({ title: 'Lampu \ud83d mati' }) // '{"title":"Lampu \\ufffd mati"}'
 */
export function jsonText(value: unknown): string {
  // Undefined is stored as JSON null, as the callers' `?? null` did.
  const text = JSON.stringify(value ?? null);
  return text.includes('\\ud') || text.includes('\\u0000') ? text.replace(BACKSLASH_OR_UNSTORABLE_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\\ufffd')) : text;
}
