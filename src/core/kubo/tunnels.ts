/**
 * The tunnel manager: IPFS p2p tunnels to peers' relays, opened by us (never by running a peer's x_strfry.sh).
 *
 * Opening a tunnel to peer P: `p2p/forward /x/strfry-P` on a free loopback port (retrying when the port was
 * taken meanwhile); put our own SocketGate in front of it; prove it with a real relay round trip through the gate
 * (kubo's forward never contacts the peer). kubo is asked about P (one `ping`) only when that proof fails, or
 * when it is slow (timeouts.tunnelCheck), so that a peer kubo cannot reach costs at most tunnelCheck + kuboPing
 * and its reason says "not reachable over IPFS". Anything that fails closes what this attempt opened. Forwards are recorded in <dataDir>/tunnels.json before they are asked for, so a crashed run's
 * leftovers are closed at the next start. Closing is always by our own listen address: never `all=true`,
 * which would also remove the station's own `p2p listen` entries.
 */
import type { Peer, Tunnel } from '../../shared/schemas';
import type { EngineContext, OpenTunnel, PeerEndpoint, TunnelManager } from '../services';
import { SocketGate } from './gate';
import { relayRoundTrip, webSocketOpens } from './probe';
import { freeLoopbackPort, isBusyError } from './ports';
import { readRecords, RecordBook, type ForwardRecord } from './records';
import { pidAlive } from '../util/process';
import { KuboClient } from './rpc';
import { reason, reasonOf, reasonText, ReasonError, type Reason } from '../../shared/i18n';

export interface TunnelDeps {
  /**
   * Maps a peer's relay URL to the address actually dialled (direct and private-network routes). Identity in
   * the app; integration tests map private-network addresses onto 127.0.0.1 so that no packet leaves the
   * machine while the real direct-then-tunnel logic runs.
   */
  dialUrl: (url: string) => string;
  /** A direct try at a private-network relay: resolves when a WebSocket opens. */
  lanProbe: (url: string, timeoutMs: number, signal?: AbortSignal) => Promise<void>;
  /** Proof that a relay answers through a tunnel. */
  proveRelay: (url: string, timeoutMs: number, signal?: AbortSignal) => Promise<void>;
  /** How many times a forward is retried when its port was taken meanwhile. */
  portAttempts: number;
}

const DEFAULT_DEPS: TunnelDeps = {
  dialUrl: (url) => url,
  lanProbe: webSocketOpens,
  proveRelay: relayRoundTrip,
  portAttempts: 5,
};

/** Records older than this are leftovers even if their pid is alive (pids are reused, runs are not that long). */
const RECORD_MAX_AGE_MS = 24 * 3600_000;

export const strfryProtocol = (peerId: string): string => `/x/strfry-${peerId}`;

