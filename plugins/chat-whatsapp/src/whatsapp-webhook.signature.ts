import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-f]{64})$/i;

export type SignatureRejection = 'missing-header' | 'malformed-header' | 'no-matching-signature';

export type SignatureVerification = { readonly valid: true } | { readonly valid: false; readonly reason: SignatureRejection };

/**
 * Checks Meta's `X-Hub-Signature-256` header (`sha256=<hex HMAC-SHA256 of the body under the app secret>`) in constant
 * time. `rawBody` must be the bytes as received: Meta signs its own serialisation (non-ASCII escaped as `\uXXXX`), so
 * a re-serialised copy of the parsed JSON does not verify. An empty app secret verifies nothing.
 * @example verifyWebhookSignature(request.rawBody, request.headers['x-hub-signature-256'], config.appSecret) // { valid: true }
 */
export function verifyWebhookSignature(rawBody: string | Uint8Array, header: string | readonly string[] | undefined, appSecret: string): SignatureVerification {
  if (header === undefined || header === '' || header.length === 0) return { valid: false, reason: 'missing-header' };
  // One signature per delivery: a repeated header is not Meta's.
  const value = typeof header === 'string' ? header : header.length === 1 ? header[0] : undefined;
  const hex = value === undefined ? undefined : HEADER.exec(value.trim())?.[1];
  if (hex === undefined) return { valid: false, reason: 'malformed-header' };
  if (appSecret === '') return { valid: false, reason: 'no-matching-signature' };
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(hex, 'hex')) ? { valid: true } : { valid: false, reason: 'no-matching-signature' };
}
