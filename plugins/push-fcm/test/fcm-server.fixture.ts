/**
 * A local peer shaped like FCM's v1 API and Google's OAuth token endpoint, over TLS with a throwaway certificate for
 * fcm.googleapis.com and oauth2.googleapis.com. Other packages' tests (the hub's) import it by relative path:
 *
 *   const peer = await startFcmPeer();                                   // accepts PEER_PROJECT_ID and PEER_ACCESS_TOKEN
 *   const proxy = await startConnectProxy({ targetPort: peer.port });   // ./connect-proxy.fixture.ts
 *   const config = aPushFcmConfig(peer, proxy);                          // ./connect-proxy.fixture.ts: the JSON that reaches the peer
 *
 * - `peer.caCertificate`: the PEM the plugin's `caCertificates` must hold to trust the peer;
 * - `peer.delivered()`: notification ids FCM accepted for delivery (dry runs excluded); `peer.sends()`: every send;
 * - `aDeviceToken()`: a well-formed token the peer accepts; `MAGIC_TOKENS`: tokens that make it fail one way each
 *   (UNREGISTERED, QUOTA_EXCEEDED, a hang, a dropped connection...), as FCM does.
 * Needs the openssl CLI (for the certificate).
 */
import { randomBytes, randomUUID, verify } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

import type { FcmDial } from '@kabar/plugin-push-fcm';
import { type Certificate, closeNow, selfSignedCertificate } from '@kabar/testing';

export const FCM_HOST = 'fcm.googleapis.com';
export const OAUTH_HOST = 'oauth2.googleapis.com';
/** The project and the fixed access token a peer started without options accepts. */
export const PEER_PROJECT_ID = 'kabar-test-project';
export const PEER_ACCESS_TOKEN = 'ya29.kabar-fixed-access-token';
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const MESSAGING_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
// What FCM issues: an instance id, a colon, then "APA91b" and a long base64url tail.
const TOKEN_SHAPE = /^[\w-]{11,}:APA91b[\w-]{20,}$/;

/** A realistic registration token, fresh for each call. */
export function aDeviceToken(): string {
  return `${randomBytes(16).toString('base64url')}:APA91b${randomBytes(105).toString('base64url')}`;
}

/** How the peer answers a token; every one is well-formed, so only the behaviour tells them apart. */
export type Behaviour =
  | 'unregistered'
  | 'invalidToken'
  | 'invalidPayload'
  | 'quotaExceeded'
  | 'unavailable'
  | 'internal'
  | 'thirdPartyAuth'
  | 'senderIdMismatch'
  | 'hang'
  | 'garbage'
  | 'drop';

/** A service account whose token exchange the OAuth endpoint never answers (signed with the peer's known key). */
export const SILENT_OAUTH_ACCOUNT = 'kabar-silent@kabar-test-project.iam.gserviceaccount.com';

const magic = (behaviour: Behaviour): string => `kabar-magic-${behaviour}:APA91b${'Q'.repeat(40)}`;

/** Tokens that make the peer misbehave in one way each (as FCM does, with FCM's error bodies). */
export const MAGIC_TOKENS: Readonly<Record<Behaviour, string>> = {
  unregistered: magic('unregistered'),
  invalidToken: magic('invalidToken'),
  invalidPayload: magic('invalidPayload'),
  quotaExceeded: magic('quotaExceeded'),
  unavailable: magic('unavailable'),
  internal: magic('internal'),
  thirdPartyAuth: magic('thirdPartyAuth'),
  senderIdMismatch: magic('senderIdMismatch'),
  hang: magic('hang'),
  garbage: magic('garbage'),
  drop: magic('drop'),
};

/** A throwaway self-signed certificate for Google's FCM and OAuth host names. */
export const googleCertificate = (): Certificate => selfSignedCertificate('kabar-test-fcm', [`DNS:${FCM_HOST}`, `DNS:${OAUTH_HOST}`]);


export interface ReceivedRequest {
  /** The Host header: which Google service the client meant. */
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Exactly as it arrived. */
  readonly body: string;
  /** The HTTP status the peer answered with; undefined while it hangs, or when it dropped the connection. */
  status?: number;
}

export interface FcmPeerOptions {
  /** PEER_PROJECT_ID unless given. */
  readonly projectId?: string;
  /** Bearer tokens FCM accepts as they are; [PEER_ACCESS_TOKEN] unless given. */
  readonly accessTokens?: readonly string[];
  /** A service account whose signed JWTs the OAuth endpoint exchanges for fresh access tokens. */
  readonly serviceAccount?: { readonly clientEmail: string; readonly publicKey: string };
}

