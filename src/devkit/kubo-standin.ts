// A stand-in for kubo's RPC API (the subset Constellation uses), with kubo's shapes and quirks (station.md):
// POST only; `p2p/forward` answers 200 without contacting the peer, then REALLY carries each TCP connection
// made to the local port to the relay registered for `/x/strfry-<PeerID>` (unknown peer or protocol: the
// connection is accepted then closed); `p2p/ls` is `{"Listeners":null}` when empty; `p2p/close?all=true`
// also removes the station's own `p2p listen` entry; closing a forward leaves live connections alive;
// a failed ping is still HTTP 200 (failure in the stream and in an `X-Stream-Error` trailer);
// errors are HTTP 500 `{"Message","Code":0,"Type":"error"}`.
// A peer kubo cannot reach (unknown, or registered unreachable) is not refused at once by real kubo: a
// connection through a forward stays open while kubo looks for the peer and dials it (kubo's p2p dial has a 30 s
// timeout), and a ping waits for the lookup. How long it really takes depends on the DHT and the addresses kubo
// knows: unknown here. `unreachableDelayMs` sets it (default 0: at once); tests that must not depend on it set it long.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { peerIdFromSeed } from './keys';

export interface KuboListener {
  Protocol: string;
  ListenAddress: string;
  TargetAddress: string;
}

export interface KuboCall {
  path: string;
  /** The `arg` values, in order. */
  args: string[];
  /** Every query parameter (last value wins), e.g. `protocol`, `listen-address`, `all`, `count`. */
  query: Record<string, string>;
}

export interface KuboStandinOptions {
  peerId?: string;
  /** When set, every call must carry exactly this `Authorization` header value (403 otherwise). */
  auth?: string;
  port?: number;
  /** Start with the station's own `p2p listen /x/strfry-<SELF> …` entry, like a real station. Default true. */
  ownListen?: boolean;
  /** Target of the own listen entry. Default `/ip4/127.0.0.1/tcp/7777`. */
  ownTarget?: string;
  /**
   * How long kubo takes to give up on a peer it cannot reach: a carried connection is closed, and a ping fails,
   * after this many ms (real kubo: up to its 30 s p2p dial timeout; the exact time is unknown). Default 0.
   */
  unreachableDelayMs?: number;
}

interface PeerTarget {
  host: string;
  port: number;
}

interface PeerEntry {
  target: PeerTarget;
  reachable: boolean;
  protocols: string[];
}

interface Forward {
  protocol: string;
  listenAddress: string;
  peerId: string;
  server: TcpServer;
}

const LISTEN_RE = /^\/ip4\/(127\.0\.0\.1)\/tcp\/(\d{1,5})$/;
const TARGET_RE = /^\/p2p\/([1-9A-HJ-NP-Za-km-z]{46,60})$/;

