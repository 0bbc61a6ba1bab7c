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

const KEY_ID = '(?:live|test|adm)_[A-Za-z0-9]{12}';
const KEY_ID_ONLY = new RegExp(`^${KEY_ID}$`);
const CREDENTIAL = new RegExp(`^(${KEY_ID})\\.([A-Za-z0-9_-]{43})$`);

/** Whether a string has the shape of a key id (it may still name no key): safe to record, as it can hold nothing else. */
export function isKeyId(value: string): boolean {
  return KEY_ID_ONLY.test(value);
}

export function splitCredential(token: string): { id: string; secret: string } | null {
  const match = CREDENTIAL.exec(token);
  return match?.[1] === undefined || match[2] === undefined ? null : { id: match[1], secret: match[2] };
}
