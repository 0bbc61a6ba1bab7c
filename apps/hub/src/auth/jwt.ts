import { createHmac } from 'node:crypto';

import { safeEqual } from '@kabar/core';

import { AuthError, AuthErrorCode } from './auth.errors.js';

export const JWT_WINDOW_SECONDS = 30;

export interface JwtClaims {
  readonly iss: string;
  readonly iat: number;
}

const decode = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Reads the unverified `iss` so the key (and its secret) can be looked up; verification follows. */
export function peekIssuer(token: string): string | null {
  const [, payload] = token.split('.');
  if (payload === undefined) return null;
  try {
    const claims = decode(payload) as { iss?: unknown };
    return typeof claims.iss === 'string' ? claims.iss : null;
  } catch {
    return null;
  }
}

/**
 * Verifies an HS256 JWT signed with the key's secret, `iat` within 30 s of now (GOV.UK Notify's scheme).
 * Only HS256 is accepted, so `alg: none` or key-confusion tricks fail.
 */
export function verifyJwt(token: string, secret: string, nowSeconds: number): JwtClaims {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) throw new AuthError(AuthErrorCode.Unauthenticated, 'malformed JWT');
  let alg: unknown;
  let claims: { iss?: unknown; iat?: unknown };
  try {
    alg = (decode(header) as { alg?: unknown }).alg;
    claims = decode(payload) as { iss?: unknown; iat?: unknown };
  } catch {
    throw new AuthError(AuthErrorCode.Unauthenticated, 'malformed JWT');
  }
  if (alg !== 'HS256') throw new AuthError(AuthErrorCode.InvalidCredentials, 'JWT must be signed with HS256');
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  if (!safeEqual(expected, signature)) throw new AuthError(AuthErrorCode.InvalidCredentials, 'JWT signature does not match the key');
  if (typeof claims.iss !== 'string' || typeof claims.iat !== 'number') throw new AuthError(AuthErrorCode.Unauthenticated, 'JWT needs iss and iat');
  if (Math.abs(nowSeconds - claims.iat) > JWT_WINDOW_SECONDS) {
    throw new AuthError(AuthErrorCode.TokenExpired, `JWT iat must be within ${JWT_WINDOW_SECONDS} s of the server time`);
  }
  return { iss: claims.iss, iat: claims.iat };
}

/** Signs a JWT the way an agency does; used by `kabar` and tests. */
export function signJwt(keyId: string, secret: string, iat: number): string {
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: keyId, iat })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
