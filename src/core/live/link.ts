/**
 * One peer's live link: a connection kept open (directly or through the tunnel the tunnel manager opens),
 * reopened with back-off when it drops, proven alive by a relay round trip now and then. On every connect:
 * the down stream's REQs first, then the catch-up of the gap since the peer's stream was last known complete,
 * while the stream flows. Members' events that appear locally go up to the peer unless it holds them; its
 * answers are counted and a peer refusing writes is left alone for a while.
 */
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import type { LivePeer, Peer } from '../../shared/schemas';
import { reason, reasonText, type Reason } from '../../shared/i18n';
import type { EngineContext } from '../services';
import { probeNip77, type RelayConnection } from '../nostr';
import { peerReason } from '../sync/run';
import { peerName } from '../profiles/recover';
import { Backoff } from './backoff';
import { catchUp, type LocalRow } from './catchup';
import type { Holders } from './holders';
import type { LiveIngest } from './ingest';
import { shareable } from './offer';
import type { LivePlan } from './plan';
import { Publisher, type Answer } from './publisher';
import { PerMinute } from './rate';
import { gapStart, type SeenBook } from './seen';
import { StreamLoop } from './stream-loop';
import type { LiveTiming } from './timing';

const READ_CHUNK = 200;

export interface LinkDeps {
  ctx: EngineContext;
  timing: LiveTiming;
  ingest: LiveIngest;
  holders: Holders;
  seen: SeenBook;
  plan(): LivePlan;
  members(): ReadonlySet<string>;
  blacklist(): ReadonlySet<string>;
  share(): boolean;
  /** The hourly run's remembered NIP-77 answer for this peer (null: probe). */
  nip77Hint(peer: string): boolean | null;
  localRows(since: number, signal: AbortSignal): Promise<readonly LocalRow[]>;
  changed(): void;
}

export class PeerLink extends StreamLoop {
  readonly status: LivePeer;
  private publisher: Publisher | null = null;
  private catchUpFrom: number | null = null;
  private readonly inRate = new PerMinute();
  private readonly outRate = new PerMinute();

  constructor(
    private peer: Peer,
    private readonly d: LinkDeps,
  ) {
    super();
    this.status = {
      peer: peer.id, peerId: peer.peerId, hostname: peer.hostname, route: peer.route, via: null, state: 'connecting',
      stateSince: d.ctx.config.clock(), retryAt: null, reason: null, downSince: null, method: null,
      writes: d.share() ? 'ok' : 'off', writesReason: null, writesRetryAt: null, inPerMinute: 0, outPerMinute: 0,
      lastEventAt: null, lagMs: null, received: 0, sent: 0, refused: {}, catchUps: 0,
    };
  }

  /** The peer as live lines name it: its short id and its station's host name, in the reader's language. */
  get name(): Reason {
    return peerName(this.peer);
  }

  private now(): number {
    return this.d.ctx.config.clock();
  }

  /** Same peer, same way to reach it? (else the service starts a new link) */
  sameRoute(p: Peer): boolean {
    return p.route === this.peer.route && p.relayUrl === this.peer.relayUrl && p.peerId === this.peer.peerId && p.servesStrfry === this.peer.servesStrfry;
  }

  /** stop() also gives the route back: the loop's end closes a tunnel it opened. */
  protected override stopping(): void {
    this.publisher?.close();
  }

  protected filters(): readonly Filter[] {
    return this.d.plan().down;
  }

  protected replanFailed(why: Reason): void {
    this.d.ctx.log.warn(reason('live.log', { why: reason('live.resubscribeFailed', { peer: this.name, why }) }));
  }

  /** The share setting changed. */
  setShare(on: boolean): void {
    if (!on) {
      this.publisher?.close();
      this.publisher = null;
    } else if (!this.publisher && this.conn && !this.conn.closed) this.publisher = this.newPublisher(this.conn);
    this.refreshWrites();
    this.d.changed();
  }

  /** An event that appeared on the local relay: sent up unless the peer holds it. */
  offerUp(e: NostrEvent): void {
    if (!this.publisher || this.d.holders.has(e.id, this.peer.id)) return;
    this.publisher.enqueue(e);
  }

  /** Reconcile (again) from `sinceSec`: a local-relay gap, or events of this peer that could not be imported. */
  requestCatchUp(sinceSec: number): void {
    this.catchUpFrom = Math.min(this.catchUpFrom ?? sinceSec, sinceSec);
    if (this.status.state === 'connected') this.wake();
  }

  /** Events of this peer readable on the local relay now. */
  imported(count: number, lagMs: number): void {
    if (count <= 0) return;
    this.status.lagMs = lagMs;
    this.d.changed();
  }

  /** The figures that move with the clock, for the status. */
  refresh(): LivePeer {
    const now = this.now();
    this.status.inPerMinute = this.inRate.value(now);
    this.status.outPerMinute = this.outRate.value(now);
    this.refreshWrites();
    return this.status;
  }

