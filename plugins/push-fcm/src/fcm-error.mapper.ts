import { PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

import { ProxyRefusal } from './egress-proxy.tunnel.js';
import type { FcmFailure } from './fcm.client.js';
import { DeadlineExceeded } from './fcm-deadline.agent.js';
import { OAuthRefusal } from './service-account.credential.js';

/** The parts of FCM's v1 error body (`{ "error": { code, message, status, details } }`) that decide the outcome. */
interface FcmErrorBody {
  /** Google's canonical status, e.g. `NOT_FOUND`, `UNAUTHENTICATED`. */
  readonly status?: string;
  /** FCM's own code from the `google.firebase.fcm.v1.FcmError` detail, e.g. `UNREGISTERED`. */
  readonly fcmCode?: string;
  readonly message?: string;
  /** Fields named by a `google.rpc.BadRequest` detail, e.g. `message.token`. */
  readonly fields: readonly string[];
}

const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const HOST = 'fcm.googleapis.com';
const OAUTH_HOST = 'oauth2.googleapis.com';

// FCM's own codes (https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode). INVALID_ARGUMENT is decided by
// what it names: the token (a dead contact point) or the payload.
const BY_FCM_CODE: Readonly<Record<string, PluginErrorCode>> = {
  UNREGISTERED: PluginErrorCode.InvalidRecipient,
  // The token belongs to another Firebase project: the install's credentials cannot serve it.
  SENDER_ID_MISMATCH: PluginErrorCode.Unauthorized,
  // The APNs key/certificate or web push credentials in the Firebase console are missing or expired.
  THIRD_PARTY_AUTH_ERROR: PluginErrorCode.Unauthorized,
  APNS_AUTH_ERROR: PluginErrorCode.Unauthorized,
  QUOTA_EXCEEDED: PluginErrorCode.RateLimited,
  UNAVAILABLE: PluginErrorCode.ProviderError,
  INTERNAL: PluginErrorCode.ProviderError,
};

// Google's canonical statuses, for answers without an FCM code (e.g. a refused bearer token).
const BY_STATUS: Readonly<Record<string, PluginErrorCode>> = {
  UNAUTHENTICATED: PluginErrorCode.Unauthorized,
  PERMISSION_DENIED: PluginErrorCode.Unauthorized,
  RESOURCE_EXHAUSTED: PluginErrorCode.RateLimited,
  UNAVAILABLE: PluginErrorCode.ProviderError,
  INTERNAL: PluginErrorCode.ProviderError,
  DEADLINE_EXCEEDED: PluginErrorCode.ProviderError,
  // Without FCM's UNREGISTERED detail a 404 is more likely a wrong project or path than a dead token.
  NOT_FOUND: PluginErrorCode.Rejected,
};

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The hub's view of a message FCM did not take. INVALID_RECIPIENT (permanent) means the device token is dead
 * (UNREGISTERED, or INVALID_ARGUMENT naming the token), so the hub can mark the contact point invalid. The message
 * names FCM's status and code and quotes FCM's text, never the token.
 * @example toPluginError(failure, message.to) // PluginError INVALID_RECIPIENT 'FCM HTTP 404 UNREGISTERED: Requested entity was not found. (the device token is no longer valid)'
 */
export function toPluginError(failure: FcmFailure, token?: string): PluginError {
  const clean = (text: string): string => redact(text, token);
  const deadline = failure.causes.find((cause) => cause instanceof DeadlineExceeded);
  if (deadline !== undefined) {
    // firebase-admin reports a failed token exchange as an invalid credential, whatever went wrong in it.
    const where = deadline.silent ?? (failure.code === 'app/invalid-credential' ? OAUTH_HOST : HOST);
    return new PluginError(PluginErrorCode.Timeout, `no answer from ${where} within ${deadline.timeoutMs} ms`, { fcm: failure.code });
  }
  if (failure.response !== undefined) return answerError(failure.response, failure.code, clean);
  const proxyRefusal = failure.causes.find((cause) => cause instanceof ProxyRefusal);
  if (proxyRefusal !== undefined) {
    // Google never saw the request, whether it was FCM's or the token exchange: retryable once the proxy lets it pass.
    return new PluginError(PluginErrorCode.ConnectionFailed, proxyRefusal.message, { fcm: failure.code, proxyStatus: proxyRefusal.status });
  }
  const refusal = failure.causes.find((cause) => cause instanceof OAuthRefusal);
  if (refusal !== undefined) {
    // 400/401 is Google refusing the key (invalid_grant: revoked, wrong, or the clock is off); only an outage passes.
    const code = refusal.status === 429 || refusal.status >= 500 ? codeForHttpStatus(refusal.status) : PluginErrorCode.Unauthorized;
    return new PluginError(code, refusal.message, { fcm: failure.code, oauthStatus: refusal.status });
  }
  return transportError(failure, clean);
}

function answerError(response: NonNullable<FcmFailure['response']>, sdkCode: string, clean: (text: string) => string): PluginError {
  const { status, retryAfter } = response;
  const body = parseBody(response.body);
  const details = { httpStatus: status, fcm: sdkCode, ...(body?.fcmCode === undefined ? {} : { fcmCode: body.fcmCode }) };
  if (body === undefined) {
    // A proxy, captive portal or broken front end answered, not FCM's API: the message most likely never reached it.
    const code = status >= 200 && status < 300 ? PluginErrorCode.ProviderError : codeForHttpStatus(status);
    return new PluginError(code, `${HOST} answered HTTP ${status} with a body that is not FCM's JSON`, details);
  }
  const label = [`FCM HTTP ${status}`, body.fcmCode ?? body.status].filter((part) => part !== undefined).join(' ');
  const text = body.message === undefined ? '' : `: ${clean(body.message)}`;
  const code = codeForBody(body) ?? codeForHttpStatus(status);
  const after = code === PluginErrorCode.RateLimited || code === PluginErrorCode.ProviderError ? retryAfterNote(retryAfter) : '';
  return new PluginError(code, `${label}${text}${after}${hintFor(code, body)}`, details);
}

function codeForBody(body: FcmErrorBody): PluginErrorCode | undefined {
  const named = body.fcmCode ?? body.status;
  if (named === 'INVALID_ARGUMENT') return namesToken(body) ? PluginErrorCode.InvalidRecipient : PluginErrorCode.Rejected;
  if (body.fcmCode !== undefined && BY_FCM_CODE[body.fcmCode] !== undefined) return BY_FCM_CODE[body.fcmCode];
  return body.status === undefined ? undefined : BY_STATUS[body.status];
}

/** FCM says "The registration token is not a valid FCM registration token", or (older) names `message.token`. */
function namesToken(body: FcmErrorBody): boolean {
  return body.fields.includes('message.token') || /registration token/i.test(body.message ?? '');
}

function codeForHttpStatus(status: number): PluginErrorCode {
  if (status === 401 || status === 403) return PluginErrorCode.Unauthorized;
  if (status === 429) return PluginErrorCode.RateLimited;
  if (status === 408) return PluginErrorCode.Timeout;
  if (status >= 500) return PluginErrorCode.ProviderError;
  return PluginErrorCode.Rejected;
}

function hintFor(code: PluginErrorCode, body: FcmErrorBody): string {
  if (code === PluginErrorCode.InvalidRecipient) return ' (the device token is no longer valid)';
  if (body.fcmCode === 'THIRD_PARTY_AUTH_ERROR' || body.fcmCode === 'APNS_AUTH_ERROR') return ' (check the APNs key or web push credentials in the Firebase console)';
  if (body.fcmCode === 'SENDER_ID_MISMATCH') return ' (the token belongs to another Firebase project)';
  return '';
}

function transportError(failure: FcmFailure, clean: (text: string) => string): PluginError {
  const systemCode = systemCodeOf(failure);
  const beneath = failure.causes.at(-1)?.message ?? failure.message;
  const details = { fcm: failure.code, ...(systemCode === undefined ? {} : { code: systemCode }) };
  if (failure.code === 'app/network-timeout' || (systemCode !== undefined && TIMEOUT_CODES.has(systemCode))) {
    return new PluginError(PluginErrorCode.Timeout, `${HOST} timed out: ${clean(beneath)}`, details);
  }
  if (failure.code === 'app/network-error' || (failure.code === 'app/invalid-credential' && systemCode !== undefined)) {
    // Refused, reset, unresolvable, or a certificate we do not trust: FCM (or Google's OAuth server) never judged it.
    const reason = systemCode === undefined || beneath.includes(systemCode) ? clean(beneath) : `${systemCode}: ${clean(beneath)}`;
    return new PluginError(PluginErrorCode.ConnectionFailed, `connection to Google failed (${reason})`, details);
  }
  if (failure.code === 'app/invalid-credential') {
    return new PluginError(PluginErrorCode.Unauthorized, `no OAuth 2.0 access token: ${clean(beneath)}`, details);
  }
  if (failure.code.startsWith('messaging/')) {
    // firebase-admin refused the message before sending it (its own validation): the same message fails every time.
    return new PluginError(PluginErrorCode.Rejected, `firebase-admin refused the message: ${clean(failure.message)}`, details);
  }
  return new PluginError(PluginErrorCode.ProviderError, `sending to FCM failed: ${clean(failure.message)}`, details);
}

/** The first string `code` beneath firebase-admin's error, e.g. `ECONNREFUSED` or `DEPTH_ZERO_SELF_SIGNED_CERT`. */
function systemCodeOf(failure: FcmFailure): string | undefined {
  return failure.causes.map((cause) => (cause as { code?: unknown }).code).find((code): code is string => typeof code === 'string');
}

function parseBody(raw: unknown): FcmErrorBody | undefined {
  const error = isRecord(raw) && isRecord(raw.error) ? raw.error : undefined;
  if (error === undefined) return undefined;
  const details = Array.isArray(error.details) ? error.details.filter(isRecord) : [];
  const fcmCode = details.find((d) => d['@type'] === FCM_ERROR)?.errorCode;
  const violations = details.filter((d) => d['@type'] === BAD_REQUEST).flatMap((d) => (Array.isArray(d.fieldViolations) ? d.fieldViolations.filter(isRecord) : []));
  return {
    ...(typeof error.status === 'string' ? { status: error.status } : {}),
    ...(typeof fcmCode === 'string' ? { fcmCode } : {}),
    ...(typeof error.message === 'string' ? { message: error.message } : {}),
    fields: violations.map((v) => v.field).filter((field): field is string => typeof field === 'string'),
  };
}

function retryAfterNote(retryAfter: string | undefined): string {
  return retryAfter === undefined ? '' : ` (Retry-After: ${retryAfter})`;
}

/** FCM's text is short and names fields, not values; still, a device token must never reach logs, so it goes. */
function redact(text: string, token: string | undefined): string {
  return (token === undefined || token === '' ? text : text.replaceAll(token, '<token>')).slice(0, 300);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
