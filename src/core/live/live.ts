/**
 * Live sync: beside the hourly run (which stays the safety net), one link per reachable, fresh peer kept open,
 * its events through the backfill's sieve into the local store within a second, the gap since its last known
 * complete moment caught up on every (re)connect, and the members' events that appear locally sent to the
 * peers that lack them. The member set and the peers are followed live.
 *
 * The station lock (strfry/constellation-backfill.lock) is not taken: it says "a backfill run is going" to the
 * station's scheduler and to our own hourly run, and live sync is not a run — holding it would stop both for
 * as long as the app runs. Live writes are small idempotent imports that strfry serialises with any other
 * writer (an hourly run, the station's shell backfill), so the three may run at once; nothing of live sync
 * waits on the lock either.
 */
import type { Event as NostrEvent } from 'nostr-tools';
import type { LiveStatus, Settings } from '../../shared/schemas';
import { reason, reasonOf, reasonText, type Reason } from '../../shared/i18n';
import type { EngineContext, LiveService } from '../services';
import { DEFAULT_LIMITS, loadVerifier } from '../nostr';
import { loadPeerMemory, type PeerMemory } from '../sync/memory';
import { readLocalRows, type LocalRow } from './catchup';
import { Holders } from './holders';
import { LiveIngest } from './ingest';
import { PeerLink } from './link';
import { LocalWatch } from './local-watch';
import { MembershipWatch, type Membership } from './membership';
import { shareable } from './offer';
import { livePlan, planDigest, type LivePlan } from './plan';
import { SeenBook } from './seen';
import { atMost } from './backoff';
import { DEFAULT_LIVE_TIMING, type LiveTiming } from './timing';

/** How long stop() waits for the links and the last import before going on (the whole stop stays under 2 s). */
const STOP_LINKS_MS = 1_200;
const STOP_DRAIN_MS = 500;
const HEARTBEAT_MS = 15_000;
/** The hourly run's NIP-77 answer is trusted this long. */
const HINT_FRESH_SEC = 24 * 3600;

interface Running {
  seen: SeenBook;
  holders: Holders;
  ingest: LiveIngest;
  membership: MembershipWatch;
  local: LocalWatch;
  links: Map<string, PeerLink>;
  plan: LivePlan;
  planKey: string;
  members: ReadonlySet<string>;
  memory: PeerMemory;
  startedAt: number;
  timers: NodeJS.Timeout[];
  offs: Array<() => void>;
  rows: { since: number; at: number; rows: Promise<readonly LocalRow[]> } | null;
}

export class Live implements LiveService {
  private run: Running | null = null;
  private starting: Promise<void> | null = null;
  private share: boolean;
  private why: Reason | null = reason('live.notStarted');
  private emitTimer: NodeJS.Timeout | null = null;
  /** events from peers waiting to go on to the others (timing.forwardDelayMs) */
  private forwards: NostrEvent[] = [];
  private forwardTimer: NodeJS.Timeout | null = null;
  private lastEmitted = '';
  readonly timing: LiveTiming;

  constructor(private readonly ctx: EngineContext) {
    this.timing = { ...DEFAULT_LIVE_TIMING, ...(ctx.config.live ?? {}) };
    this.share = true;
  }

  get running(): boolean {
    return this.run !== null;
  }

  async start(): Promise<void> {
    if (this.run) return;
    this.starting ??= this.open().finally(() => (this.starting = null));
    await this.starting;
  }

  private async open(): Promise<void> {
    const ctx = this.ctx;
    const settings = ctx.settings();
    this.share = settings.liveShare;
    const seen = new SeenBook(ctx.config.dataDir);
    const problem = await seen.load();
    if (problem) ctx.log.warn(reason('live.log', { why: problem }));
    const verifier = settings.verify ? await loadVerifier() : null;
    const holders = new Holders();
    const ingest = new LiveIngest({
      store: () => ctx.store(), verify: settings.verify, verifier, blacklist: new Set(), holders, clock: ctx.config.clock,
      windowMs: this.timing.windowMs, maxBatch: this.timing.maxBatch, importsInFlight: this.timing.importsInFlight, maxPending: this.timing.maxPending,
      onImported: (done) => {
        for (const [peer, x] of done.peers) this.run?.links.get(peer)?.imported(x.count, x.lagMs);
        this.changed();
      },
      onLost: (peers, lost) => {
        ctx.log.error(reason('live.log', { why: reason('live.importLost', { why: lost }) }));
        for (const [peer, since] of peers) this.run?.links.get(peer)?.requestCatchUp(since - this.timing.gapMarginSec);
      },
    });
    const membership = new MembershipWatch(ctx, this.timing.membershipPollMs, (m, c) => void this.followStation(m, c));
    const first = await membership.start();
    ingest.reset(first.blacklist, settings.verify, verifier);
    const plan = this.planFor(first, settings);
    const local = new LocalWatch({
      url: () => ctx.settings().relayUrl, timing: this.timing, connectTimeoutMs: ctx.config.timeouts.connect, nip11TimeoutMs: ctx.config.timeouts.nip11,
      clock: ctx.config.clock, log: ctx.log, plan: () => this.run?.plan ?? plan,
      onEvent: (e) => this.appeared(e),
      onGap: (since) => {
        for (const l of this.run?.links.values() ?? []) l.requestCatchUp(since - this.timing.gapMarginSec);
      },
      changed: () => this.changed(),
    });
    const running: Running = {
      seen, holders, ingest, membership, local, links: new Map(), plan, planKey: planDigest(plan),
      members: new Set(first.members), memory: await loadPeerMemory(ctx.config.dataDir), startedAt: ctx.config.clock(), timers: [], offs: [], rows: null,
    };
    this.run = running;
    this.why = null;
    running.timers.push(setInterval(() => void seen.save().catch((err: Error) => ctx.log.warn(reason('live.log', { why: reason('live.cannotSave', { why: reasonOf(err) }) }))), this.timing.seenSaveMs));
    running.timers.push(setInterval(() => this.heartbeat(), HEARTBEAT_MS));
    for (const t of running.timers) t.unref();
    running.offs.push(ctx.events.on('sync.finished', () => {
      void loadPeerMemory(ctx.config.dataDir).then((m) => (running.memory = m));
    }));
    local.start();
    await Promise.race([local.ready, new Promise((res) => setTimeout(res, this.ctx.config.timeouts.connect).unref())]);
    for (const p of first.peers) this.addLink(p);
    ctx.log.info(reason('live.log', { why: reason('live.started', { peers: first.peers.length, members: first.members.length, share: this.share }) }));
    this.changed();
  }

