/**
 * A UTF-16 surrogate without its other half. JSON (`"\ud83d"`) and JavaScript strings allow one, but it is not a
 * Unicode character: PostgreSQL's jsonb refuses it, and text turns it into U+FFFD. Matched per code unit (no `u` flag)
 * on purpose.
 */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The first unpaired surrogate in `text` as `U+D83D`, or undefined when the text is well-formed Unicode.
 * @example unpairedSurrogate('ok \ud83d') // 'U+D83D'
 */
export function unpairedSurrogate(text: string): string | undefined {
  const at = text.search(UNPAIRED_SURROGATE);
  return at < 0 ? undefined : `U+${text.charCodeAt(at).toString(16).toUpperCase()}`;
}

/**
 * What in `text` no database column can hold as sent, said for a person: the character U+0000, which PostgreSQL's
 * text and jsonb refuse, or half a character; undefined when there is neither.
 * @example unstorableText('a\u0000b') // 'the character U+0000 (NUL)'
 */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'the character U+0000 (NUL)';
  const half = unpairedSurrogate(text);
  return half === undefined ? undefined : `half a character (an unpaired surrogate, ${half})`;
}

/**
 * Where in a JSON-like value (strings, arrays, plain objects, their keys) the first text no column can hold is (see
 * `unstorableText`), as a path such as `variables.input.sources[1]`, with what it holds; undefined when there is none.
 * Iterative: hostile nesting cannot overflow the stack.
 * @example unstorableTextIn({ name: 'Dinas \ud83d' }, 'input') // { path: 'input.name', problem: 'half a character (an unpaired surrogate, U+D83D)' }
 */
export function unstorableTextIn(value: unknown, root: string): { readonly path: string; readonly problem: string } | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path: root }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path } = next;
    if (typeof current === 'string') {
      const problem = unstorableText(current);
      if (problem !== undefined) return { path, problem };
    } else if (Array.isArray(current)) {
      current.forEach((item: unknown, i) => pending.push({ value: item, path: `${path}[${String(i)}]` }));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        const problem = unstorableText(key);
        // The key itself is the bad text: name its parent, not the key it cannot print.
        if (problem !== undefined) return { path, problem };
        pending.push({ value: item, path: `${path}.${key}` });
      }
    }
  }
  return undefined;
}

/** A backslash escape in JSON text: an escaped backslash, a surrogate (`\ud800` to `\udfff`) or U+0000. */
const BACKSLASH_OR_UNSTORABLE_ESCAPE = /\\(?:\\|ud[89a-f][0-9a-f]{2}|u0000)/g;

/**
 * JSON text that PostgreSQL's jsonb can store, and that parses back to strings its text columns can store: for jsonb
 * parameters, and for bus records whose strings end up in the database. `JSON.stringify` writes half a character (a
 * UTF-16 surrogate without its other half, which citizens' texts and providers' payloads can hold) as the escape
 * `\ud83d`, and U+0000 as `\u0000`; jsonb refuses the whole value for either, text refuses U+0000. Both become U+FFFD
 * (what a text column gets for a half from the driver). Whole pairs are written as characters, never escaped, so every surrogate escape in the
 * text is a half; escaped backslashes are matched first, left to right, so a literal `\\ud800` stays as it was.
 * @example storableJson({ title: 'Lampu \ud83d mati' }) // '{"title":"Lampu \\ufffd mati"}'
 */
export function storableJson(value: unknown): string {
  // Undefined is written as JSON null, as the callers' `?? null` did.
  const text = JSON.stringify(value ?? null);
  return text.includes('\\ud') || text.includes('\\u0000') ? text.replace(BACKSLASH_OR_UNSTORABLE_ESCAPE, (escape) => (escape === '\\\\' ? escape : '\\ufffd')) : text;
}
