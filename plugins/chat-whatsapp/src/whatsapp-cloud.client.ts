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

  /**
   * GETs a file by the absolute `url` a media object gave (Meta serves media from another host, with the same bearer
   * token), keeping at most `maxBytes`. Only https URLs are followed: the token must not travel in the clear.
   * @example await client.download('https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…', 16 * 1024 * 1024)
   */
  async download(url: string, maxBytes: number): Promise<FileExchange> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return { kind: 'unreachable', reason: 'the media URL is not a URL' };
    }
    if (target.protocol !== 'https:') return { kind: 'unreachable', reason: 'the media URL is not https' };
    const result = await this.request('GET', target, undefined, maxBytes);
    if (result.kind !== 'answer') return result;
    if (result.bytes === undefined) return { kind: 'tooLarge', maxBytes };
    return { kind: 'file', status: result.status, contentType: result.contentType, data: result.bytes };
  }

  close(): void {
    this.agent.destroy();
  }

  /** Never rejects: every way an exchange can end is a GraphExchange. */
  private async exchange(method: 'GET' | 'POST', url: URL, body?: string): Promise<GraphExchange> {
    const result = await this.request(method, url, body, MAX_ANSWER_BYTES);
    if (result.kind !== 'answer') return result;
    const json = result.bytes === undefined ? undefined : parseJson(result.bytes.toString('utf8'));
    return { kind: 'answer', status: result.status, json, ...(result.retryAfter === undefined ? {} : { retryAfter: result.retryAfter }) };
  }

  /** One request; the body is kept when it is at most `limit` bytes (`bytes` undefined otherwise). Never rejects. */
  private request(method: 'GET' | 'POST', url: URL, body: string | undefined, limit: number): Promise<RawExchange> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: RawExchange): void => {
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
          if (size <= limit) chunks.push(chunk);
          // A file over the limit is not worth downloading to the end.
          else if (limit > MAX_ANSWER_BYTES) request.destroy();
        });
        const answered = (): void => {
          const retryAfter = response.headers['retry-after'];
          const contentType = response.headers['content-type'] ?? 'application/octet-stream';
          settle({ kind: 'answer', status: response.statusCode ?? 0, bytes: size <= limit ? Buffer.concat(chunks) : undefined, contentType, ...(retryAfter === undefined ? {} : { retryAfter }) });
        };
        response.on('end', answered);
        response.on('error', (error) => (size > limit ? answered() : settle(unreachable(error))));
        // A connection cut mid-body ends with 'close' and no 'end' on some Node versions, and no 'error' on others.
        response.on('close', () => {
          if (size > limit) answered();
          else if (!response.complete) settle({ kind: 'unreachable', reason: 'the connection closed before the answer was complete', code: 'ECONNRESET' });
        });
      });
      const timer = setTimeout(() => {
        settle({ kind: 'timeout', timeoutMs: this.options.timeoutMs });
        request.destroy();
      }, this.options.timeoutMs);
      request.on('error', (error) => (settled ? undefined : settle(unreachable(error))));
      request.end(body);
    });
  }
}

/** What came back for a request, body as bytes (undefined when over the limit). */
type RawExchange =
  | { readonly kind: 'answer'; readonly status: number; readonly bytes: Buffer | undefined; readonly contentType: string; readonly retryAfter?: string }
  | Exclude<GraphExchange, { kind: 'answer' }>;

/** A downloaded file, or why there is none. */
export type FileExchange =
  | { readonly kind: 'file'; readonly status: number; readonly contentType: string; readonly data: Buffer }
  | { readonly kind: 'tooLarge'; readonly maxBytes: number }
  | Exclude<GraphExchange, { kind: 'answer' }>;

function unreachable(error: Error): Exclude<GraphExchange, { kind: 'answer' }> {
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