export interface FcmPeer {
  /** On 127.0.0.1. */
  readonly port: number;
  readonly projectId: string;
  readonly certificate: Certificate;
  /** The peer's self-signed certificate (PEM): what `caCertificates` must hold for the plugin to trust the peer. */
  readonly caCertificate: string;
  readonly requests: ReceivedRequest[];
  /** The TLS server name (SNI) of each connection, in order: Google's host names when clients behave. */
  readonly servernames: string[];
  /** Dials this peer whatever host the client asked for, keeping its SNI; trusts the peer's certificate unless told not to. */
  dial(trust?: boolean): FcmDial;
  /** The requests to `messages:send`. */
  sends(): ReceivedRequest[];
  /** Notification ids (from `data`) of the messages accepted for delivery, dry runs excluded. */
  delivered(): string[];
  /** Access tokens the OAuth endpoint issued. */
  readonly issued: string[];
  close(): Promise<void>;
}

/**
 * A TLS HTTP/1.1 server shaped like FCM's v1 API (`POST /v1/projects/<id>/messages:send`) and Google's OAuth token
 * endpoint (`POST /token`, JWT bearer grant), recording every request. Bearer tokens are checked; `validate_only` is
 * honoured; a malformed token gets FCM's INVALID_ARGUMENT; `MAGIC_TOKENS` trigger FCM's other errors, a hang, a
 * non-JSON 200 or a dropped connection.
 */
export async function startFcmPeer(options: FcmPeerOptions = {}): Promise<FcmPeer> {
  const projectId = options.projectId ?? PEER_PROJECT_ID;
  const certificate = googleCertificate();
  const requests: ReceivedRequest[] = [];
  const servernames: string[] = [];
  const accessTokens = new Set(options.accessTokens ?? [PEER_ACCESS_TOKEN]);
  const issued: string[] = [];
  const server = https.createServer({ ...certificate, keepAliveTimeout: 60_000 }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = {
        host: request.headers.host ?? '',
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        received.status = status;
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const type = typeof body === 'string' ? 'text/html; charset=UTF-8' : 'application/json; charset=UTF-8';
        response.writeHead(status, { 'content-type': type, ...headers }).end(text);
      };
      const issue = (token: string): void => {
        accessTokens.add(token);
        issued.push(token);
      };
      if (received.host === OAUTH_HOST) exchangeToken(received, options, answer, issue);
      else handleSend(received, request, projectId, accessTokens, answer);
    });
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => servernames.push(typeof socket.servername === 'string' ? socket.servername : '(none)'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sends = (): ReceivedRequest[] => requests.filter((r) => r.host === FCM_HOST && r.path.endsWith('/messages:send'));
  return {
    port,
    projectId,
    certificate,
    caCertificate: certificate.cert,
    requests,
    servernames,
    issued,
    dial: (trust = true) => (connect) => dialPeer(port, connect, trust ? certificate.cert : undefined),
    sends,
    delivered: () =>
      sends()
        .filter((r) => r.status === 200)
        .map((r) => parseJson(r.body) as { validate_only?: boolean; message?: { data?: { notificationId?: string } } })
        .filter((json) => json.validate_only !== true)
        .map((json) => json.message?.data?.notificationId ?? '(no notificationId)'),
    close: () => closeNow(server),
  };
}

/** A dial to any local port with Google's SNI, for peers other than the FCM one (e.g. a closed port). */
export function dialTo(port: number, ca?: string): FcmDial {
  return (connect) => dialPeer(port, connect, ca);
}

function dialPeer(port: number, connect: https.RequestOptions, ca: string | undefined): Duplex {
  const servername = connect.servername ?? connect.host ?? FCM_HOST;
  return tls.connect({ host: '127.0.0.1', port, servername, ...(ca === undefined ? {} : { ca }) });
}

type Answer = (status: number, body: unknown, headers?: Record<string, string>) => void;

