/** A backslash escape in JSON text that is either an escaped backslash or a surrogate escape (`\ud800` to `\udfff`). */
const BACKSLASH_OR_SURROGATE_ESCAPE = /\\(?:\\|ud[89a-f][0-9a-f]{2})/g;

/**
 * JSON text for a jsonb parameter. `JSON.stringify` writes half a character (a UTF-16 surrogate without its other
 * half, which citizens' texts and providers' payloads can hold) as the escape `\ud83d`, and PostgreSQL's jsonb
 * refuses the whole value with an error; a text column gets U+FFFD for it from the driver. Here it gets U+FFFD too.
 * Whole pairs are written as characters, never escaped, so every surrogate escape in the text is a half; escaped
 * backslashes are matched first, left to right, so a literal `\\ud800` in a string stays as it was.
 * @example jsonText({ title: 'Lampu \ud83d mati' }) // '{"title":"Lampu \\ufffd mati"}'
 */
export function jsonText(value: unknown): string {
  // Undefined is stored as JSON null, as the callers' `?? null` did.
  const text = JSON.stringify(value ?? null);
  return text.includes('\\ud') ? text.replace(BACKSLASH_OR_SURROGATE_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\\ufffd')) : text;
}
