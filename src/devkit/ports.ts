// Free TCP ports on 127.0.0.1, for tests and benches that must name a port (e.g. a kubo p2p forward).
import { createServer } from 'node:net';

/** A TCP port free right now on 127.0.0.1 (for forwards: a tiny race is possible, so use it at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}
