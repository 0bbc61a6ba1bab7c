/** `{{subject}}` or `{{data.a.b}}`, spaces inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** A scalar value's text, or null for anything that cannot key a notification (missing, empty, object, array). */
function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return null;
}

function lookup(path: string, source: { readonly subject: string | null; readonly data: unknown }): unknown {
  const [root, ...rest] = path.split('.');
  if (root === 'subject') return rest.length === 0 ? source.subject : undefined;
  if (root !== 'data') return undefined;
  let value: unknown = source.data;
  for (const segment of rest) {
    // Own properties only: `{{data.constructor}}` must not key on a prototype.
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Fills a dedup key template from the event. Any placeholder without a usable value makes the whole key null: an
 * event that cannot be keyed is never merged, since a partial key such as `death:` would join unrelated events.
 * @example dedupKeyOf('death:{{data.deceasedNik}}', { subject: null, data: { deceasedNik: '3273...' } }) // 'death:3273...'
 */
export function dedupKeyOf(template: string, source: { readonly subject: string | null; readonly data: unknown }): string | null {
  let key = '';
  let copied = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const text = scalarText(lookup(match[1] ?? '', source));
    if (text === null) return null;
    key += template.slice(copied, match.index) + text;
    copied = match.index + match[0].length;
  }
  return key + template.slice(copied);
}