  private planFor(m: Membership, s: Settings): LivePlan {
    return livePlan({ members: m.members, kinds: s.kinds, noDms: s.noDms, maxFilterElements: DEFAULT_LIMITS.maxFilterElements });
  }

  private addLink(p: Membership['peers'][number]): void {
    const r = this.run!;
    const link = new PeerLink(p, {
      ctx: this.ctx, timing: this.timing, ingest: r.ingest, holders: r.holders, seen: r.seen,
      plan: () => r.plan, members: () => r.members, blacklist: () => r.membership.current?.blacklist ?? new Set(),
      share: () => this.share,
      nip77Hint: (peer) => {
        const m = r.memory[peer];
        return m && Math.floor(this.ctx.config.clock() / 1000) - m.checkedAt < HINT_FRESH_SEC ? m.nip77 : null;
      },
      localRows: (since, signal) => this.localRows(since, signal),
      changed: () => this.changed(),
    });
    r.links.set(p.id, link);
    link.start();
  }

  /**
   * The local relay's events since a time, read once for the peers that catch up together (they all connect at
   * start or after a sleep): a reading up to 15 s old that reaches back far enough is reused.
   */
  private localRows(since: number, signal: AbortSignal): Promise<readonly LocalRow[]> {
    const r = this.run!;
    const now = this.ctx.config.clock();
    const c = r.rows;
    if (c && c.since <= since && now - c.at < 15_000) return c.rows.then((rows) => rows.filter((x) => x.created_at >= since));
    const rows = readLocalRows(this.ctx.store(), r.plan.down, since, signal);
    r.rows = { since, at: now, rows };
    rows.catch(() => {
      if (r.rows?.rows === rows) r.rows = null;
    });
    return rows;
  }

  /**
   * An event appeared on the local relay: each link sends it up unless its peer holds it — at once for this
   * station's own, after forwardDelayMs for one that came from a peer (the others may stream it to us meanwhile).
   */
  private appeared(e: NostrEvent): void {
    const r = this.run;
    if (!r) return;
    r.ingest.heldLocally(e);
    if (!this.share || !shareable(e, r.members, r.membership.current?.blacklist)) return;
    if (!r.holders.any(e.id)) {
      for (const l of r.links.values()) l.offerUp(e);
      return;
    }
    this.forwards.push(e);
    this.forwardTimer ??= setTimeout(() => {
      this.forwardTimer = null;
      const due = this.forwards;
      this.forwards = [];
      for (const l of this.run?.links.values() ?? []) for (const x of due) l.offerUp(x);
    }, this.timing.forwardDelayMs);
  }

  /** The station folder changed: new or changed subscriptions, links for new peers, none for gone ones. */
  private async followStation(m: Membership, c: { membersChanged: boolean; peersChanged: boolean }): Promise<void> {
    const r = this.run;
    if (!r) return;
    if (c.membersChanged) {
      r.members = new Set(m.members);
      const s = this.ctx.settings();
      r.ingest.reset(m.blacklist, s.verify, s.verify ? await loadVerifier() : null);
      await this.replan(this.planFor(m, s));
    }
    if (c.peersChanged) {
      const wanted = new Map(m.peers.map((p) => [p.id, p]));
      for (const [id, link] of [...r.links]) {
        const p = wanted.get(id);
        if (p && link.sameRoute(p)) continue;
        r.links.delete(id);
        this.ctx.log.info(reason('live.log', { why: reason('live.peerGone', { peer: link.name, routeChanged: p !== undefined }) }));
        await link.stop();
      }
      for (const p of m.peers) if (!r.links.has(p.id)) this.addLink(p);
    }
    this.changed();
  }

