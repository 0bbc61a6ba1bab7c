/**
 * An HTTP CONNECT egress proxy, like those ministries' networks require, that tunnels every CONNECT to one local port
 * (the FCM peer's) whatever host it asks for, recording each request. Other packages' tests (the hub's) import it by
 * relative path to reach the FCM peer with the plugin's production settings, no test seam:
 *
 *   const peer = await startFcmPeer();                                   // ./fcm-server.fixture.ts
 *   const proxy = await startConnectProxy({ targetPort: peer.port });
 *   const config = aPushFcmConfig(peer, proxy);
 *   // { projectId: 'kabar-test-project', accessToken: 'ya29.kabar-fixed-access-token',
 *   //   proxy: { url: 'http://127.0.0.1:<port>' }, caCertificates: '-----BEGIN CERTIFICATE-----\n...' }
 *   ...
 *   await proxy.close(); await peer.close();
 *
 * `proxy.connects` lists each CONNECT's authority (e.g. `fcm.googleapis.com:443`), its Proxy-Authorization and the
 * status answered. Options make it demand Basic credentials (407 without them), refuse everything (403 or 407), or
 * never answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { Duplex } from 'node:stream';

import { closeNow } from '@kabar/testing';

import { type FcmPeer, PEER_ACCESS_TOKEN } from './fcm-server.fixture.js';

export interface ConnectProxyOptions {
  /** Where every tunnel goes, on 127.0.0.1. */
  readonly targetPort: number;
  /** Basic credentials the proxy demands: a CONNECT without them, or with others, gets 407. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Refuse every CONNECT with this status: 407 (authentication required) or 403 (policy forbids the host). */
  readonly refuseWith?: 403 | 407;
  /** Accept connections and read CONNECTs, but never answer them. */
  readonly silent?: boolean;
}

export interface ConnectRequest {
  /** The host:port the client asked for, e.g. `fcm.googleapis.com:443`. */
  readonly authority: string;
  readonly proxyAuthorization?: string;
  /** What the proxy answered; undefined while it stays silent. */
  readonly status?: number;
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, for the plugin's `proxy.url`. */
  readonly url: string;
  readonly port: number;
  readonly connects: ConnectRequest[];
  close(): Promise<void>;
}

const REASONS: Readonly<Record<number, string>> = { 403: 'Forbidden', 407: 'Proxy Authentication Required' };

/** Starts the proxy on 127.0.0.1 (a free port). */
export async function startConnectProxy(options: ConnectProxyOptions): Promise<ConnectProxy> {
  const connects: ConnectRequest[] = [];
  const sockets = new Set<Duplex>();
  const expected = options.credentials === undefined ? undefined : `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
  // A forward proxy that only tunnels: plain HTTP requests through it are not what the plugin sends.
  const server = http.createServer((_request, response) => response.writeHead(405, { allow: 'CONNECT' }).end());
  server.on('connect', (request: http.IncomingMessage, client: Duplex, head: Buffer) => {
    track(sockets, client);
    const authority = request.url ?? '';
    const proxyAuthorization = request.headers['proxy-authorization'];
    const record = (status?: number): void =>
      void connects.push({ authority, ...(proxyAuthorization === undefined ? {} : { proxyAuthorization }), ...(status === undefined ? {} : { status }) });
    if (options.silent === true) {
      record();
      return;
    }
    const refusal = options.refuseWith ?? (expected !== undefined && proxyAuthorization !== expected ? 407 : undefined);
    if (refusal !== undefined) {
      record(refusal);
      const challenge = refusal === 407 ? 'Proxy-Authenticate: Basic realm="kabar-test-egress"\r\n' : '';
      client.end(`HTTP/1.1 ${refusal} ${REASONS[refusal] ?? ''}\r\n${challenge}Content-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    record(200);
    const upstream = track(sockets, net.connect(options.targetPort, '127.0.0.1'));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    close: () => {
      // Tunnels left the HTTP server's books when they were answered; they are ours to end.
      for (const socket of sockets) socket.destroy();
      return closeNow(server);
    },
  };
}

/**
 * The push-fcm configuration (plain JSON, as the hub reads it) that reaches `peer` through `proxy`, trusting the peer's
 * certificate: the plugin's production path, with no seam. Overrides are merged in (e.g. `{ timeoutMs: 500 }`); an
 * override of `undefined` removes the setting (e.g. `{ caCertificates: undefined }`).
 */
export function aPushFcmConfig(peer: Pick<FcmPeer, 'projectId' | 'caCertificate'>, proxy: Pick<ConnectProxy, 'url'>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const config: Record<string, unknown> = { projectId: peer.projectId, accessToken: PEER_ACCESS_TOKEN, proxy: { url: proxy.url }, caCertificates: peer.caCertificate, ...overrides };
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
}

function track<S extends Duplex>(sockets: Set<Duplex>, socket: S): S {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
  return socket;
}
