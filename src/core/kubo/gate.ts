/**
 * A local gate in front of a kubo forward: our own listener on 127.0.0.1 piping every connection to the
 * forward's port. Closing a kubo forward leaves the connections already made through it alive (station.md),
 * so the tunnel manager hands out the gate's port and, on close, destroys every connection it carried —
 * whoever opened them.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class SocketGate {
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  port = 0;

  constructor(private readonly targetPort: number) {}

  open(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((client) => this.carry(client));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : 0;
        this.server = server;
        resolve(this.port);
      });
    });
  }

  private carry(client: Socket): void {
    const upstream = connect(this.targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  get connections(): number {
    return this.sockets.size;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
