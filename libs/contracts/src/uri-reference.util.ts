const ALLOWED = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
// RFC 3986 appendix B, anchored so every string splits; the checks below apply the grammar the split cannot.
const PARTS = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
const AUTHORITY = /^(?:[^@[\]]*@)?(?:\[[0-9A-Za-z:.\-_~!$&'()*+,;=]+\]|[^@[\]:]*)(?::[0-9]*)?$/;

/**
 * True when `value` is an RFC 3986 URI-reference (absolute or relative), as CloudEvents requires of `source`.
 * @example isUriReference('/agencies/dukcapil') // true
 */
export function isUriReference(value: string): boolean {
  if (!ALLOWED.test(value)) return false;
  const parts = PARTS.exec(value);
  if (parts === null) return false;
  const [, scheme, authority, path = '', query = '', fragment = ''] = parts;
  if (authority !== undefined && !AUTHORITY.test(authority)) return false;
  if (/[[\]]/.test(path + query + fragment) || fragment.includes('#')) return false;
  // In a relative reference a colon in the first segment would read as a scheme (RFC 3986 section 4.2).
  if (scheme === undefined && authority === undefined && (path.split('/')[0] ?? '').includes(':')) return false;
  return true;
}

/**
 * True when `value` is a URI-reference with a scheme, as CloudEvents requires of `dataschema`.
 * @example isAbsoluteUri('https://kabar.go.id/schemas/birth.json') // true
 */
export function isAbsoluteUri(value: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && isUriReference(value);
}
