/**
 * One sync run: lock → snapshot → plan → peers in parallel (tunnel, session, sieve, import) → report →
 * history, station log lines, events → profile phase → profiles index and graph (non-fatal).
 *
 * Dry runs read the station and the lock but change nothing on the station: no lock file written, no peer
 * contacted, no tunnel opened, no log line appended. They are recorded in the app's own history.
 */
import { randomBytes } from 'node:crypto';
import type { EngineContext, PeerEndpoint, StationState } from '../services';
import type { Peer, PeerOutcome, PeerProgress, RunReport, Settings, SyncOptions, SyncProgress } from '../../shared/schemas';
import { addCounts, emptyCounts, type CategoryCounts } from '../../shared/kinds';
import { loadVerifier, DEFAULT_LIMITS } from '../nostr';
import { acquireLock, readLock, LockHeld, type HeldLock } from './lock';
import { buildFilters, syncKinds, windowSince, type PlannedFilter } from './filters';
import { STATION_PASS_KINDS } from '../../shared/kinds';
import { RunLedger } from './ledger';
import { LocalView, type LocalViewPlan } from './local-view';
import { forEachLimited } from '../util/limit';
import { Sieve } from './sieve';
import { Importer } from './importer';
import { loadKnown, saveKnown } from './known';
import { runSession, type SessionResult } from './session';
import { mayPass } from './retry';
import { PeerBudget, localMaxEventSize, peerBounds, type PeerBounds } from './bounds';
import { Tally } from './session-tally';
import { loadPeerMemory, savePeerMemory, rememberedLimits, PEER_MEMORY_FRESH_SEC, type PeerMemory } from './memory';
import { StationRecord } from './station-record';
import { addOffer, emptyOffer, shareCounts, sumShareCounts, type OfferResult } from '../live/offer';
import { RunShare } from './share';
import type { RelayConnection, IdList } from '../nostr';
import { reason, reasonOf, reasonText, ReasonError, textReason, type Reason } from '../../shared/i18n';

const PROGRESS_EVERY_MS = 250;

export function newRunId(now: number): string {
  const d = new Date(now);
  const p = (x: number): string => String(x).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${randomBytes(3).toString('hex')}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new ReasonError(reason('cancelled')));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What a run knows once it has read the station and its options. */
interface RunPlan {
  state: StationState;
  /** the member set, blacklist removed */
  members: string[];
  days: number;
  verify: boolean;
  nowSec: number;
  peers: Peer[];
  /** the run's filters within a peer's filter-element limit */
  filtersFor: (maxFilterElements: number) => PlannedFilter[];
  /** the window as the local view reads it */
  window: LocalViewPlan;
  /** the plan, one reason a line (dry runs, reports) */
  lines: Reason[];
}

/** What every peer of a run shares. */
interface PeerDeps {
  sieve: Sieve;
  importer: Importer;
  local: LocalView;
  ledger: RunLedger;
  memory: PeerMemory;
  verify: boolean;
  nowSec: number;
  filtersFor: RunPlan['filtersFor'];
  /** what each peer may cost the run */
  bounds: PeerBounds;
  /** the share side (setting liveShare), null when off: sends a peer the members' events NIP-77 found it lacks */
  share: RunShare | null;
}

/** What the peer stage leaves for the report. */
interface PeersDone {
  outcomes: PeerOutcome[];
  categories: CategoryCounts;
  sieve: Sieve;
  importer: Importer;
  ledger: RunLedger;
  local: LocalView;
}

/** A peer named once, by its short id and its host name, before its reason. */
export function namedPeer(peer: Peer, why: Reason): Reason {
  return reason('peer.named', { id: peer.id, host: peer.hostname, why });
}

/** The plan as the report carries it: its English lines, and their reasons for every other language. */
function planOf(plan: RunPlan): { plan: string[]; planWhy: Reason[] } {
  return { plan: plan.lines.map(reasonText), planWhy: plan.lines };
}

/** One filter of the plan: its pass, kinds, how many authors and since when. */
function filterReason(f: PlannedFilter): Reason {
  const { kinds, authors, since } = f.filter;
  return reason('plan.filter', { pass: f.pass, kinds: kinds ?? null, authors: authors?.length ?? null, since: since !== undefined ? new Date(since * 1000).toISOString() : null });
}

