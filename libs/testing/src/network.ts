import { connect, createServer, type Server as NetServer, type Socket } from 'node:net';

/** A local port nothing listens on (one that was free a moment ago), for "connection refused" cases. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('the probe server had no port');
  return address.port;
}

/** An HTTP or HTTPS server: `closeAllConnections` is theirs, not a plain TCP server's. */
interface HttpLikeServer extends NetServer {
  closeAllConnections(): void;
}

/**
 * Closes a test peer at once: requests it holds open on purpose (hanging, slow answers) would keep `close()` waiting
 * forever otherwise.
 */
export function closeNow(server: HttpLikeServer): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
}

/** A TCP proxy in front of a real server, which a test can cut (an outage) and restore. */
export interface TcpProxy {
  /** Where clients connect instead of the server. */
  readonly port: number;
  /** Drops every connection through the proxy and refuses new ones, as a server that went away. */
  cut(): Promise<void>;
  /**
   * Stops passing bytes either way and leaves every connection open, as a network partition or a server that hangs:
   * no reset, no close, so the client only learns of it by waiting. New connections are accepted and get no answer.
   * `restore()` delivers what was held back, as TCP does once the path is back.
   */
  freeze(): void;
  /** Accepts connections again, on the same port; after `freeze()`, passes bytes again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free local port that forwards every connection to `host:port`.
 * @example const proxy = await tcpProxy('127.0.0.1', 5432); await proxy.cut(); await proxy.restore();
 */
export async function tcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  // Bytes held back while frozen, per direction, in order.
  const held = new Map<Socket, Buffer[]>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      held.delete(socket);
    });
    socket.on('error', () => socket.destroy());
  };
  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => {
      if (!frozen) {
        to.write(chunk);
        return;
      }
      const queue = held.get(to) ?? [];
      queue.push(chunk);
      held.set(to, queue);
    });
  };
  let server = createServer();
  const listen = (at: number): Promise<number> => {
    server = createServer((client) => {
      const upstream = connect(port, host);
      track(client);
      track(upstream);
      forward(client, upstream);
      forward(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : at);
      });
    });
  };
  const stop = (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  const proxyPort = await listen(0);
  return {
    port: proxyPort,
    cut: stop,
    freeze: () => {
      frozen = true;
    },
    restore: async () => {
      if (frozen) {
        frozen = false;
        for (const [socket, chunks] of held) for (const chunk of chunks) socket.write(chunk);
        held.clear();
      }
      if (!server.listening) await listen(proxyPort);
    },
    close: stop,
  };
}
