import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

/** What the receiver's body may hold before the connection is dropped: only its status is read. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Keep-alive agents for the receivers; tests hand in one that trusts their own certificate authority. */
export interface CallbackAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/**
 * POSTs one signed status event to an agency's callback URL (Standard Webhooks headers, one timeout for the exchange).
 * With node:http over kept-alive connections rather than fetch: the benchmark with callbacks showed fetch's request
 * and stream objects as a third of the hub's CPU, at one request per status message.
 */
export class CallbackSender {
  constructor(
    private readonly timeoutMs: number,
    /**
     * Unix milliseconds for `webhook-timestamp`. Deliberately not the scheduling clock: receivers compare it with their
     * own clock to refuse replays, so it must be the real time even when tests move the scheduling clock through a day.
     */
    private readonly wallClock: () => number = Date.now,
    private readonly agents: CallbackAgents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
  ) {}

  async send(request: CallbackRequest): Promise<CallbackAnswer> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return { status: null, error: 'INVALID_URL', latencyMs: 0 };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { status: null, error: 'INVALID_URL', latencyMs: 0 };
    const body = Buffer.from(request.payload, 'utf8');
    const headers = {
      'content-type': STRUCTURED_CONTENT_TYPE,
      'content-length': String(body.length),
      ...signWebhook({ id: request.webhookId, timestamp: Math.floor(this.wallClock() / 1000), body: request.payload, secret: request.secret }),
    };
    const started = performance.now();
    try {
      // Redirects are not followed (node:http never does): a signed status must not be forwarded to a host the agency
      // did not register.
      const status = await this.post(url, headers, body);
      return { status, error: null, latencyMs: performance.now() - started };
    } catch (error) {
      return { status: null, error: this.describe(error, request.url, url), latencyMs: performance.now() - started };
    }
  }

  /** The receiver's status once its headers are in; its body is read and thrown away, so the connection is reused. */
  private post(url: URL, headers: Record<string, string>, body: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const options = { method: 'POST', headers, signal: AbortSignal.timeout(this.timeoutMs) };
      const onResponse = (response: IncomingMessage): void => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_ANSWER_BYTES) response.destroy();
        });
        response.on('error', () => undefined);
        resolve(response.statusCode ?? 0);
      };
      const req = secure ? httpsRequest(url, { ...options, agent: this.agents.https }, onResponse) : httpRequest(url, { ...options, agent: this.agents.http }, onResponse);
      req.on('error', reject);
      req.end(body);
    });
  }

  private describe(error: unknown, rawUrl: string, url: URL): string {
    if (error instanceof Error && error.name === 'AbortError') return `TIMEOUT: no answer within ${this.timeoutMs} ms`;
    return describeError(error).replaceAll(rawUrl, url.host).replaceAll(url.href, url.host);
  }
}