/** What the share side sent a peer and how it answered (its refusals in its own words, counted). */
export function sharedReason(r: OfferResult): Reason {
  const refused = Object.entries(r.rejected).map(([text, count]) => `${count} × ${text}`);
  return reason('sync.shared', { offered: r.offered, accepted: r.accepted, duplicates: r.duplicates, refused, unanswered: r.unanswered });
}

/**
 * A peer's failure in a captain's words, naming the peer once (by its short id and host name, even when the
 * tunnels named it already): the loopback URL of its tunnel says nothing to a captain and is left
 * out; the session's own time limit is said as such.
 */
export function peerReason(peer: Peer, url: string, err: unknown, peerMs: number): Reason {
  let why = err instanceof Error && err.name === 'TimeoutError' ? reason('peer.timeLimit', { seconds: Math.round(peerMs / 1000) }) : reasonOf(err);
  const p = why.params ?? {};
  if (why.code === 'peer.named' && (p.id === peer.id || p.id === peer.peerId)) why = p.why as Reason;
  if (url.startsWith('ws://127.0.0.1:') && why.code === 'relay.at' && why.params?.url === url) why = why.params.why as Reason;
  return namedPeer(peer, why);
}

export class Run {
  readonly id: string;
  readonly startedAt: number;
  readonly progress: SyncProgress;
  private lastEmit = 0;
  private pendingEmit: NodeJS.Timeout | null = null;
  /** the settings as they were when the run started (a change meanwhile applies to the next run) */
  private readonly settings: Settings;
  /** aborts at the run's deadline (settings.runDeadlineSeconds): unfinished peers are cut, the run ends */
  private readonly deadline: AbortSignal;

