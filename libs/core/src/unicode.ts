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
 * Where in a JSON-like value (strings, arrays, plain objects, their keys) the first unpaired surrogate is, as a path
 * such as `input.sources[1]`, with the surrogate; undefined when every string is well-formed. Iterative: hostile
 * nesting cannot overflow the stack.
 * @example unpairedSurrogateIn({ name: 'Dinas \ud83d' }, 'input') // { path: 'input.name', half: 'U+D83D' }
 */
export function unpairedSurrogateIn(value: unknown, root: string): { readonly path: string; readonly half: string } | undefined {
  const pending: { value: unknown; path: string }[] = [{ value, path: root }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: current, path } = next;
    if (typeof current === 'string') {
      const half = unpairedSurrogate(current);
      if (half !== undefined) return { path, half };
    } else if (Array.isArray(current)) {
      current.forEach((item: unknown, i) => pending.push({ value: item, path: `${path}[${String(i)}]` }));
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, item] of Object.entries(current)) {
        const half = unpairedSurrogate(key);
        // The key itself is the bad text: name its parent, not the key it cannot print.
        if (half !== undefined) return { path, half };
        pending.push({ value: item, path: `${path}.${key}` });
      }
    }
  }
  return undefined;
}
