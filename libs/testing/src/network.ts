import { createServer, type Server as NetServer } from 'node:net';

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
