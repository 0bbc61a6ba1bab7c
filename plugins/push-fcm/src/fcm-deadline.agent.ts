import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClientRequest } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

import { type EgressProxy, openTunnel } from './egress-proxy.tunnel.js';

/**
 * Opens the TLS connection for one request to an FCM host (`options.host`, with `options.servername` for SNI).
 * Production dials the real host; tests dial a local peer with the same SNI, so certificate checks stay real.
 */
export type FcmDial = (options: https.RequestOptions) => Duplex;

/** Raised into a request we cut off at the deadline. It carries no `code`, so firebase-admin does not retry it. */
export class DeadlineExceeded extends Error {
  /** @param silent who kept us waiting, when it was not Google (the egress proxy, asked for a tunnel). */
  constructor(
    readonly timeoutMs: number,
    readonly silent?: string,
  ) {
    super(`no answer${silent === undefined ? '' : ` from ${silent}`} within ${timeoutMs} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export interface FcmAgentOptions {
  /** Tests only: opens each connection instead of the agent (and instead of the proxy). */
  readonly dial?: FcmDial;
  /** Every connection to Google goes through this proxy's CONNECT tunnels. */
  readonly proxy?: EgressProxy;
  /** PEM certificates trusted for Google's hosts besides Node's default ones (e.g. a TLS-inspecting proxy's CA). */
  readonly extraCertificates?: readonly string[];
}

interface DeadlineScope {
  readonly timeoutMs: number;
  expired: boolean;
}

/**
 * The keep-alive agent every firebase-admin request of one provider goes through, with a deadline per batch.
 *
 * firebase-admin fixes its own request timeout (15 s) and retries timeouts, resets and 503s up to four times with
 * back-off, so one silent peer could hold a batch for over a minute. `within()` gives a batch `timeoutMs`: when it
 * passes, the batch's connections still waiting are destroyed with `DeadlineExceeded` (which firebase-admin does not
 * retry), and any retry the batch starts afterwards fails at once instead of sending the message again unnoticed.
 * Batches are told apart by async context, so concurrent batches never cut each other off.
 *
 * With a proxy, each new connection is a CONNECT tunnel through it, then TLS to Google's host inside the tunnel
 * (SNI and the certificate check name Google's host). A tunnel still being asked for is the batch's too: the deadline
 * abandons it like a connection.
 */
export class FcmDeadlineAgent extends https.Agent {
  private readonly scopes = new AsyncLocalStorage<DeadlineScope>();
  /** Which batch each socket serves now (a pooled socket moves between batches). */
  private readonly owners = new WeakMap<Duplex, DeadlineScope>();
  /** CONNECTs the proxy has not answered yet, with the batch that asked (none outside `within`). */
  private readonly tunnels = new Map<ClientRequest, DeadlineScope | undefined>();
  private readonly dial: FcmDial | undefined;
  private readonly proxy: EgressProxy | undefined;

  constructor({ dial, proxy, extraCertificates = [] }: FcmAgentOptions = {}) {
    // `ca` would replace Node's trust store, so extra certificates join the default ones (which include
    // NODE_EXTRA_CA_CERTS) in a context built once, rather than in every connection's options.
    const secureContext =
      extraCertificates.length === 0 ? undefined : tls.createSecureContext({ ca: [...tls.getCACertificates('default'), ...extraCertificates], minVersion: 'TLSv1.2' });
    super({ keepAlive: true, minVersion: 'TLSv1.2', ...(secureContext === undefined ? {} : { secureContext }) });
    this.dial = dial;
    this.proxy = proxy;
  }

  /**
   * Runs `work` (one firebase-admin call) under a deadline of `timeoutMs`.
   * @example const batch = await agent.within(10_000, () => messaging.sendEach(messages))
   */
  async within<T>(timeoutMs: number, work: () => Promise<T>): Promise<T> {
    const scope: DeadlineScope = { timeoutMs, expired: false };
    const timer = setTimeout(() => this.expire(scope), timeoutMs);
    try {
      return await this.scopes.run(scope, work);
    } finally {
      clearTimeout(timer);
    }
  }

  override createConnection(options: https.RequestOptions, callback?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    const scope = this.scopes.getStore();
    if (scope?.expired === true) {
      const error = new DeadlineExceeded(scope.timeoutMs);
      if (callback === undefined) throw error;
      // Node's documented error path: the agent turns it into an 'error' on the request, on a later tick, when
      // firebase-admin listens. Node's typings ask for a socket even here, which the agent ignores.
      (callback as (error: Error) => void)(error);
      return undefined;
    }
    if (this.dial !== undefined) return this.own(this.dial(options), scope);
    if (this.proxy === undefined) {
      const socket = super.createConnection(options, callback);
      return socket === null || socket === undefined ? socket : this.own(socket, scope);
    }
    // Node's agent always passes the callback; without it there is no way to hand over a socket made later.
    if (callback === undefined) throw new Error('a connection through the egress proxy needs the callback of an asynchronous createConnection');
    this.tunnel(this.proxy, options, scope, callback);
    return undefined;
  }

  /** Also abandons the tunnels still being asked for, so a closed provider leaves no connection behind. */
  override destroy(): void {
    for (const request of this.tunnels.keys()) request.destroy(new Error('the FCM provider was closed'));
    this.tunnels.clear();
    super.destroy();
  }

  override reuseSocket(socket: Duplex, request: ClientRequest): void {
    super.reuseSocket(socket, request);
    const scope = this.scopes.getStore();
    if (scope === undefined) {
      this.owners.delete(socket);
      return;
    }
    this.owners.set(socket, scope);
    // Before the request writes a byte: the socket itself stays healthy and goes back to the pool.
    if (scope.expired) request.destroy(new DeadlineExceeded(scope.timeoutMs));
  }

  private tunnel(proxy: EgressProxy, options: https.RequestOptions, scope: DeadlineScope | undefined, callback: (error: Error | null, socket: Duplex) => void): void {
    const authority = `${options.host ?? ''}:${String(options.port ?? 443)}`;
    const request = openTunnel(proxy, authority, (error, raw) => {
      this.tunnels.delete(request);
      if (error !== undefined || raw === undefined) {
        // As in createConnection: Node's typings want a socket beside the error, which the agent ignores.
        (callback as (error: Error) => void)(error ?? new Error(`the egress proxy ${proxy.label} gave no tunnel`));
        return;
      }
      // TLS inside the tunnel, by the agent's own path: its options (SNI, trust, keep-alive) and its session cache.
      const socket = super.createConnection(Object.assign({}, options, { socket: raw }));
      if (socket === null || socket === undefined) {
        raw.destroy();
        (callback as (error: Error) => void)(new Error('no TLS connection could be made inside the tunnel'));
        return;
      }
      callback(null, this.own(socket, scope));
    });
    // Until the proxy answers, the wait counts against the batch (see expire).
    this.tunnels.set(request, scope);
  }

  private own(socket: Duplex, scope: DeadlineScope | undefined): Duplex {
    if (scope !== undefined) this.owners.set(socket, scope);
    return socket;
  }

  private expire(scope: DeadlineScope): void {
    scope.expired = true;
    for (const [request, owner] of this.tunnels) {
      // Named in the timeout: Google was never asked.
      if (owner === scope) request.destroy(new DeadlineExceeded(scope.timeoutMs, `the egress proxy ${this.proxy?.label ?? ''} (CONNECT ${request.path})`));
    }
    for (const sockets of Object.values(this.sockets)) {
      // A copy: destroyed sockets leave the agent's lists as they close.
      for (const socket of [...(sockets ?? [])]) {
        if (this.owners.get(socket) === scope) socket.destroy(new DeadlineExceeded(scope.timeoutMs));
      }
    }
  }
}