  private async replan(plan: LivePlan): Promise<void> {
    const r = this.run;
    if (!r) return;
    const key = planDigest(plan);
    if (key === r.planKey) return;
    r.plan = plan;
    r.planKey = key;
    r.rows = null;
    this.ctx.log.info(reason('live.log', { why: reason('live.following', { members: plan.members }) }));
    // New subscriptions ask for new events only (`limit: 0`): what a new member published between the change and
    // their REQs being open (a poll interval and a round trip) is reconciled with each peer, as after a gap.
    const since = Math.floor(this.ctx.config.clock() / 1000) - this.timing.gapMarginSec;
    await Promise.all([r.local.replan(), ...[...r.links.values()].map((l) => l.replan())]);
    for (const l of r.links.values()) l.requestCatchUp(since);
  }

  /** Settings that concern live sync (the engine starts and stops it for `liveSync`). */
  async onSettings(prev: Settings, next: Settings): Promise<void> {
    const r = this.run;
    if (!r) return;
    if (prev.liveShare !== next.liveShare) this.setShare(next.liveShare);
    if (prev.verify !== next.verify) r.ingest.reset(r.membership.current?.blacklist ?? new Set(), next.verify, next.verify ? await loadVerifier() : null);
    if (prev.kinds.join() !== next.kinds.join() || prev.noDms !== next.noDms) {
      const m = r.membership.current;
      if (m) await this.replan(this.planFor(m, next));
    }
  }

  setShare(on: boolean): void {
    this.share = on;
    for (const l of this.run?.links.values() ?? []) l.setShare(on);
    this.changed();
  }

  wake(): void {
    this.run?.local.wake();
    for (const l of this.run?.links.values() ?? []) l.wake();
  }

  async stop(why: Reason = reason('live.stopped')): Promise<void> {
    await this.starting?.catch(() => undefined);
    const r = this.run;
    if (!r) {
      this.why = why;
      return;
    }
    this.run = null;
    this.why = why;
    if (this.forwardTimer) clearTimeout(this.forwardTimer);
    this.forwardTimer = null;
    this.forwards = [];
    for (const t of r.timers) clearInterval(t);
    for (const off of r.offs) off();
    r.membership.stop();
    let open = r.links.size + 1;
    const links = Promise.all([r.local.stop(), ...[...r.links.values()].map((l) => l.stop())].map((p) => p.finally(() => open--)));
    await atMost(links, STOP_LINKS_MS);
    if (open > 0) this.ctx.log.warn(reason('live.log', { why: reason('live.stillClosing', { links: open, ms: STOP_LINKS_MS }) }));
    await r.ingest.drain(STOP_DRAIN_MS);
    await r.seen.save().catch((err: Error) => this.ctx.log.warn(reason('live.log', { why: reason('live.cannotSave', { why: reasonOf(err) }) })));
    this.ctx.log.info(reason('live.log', { why: reason('live.ended') }));
    this.emit(this.snapshot(r));
  }

  /** Which links exist (for tests and the hourly hook). */
  links(): ReadonlyMap<string, PeerLink> {
    return this.run?.links ?? new Map();
  }

  status(): LiveStatus {
    return this.snapshot(this.run);
  }

  private snapshot(r: Running | null): LiveStatus {
    const live = r !== null && this.run === r;
    const peers = r ? [...r.links.values()].map((l) => structuredClone(l.refresh())) : [];
    if (!live) for (const p of peers) Object.assign(p, { state: 'stopped', via: null, retryAt: null, inPerMinute: 0, outPerMinute: 0 });
    const sent = peers.reduce((a, p) => a + p.sent, 0);
    return {
      running: live,
      reason: live || !this.why ? null : reasonText(this.why),
      ...(!live && this.why ? { why: this.why } : {}),
      startedAt: live ? r.startedAt : null,
      share: this.share,
      local: { connected: live && r.local.connected, reason: r?.local.why ? reasonText(r.local.why) : null, ...(r?.local.why ? { why: r.local.why } : {}) },
      members: r?.plan.members ?? 0,
      peers,
      totals: r ? { ...r.ingest.totals, dropped: { ...r.ingest.totals.dropped }, sent } : { imported: 0, duplicates: 0, rejected: 0, dropped: {}, sent: 0 },
    };
  }

  /** Something changed: one `live.changed` within `emitMs` (bursts are merged). */
  private changed(): void {
    if (this.emitTimer || !this.run) return;
    this.emitTimer = setTimeout(() => {
      this.emitTimer = null;
      if (this.run) this.emit(this.snapshot(this.run));
    }, this.timing.emitMs);
    this.emitTimer.unref();
  }

  /** Figures that move with the clock alone (per-minute rates, refusals ending): sent when they moved. */
  private heartbeat(): void {
    if (this.run) this.emit(this.snapshot(this.run));
  }

  private emit(s: LiveStatus): void {
    const text = JSON.stringify(s);
    if (text === this.lastEmitted) return;
    this.lastEmitted = text;
    this.ctx.events.emit('live.changed', s);
  }
}
