import { performance } from 'node:perf_hooks';

import { STRUCTURED_CONTENT_TYPE } from '@kabar/contracts';
import { describeError, signWebhook } from '@kabar/core';

export interface CallbackRequest {
  readonly url: string;
  /** `whsec_…`, already unsealed. */
  readonly secret: string;
  readonly webhookId: string;
  /** The structured CloudEvent JSON: signed and sent byte for byte. */
  readonly payload: string;
}

/** The receiver's status, or why none came; `error` never carries the URL (its path or query may hold a token). */
export type CallbackAnswer =
  | { readonly status: number; readonly error: null; readonly latencyMs: number }
  | { readonly status: null; readonly error: string; readonly latencyMs: number };

/** POSTs one signed status event to an agency's callback URL (Standard Webhooks headers, one timeout for the exchange). */
export class CallbackSender {
  constructor(
    private readonly timeoutMs: number,
    /**
     * Unix milliseconds for `webhook-timestamp`. Deliberately not the scheduling clock: receivers compare it with their
     * own clock to refuse replays, so it must be the real time even when tests move the scheduler through a day.
     */
    private readonly wallClock: () => number = Date.now,
  ) {}

  async send(request: CallbackRequest): Promise<CallbackAnswer> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return { status: null, error: 'INVALID_URL', latencyMs: 0 };
    }
    const headers = {
      'content-type': STRUCTURED_CONTENT_TYPE,
      ...signWebhook({ id: request.webhookId, timestamp: Math.floor(this.wallClock() / 1000), body: request.payload, secret: request.secret }),
    };
    const started = performance.now();
    try {
      // Redirects are not followed: a signed status must not be forwarded to a host the agency did not register.
      const response = await fetch(url, { method: 'POST', headers, body: request.payload, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      const latencyMs = performance.now() - started;
      // Only the status matters; discarding the body frees the connection for the next request.
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status, error: null, latencyMs };
    } catch (error) {
      return { status: null, error: this.describe(error, request.url, url), latencyMs: performance.now() - started };
    }
  }

  private describe(error: unknown, rawUrl: string, url: URL): string {
    if (error instanceof DOMException && error.name === 'TimeoutError') return `TIMEOUT: no answer within ${this.timeoutMs} ms`;
    // fetch wraps socket errors ("fetch failed"); the cause says what happened (refused, reset, DNS, TLS).
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    return describeError(cause).replaceAll(rawUrl, url.host).replaceAll(url.href, url.host);
  }
}