  constructor(
    private readonly ctx: EngineContext,
    readonly opts: SyncOptions,
    readonly controller: AbortController,
  ) {
    this.startedAt = ctx.config.clock();
    this.id = newRunId(this.startedAt);
    this.settings = ctx.settings();
    this.deadline = AbortSignal.timeout(this.settings.runDeadlineSeconds * 1000);
    this.progress = {
      runId: this.id,
      stage: 'lock',
      startedAt: this.startedAt,
      peers: [],
      totals: { fetched: 0, imported: 0, duplicates: 0, rejected: 0, superseded: 0, dropped: 0, bytesIn: 0, bytesOut: 0 },
      profiles: null,
    };
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Throttled progress (at most 4 per second, the last state always sent). */
  notify(force = false): void {
    const t = this.progress.totals;
    t.fetched = t.imported = t.bytesIn = t.bytesOut = 0;
    for (const p of this.progress.peers) {
      t.fetched += p.fetched;
      t.imported += p.imported;
      t.bytesIn += p.bytesIn;
      t.bytesOut += p.bytesOut;
    }
    const now = Date.now();
    if (force || now - this.lastEmit >= PROGRESS_EVERY_MS) {
      if (this.pendingEmit) clearTimeout(this.pendingEmit);
      this.pendingEmit = null;
      this.lastEmit = now;
      this.ctx.events.emit('sync.progress', structuredClone(this.progress));
    } else if (!this.pendingEmit) {
      this.pendingEmit = setTimeout(() => this.notify(true), PROGRESS_EVERY_MS - (now - this.lastEmit));
    }
  }

  /** A report of this run: the given fields over a failed, empty one. */
  private reportOf(partial: Partial<RunReport>): RunReport {
    const finishedAt = this.ctx.config.clock();
    return {
      id: this.id,
      startedAt: this.startedAt,
      finishedAt,
      durationMs: Math.max(0, finishedAt - this.startedAt),
      outcome: 'failed',
      reason: null,
      options: this.opts,
      members: 0,
      peers: [],
      categories: emptyCounts(),
      imported: 0,
      duplicates: 0,
      rejected: 0,
      superseded: 0,
      rejectReasons: {},
      dropped: {},
      bytesIn: 0,
      bytesOut: 0,
      plan: [],
      profiles: null,
      ...partial,
    };
  }

  /** lock → plan → peers → report → profiles and graph. */
  async execute(): Promise<RunReport> {
    let lock: HeldLock | null = null;
    // what the station's scheduler and sync_report.sh read: begun once the lock is held, ended before it is released
    const station = new StationRecord(this.ctx, this.settings.zenRoot, this.id);
    let final: RunReport | null = null;
    try {
      const taken = await this.takeLock();
      if (taken.refused) return taken.refused;
      lock = taken.lock;
      if (lock) await station.begin();
      const plan = await this.plan();
      if (this.opts.dryRun) {
        for (const line of plan.lines) this.ctx.log.info(reason('run.dryRunLine', { line }));
        return this.reportOf({ outcome: 'dry-run', members: plan.members.length, ...planOf(plan) });
      }
      const synced = await this.syncPeers(plan);
      const report = await this.report(plan, synced, station);
      if (!this.signal.aborted) await this.afterPeers(report, plan.state, plan.verify);
      return (final = report);
    } catch (err) {
      const why = this.signal.aborted ? reason('run.cancelled') : reasonOf(err);
      this.ctx.log.error(reason('run.failed', { id: this.id, why }));
      return (final = this.reportOf({ outcome: this.signal.aborted ? 'cancelled' : 'failed', reason: reasonText(why), why }));
    } finally {
      if (this.pendingEmit) clearTimeout(this.pendingEmit);
      if (lock) await station.end(final);
      await lock?.release();
    }
  }

  /**
   * The station lock, shared with the station's own scheduler. A dry run only reads it (and says a real run
   * would be refused now); a live holder refuses the run.
   */
  private async takeLock(): Promise<{ lock: HeldLock | null; refused?: RunReport }> {
    const { zenRoot } = this.settings;
    const log = this.ctx.log;
    if (this.opts.dryRun) {
      const cur = await readLock(zenRoot);
      if (cur?.alive) log.info(reason('lock.heldDryRun', { pid: cur.pid }));
      return { lock: null };
    }
    let lock: HeldLock;
    try {
      lock = await acquireLock(zenRoot);
    } catch (err) {
      if (err instanceof LockHeld) {
        log.warn(err.reason);
        return { lock: null, refused: this.reportOf({ outcome: 'refused', reason: err.message, why: err.reason }) };
      }
      throw err;
    }
    if (lock.clearedStale !== null) log.info(reason('lock.removedStale', { path: lock.path, why: lock.staleWhy ?? reason('lock.notRunning', { pid: lock.clearedStale }) }));
    return { lock };
  }

  /** The station as it is now, the options of this run, the peers to sync and the filters each is asked. */
  private async plan(): Promise<RunPlan> {
    const settings = this.settings;
    this.progress.stage = 'plan';
    this.notify(true);
    const state = await this.ctx.station.state();
    const members = [...state.members.keys()].filter((m) => !state.blacklist.has(m));
    const days = this.opts.days ?? settings.days;
    const noDms = this.opts.noDms ?? settings.noDms;
    const verify = this.opts.verify ?? settings.verify;
    const nowSec = Math.floor(this.ctx.config.clock() / 1000);
    const peers = state.snapshot.peers.filter((p) => p.syncable && (!this.opts.peers || this.opts.peers.includes(p.id)));
    // Made once per filter-element limit: every peer of the run asks the same filters (the buckets hash each
    // member's key: at 32 peers, building them again for each was half a second of a steady run's CPU).
    const made = new Map<number, PlannedFilter[]>();
    const filtersFor = (maxFilterElements: number): PlannedFilter[] => {
      let planned = made.get(maxFilterElements);
      if (!planned) made.set(maxFilterElements, (planned = buildFilters({ kinds: settings.kinds, noDms, days, members, nowSec, maxFilterElements })));
      return [...planned];
    };
    const lines: Reason[] = [
      reason('plan.window', { window: reason('sync.window', { days }), members: members.length, noDms, verify }),
      reason('plan.store', { store: this.ctx.store().description }),
    ];
    for (const p of peers) {
      lines.push(reason('plan.peer', { id: p.id, host: p.hostname, route: p.route, url: p.relayUrl }));
      for (const f of filtersFor(DEFAULT_LIMITS.maxFilterElements)) lines.push(filterReason(f));
    }
    for (const p of state.snapshot.peers.filter((x) => !x.syncable)) lines.push(reason('plan.skipped', { id: p.id, why: p.why ?? textReason(p.reason ?? p.status) }));
    const window: LocalViewPlan = { members, kinds: syncKinds(settings.kinds, noDms), stationKinds: STATION_PASS_KINDS, since: windowSince(days, nowSec) };
    return { state, members, days, verify, nowSec, peers, filtersFor, window, lines };
  }

  /** Every peer, a few at a time (settings.peerConcurrency), through one sieve and one importer. */
  private async syncPeers(plan: RunPlan): Promise<PeersDone> {
    const log = this.ctx.log;
    const { peers } = plan;
    if (peers.length === 0) log.warn(reason('run.noPeer'));
    log.info(reason('run.starting', { id: this.id, peers: peers.length, members: plan.members.length, window: reason('sync.window', { days: plan.days }) }));
    this.progress.stage = 'peers';
    this.progress.peers = peers.map((p) => this.peerProgress(p));
    this.notify(true);
    const verifier = plan.verify ? await loadVerifier() : null;
    const sieve = new Sieve({ verifier, blacklist: plan.state.blacklist });
    const store = this.ctx.store();
    const stop = AbortSignal.any([this.signal, this.deadline]);
    // The local relay, read once per run for every session; the ids every session deals with, once per run.
    const local = new LocalView(store, plan.window, stop);
    const ledger = new RunLedger();
    // Deletions the local relay already holds count too: a peer that still serves a deleted event must not
    // bring it back. Kind 5s are few.
    for await (const e of local.deletions(stop)) sieve.learnDeletion(e);
    const importer = new Importer(store);
    const memory = await loadPeerMemory(this.ctx.config.dataDir);
    const bounds = peerBounds(this.settings, await localMaxEventSize(store, this.settings, this.ctx.config.timeouts.nip11, this.signal));
    const outcomes: Array<PeerOutcome | undefined> = new Array<PeerOutcome | undefined>(peers.length);
    const categories = emptyCounts();
    const share = this.settings.liveShare && !this.opts.noShare
      ? new RunShare({
          store, kinds: plan.window.kinds, members: new Set(plan.members), blacklist: plan.state.blacklist, nowSec: plan.nowSec, signal: stop,
          onProblem: (m) => log.warn(m),
        })
      : null;
    const shared: PeerDeps = { sieve, importer, local, ledger, memory, verify: plan.verify, nowSec: plan.nowSec, filtersFor: plan.filtersFor, bounds, share };
    await forEachLimited(peers, this.settings.peerConcurrency, async (peer, i) => {
      const r = await this.syncPeer(peer, this.progress.peers[i] as PeerProgress, shared);
      outcomes[i] = r.outcome;
      if (r.categories) addCounts(categories, r.categories);
    }, stop).catch((err: unknown) => {
      // syncPeer never throws: only a cancel or the deadline ends the pass early, the peers it left are reported below
      if (!stop.aborted) throw err;
    });
    await savePeerMemory(this.ctx.config.dataDir, memory).catch((err: Error) => log.warn(reason('run.memoryNotSaved', { why: reasonOf(err) })));
    const unstarted = this.signal.aborted ? reason('peer.cancelledBeforeStart') : reason('peer.notStarted', { seconds: this.settings.runDeadlineSeconds });
    const done = peers.map((p, i) => outcomes[i] ?? this.outcomeOf(p, this.progress.peers[i] as PeerProgress, null, unstarted, 0));
    if (this.deadline.aborted && !this.signal.aborted) log.warn(reason('run.deadlineCut', { id: this.id, seconds: this.settings.runDeadlineSeconds }));
    return { outcomes: done, categories, sieve, importer, ledger, local };
  }

  /** The run's report, its totals in the progress, and the station's summary lines in its log. */
  private async report(plan: RunPlan, synced: PeersDone, station: StationRecord): Promise<RunReport> {
    const { outcomes, categories, sieve, importer, ledger, local } = synced;
    const total = plan.peers.length;
    const ok = outcomes.filter((o) => o.ok).length;
    const cancelled = this.signal.aborted;
    const dropped: Record<string, number> = { ...sieve.dropped };
    // what the share side sent, all peers together (none when it did not run)
    const shared = sumShareCounts(outcomes.map((o) => o.shared));
    const why = cancelled
      ? reason('run.cancelled')
      : ok < total
        ? reason('run.peersFailed', { failed: total - ok, total, deadline: this.deadline.aborted ? this.settings.runDeadlineSeconds : null })
        : null;
    const report = this.reportOf({
      outcome: cancelled ? 'cancelled' : total === 0 || ok === total ? 'success' : ok === 0 ? 'failed' : 'partial',
      reason: why ? reasonText(why) : null,
      ...(why ? { why } : {}),
      // the options in effect (verify from the settings when the run did not say): the report says it
      options: { ...this.opts, verify: plan.verify },
      members: plan.members.length,
      peers: outcomes,
      categories,
      imported: importer.totals.added,
      duplicates: importer.totals.duplicates + sieve.duplicates,
      rejected: importer.totals.rejected,
      superseded: importer.totals.superseded,
      rejectReasons: importer.totals.reasons,
      dropped,
      bytesIn: outcomes.reduce((a, o) => a + o.bytesIn, 0),
      bytesOut: outcomes.reduce((a, o) => a + o.bytesOut, 0),
      ...planOf(plan),
      fetches: ledger.fetches,
      localReads: local.reads,
      ...(shared ? { shared } : {}),
    });
    ledger.release();
    local.release();
    this.progress.totals.duplicates = report.duplicates;
    this.progress.totals.rejected = report.rejected;
    this.progress.totals.superseded = report.superseded;
    this.progress.totals.dropped = Object.values(dropped).reduce((a, b) => a + b, 0);

    await station.summary({ report, categories, verify: plan.verify, peersOk: ok, peersTotal: total, members: plan.members.length });
    this.ctx.log.info(
      reason('run.summary', { id: this.id, outcome: report.outcome, imported: report.imported, duplicates: report.duplicates, rejected: report.rejected, superseded: report.superseded, ok, total }),
    );
    return report;
  }

  private async afterPeers(report: RunReport, state: StationState, verify: boolean): Promise<void> {
    const log = this.ctx.log;
    if (!this.opts.noProfiles && this.deadline.aborted) log.warn(reason('run.profilesSkipped', { seconds: this.settings.runDeadlineSeconds }));
    else if (!this.opts.noProfiles) {
      this.progress.stage = 'profiles';
      this.progress.profiles = { total: 0, done: 0, found: 0, missing: 0 };
      this.notify(true);
      try {
        report.profiles = await this.ctx.profiles.recover({
          state,
          signal: this.signal,
          dryRun: false,
          verify,
          // a peer the sync could not reach at all is not tried again: its reason was said once, above
          unreachable: report.peers.filter((p) => !p.ok && p.bytesIn === 0).map((p) => p.peer),
          onProgress: (p) => {
            this.progress.profiles = { ...p };
            this.notify();
          },
        });
      } catch (err) {
        const why = reason('run.profilesFailed', { why: reasonOf(err) });
        log.warn(why);
        report.profiles = { found: 0, missing: 0, recovered: 0, outcomes: [{ hex: '', outcome: 'failed', source: null, reason: reasonText(why), why }] };
      }
    }
    this.progress.stage = 'graph';
    this.notify(true);
    try {
      await this.ctx.profiles.refresh();
    } catch (err) {
      log.warn(reason('run.profilesNotRefreshed', { why: reasonOf(err) }));
    }
    try {
      await this.ctx.graph.recompute();
    } catch (err) {
      log.warn(reason('run.graphNotRecomputed', { why: reasonOf(err) }));
    }
  }

  private peerProgress(p: Peer): PeerProgress {
    return {
      peer: p.id, hostname: p.hostname, route: p.route, phase: 'queued', method: null, have: 0, need: 0, fetched: 0,
      imported: 0, bytesIn: 0, bytesOut: 0, rate: 0, coverage: 0, error: null,
    };
  }

  /** A peer's line in the report: ok when no reason is given; its counts from its Tally (none when it never started). */
  private outcomeOf(peer: Peer, pp: PeerProgress, r: SessionResult | null, why: Reason | null, durationMs: number): PeerOutcome {
    return {
      peer: peer.id, hostname: peer.hostname, relayUrl: peer.relayUrl, route: peer.route, method: pp.method, ok: why === null,
      reason: why ? reasonText(why) : null, ...(why ? { why } : {}),
      fetched: r?.fetched ?? 0, imported: r?.imported ?? 0, duplicates: r?.duplicates ?? 0, rejected: r?.rejected ?? 0, superseded: r?.superseded ?? 0, dropped: r?.dropped ?? {},
      bytesIn: pp.bytesIn, bytesOut: pp.bytesOut, durationMs,
      ...(r && r.notes.length > 0 ? { notes: r.notes.map(reasonText), noteWhys: r.notes } : {}),
    };
  }

  /**
   * The share side of one filter's reconciliation: the members' events among what the peer lacks go to it. A
   * peer refusing this station's events (auth-required, blocked, its policy) is left alone for the rest of the run.
   */
  private async offer(
    share: RunShare,
    run: { tally: Tally; shared: OfferResult },
    conn: RelayConnection,
    lacking: IdList,
    signal: AbortSignal,
  ): Promise<void> {
    if (run.shared.refusing !== null) return;
    const r = await share.offer(conn, lacking, signal);
    addOffer(run.shared, r);
    if (r.refusing !== null) run.tally.note(reason('sync.shareRefused', { answer: r.refusing }));
  }

  /**
   * One peer: an attempt, and more (with backoff, up to timeouts.peerAttempts) only after a failure that may
   * pass (retry.ts). A peer with nothing new is a success.
   */
  private async syncPeer(peer: Peer, pp: PeerProgress, deps: PeerDeps): Promise<{ outcome: PeerOutcome; categories: SessionResult['categories'] | null }> {
    const started = Date.now();
    const t = this.ctx.config.timeouts;
    /** bytes of every attempt, failed ones included */
    const spent = { bytesIn: 0, bytesOut: 0 };
    const attempts = Math.max(1, Math.floor(t.peerAttempts ?? 3));
    let lastError: Reason | null = null;
    const budget = new PeerBudget(deps.bounds);
    const tally = new Tally(pp, deps.sieve);
    const shared = emptyOffer();
    // what the share side sent the peer goes into its line of the report (when the share side runs)
    const withShare = (o: PeerOutcome): PeerOutcome => (deps.share ? { ...o, shared: shareCounts(shared) } : o);
    const stop = AbortSignal.any([this.signal, this.deadline]);
    for (let attempt = 0; attempt < attempts && !stop.aborted; attempt++) {
      if (attempt > 0 && !(await sleep((t.retryBackoff ?? 1000) * 3 ** (attempt - 1), stop).then(() => true, () => false))) break;
      const tried = await this.attempt(peer, pp, deps, { spent, budget, tally, shared });
      if (shared.offered > 0) this.ctx.log.info(namedPeer(peer, sharedReason(shared)));
      if ('result' in tried) {
        const res = tried.result;
        pp.phase = 'done';
        pp.coverage = 1;
        pp.bytesIn = spent.bytesIn;
        pp.bytesOut = spent.bytesOut;
        this.notify(true);
        this.ctx.log.info(namedPeer(peer, reason('sync.peerDone', { method: res.method, fetched: res.fetched, imported: res.imported })));
        for (const note of res.notes) this.ctx.log.warn(namedPeer(peer, note));
        return { outcome: withShare(this.outcomeOf(peer, pp, res, null, Date.now() - started)), categories: res.categories };
      }
      if (this.signal.aborted) {
        lastError = reason('cancelled');
        break;
      }
      lastError = tried.reason;
      const again = tried.retry && attempt + 1 < attempts;
      this.ctx.log.warn(again ? reason('peer.willRetry', { why: lastError }) : lastError);
      if (!again) break;
    }
    lastError ??= this.signal.aborted ? reason('cancelled') : reason('peer.notStarted', { seconds: this.settings.runDeadlineSeconds });
    pp.phase = this.signal.aborted ? 'cancelled' : 'failed';
    pp.error = reasonText(lastError);
    pp.why = lastError;
    pp.bytesIn = spent.bytesIn;
    pp.bytesOut = spent.bytesOut;
    this.notify(true);
    // what its failed attempts fetched and imported still counts (in the station's totals too)
    return { outcome: withShare(this.outcomeOf(peer, pp, tally.result, lastError, Date.now() - started)), categories: tally.result.categories };
  }

  /**
   * One attempt: the way to the peer (direct, LAN or tunnel), then the session; on success the peer's NIP-77
   * answer and known set are kept. A failure comes back as a captain's reason and whether it may pass.
   */
  private async attempt(
    peer: Peer,
    pp: PeerProgress,
    deps: PeerDeps,
    run: { spent: { bytesIn: number; bytesOut: number }; budget: PeerBudget; tally: Tally; shared: OfferResult },
  ): Promise<{ result: SessionResult } | { reason: Reason; retry: boolean }> {
    const { spent, budget, tally } = run;
    const log = this.ctx.log;
    const t = this.ctx.config.timeouts;
    const timeLimit = AbortSignal.timeout(t.peer);
    const signal = AbortSignal.any([this.signal, this.deadline, timeLimit]);
    const failed = (err: unknown, url: string, retry: boolean): { reason: Reason; retry: boolean } =>
      this.deadline.aborted && !this.signal.aborted
        ? { reason: namedPeer(peer, reason('peer.cutAtDeadline', { seconds: this.settings.runDeadlineSeconds })), retry: false }
        : // the time limit closes the connection under the session: said as the time limit, not as what it closed
          { reason: peerReason(peer, url, timeLimit.aborted && !this.signal.aborted ? timeLimit.reason : err, t.peer), retry: timeLimit.aborted ? false : retry };
    pp.phase = 'tunnel';
    pp.error = null;
    delete pp.why;
    this.notify();
    let ep: PeerEndpoint;
    try {
      ep = await this.ctx.tunnels.endpoint(peer, signal);
    } catch (err) {
      // no way to the peer (kubo cannot reach it, nothing answers, the relay refuses): not before the next run
      return failed(err, '', false);
    }
    const traffic: { bytesIn: number; bytesOut: number; payloadIn?: number } = { bytesIn: 0, bytesOut: 0 };
    try {
      const { set: known, problem } = await loadKnown(this.ctx.config.dataDir, peer.id);
      if (problem) log.warn(namedPeer(peer, problem));
      const mem = deps.memory[peer.id];
      const fresh = mem && deps.nowSec - mem.checkedAt < PEER_MEMORY_FRESH_SEC;
      const share = deps.share;
      const res = await runSession({
        peer: peer.id,
        url: ep.url,
        store: this.ctx.store(),
        sieve: deps.sieve,
        importer: deps.importer,
        local: deps.local,
        ledger: deps.ledger,
        verify: deps.verify,
        known,
        nip77: fresh ? mem.nip77 : null,
        limits: fresh ? rememberedLimits(mem.limits) : null,
        full: this.opts.full ?? false,
        nowSec: deps.nowSec,
        timeouts: t,
        plan: (limits) => deps.filtersFor(limits.maxFilterElements),
        progress: pp,
        notify: () => this.notify(),
        signal,
        traffic,
        budget,
        tally,
        share: share ? { recent: (f) => share.recent(f), offer: (conn, lacking, sig) => this.offer(share, run, conn, lacking, sig) } : undefined,
      });
      if (!fresh || mem.nip77 !== res.nip77) {
        deps.memory[peer.id] = { nip77: res.nip77, reason: res.nip77Reason, checkedAt: deps.nowSec, ...(res.limits ? { limits: res.limits } : {}) };
      } else if (res.limits) mem.limits = res.limits;
      if (res.nip77) {
        if (res.fullDone) known.lastFull = deps.nowSec;
        await saveKnown(this.ctx.config.dataDir, peer.id, known, deps.nowSec).catch((err: Error) =>
          log.warn(namedPeer(peer, reason('known.notSaved', { why: reasonOf(err) }))),
        );
      }
      return { result: res };
    } catch (err) {
      return failed(err, ep.url, mayPass(err, traffic.bytesIn > 0));
    } finally {
      spent.bytesIn += traffic.bytesIn;
      spent.bytesOut += traffic.bytesOut;
      budget.bytes += traffic.payloadIn ?? traffic.bytesIn;
      await ep.release().catch(() => undefined);
    }
  }
}
