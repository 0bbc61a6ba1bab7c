// The only file that imports firebase-admin: the rest of the plugin speaks in FcmMessage, FcmResult and FcmFailure.
import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:https';

import { type App, type Credential, deleteApp, initializeApp } from 'firebase-admin/app';
import { getMessaging, type Messaging, type SendResponse } from 'firebase-admin/messaging';

import type { FcmMessage } from './fcm-message.factory.js';
import { type ServiceAccount, serviceAccountCredential } from './service-account.credential.js';

/** How the plugin proves itself to Google: a service account (production) or a fixed OAuth 2.0 access token. */
export type FcmCredentials = { readonly serviceAccount: ServiceAccount } | { readonly accessToken: string };

export interface FcmClientOptions {
  readonly projectId: string;
  readonly credentials: FcmCredentials;
  /** Carries every request: FCM's and, for a service account, the OAuth token exchange. */
  readonly agent: Agent;
}

/** Why FCM (or the way to it) did not take a message, in firebase-admin's terms but without its types. */
export interface FcmFailure {
  /** firebase-admin's code, e.g. `messaging/registration-token-not-registered` or `app/network-error`. */
  readonly code: string;
  readonly message: string;
  /** FCM's HTTP answer, when there was one: `body` is the parsed JSON, or the text when it was not JSON. */
  readonly response?: { readonly status: number; readonly retryAfter?: string; readonly body: unknown };
  /** The errors beneath, outermost first: a socket error, our deadline, the OAuth exchange's failure. */
  readonly causes: readonly Error[];
}

export type FcmResult = { readonly ok: true; readonly messageId?: string } | { readonly ok: false; readonly failure: FcmFailure };

/** One firebase-admin app per provider, talking HTTP/1.1 through the given agent. */
export class FcmClient {
  private readonly app: App;
  private readonly messaging: Messaging;
  private deleted: Promise<void> | undefined;

  constructor(options: FcmClientOptions) {
    const { projectId, credentials, agent } = options;
    const credential: Credential =
      'serviceAccount' in credentials ? serviceAccountCredential(credentials.serviceAccount, agent) : fixedTokenCredential(credentials.accessToken);
    // A name of its own: firebase-admin keeps apps in a global registry, and two installs must never share one.
    this.app = initializeApp({ projectId, credential, httpAgent: agent }, `kabar-push-fcm-${randomUUID()}`);
    this.messaging = getMessaging(this.app);
    // sendEach otherwise opens its own HTTP/2 session to fcm.googleapis.com, which bypasses `httpAgent` and so our
    // deadline. firebase-admin marks the switch deprecated "until HTTP/2 is as stable"; it is the only HTTP/1.1 path.
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
    this.messaging.enableLegacyHttpTransport();
  }

  /** One request per message, all at once; one result per message, in order. */
  async sendEach(messages: readonly FcmMessage[], dryRun: boolean): Promise<FcmResult[]> {
    try {
      const { responses } = await this.messaging.sendEach([...messages], dryRun);
      return responses.map(resultOf);
    } catch (error) {
      // Raised before any request (e.g. the project id); it concerns every message alike.
      const failure = failureOf(error);
      return messages.map(() => ({ ok: false, failure }));
    }
  }

  async send(message: FcmMessage, dryRun: boolean): Promise<FcmResult> {
    try {
      return { ok: true, messageId: await this.messaging.send(message, dryRun) };
    } catch (error) {
      return { ok: false, failure: failureOf(error) };
    }
  }

  close(): Promise<void> {
    this.deleted ??= deleteApp(this.app);
    return this.deleted;
  }
}

/**
 * Hands out the configured token. An hour is what Google's tokens last; firebase-admin asks again shortly before,
 * and gets the same token, so an expired one shows up as FCM's 401 and the hub's console says so.
 */
function fixedTokenCredential(accessToken: string): Credential {
  return { getAccessToken: () => Promise.resolve({ access_token: accessToken, expires_in: 3600 }) };
}

function resultOf(response: SendResponse): FcmResult {
  if (response.success) return response.messageId === undefined ? { ok: true } : { ok: true, messageId: response.messageId };
  return { ok: false, failure: failureOf(response.error) };
}

function failureOf(error: unknown): FcmFailure {
  if (!(error instanceof Error)) return { code: 'unknown', message: String(error), causes: [] };
  const { code, httpResponse } = error as { code?: unknown; httpResponse?: { status?: unknown; headers?: unknown; data?: unknown } };
  const response = typeof httpResponse?.status === 'number' ? { status: httpResponse.status, ...retryAfterOf(httpResponse.headers), body: httpResponse.data } : undefined;
  return {
    code: typeof code === 'string' ? code : 'unknown',
    message: error.message,
    ...(response === undefined ? {} : { response }),
    causes: causesOf(error),
  };
}

function retryAfterOf(headers: unknown): { retryAfter?: string } {
  const value = typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>)['retry-after'] : undefined;
  return typeof value === 'string' ? { retryAfter: value } : {};
}

function causesOf(error: Error): Error[] {
  const causes: Error[] = [];
  // Bounded: a cause chain is a few links deep, and a cycle must not hang a send.
  for (let cause = error.cause; cause instanceof Error && causes.length < 8; cause = cause.cause) causes.push(cause);
  return causes;
}
