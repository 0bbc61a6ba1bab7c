import http, { type ClientRequest } from 'node:http';
import type { Duplex } from 'node:stream';

/** An HTTP egress proxy that opens CONNECT tunnels, parsed from the `proxy` setting. */
export interface EgressProxy {
  /** A host name or an IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  /** `Basic <base64(user:password)>`, when the proxy wants credentials. Never logged, never in a message. */
  readonly authorization?: string;
  /** `host:port`, for logs and messages: the one way the proxy is named outside this file. */
  readonly label: string;
}

/** The proxy answered our CONNECT with something other than 200: it never opened the tunnel to Google. */
export class ProxyRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ProxyRefusal';
  }
}

/**
 * The proxy itself could not be reached (refused, reset, unresolvable). It keeps the socket error's `code`, so a reset
 * is retried by firebase-admin as it would be without a proxy, and the message names the proxy rather than Google.
 */
export class ProxyUnreachable extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ProxyUnreachable';
  }
}

export type TunnelDone = (error: Error | undefined, socket?: Duplex) => void;

/**
 * Asks `proxy` for a tunnel to `authority` (`host:port`) with HTTP CONNECT; `done` gets the raw tunnel (TLS is the
 * caller's, so the certificate check names Google's host, not the proxy) or why there is none. The returned request is
 * the handle to abandon the attempt: destroying it with an error hands that error to `done`.
 * @example openTunnel(proxy, 'fcm.googleapis.com:443', (error, socket) => ...)
 */
export function openTunnel(proxy: EgressProxy, authority: string, done: TunnelDone): ClientRequest {
  let settled = false;
  const settle = (error: Error | undefined, socket?: Duplex): void => {
    if (settled) {
      socket?.destroy();
      return;
    }
    settled = true;
    done(error, socket);
  };
  const headers: Record<string, string> = { host: authority };
  if (proxy.authorization !== undefined) headers['proxy-authorization'] = proxy.authorization;
  // agent: false, as every tunnel is a connection of its own: the caller's agent pools the TLS sockets made on top.
  const request = http.request({ host: proxy.host, port: proxy.port, method: 'CONNECT', path: authority, headers, agent: false });
  // Node answers a CONNECT with 'connect' whatever the status; the socket is then ours, detached from HTTP.
  request.once('connect', (response, socket, head) => {
    const status = response.statusCode ?? 0;
    if (status !== 200) {
      socket.destroy();
      settle(new ProxyRefusal(status, refusalMessage(proxy, authority, status, response.statusMessage)));
      return;
    }
    // Bytes past the proxy's answer already belong to the tunnel (a proxy should send none before we speak).
    if (head.length > 0) socket.unshift(head);
    settle(undefined, socket);
  });
  request.once('error', (error: Error & { code?: unknown }) => {
    // Our own errors (the batch deadline, closing) carry no code and pass as they are.
    settle(typeof error.code === 'string' ? new ProxyUnreachable(`the egress proxy ${proxy.label} could not be reached: ${error.message}`, error.code) : error);
  });
  request.end();
  return request;
}

function refusalMessage(proxy: EgressProxy, authority: string, status: number, reason: string | undefined): string {
  // The reason phrase is the proxy's text: printable and short, or nothing.
  const phrase = (reason ?? '').replaceAll(/[^\x20-\x7e]/g, '').slice(0, 80);
  return `the egress proxy ${proxy.label} answered CONNECT ${authority} with HTTP ${status}${phrase === '' ? '' : ` ${phrase}`}${refusalHint(proxy, authority, status)}`;
}

function refusalHint(proxy: EgressProxy, authority: string, status: number): string {
  if (status === 407) return proxy.authorization === undefined ? ' (it wants credentials: set proxy.username and proxy.password)' : ' (it refused proxy.username and proxy.password)';
  if (status === 403) return ` (its policy does not allow ${authority})`;
  if (status === 502 || status === 503 || status === 504) return ` (it could not reach ${authority})`;
  return '';
}