interface Holding {
  peerId: string;
  protocol: string;
  listenAddress: string;
  targetAddress: string;
  gate: SocketGate;
  refs: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Tunnels implements TunnelManager {
  private readonly deps: TunnelDeps;
  private readonly holdings = new Map<string, Holding>();
  private readonly opening = new Map<string, { promise: Promise<Holding>; abort: AbortController }>();
  private readonly states = new Map<string, Tunnel>();
  /** holdings being closed (their forward and record still going away) */
  private readonly closing = new Map<Holding, Promise<void>>();
  private records: RecordBook | null = null;

  constructor(
    private readonly ctx: EngineContext,
    deps: Partial<TunnelDeps> = {},
  ) {
    this.deps = { ...DEFAULT_DEPS, ...deps };
  }

  private kubo(): KuboClient {
    const s = this.ctx.settings();
    return new KuboClient(s.kuboApi, s.kuboAuth, this.ctx.config.timeouts.kuboRpc);
  }

  private book(): RecordBook {
    this.records ??= new RecordBook(this.ctx.config.dataDir);
    return this.records;
  }

  private setState(peerId: string, state: Tunnel['state'], why: Reason | null, localPort: number | null): void {
    const t: Tunnel = { peerId, protocol: strfryProtocol(peerId), localPort, state, reason: why ? reasonText(why) : null, ...(why ? { why } : {}), changedAt: this.ctx.config.clock() };
    this.states.set(peerId, t);
    this.ctx.events.emit('tunnel.changed', t);
  }

  list(): Tunnel[] {
    return [...this.states.values()].map((t) => ({ ...t }));
  }

  /** `host`: the station's host name, for the lines that name the peer. */
  async open(peerId: string, signal?: AbortSignal, host: string | null = null): Promise<OpenTunnel> {
    // The id goes into a protocol name and a multiaddr: only base58 characters are acceptable.
    if (!/^[1-9A-HJ-NP-Za-km-z]{10,128}$/.test(peerId)) throw new ReasonError(reason('tunnel.notPeerId', { value: peerId }));
    const h = await this.acquire(peerId, signal, host);
    return { peerId, port: h.gate.port, url: `ws://127.0.0.1:${h.gate.port}` };
  }

  /** A held tunnel (one more reference), or a new one. */
  private async acquire(peerId: string, signal: AbortSignal | undefined, host: string | null): Promise<Holding> {
    signal?.throwIfAborted();
    const held = this.holdings.get(peerId);
    if (held) {
      held.refs++;
      return held;
    }
    let pending = this.opening.get(peerId);
    if (!pending) {
      const abort = new AbortController();
      const promise = this.establish(peerId, signal ? AbortSignal.any([signal, abort.signal]) : abort.signal, host).finally(() =>
        this.opening.delete(peerId),
      );
      pending = { promise, abort };
      this.opening.set(peerId, pending);
      const h = await promise;
      return h;
    }
    const h = await pending.promise;
    h.refs++;
    return h;
  }

  private async establish(peerId: string, signal: AbortSignal, host: string | null): Promise<Holding> {
    const kubo = this.kubo();
    const protocol = strfryProtocol(peerId);
    const targetAddress = `/p2p/${peerId}`;
    let listenAddress: string | null = null;
    let gate: SocketGate | null = null;
    this.setState(peerId, 'opening', null, null);
    try {
      listenAddress = await this.forward(kubo, peerId, protocol, targetAddress, signal);
      const kuboPort = Number(listenAddress.split('/').pop());
      gate = new SocketGate(kuboPort);
      await gate.open();
      signal.throwIfAborted();
      await this.prove(kubo, peerId, `ws://127.0.0.1:${gate.port}`, signal);
      const h: Holding = { peerId, protocol, listenAddress, targetAddress, gate, refs: 1 };
      this.holdings.set(peerId, h);
      this.setState(peerId, 'open', null, gate.port);
      this.ctx.log.info(reason('peer.named', { id: peerId, host, why: reason('tunnel.opened', { port: gate.port }) }));
      return h;
    } catch (err) {
      const cancelled = signal.aborted;
      const why = cancelled ? reason('cancelled') : reasonOf(err);
      await gate?.close();
      if (listenAddress) await this.closeForward(kubo, peerId, listenAddress);
      this.setState(peerId, cancelled ? 'closed' : 'failed', why, null);
      throw new ReasonError(reason('peer.named', { id: peerId, host, why }), { cause: err });
    }
  }

  /**
   * The relay's answer through the new tunnel proves it. When the proof fails, or has not come after
   * timeouts.tunnelCheck, kubo is asked whether it can reach the peer at all: a peer it cannot reach fails at
   * once, as "not reachable over IPFS" (real kubo holds a connection to such a peer open while it looks for it,
   * up to 30 s, before closing it); one it can reach keeps its full proof time (timeouts.connect).
   */
  private async prove(kubo: KuboClient, peerId: string, url: string, signal: AbortSignal): Promise<void> {
    const t = this.ctx.config.timeouts;
    const stopProof = new AbortController();
    const proof = this.deps
      .proveRelay(url, t.connect, AbortSignal.any([signal, stopProof.signal]))
      .then(() => null, (err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    // kubo is asked at most once; its answer is not waited for once the relay has answered
    const stopAsking = new AbortController();
    let asked: Promise<Reason | null> | null = null;
    const ask = (): Promise<Reason | null> => {
      if (!asked) {
        asked = this.whyUnreachable(kubo, peerId, signal, stopAsking.signal);
        asked.catch(() => undefined);
      }
      return asked;
    };
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), t.tunnelCheck)));
    try {
      let failed = await Promise.race([proof, slow]);
      if (failed === 'slow') {
        const unreachable = await Promise.race([ask(), proof.then((e) => (e ? ask() : null))]);
        if (unreachable !== null) throw new ReasonError(reason('tunnel.unreachable', { why: unreachable }));
        failed = await proof;
      }
      if (failed === null) return;
      if (signal.aborted) throw failed;
      const unreachable = await ask();
      if (unreachable !== null) throw new ReasonError(reason('tunnel.unreachable', { why: unreachable }));
      throw new ReasonError(reason('tunnel.relaySilent', { why: reasonOf(failed) }));
    } finally {
      clearTimeout(timer);
      stopAsking.abort();
      stopProof.abort();
      await proof;
    }
  }

  /**
   * kubo's word on a peer, within timeouts.kuboPing: why it cannot reach it, or null when it can (or when kubo's
   * API fails to say: then the relay's own failure is the reason).
   */
  private async whyUnreachable(kubo: KuboClient, peerId: string, signal: AbortSignal, stop: AbortSignal): Promise<Reason | null> {
    const ms = this.ctx.config.timeouts.kuboPing;
    const budget = AbortSignal.timeout(ms);
    try {
      const ping = await kubo.ping(peerId, 1, AbortSignal.any([signal, stop, budget]));
      return ping.ok ? null : reason('tunnel.kuboPing', { detail: ping.why ?? ping.reason ?? '' });
    } catch (err) {
      signal.throwIfAborted();
      if (budget.aborted && !stop.aborted) return reason('tunnel.kuboNoWay', { ms });
      this.ctx.log.debug(`peer ${peerId}: kubo ping did not say (${message(err)})`);
      return null;
    }
  }

  /** p2p/forward on a free loopback port; the record is written first so a crash right after leaves a trace. */
  private async forward(kubo: KuboClient, peerId: string, protocol: string, targetAddress: string, signal: AbortSignal): Promise<string> {
    let lastError: Reason = reason('text', { text: '' });
    for (let attempt = 1; attempt <= this.deps.portAttempts; attempt++) {
      signal.throwIfAborted();
      const port = await freeLoopbackPort();
      const listenAddress = `/ip4/127.0.0.1/tcp/${port}`;
      const record: ForwardRecord = { peerId, protocol, listenAddress, targetAddress, pid: process.pid, openedAt: this.ctx.config.clock() };
      await this.book().add(record);
      try {
        await kubo.forward(protocol, listenAddress, targetAddress, signal);
        return listenAddress;
      } catch (err) {
        await this.book().remove(listenAddress).catch(() => undefined);
        lastError = reasonOf(err);
        if (!isBusyError(message(err)) || signal.aborted) throw new ReasonError(reason('tunnel.refused', { why: lastError }), { cause: err });
      }
    }
    throw new ReasonError(reason('tunnel.noFreePort', { tries: this.deps.portAttempts, why: lastError }));
  }

  /** Closes one forward of ours by its listen address. A failure is logged and the record kept for later. */
  private async closeForward(kubo: KuboClient, peerId: string, listenAddress: string): Promise<void> {
    try {
      await kubo.close({ listenAddress });
      await this.book().remove(listenAddress);
    } catch (err) {
      this.ctx.log.warn(reason('peer.named', { id: peerId, host: null, why: reason('tunnel.closeFailed', { listen: listenAddress, why: reasonOf(err) }) }));
    }
  }

  private closeHolding(h: Holding, why: Reason | null): Promise<void> {
    if (this.holdings.get(h.peerId) !== h) return this.closing.get(h) ?? Promise.resolve();
    this.holdings.delete(h.peerId);
    const done = (async () => {
      await h.gate.close();
      await this.closeForward(this.kubo(), h.peerId, h.listenAddress);
      this.setState(h.peerId, 'closed', why, null);
    })().finally(() => this.closing.delete(h));
    this.closing.set(h, done);
    return done;
  }

  private async release(peerId: string): Promise<void> {
    const h = this.holdings.get(peerId);
    if (!h) return;
    h.refs--;
    if (h.refs <= 0) await this.closeHolding(h, null);
  }

  async close(peerId: string): Promise<void> {
    const pending = this.opening.get(peerId);
    if (pending) {
      pending.abort.abort();
      await pending.promise.catch(() => undefined);
    }
    const h = this.holdings.get(peerId);
    if (h) await this.closeHolding(h, null);
  }

  async closeAll(): Promise<void> {
    const pendings = [...this.opening.values()];
    for (const p of pendings) p.abort.abort();
    await Promise.all(pendings.map((p) => p.promise.catch(() => undefined)));
    await Promise.all([...this.holdings.values()].map((h) => this.closeHolding(h, null)));
    // closes already under way (a session released its tunnel just before) end before this returns
    await Promise.all([...this.closing.values()]);
  }

  async cleanupLeftovers(): Promise<void> {
    const records = await readRecords(this.ctx.config.dataDir);
    const now = this.ctx.config.clock();
    const mine = new Set([...this.holdings.values()].map((h) => h.listenAddress));
    const leftovers = records.filter(
      (r) =>
        !mine.has(r.listenAddress) &&
        (r.pid === process.pid || !pidAlive(r.pid) || now - (r.openedAt ?? 0) > RECORD_MAX_AGE_MS),
    );
    if (leftovers.length === 0) return;
    const kubo = this.kubo();
    const listeners = await kubo.ls();
    for (const r of leftovers) {
      // Close only what is exactly ours: same protocol, listen and target addresses.
      const open = listeners.some((l) => l.Protocol === r.protocol && l.ListenAddress === r.listenAddress && l.TargetAddress === r.targetAddress);
      if (open) {
        await kubo.close({ listenAddress: r.listenAddress });
        this.ctx.log.info(reason('tunnel.leftoverClosed', { protocol: r.protocol, listen: r.listenAddress }));
      }
      await this.book().remove(r.listenAddress);
    }
  }

  async endpoint(peer: Peer, signal?: AbortSignal): Promise<PeerEndpoint> {
    const id = peer.peerId ?? peer.id;
    const named = (why: Reason): ReasonError => new ReasonError(reason('peer.named', { id, host: peer.hostname, why }));
    if (peer.route === 'none' || !peer.relayUrl) {
      throw named(reason('tunnel.notSyncable', { why: peer.why ?? (peer.reason ? reason('text', { text: peer.reason }) : null) }));
    }
    const direct = (url: string): PeerEndpoint => ({ url, via: 'direct', release: async () => undefined });
    if (peer.route === 'direct') return direct(this.deps.dialUrl(peer.relayUrl));
    if (peer.route === 'lan') {
      const url = this.deps.dialUrl(peer.relayUrl);
      const ms = this.ctx.config.timeouts.lanDirect;
      try {
        await this.deps.lanProbe(url, ms, signal);
        return direct(url);
      } catch (err) {
        signal?.throwIfAborted();
        if (!peer.servesStrfry) throw named(reason('tunnel.lanNoTunnel', { url: peer.relayUrl, why: reasonOf(err) }));
        this.ctx.log.info(reason('peer.named', { id, host: peer.hostname, why: reason('tunnel.lanTrying', { url: peer.relayUrl, why: reasonOf(err) }) }));
      }
    } else if (!peer.servesStrfry) {
      throw named(reason('tunnel.loopbackNoTunnel', { url: peer.relayUrl }));
    }
    const t = await this.open(id, signal, peer.hostname);
    // one release, shared: a second call (the caller's, after the abort's) waits for the first to finish
    let releasing: Promise<void> | null = null;
    const release = (): Promise<void> =>
      (releasing ??= (async () => {
        signal?.removeEventListener('abort', onAbort);
        await this.release(id).catch((err: unknown) => this.ctx.log.warn(reason('peer.named', { id, host: peer.hostname, why: reason('tunnel.releaseFailed', { why: reasonOf(err) }) })));
      })());
    // Cancelling the session gives the tunnel back even if the caller never gets to release it.
    const onAbort = (): void => void release();
    signal?.addEventListener('abort', onAbort, { once: true });
    return { url: t.url, via: 'tunnel', release };
  }
}
