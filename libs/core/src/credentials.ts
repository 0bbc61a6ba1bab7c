import { randomBytes } from 'node:crypto';

import { randomToken } from './secret-box.js';

/** Key ids carry their kind so a leaked key is recognisable (`live_…`, `test_…`, `adm_…`). */
export function newKeyId(prefix: 'live' | 'test' | 'adm'): string {
  return `${prefix}_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
}

/** A bearer credential: `<key id>.<secret>`. The secret has 256 bits of entropy. */
export function newCredential(prefix: 'live' | 'test' | 'adm'): { id: string; secret: string; token: string } {
  const id = newKeyId(prefix);
  const secret = randomToken(32);
  return { id, secret, token: `${id}.${secret}` };
}

export function splitCredential(token: string): { id: string; secret: string } | null {
  const match = /^((?:live|test|adm)_[A-Za-z0-9]{12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match?.[1] === undefined || match[2] === undefined ? null : { id: match[1], secret: match[2] };
}
