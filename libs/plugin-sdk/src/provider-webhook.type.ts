import type { ProviderWebhookErrorCode } from './provider-webhook-error-code.enum.js';

/**
 * A request a provider's peer sent to the hub's `GET|POST /v1/plugins/<name>/webhook`: delivery statuses, citizens'
 * replies, subscription handshakes. The hub authenticates nothing here; the provider does (a signature over `body`, a
 * verify token), so it must refuse what it cannot authenticate rather than accept it.
 */
export interface ProviderWebhookRequest {
  /** The hub routes only these: GET for handshakes (e.g. Meta's `hub.challenge`), POST for the events. */
  readonly method: 'GET' | 'POST';
  /** The query string as received, repeated parameters kept. */
  readonly query: URLSearchParams;
  /** Names lower-cased; a repeated header's values joined with `, ` (as Node does), so a doubled signature fails to parse. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body's bytes exactly as received (usually none for a GET): signatures are over these, not re-serialised JSON. */
  readonly body: Uint8Array;
}

/** Accepted: the hub answers the peer with this status, content type and body as they are. */
export interface ProviderWebhookAnswer {
  /** 2xx; peers such as Meta retry for days until they get one, so answer as soon as the request is authenticated. */
  readonly status: number;
  /** e.g. `text/plain; charset=utf-8` for a handshake's challenge; none for an empty body. */
  readonly contentType?: string;
  readonly body?: string;
}

/** Refused: the hub answers problem+json with the code's status (see ProviderWebhookErrorCode) and `reason` as detail. */
export interface ProviderWebhookRefusal {
  readonly refused: ProviderWebhookErrorCode;
  /** One line for the peer's console and the hub's log: what to fix, never a secret or personal data. */
  readonly reason: string;
}

/**
 * What `ChannelProvider.webhook` resolves to: an answer, or a refusal the hub renders. Never reject for bad input
 * (a body that is not JSON is a `Malformed` refusal); a rejection is a bug, answered 500 and logged.
 * @example { status: 200, contentType: 'text/plain; charset=utf-8', body: '1158201444' }
 * @example { refused: ProviderWebhookErrorCode.BadSignature, reason: 'X-Hub-Signature-256 does not match the body under appSecret' }
 */
export type ProviderWebhookResponse = ProviderWebhookAnswer | ProviderWebhookRefusal;
