import { createServer } from 'node:net';
import { reason, ReasonError } from '../../shared/i18n';

/**
 * A free TCP port on 127.0.0.1: bind port 0, read it, close. Another program may take it before kubo binds it;
 * the caller retries on "address already in use".
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new ReasonError(reason('kubo.noFreePort', { host: '127.0.0.1' })))));
    });
  });
}

export function isBusyError(message: string): boolean {
  return /address already in use|EADDRINUSE|already (registered|in use)|busy/i.test(message);
}