  private refreshWrites(): void {
    const s = this.status;
    if (!this.d.share()) {
      s.writes = 'off';
      return;
    }
    if (s.writes === 'off') s.writes = 'ok';
    if (s.writes === 'refused' && (s.writesRetryAt ?? 0) <= this.now()) {
      s.writes = 'ok';
      s.writesRetryAt = null;
    }
  }

  /** The link's state, and why (kept when not given; null clears it). */
  private setState(state: LivePeer['state'], why: Reason | null | undefined = undefined): void {
    const s = this.status;
    if (s.state !== state) {
      s.state = state;
      s.stateSince = this.now();
    }
    if (why !== undefined) this.setWhy(why);
    if (state !== 'reconnecting') s.retryAt = null;
    this.d.changed();
  }

  /** The reason shown with the state: its English text, and its code unless it is text without one. */
  private setWhy(why: Reason | null): void {
    const s = this.status;
    s.reason = why ? reasonText(why) : null;
    if (why && why.code !== 'text') s.why = why;
    else delete s.why;
  }

  private newPublisher(conn: RelayConnection): Publisher {
    const t = this.d.timing;
    return new Publisher(conn, {
      peer: this.peer.id, inFlight: t.publishInFlight, maxQueue: t.publishQueue, timeoutMs: t.publishTimeoutMs,
      refuseBackoffMs: t.refuseBackoffMs, refuseBackoffMaxMs: t.refuseBackoffMaxMs, clock: () => this.now(),
      holders: this.d.holders, onAnswer: (a) => this.answered(a),
    });
  }

  private answered(a: Answer): void {
    const s = this.status;
    const count = (reason: string): void => void (s.refused[reason] = (s.refused[reason] ?? 0) + 1);
    if (a.outcome === 'accepted') {
      s.sent++;
      this.outRate.add(1, this.now());
      if (s.writes === 'refused') {
        s.writes = 'ok';
        s.writesReason = null;
        s.writesRetryAt = null;
      }
    } else if (a.outcome === 'rejected') count(a.reason);
    else if (a.outcome === 'unanswered') count('no answer');
    else if (a.outcome === 'refusing') {
      count(a.reason);
      if (s.writes !== 'refused' || s.writesReason !== a.reason) {
        const until = new Date(a.retryAt).toISOString();
        this.d.ctx.log.warn(reason('live.log', { why: reason('live.refusing', { peer: this.name, answer: a.reason, until }) }));
      }
      s.writes = 'refused';
      s.writesReason = a.reason;
      s.writesRetryAt = a.retryAt;
    }
    if (a.outcome !== 'duplicate') this.d.changed();
  }

  /** One event from the peer's stream. */
  private fromPeer(raw: unknown, filters: Parameters<LiveIngest['offer']>[1]): void {
    const r = this.d.ingest.offer(raw, filters, this.peer.id);
    const now = this.now();
    if (r === 'queued') {
      this.status.received++;
      this.inRate.add(1, now);
    }
    if (r === 'queued' || r === 'duplicate') {
      this.status.lastEventAt = now;
      this.d.changed();
    } else if (r === 'full') {
      // the local store is far behind: this event comes back with a catch-up
      this.requestCatchUp(Math.floor(now / 1000) - this.d.timing.streamOverlapSec);
    }
  }

  /** Reads these local events and queues the members' ones up to the peer. */
  private async sendUp(ids: readonly string[], signal: AbortSignal): Promise<number> {
    const pub = this.publisher;
    if (!pub) return 0;
    const members = this.d.members();
    const blacklist = this.d.blacklist();
    const store = this.d.ctx.store();
    let queued = 0;
    for (let i = 0; i < ids.length && !pub.refusing; i += READ_CHUNK) {
      for await (const e of store.query({ ids: ids.slice(i, i + READ_CHUNK) }, signal)) {
        if (!shareable(e, members, blacklist)) continue;
        this.d.ingest.heldLocally(e);
        if (pub.enqueue(e)) queued++;
      }
      await pub.idle();
    }
    return queued;
  }

