import { describeError } from '@kabar/core';

import { CliError, CliErrorCode } from './cli-error.js';

export const DEFAULT_HUB_URL = 'http://127.0.0.1:3000';
const TIMEOUT_MS = 30_000;

/** Options every command that talks to a running hub accepts. */
export const HUB_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export type Env = Readonly<Record<string, string | undefined>>;

/** The hub's base URL from --url, else KABAR_URL, else the local default; a usage error if it is not http(s). */
export function hubUrl(flag: string | undefined, env: Env): string {
  const text = flag ?? env.KABAR_URL ?? DEFAULT_HUB_URL;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(CliErrorCode.Usage, `--url / KABAR_URL must be an http(s) URL, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(CliErrorCode.Usage, `--url / KABAR_URL must be an http(s) URL, got "${text}"`);
  return url.toString().replace(/\/+$/, '');
}

/** The admin token from --token, else KABAR_TOKEN. */
export function adminToken(flag: string | undefined, env: Env): string {
  const token = flag ?? env.KABAR_TOKEN;
  if (token === undefined || token.trim() === '') {
    throw new CliError(CliErrorCode.Usage, 'an admin token is needed: set KABAR_TOKEN (or pass --token); `kabar admin create` makes one');
  }
  return token.trim();
}

interface GraphqlBody<Data> {
  readonly data?: Data | null;
  readonly errors?: readonly { readonly message?: unknown; readonly extensions?: { readonly code?: unknown } }[];
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A thin client of the hub's public interfaces (GraphQL and `POST /v1/events`). It checks nothing itself: the hub
 * validates, and its error codes reach the user as `CODE: message`.
 */
export class HubClient {
  constructor(readonly url: string) {}

  /** Runs one GraphQL operation; GraphQL errors become a `CliError` (exit 1) naming each error's code. */
  async graphql<Data>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Data> {
    const answer = await this.post('/graphql', token, 'application/json', JSON.stringify({ query, variables }));
    const body = answer.body as GraphqlBody<Data> | undefined;
    if (typeof body !== 'object' || (body.data === undefined && body.errors === undefined)) {
      throw new CliError(CliErrorCode.Failed, `the hub at ${this.url} answered HTTP ${answer.status} without a GraphQL response`);
    }
    if (body.errors !== undefined && body.errors.length > 0) {
      const lines = body.errors.map((e) => `${typeof e.extensions?.code === 'string' ? e.extensions.code : 'ERROR'}: ${typeof e.message === 'string' ? e.message : 'unknown error'}`);
      throw new CliError(CliErrorCode.Failed, lines.join('\nkabar: '));
    }
    if (body.data === undefined || body.data === null) throw new CliError(CliErrorCode.Failed, `the hub at ${this.url} answered without data`);
    return body.data;
  }

  /** POSTs a body and returns the status with the parsed JSON (or undefined); only transport failures throw. */
  async post(path: string, token: string, contentType: string, body: string): Promise<HttpAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': contentType, accept: 'application/json', authorization: `Bearer ${token}` },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      throw new CliError(CliErrorCode.Unavailable, `cannot reach the hub at ${this.url} (${describeError(cause)}); start it or set KABAR_URL / --url`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed };
  }
}
