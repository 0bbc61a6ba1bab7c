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
