import { createSign } from 'node:crypto';
import https from 'node:https';

const TOKEN_URL = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
// Sending is all the plugin does, so its tokens can do nothing else.
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const LIFETIME_SECONDS = 3600;
const MAX_ANSWER_BYTES = 64 * 1024;

/** The shape of firebase-admin's `GoogleOAuthAccessToken`. */
export interface AccessToken {
  readonly access_token: string;
  readonly expires_in: number;
}

export interface ServiceAccount {
  readonly clientEmail: string;
  /** PKCS#8 PEM, as in the key file's `private_key`. */
  readonly privateKey: string;
}

/** Google's OAuth server answered without a token: `status` tells a refused key (400) from an outage (5xx). */
export class OAuthRefusal extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`Google's OAuth server refused the service account: HTTP ${status} ${detail}`);
    this.name = 'OAuthRefusal';
  }
}

/**
 * A firebase-admin credential for a service account: each `getAccessToken()` signs a JWT with the account's key and
 * exchanges it at Google's token endpoint (the JWT bearer grant, RFC 7523), over `agent`. firebase-admin caches the
 * token and asks again shortly before it expires. Its own `cert()` does the same through google-auth-library, which in
 * firebase-admin 14.5 ignores the agent for this exchange: the call would escape the batch deadline and the test peer.
 * @example initializeApp({ projectId, credential: serviceAccountCredential(account, agent), httpAgent: agent })
 */
export function serviceAccountCredential(account: ServiceAccount, agent: https.Agent): { getAccessToken(): Promise<AccessToken> } {
  return { getAccessToken: () => exchange(account, agent) };
}

async function exchange(account: ServiceAccount, agent: https.Agent): Promise<AccessToken> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = signedJwt({ iss: account.clientEmail, scope: SCOPE, aud: TOKEN_URL, iat: now, exp: now + LIFETIME_SECONDS }, account.privateKey);
  const { status, text } = await post(new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString(), agent);
  const answer = parseObject(text);
  const token = answer?.access_token;
  const expiresIn = answer?.expires_in;
  if (status === 200 && typeof token === 'string' && token !== '' && typeof expiresIn === 'number') return { access_token: token, expires_in: expiresIn };
  // OAuth's own error fields only (RFC 6749 §5.2): short, and they never echo the assertion.
  const error = typeof answer?.error === 'string' ? answer.error : 'no access token';
  const description = typeof answer?.error_description === 'string' ? `: ${answer.error_description.slice(0, 200)}` : '';
  throw new OAuthRefusal(status, `${error}${description}`);
}

function signedJwt(claims: Readonly<Record<string, string | number>>, privateKey: string): string {
  const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url');
  return `${unsigned}.${signature}`;
}

function post(body: string, agent: https.Agent): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) };
    const request = https.request(TOKEN_URL, { method: 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    // Socket errors and the batch deadline (DeadlineExceeded) arrive here and reach firebase-admin as the cause.
    request.on('error', reject);
    request.end(body);
  });
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