function handleSend(received: ReceivedRequest, request: IncomingMessage, projectId: string, accessTokens: ReadonlySet<string>, answer: Answer): void {
  const route = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(received.path);
  if (received.method !== 'POST' || route === null) {
    answer(404, googleError(404, 'NOT_FOUND', 'Requested entity was not found.'));
    return;
  }
  const bearer = /^Bearer (\S+)$/.exec(received.headers.authorization ?? '')?.[1];
  if (bearer === undefined || !accessTokens.has(bearer)) {
    answer(401, googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'));
    return;
  }
  if (route[1] !== projectId) {
    answer(403, googleError(403, 'PERMISSION_DENIED', `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${route[1] ?? ''}' (or it may not exist).`));
    return;
  }
  const json = parseJson(received.body) as { validate_only?: unknown; message?: { token?: unknown } } | undefined;
  if (json === undefined) {
    answer(400, googleError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.'));
    return;
  }
  const token = typeof json.message?.token === 'string' ? json.message.token : '';
  const behaviour = (Object.keys(MAGIC_TOKENS) as Behaviour[]).find((name) => MAGIC_TOKENS[name] === token);
  if (behaviour !== undefined) {
    misbehave(behaviour, request.socket, answer);
    return;
  }
  if (!TOKEN_SHAPE.test(token)) {
    answer(400, googleError(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', [fcmError('INVALID_ARGUMENT')]));
    return;
  }
  // FCM names a dry run's result "fake_message_id"; a real one is "0:<time>%<sender hash>".
  const id = json.validate_only === true ? 'fake_message_id' : `0:${Date.now()}%${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  answer(200, { name: `projects/${projectId}/messages/${id}` });
}

function misbehave(behaviour: Behaviour, socket: Duplex, answer: Answer): void {
  switch (behaviour) {
    case 'unregistered':
      return answer(404, googleError(404, 'NOT_FOUND', 'Requested entity was not found.', [fcmError('UNREGISTERED')]));
    case 'invalidToken':
      // The older shape: a generic message, with the token named by a BadRequest field violation.
      return answer(400, googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [fcmError('INVALID_ARGUMENT'), fieldViolation('message.token', 'Invalid registration token')]));
    case 'invalidPayload':
      return answer(400, googleError(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [fcmError('INVALID_ARGUMENT'), fieldViolation('message.android.notification.tag', 'Invalid value')]));
    case 'quotaExceeded':
      return answer(429, googleError(429, 'RESOURCE_EXHAUSTED', "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute' of service 'fcm.googleapis.com'.", [fcmError('QUOTA_EXCEEDED')]), { 'retry-after': '30' });
    case 'unavailable':
      // One second: firebase-admin honours it while it retries a 503 on its own (four times).
      return answer(503, googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', [fcmError('UNAVAILABLE')]), { 'retry-after': '1' });
    case 'internal':
      return answer(500, googleError(500, 'INTERNAL', 'Internal error encountered.', [fcmError('INTERNAL')]));
    case 'thirdPartyAuth':
      return answer(401, googleError(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', [fcmError('THIRD_PARTY_AUTH_ERROR')]));
    case 'senderIdMismatch':
      return answer(403, googleError(403, 'PERMISSION_DENIED', 'SenderId mismatch', [fcmError('SENDER_ID_MISMATCH')]));
    case 'hang':
      return;
    case 'garbage':
      return answer(200, '<html><head><title>Hotspot login</title></head><body>Silakan masuk untuk melanjutkan</body></html>');
    case 'drop':
      socket.destroy();
      return;
  }
}

/** Google's token endpoint for a service account: a JWT signed with its key, exchanged for an access token. */
function exchangeToken(received: ReceivedRequest, options: FcmPeerOptions, answer: Answer, issue: (token: string) => void): void {
  const form = new URLSearchParams(received.body);
  const account = options.serviceAccount;
  // Signed by the account's key, or nothing: a JWT from any other key is what Google calls an invalid grant.
  const claims = account === undefined ? undefined : verifiedClaims(form.get('assertion') ?? '', account.publicKey);
  if (claims?.iss === SILENT_OAUTH_ACCOUNT) return;
  const scopes = typeof claims?.scope === 'string' ? claims.scope.split(' ') : [];
  const valid =
    received.path === '/token' &&
    form.get('grant_type') === JWT_BEARER &&
    account !== undefined &&
    claims?.iss === account.clientEmail &&
    claims.aud === `https://${OAUTH_HOST}/token` &&
    scopes.includes(MESSAGING_SCOPE);
  if (!valid) {
    answer(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    return;
  }
  const token = `ya29.kabar-test-${randomBytes(24).toString('base64url')}`;
  issue(token);
  answer(200, { access_token: token, expires_in: 3599, token_type: 'Bearer' });
}

function verifiedClaims(jwt: string, publicKey: string): Record<string, unknown> | undefined {
  const [header, payload, signature] = jwt.split('.');
  if (header === undefined || payload === undefined || signature === undefined) return undefined;
  const alg = (parseJson(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown } | undefined)?.alg;
  if (alg !== 'RS256') return undefined;
  const signed = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'));
  return signed ? (parseJson(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown> | undefined) : undefined;
}

function googleError(code: number, status: string, message: string, details: readonly object[] = []): unknown {
  return { error: { code, message, status, ...(details.length === 0 ? {} : { details }) } };
}

function fcmError(errorCode: string): object {
  return { '@type': FCM_ERROR, errorCode };
}

function fieldViolation(field: string, description: string): object {
  return { '@type': BAD_REQUEST, fieldViolations: [{ field, description }] };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
