import { signWebhook } from '@kabar/core';
import {
  type ChannelProvider,
  failedOutcome,
  mapInParallel,
  type OutboundMessage,
  PluginError,
  PluginErrorCode,
  type ProviderCheck,
  type SendOutcome,
  sentOutcome,
} from '@kabar/plugin-sdk';

import type { HttpAnswer, WebhookHttpClient } from './webhook-http.client.js';

/** Parallel POSTs per batch: enough to hide latency, few enough not to flood an agency's receiver. */
export const MAX_IN_FLIGHT = 8;

/** The JSON body: the Standard Webhooks payload shape, with the rendered message as `data`. */
export interface WebhookPayload {
  readonly type: string;
  /** ISO 8601, when this attempt was made. */
  readonly timestamp: string;
  readonly data: OutboundMessage;
}

/** POSTs each message, signed, to the agency's receiver; the HTTP status decides the outcome. */
export class WebhookHttpProvider implements ChannelProvider {
  private closed = false;

  constructor(
    private readonly client: WebhookHttpClient,
    private readonly secret: string,
    private readonly userAgent: string,
  ) {}

  send(batch: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    return mapInParallel(batch, MAX_IN_FLIGHT, (message) => this.deliver(message));
  }

  async check(): Promise<ProviderCheck> {
    const startedAt = Date.now();
    try {
      // Any HTTP answer, even 404 or 405, proves DNS, TCP, TLS (with our trust settings) and a live server.
      const { status } = await this.client.request('HEAD', { 'user-agent': this.userAgent });
      return { ok: true, detail: `HTTP ${status} from ${this.client.host} in ${Date.now() - startedAt} ms` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.client.close();
    }
    return Promise.resolve();
  }

  private async deliver(message: OutboundMessage): Promise<SendOutcome> {
    const now = new Date();
    const payload: WebhookPayload = { type: message.eventType, timestamp: now.toISOString(), data: message };
    const body = JSON.stringify(payload);
    // webhook-id is the idempotency key, stable across retries, so the receiver can drop duplicates.
    const signature = signWebhook({ id: message.idempotencyKey, timestamp: Math.floor(now.getTime() / 1000), body, secret: this.secret });
    const headers = {
      ...signature,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': this.userAgent,
    };
    try {
      const answer = await this.client.request('POST', headers, body);
      const error = errorFor(answer, this.client.host);
      return error === undefined ? sentOutcome(message) : failedOutcome(message, error);
    } catch (error) {
      if (error instanceof PluginError) return failedOutcome(message, error);
      throw error;
    }
  }
}

function errorFor(answer: HttpAnswer, host: string): PluginError | undefined {
  const { status } = answer;
  if (status >= 200 && status < 300) return undefined;
  const reason = `HTTP ${status} from ${host}`;
  if (status === 429) {
    const after = answer.retryAfter === undefined ? '' : ` (Retry-After: ${answer.retryAfter})`;
    return new PluginError(PluginErrorCode.RateLimited, `${reason}${after}`, { status });
  }
  if (status === 408) return new PluginError(PluginErrorCode.Timeout, reason, { status });
  if (status >= 500) return new PluginError(PluginErrorCode.ProviderError, reason, { status });
  // The receiver refused our signature: the shared secret differs, and retrying cannot fix that.
  if (status === 401 || status === 403) return new PluginError(PluginErrorCode.Unauthorized, reason, { status });
  // Other 4xx, and 3xx: a signed POST is never re-sent to another address the receiver names.
  return new PluginError(PluginErrorCode.Rejected, reason, { status });
}
