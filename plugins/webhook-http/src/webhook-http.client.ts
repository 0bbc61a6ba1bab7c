import http from 'node:http';
import https from 'node:https';

import { describeError } from '@kabar/core';
import { PluginError, PluginErrorCode } from '@kabar/plugin-sdk';

export interface HttpAnswer {
  readonly status: number;
  readonly retryAfter?: string;
}

export interface WebhookHttpClientOptions {
  readonly url: URL;
  /** For the whole exchange up to the response headers: connect, TLS, upload and the receiver's thinking. */
  readonly timeoutMs: number;
  /** PEM; replaces the public roots, so only the agency's private CA is trusted for this URL. */
  readonly ca?: string;
  /** Parallel connections kept to the receiver. */
  readonly maxSockets: number;
}

/** A sentinel so a timeout we caused is told apart from the peer resetting the connection. */
class DeadlineExceeded extends Error {}

/** The transport: one request, answered with a status, or a `PluginError` for anything that produced no answer. */
export class WebhookHttpClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(private readonly options: WebhookHttpClientOptions) {
    const secure = options.url.protocol === 'https:';
    this.transport = secure ? https : http;
    // Keep-alive: a batch reuses TLS sessions instead of a handshake per message.
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: options.maxSockets, ...(options.ca === undefined ? {} : { ca: options.ca }) })
      : new http.Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }

  get host(): string {
    return this.options.url.host;
  }

  request(method: 'POST' | 'HEAD', headers: Readonly<Record<string, string>>, body?: string): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const request = this.transport.request(this.options.url, { method, headers, agent: this.agent }, (response) => {
        clearTimeout(timer);
        // Only the status matters; draining lets the socket go back to the pool.
        response.resume();
        const retryAfter = response.headers['retry-after'];
        resolve({ status: response.statusCode ?? 0, ...(retryAfter === undefined ? {} : { retryAfter }) });
      });
      const timer = setTimeout(() => request.destroy(new DeadlineExceeded()), this.options.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(this.toPluginError(method, error));
      });
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private toPluginError(method: string, error: Error): PluginError {
    // The host only: receivers sometimes put tokens in the path or query, and these messages reach logs and the console.
    const where = `${method} to ${this.host}`;
    if (error instanceof DeadlineExceeded) {
      return new PluginError(PluginErrorCode.Timeout, `${where}: no answer within ${this.options.timeoutMs} ms`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') return new PluginError(PluginErrorCode.Timeout, `${where}: ${describeError(error)}`, { code });
    // Refused, reset, unresolvable, or a certificate we do not trust: no HTTP answer, so the receiver never judged it.
    return new PluginError(PluginErrorCode.ConnectionFailed, `${where} failed: ${describeError(error)}`, { code });
  }
}