function kuboError(res: ServerResponse, message: string, status = 500, code = 0): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify({ Message: message, Code: code, Type: 'error' })}\n`);
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

export class KuboStandin {
  readonly url: string;
  readonly peerId: string;
  readonly calls: KuboCall[] = [];

  private readonly peers = new Map<string, PeerEntry>();
  private readonly forwards: Forward[] = [];
  private ownListen: KuboListener | null;
  /** Live carried connections per peer: [client side, relay side]. */
  private readonly pipes = new Map<string, Set<[Socket, Socket]>>();
  /** Connections to a peer kubo cannot reach, waiting to be closed (unreachableDelayMs). */
  private readonly doomed = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly http: Server,
    private readonly opts: KuboStandinOptions,
  ) {
    this.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    this.peerId = opts.peerId ?? peerIdFromSeed('kubo-standin-self');
    this.ownListen =
      opts.ownListen === false
        ? null
        : { Protocol: `/x/strfry-${this.peerId}`, ListenAddress: `/p2p/${this.peerId}`, TargetAddress: opts.ownTarget ?? '/ip4/127.0.0.1/tcp/7777' };
  }

  static async start(opts: KuboStandinOptions = {}): Promise<KuboStandin> {
    const http = createServer();
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const self = new KuboStandin(http, opts);
    http.on('request', (req, res) => {
      self.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) kuboError(res, err instanceof Error ? err.message : String(err));
        else res.destroy();
      });
    });
    return self;
  }

  /** Makes `/x/strfry-<peerId>` (and any extra protocols) reachable through forwards, to host:port. */
  registerPeer(peerId: string, target: PeerTarget, opts: { reachable?: boolean; protocols?: string[] } = {}): void {
    this.peers.set(peerId, {
      target,
      reachable: opts.reachable ?? true,
      protocols: opts.protocols ?? [`/x/strfry-${peerId}`],
    });
  }

  unregisterPeer(peerId: string): void {
    this.peers.delete(peerId);
  }

  /** Marks a registered peer (un)reachable: pings fail and new carried connections are closed. */
  setReachable(peerId: string, reachable: boolean): void {
    const p = this.peers.get(peerId);
    if (p) p.reachable = reachable;
  }

  listeners(): KuboListener[] {
    const list: KuboListener[] = this.forwards.map((f) => ({
      Protocol: f.protocol,
      ListenAddress: f.listenAddress,
      TargetAddress: `/p2p/${f.peerId}`,
    }));
    return this.ownListen ? [this.ownListen, ...list] : list;
  }

  /** Live connections carried to a peer (or all peers). */
  liveConnections(peerId?: string): number {
    if (peerId) return this.pipes.get(peerId)?.size ?? 0;
    let n = 0;
    for (const set of this.pipes.values()) n += set.size;
    return n;
  }

  /** Abruptly resets every live connection carried to this peer (TCP RST), for fault tests. */
  resetConnections(peerId: string): number {
    const set = this.pipes.get(peerId);
    if (!set) return 0;
    const n = set.size;
    for (const [client, upstream] of set) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    set.clear();
    return n;
  }

  /** Resolves after kubo's time to give up on an unreachable peer (at once by default). */
  private giveUpDelay(): Promise<void> {
    const ms = this.opts.unreachableDelayMs ?? 0;
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.doomed) s.destroy();
    this.doomed.clear();
    for (const f of this.forwards.splice(0)) f.server.close();
    for (const set of this.pipes.values()) {
      for (const [a, b] of set) {
        a.destroy();
        b.destroy();
      }
    }
    this.pipes.clear();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (this.opts.auth !== undefined && req.headers.authorization !== this.opts.auth) {
      res.writeHead(403, { 'Content-Type': 'text/plain' });
      res.end('403 - Forbidden\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { 'Content-Type': 'text/plain' });
      res.end('405 - Method Not Allowed\n');
      return;
    }
    const args = url.searchParams.getAll('arg');
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    this.calls.push({ path: url.pathname, args, query });
    req.resume();
    switch (url.pathname) {
      case '/api/v0/id':
        return json(res, {
          ID: this.peerId,
          PublicKey: 'CAESI' + this.peerId.slice(8, 44),
          Addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${this.peerId}`],
          AgentVersion: 'kubo/0.34.1/standin',
          Protocols: ['/ipfs/id/1.0.0', '/ipfs/ping/1.0.0', '/libp2p/circuit/relay/0.2.0/stop'],
        });
      case '/api/v0/ping':
        return this.ping(res, args, Number(query.count ?? '10'));
      case '/api/v0/p2p/forward':
        return this.forward(res, args);
      case '/api/v0/p2p/ls': {
        const list = this.listeners();
        return json(res, { Listeners: list.length ? list : null });
      }
      case '/api/v0/p2p/close':
        return this.close(res, query);
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('404 page not found\n');
    }
  }

  /** NDJSON stream, always HTTP 200; a failure ends with an `X-Stream-Error` trailer (kubo's chunked output). */
  private async ping(res: ServerResponse, args: string[], count: number): Promise<void> {
    const id = args[0];
    if (!id) return kuboError(res, 'argument "peer ID" is required', 400, 1);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'X-Chunked-Output': '1',
      Trailer: 'X-Stream-Error',
      'Transfer-Encoding': 'chunked',
    });
    const emit = (o: { Success: boolean; Time: number; Text: string }): boolean => res.write(`${JSON.stringify(o)}\n`);
    const peer = this.peers.get(id);
    const n = Math.max(1, Math.min(Number.isFinite(count) ? count : 10, 100));
    if (!peer) {
      emit({ Success: false, Time: 0, Text: `Looking up peer ${id}` });
      await this.giveUpDelay();
      if (res.destroyed) return;
      res.addTrailers({ 'X-Stream-Error': 'ping: peer lookup failed: routing: not found' });
      res.end();
      return;
    }
    emit({ Success: true, Time: 0, Text: `PING ${id}.` });
    if (!peer.reachable) {
      await this.giveUpDelay();
      if (res.destroyed) return;
      for (let i = 0; i < n; i++) emit({ Success: false, Time: 0, Text: `failed to dial: failed to dial ${id}: no good addresses` });
      res.addTrailers({ 'X-Stream-Error': 'ping failed' });
      res.end();
      return;
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      const ns = 200_000 + i * 10_000;
      total += ns;
      emit({ Success: true, Time: ns, Text: '' });
    }
    emit({ Success: true, Time: 0, Text: `Average latency: ${(total / n / 1e6).toFixed(2)}ms` });
    res.end();
  }

  private async forward(res: ServerResponse, args: string[]): Promise<void> {
    const [protocol, listen, target] = args;
    if (!protocol || !listen || !target) return kuboError(res, 'argument "target-address" is required', 400, 1);
    if (!protocol.startsWith('/x/')) return kuboError(res, "protocol name must be within '/x/' namespace");
    const lm = LISTEN_RE.exec(listen);
    if (!lm) return kuboError(res, `failed to parse listen address ${listen}: only /ip4/127.0.0.1/tcp/<port> is supported by the stand-in`);
    const tm = TARGET_RE.exec(target);
    if (!tm) return kuboError(res, `failed to parse multiaddr "${target}": invalid p2p multiaddr`);
    const peerId = tm[1] as string;
    const port = Number(lm[2]);
    if (this.forwards.some((f) => f.listenAddress === listen)) {
      return kuboError(res, `failed to listen on ${listen}: listen tcp4 127.0.0.1:${port}: bind: address already in use`);
    }
    const server = createTcpServer((socket) => this.carry(protocol, peerId, socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'bind: address already in use' : String(err);
      return kuboError(res, `failed to listen on ${listen}: listen tcp4 127.0.0.1:${port}: ${reason}`);
    }
    const actual = (server.address() as AddressInfo).port;
    this.forwards.push({ protocol, listenAddress: `/ip4/127.0.0.1/tcp/${actual}`, peerId, server });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end();
  }

  /** One connection made to a forward's local port: carry it to the peer's relay, or close it. */
  private carry(protocol: string, peerId: string, client: Socket): void {
    const peer = this.peers.get(peerId);
    if (peer?.reachable && !peer.protocols.includes(protocol)) {
      // kubo reaches the peer, whose multistream refuses the protocol ("protocols not supported"): closed at once.
      client.destroy();
      return;
    }
    if (!peer || !peer.reachable) {
      // kubo looks for the peer and dials it, then gives up ("no addresses" / "no good addresses"): the local
      // connection is closed, after kubo's time to give up.
      client.on('error', () => undefined);
      this.doomed.add(client);
      void this.giveUpDelay().then(() => {
        this.doomed.delete(client);
        client.destroy();
      });
      return;
    }
    const upstream = connect(peer.target.port, peer.target.host);
    const pair: [Socket, Socket] = [client, upstream];
    let set = this.pipes.get(peerId);
    if (!set) this.pipes.set(peerId, (set = new Set()));
    set.add(pair);
    const done = (): void => {
      set.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', done);
    upstream.on('error', done);
    client.on('close', done);
    upstream.on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private close(res: ServerResponse, q: Record<string, string>): void {
    const all = q.all === 'true' || q.all === '1' || q.all === '';
    const { protocol, 'listen-address': listen, 'target-address': target } = q;
    if (!all && protocol === undefined && listen === undefined && target === undefined) {
      return kuboError(res, 'one of --all, --protocol, --listen-address or --target-address must be specified');
    }
    const match = (l: KuboListener): boolean =>
      all ||
      ((protocol === undefined || l.Protocol === protocol) &&
        (listen === undefined || l.ListenAddress === listen) &&
        (target === undefined || l.TargetAddress === target));
    let closed = 0;
    for (let i = this.forwards.length - 1; i >= 0; i--) {
      const f = this.forwards[i] as Forward;
      if (match({ Protocol: f.protocol, ListenAddress: f.listenAddress, TargetAddress: `/p2p/${f.peerId}` })) {
        // Like kubo: stop listening; connections already carried stay alive.
        f.server.close();
        this.forwards.splice(i, 1);
        closed += 1;
      }
    }
    if (this.ownListen && match(this.ownListen)) {
      this.ownListen = null;
      closed += 1;
    }
    json(res, closed);
  }
}
