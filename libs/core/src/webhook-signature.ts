import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

// Standard Webhooks (https://www.standardwebhooks.com), so receivers can verify with any of its libraries.
const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** The spec's default: wide enough for clock skew, narrow enough to make replays of captured requests useless. */
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** A type alias rather than an interface so it fits `Record<string, string>` (HTTP client header parameters). */
export type WebhookHeaders = {
  readonly 'webhook-id': string;
  /** Unix seconds. */
  readonly 'webhook-timestamp': string;
  /** Space-separated `v1,<base64>` signatures; more than one while a secret is being rotated. */
  readonly 'webhook-signature': string;
};

export interface WebhookSignInput {
  /** Unique per message and stable across retries, so receivers can de-duplicate on it. */
  readonly id: string;
  /** Unix seconds. */
  readonly timestamp: number;
  /** The exact bytes sent; signing a re-serialised copy would break verification. */
  readonly body: string | Uint8Array;
  /** `whsec_<base64>`. */
  readonly secret: string;
}

export interface WebhookVerifyInput {
  readonly body: string | Uint8Array;
  /** Request headers; names are matched case-insensitively. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly secret: string;
  readonly toleranceSeconds?: number;
  /** Unix seconds; defaults to the clock. */
  readonly now?: number;
}

export type WebhookRejection = 'missing-headers' | 'timestamp-out-of-tolerance' | 'no-matching-signature';

export type WebhookVerification = { readonly valid: true } | { readonly valid: false; readonly reason: WebhookRejection };

/**
 * A new random signing secret (32 bytes) in the Standard Webhooks `whsec_<base64>` form.
 * @example const secret = generateWebhookSecret() // 'whsec_J0l7…'
 */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * The three Standard Webhooks headers for one request.
 * @example signWebhook({ id: 'msg_1', timestamp: Math.floor(Date.now() / 1000), body, secret })['webhook-signature'] // 'v1,K5o…'
 */
export function signWebhook(input: WebhookSignInput): WebhookHeaders {
  const timestamp = String(Math.floor(input.timestamp));
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature(secretKey(input.secret), input.id, timestamp, input.body).toString('base64')}`,
  };
}

/**
 * Checks a received request's Standard Webhooks headers against its raw body, rejecting stale timestamps.
 * @example if (!verifyWebhook({ body: rawBody, headers: req.headers, secret }).valid) res.status(401)
 */
export function verifyWebhook(input: WebhookVerifyInput): WebhookVerification {
  const id = header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'webhook-timestamp');
  const signatures = header(input.headers, 'webhook-signature');
  if (id === undefined || timestamp === undefined || signatures === undefined || !/^\d+$/.test(timestamp)) {
    return { valid: false, reason: 'missing-headers' };
  }
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return { valid: false, reason: 'timestamp-out-of-tolerance' };
  }
  const expected = signature(secretKey(input.secret), id, timestamp, input.body);
  const matches = signatures.split(' ').some((versioned) => {
    const [version, value] = versioned.split(',', 2);
    if (version !== 'v1' || value === undefined) return false;
    const candidate = Buffer.from(value, 'base64');
    // Constant time, so a forger cannot learn the signature byte by byte from response timings.
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
  return matches ? { valid: true } : { valid: false, reason: 'no-matching-signature' };
}

/**
 * The secret's bytes as a KeyObject: handed a raw Buffer, HMAC takes a slower path that cost about three times as
 * much per signature (one or two per status callback) as making the KeyObject first.
 */
function secretKey(secret: string): KeyObject {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) throw new TypeError('a webhook secret must be "whsec_" followed by base64');
  return createSecretKey(Buffer.from(encoded, 'base64'));
}

function signature(key: KeyObject, id: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

function header(headers: WebhookVerifyInput['headers'], name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return typeof value === 'string' ? value : value?.[0];
}