  protected async run(): Promise<void> {
    const signal = this.stop$.signal;
    const t = this.d.timing;
    const backoff = new Backoff(t.backoffFirstMs, t.backoffMaxMs);
    const timeouts = this.d.ctx.config.timeouts;
    while (!signal.aborted) {
      let release: (() => Promise<void>) | null = null;
      let upAt = 0;
      let url = '';
      try {
        this.setState('connecting');
        const ep = await this.d.ctx.tunnels.endpoint(this.peer, signal);
        release = ep.release;
        url = ep.url;
        // the stream covers from here (taken before the connection opens: a mark earlier than needed is safe)
        const streamFrom = Math.floor(this.now() / 1000) - t.streamOverlapSec;
        const { conn, ended } = await this.subscribe(
          ep.url,
          timeouts.nip11,
          // room for the stream's REQs and a catch-up beside them, well within the relay's max_subscriptions
          (limits) => ({
            timeoutMs: timeouts.connect, maxMessageLength: limits.maxMessageLength,
            maxSubscriptions: Math.max(8, Math.min(100, Math.floor(limits.maxSubscriptions / 2))),
          }),
          (raw, f) => this.fromPeer(raw, f),
        );
        this.publisher = this.d.share() ? this.newPublisher(conn) : null;
        upAt = this.now();
        this.status.via = ep.via;
        this.status.downSince = null;
        this.requestCatchUp(gapStart(this.d.seen.get(this.peer.id), Math.floor(upAt / 1000), t));
        this.d.ctx.log.info(reason('live.log', { why: reason('live.streaming', { peer: this.name, via: ep.via, subscriptions: this.down?.groups ?? 0 }) }));
        throw await this.connected(conn, ended, streamFrom);
      } catch (err) {
        if (signal.aborted) break;
        // the sync's words for a peer that cannot be reached
        const why = peerReason(this.peer, url, err as Error, timeouts.peer);
        this.setWhy(why);
        if (upAt || backoff.tries === 0) this.d.ctx.log.warn(reason('live.log', { why }));
      } finally {
        this.publisher?.close();
        this.publisher = null;
        this.unsubscribe();
        this.status.via = null;
        await release?.().catch(() => undefined);
      }
      if (signal.aborted) break;
      const now = this.now();
      if (upAt && now - upAt >= t.stableMs) backoff.reset();
      const wait = backoff.next();
      this.status.downSince ??= upAt || now;
      this.status.retryAt = now + wait;
      this.setState('reconnecting');
      await this.sleep(wait);
    }
    this.status.via = null;
    this.setState('stopped', null);
  }

  /** While connected: catch-ups when asked, keep-alives in between. Resolves with why the connection ended. */
  private async connected(conn: RelayConnection, ended: Promise<Error>, streamFrom: number): Promise<Error> {
    const signal = this.stop$.signal;
    const t = this.d.timing;
    let method: boolean | null = null;
    let nextProbe = this.now() + t.keepaliveMs;
    let retryCatchUpAt = 0;
    this.setState('connected', null);
    for (;;) {
      if (conn.closed) return await ended;
      if (this.catchUpFrom !== null && this.now() >= retryCatchUpAt) {
        const since = this.catchUpFrom;
        this.catchUpFrom = null;
        this.setState('catching-up', null);
        this.status.lagMs = Math.max(0, this.now() - since * 1000);
        try {
          method ??= await this.probe(conn, signal);
          this.status.method = method ? 'nip77' : 'req';
          const nowSec = Math.floor(this.now() / 1000);
          const r = await catchUp({
            conn, peer: this.peer.id, limits: this.limits!, nip77: method, filters: this.d.plan().down,
            share: this.publisher !== null, since, nowSec, local: (s) => this.d.localRows(s, signal), ingest: this.d.ingest,
            send: (ids) => this.sendUp(ids, signal), idleMs: this.d.ctx.config.timeouts.idle, signal,
          });
          this.status.catchUps++;
          // everything before the stream's start is reconciled, the stream covers the rest
          if (this.catchUpFrom === null) this.d.seen.set(this.peer.id, streamFrom);
          if (r.fetched > 0 || r.offered > 0) {
            const caught = { peer: this.name, since: new Date(since * 1000).toISOString(), method: r.method, queued: r.queued, fetched: r.fetched, offered: r.offered };
            this.d.ctx.log.info(reason('live.log', { why: reason('live.caughtUp', caught) }));
          }
          this.setState('connected', null);
        } catch (err) {
          if (signal.aborted || conn.closed) return conn.closed ? await ended : (err as Error);
          this.catchUpFrom = Math.min(this.catchUpFrom ?? since, since);
          retryCatchUpAt = this.now() + t.catchUpRetryMs;
          const failure = peerReason(this.peer, conn.url, err as Error, this.d.ctx.config.timeouts.peer);
          const why = reason('live.catchUpFailed', { why: failure, retrySeconds: Math.round(t.catchUpRetryMs / 1000) });
          this.d.ctx.log.warn(reason('live.log', { why }));
          this.setState('connected', why);
        }
        continue;
      }
      const wakeAt = Math.min(nextProbe, this.catchUpFrom !== null ? retryCatchUpAt : Infinity);
      const r = await this.sleepOrEnd(wakeAt - this.now(), ended);
      if (r) return r;
      if (this.catchUpFrom !== null && this.now() < nextProbe) continue;
      nextProbe = this.now() + t.keepaliveMs;
      const dead = await this.proven(conn, t.keepaliveTimeoutMs);
      if (dead) return dead;
      if (this.catchUpFrom === null && this.d.ingest.pendingFrom(this.peer.id) === 0) {
        this.d.seen.set(this.peer.id, Math.floor(this.now() / 1000) - t.streamOverlapSec);
      }
    }
  }

  /** Does the peer speak NIP-77? The hourly run's answer when it has one, else a probe. */
  private async probe(conn: RelayConnection, signal: AbortSignal): Promise<boolean> {
    const hint = this.d.nip77Hint(this.peer.id);
    if (hint === false) return false;
    const r = await probeNip77(conn, { timeoutMs: this.d.ctx.config.timeouts.negProbe, signal });
    return r.ok;
  }
}
