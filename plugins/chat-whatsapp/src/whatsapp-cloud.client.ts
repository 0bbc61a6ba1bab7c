// The only file that speaks to the WhatsApp Cloud API (HTTPS and JSON to Meta's Graph API; Meta ships no Node SDK for
// it). The rest of the plugin speaks in GraphExchange: what came back, or why nothing did.
import https from 'node:https';

import { describeError } from '@kabar/core';

/** Graph answers are small JSON objects; more than this is not one, and is not kept in memory. */
const MAX_ANSWER_BYTES = 64 * 1024;

export interface WhatsAppCloudClientOptions {
  /** `https://graph.facebook.com`, or a BSP gateway's origin, optionally with a path prefix. */
  readonly baseUrl: string;
  /** e.g. `v21.0`: the Graph API version every path starts with. */
  readonly apiVersion: string;
  readonly accessToken: string;
  /** For one whole exchange: connect, TLS, upload, Meta's thinking and the answer's body. */
  readonly timeoutMs: number;
  /** PEM; replaces the public roots, for a gateway behind a private CA. */
  readonly ca?: string;
  /** Parallel connections kept to the API. */
  readonly maxSockets: number;
  readonly userAgent: string;
}

/** One request's result: an HTTP answer (`json` is undefined when the body was not JSON), or why there was none. */
export type GraphExchange =
  | { readonly kind: 'answer'; readonly status: number; readonly json: unknown; readonly retryAfter?: string }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'unreachable'; readonly reason: string; readonly code?: string };

/** A keep-alive HTTPS client for one Graph API root (`<baseUrl>/<apiVersion>/`), authenticated with a bearer token. */
export class WhatsAppCloudClient {
  private readonly agent: https.Agent;
  private readonly root: URL;

  constructor(private readonly options: WhatsAppCloudClientOptions) {
    // Keep-alive: a batch reuses TLS sessions instead of a handshake per message.
    this.agent = new https.Agent({ keepAlive: true, maxSockets: options.maxSockets, minVersion: 'TLSv1.2', ...(options.ca === undefined ? {} : { ca: options.ca }) });
    const root = new URL(options.baseUrl);
    root.pathname = `${root.pathname.replace(/\/+$/, '')}/${options.apiVersion}/`;
    this.root = root;
  }

  /** Host and port only: what error messages and the console may show. */
  get host(): string {
    return this.root.host;
  }

  /**
   * POSTs `body` as JSON to `path` under the API root.
   * @example await client.post('106540352242922/messages', { messaging_product: 'whatsapp', to: '6281234567890', type: 'text', text: { body: 'Halo' } })
   */
  post(path: string, body: object): Promise<GraphExchange> {
    return this.exchange('POST', new URL(path, this.root), JSON.stringify(body));
  }

  /**
   * GETs `path` under the API root with `query`.
   * @example await client.get('106540352242922', { fields: 'display_phone_number' })
   */
  get(path: string, query: Readonly<Record<string, string>> = {}): Promise<GraphExchange> {
    const url = new URL(path, this.root);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return this.exchange('GET', url);
  }

  close(): void {
    this.agent.destroy();
  }

  /** Never rejects: every way an exchange can end is a GraphExchange. */
  private exchange(method: 'GET' | 'POST', url: URL, body?: string): Promise<GraphExchange> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: GraphExchange): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const headers: Record<string, string> = {
        authorization: `Bearer ${this.options.accessToken}`,
        accept: 'application/json',
        'user-agent': this.options.userAgent,
        ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
      };
      const request = https.request(url, { method, headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          const json = size <= MAX_ANSWER_BYTES ? parseJson(Buffer.concat(chunks).toString('utf8')) : undefined;
          settle({ kind: 'answer', status: response.statusCode ?? 0, json, ...(retryAfter === undefined ? {} : { retryAfter }) });
        });
        response.on('error', (error) => settle(unreachable(error)));
        // A connection cut mid-body ends with 'close' and no 'end' on some Node versions, and no 'error' on others.
        response.on('close', () => {
          if (!response.complete) settle({ kind: 'unreachable', reason: 'the connection closed before the answer was complete', code: 'ECONNRESET' });
        });
      });
      const timer = setTimeout(() => {
        settle({ kind: 'timeout', timeoutMs: this.options.timeoutMs });
        request.destroy();
      }, this.options.timeoutMs);
      request.on('error', (error) => settle(unreachable(error)));
      request.end(body);
    });
  }
}

function unreachable(error: Error): GraphExchange {
  const code = (error as NodeJS.ErrnoException).code;
  return { kind: 'unreachable', reason: describeError(error), ...(typeof code === 'string' ? { code } : {}) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
