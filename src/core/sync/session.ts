/**
 * One peer's session in a run, in the order its steps happen:
 *
 *   probe    NIP-11 limits, the connection, and whether the peer really speaks NIP-77 (remembered per peer)
 *   plan     the run's filters within the peer's limits (NIP-77: deletions folded into the members' filters)
 *   per filter, one of two paths:
 *     reconcile + fetch   NIP-77 (session-nip77.ts): ids the peer holds and we lack, fetched by id
 *     page                REQ paging backwards through the window until nothing older comes
 *   take     every event through the run's sieve into the batch being filled
 *   import   full batches to the local store through the ImportPipe while fetching goes on
 *   settle   ids another session was fetching when this one needed them: once its own fetching is done, the
 *            session waits for their outcome and fetches those the other session did not bring (ledger.ts)
 *   account  the session's result: the Tally's counts, the bytes, whether the known set was fully reconciled
 *
 * Every count is kept by the session's Tally (session-tally.ts); the steps only say what happened. What the run
 * shares between sessions: the sieve, the importer, the local view (local-view.ts: the local relay read once per
 * run) and the ledger (ledger.ts: each missing event fetched once per run).
 */
import type { Filter } from 'nostr-tools';
import type { LocalStore } from '../services';
import type { PeerPhase, PeerProgress } from '../../shared/schemas';
import { PackedEvents } from '../store/packed';
import type { Timeouts } from '../config';
import { forEachLimited } from '../util/limit';
import {
  RelayConnection,
  fetchRelayInfo,
  relayLimits,
  subscriptionBudget,
  pageEvents,
  probeNip77,
  IdSet,
  eventFrameLimit,
  maxPayloadFor,
  type IdList,
  type Limits,
} from '../nostr';
import { mergeDeletions, type PlannedFilter } from './filters';
import type { Sieve } from './sieve';
import type { KnownSet } from './known';
import type { Importer } from './importer';
import { ImportPipe, IMPORT_BATCH } from './import-pipe';
import { Tally, type SessionResult } from './session-tally';
import { reconcileFilter, settleDeferred, type Deferred } from './session-nip77';
import type { Claims, RunLedger } from './ledger';
import type { LocalView } from './local-view';
import type { PeerBudget } from './bounds';
import { reason, reasonText } from '../../shared/i18n';

export type { SessionResult } from './session-tally';

/** a batch this big is handed over early when the local store has nothing to do */
const MIN_IMPORT_BATCH = 1000;
/** import batches of one session handed to the store and not yet answered (fetching goes on meanwhile) */
const IMPORT_DEPTH = 2;
const FILTER_CONCURRENCY = 3;
/** Sieve refusals every copy of an id meets (the sieve checks the id before these): never fetched again in the run. */
const PERMANENT_DROPS: ReadonlySet<string> = new Set(['welcome', 'deleted', 'blacklisted']);
/** A full-window reconciliation against the local relay at least this often (catches what the known sets miss). */
export const FULL_RECONCILE_EVERY_SEC = 24 * 3600;

export interface SessionInput {
  peer: string;
  url: string;
  store: LocalStore;
  sieve: Sieve;
  importer: Importer;
  /** the local relay's ids, read once per run (shared by the sessions) */
  local: LocalView;
  /** what the run does with each id (shared by the sessions) */
  ledger: RunLedger;
  verify: boolean;
  known: KnownSet;
  /** remembered NIP-77 answer for this peer, null when never probed */
  nip77: boolean | null;
  /** the limits of the peer's NIP-11 document, remembered from an earlier run (memory.ts); null: fetch it */
  limits?: Limits | null;
  full: boolean;
  nowSec: number;
  timeouts: Timeouts;
  plan(limits: Limits): PlannedFilter[];
  progress: PeerProgress;
  notify(): void;
  signal: AbortSignal;
  /** filled when the session ends, whether it succeeded or not: what it moved over its connection */
  traffic?: { bytesIn: number; bytesOut: number; payloadIn?: number };
  /** what this peer may still cost the run (bounds.ts) */
  budget: PeerBudget;
  /** the peer's counts over the run, all its attempts together (a session of its own when absent) */
  tally?: Tally;
  /**
   * The share side (setting liveShare; absent when off, see share.ts): for the members' filters, the local relay's
   * recent events join the known set's items (what was written here since the last run then shows as lacking),
   * and NIP-77's list of the ids the peer lacks is handed to `offer` over the session's connection.
   */
  share?: {
    recent(f: Filter): Promise<IdList>;
    offer(conn: RelayConnection, lacking: IdList, signal: AbortSignal): Promise<void>;
  };
}

export async function runSession(input: SessionInput): Promise<SessionResult> {
  const session = await PeerSession.open(input);
  try {
    return await session.run();
  } finally {
    session.close();
  }
}

/** A session's state, shared by its steps (and by the NIP-77 path, which works on one filter of it). */
export class PeerSession {
  readonly tally: Tally;
  /** every filter was reconciled against the whole local relay (the known set is complete again) */
  private allFull = true;
  /** reconcile against everything the local relay holds rather than the peer's known set */
  readonly full: boolean;
  private readonly pipe: ImportPipe;
  /** ids queued for import in this session, not yet confirmed (a peer may send one twice; once confirmed,
   * the sieve knows them) */
  private readonly queued = new IdSet();
  /** the batch being filled, packed: its events' objects die young (see store/packed.ts) */
  private batch = new PackedEvents();
  /** the ids this session is fetching for the run */
  readonly claims: Claims;
  /** needed ids another session was fetching: settled at the end (settleDeferred) */
  readonly deferred: Deferred[] = [];
  private readonly started = Date.now();
  private filtersDone = 0;
  private filtersTotal = 0;

  private constructor(
    readonly s: SessionInput,
    readonly conn: RelayConnection,
    readonly limits: Limits,
  ) {
    this.tally = s.tally ?? new Tally(s.progress, s.sieve);
    this.tally.beginSession();
    this.claims = s.ledger.claims();
    const answered = (batch: PackedEvents): void => {
      s.ledger.answered(batch);
      s.local.landed(batch);
    };
    this.pipe = new ImportPipe({ ...s, answered }, this.tally, s.progress, IMPORT_DEPTH, this.queued);
    this.full = s.full || s.nowSec - s.known.lastFull > FULL_RECONCILE_EVERY_SEC;
  }

  /** probe, first half: the peer's NIP-11 limits and the connection within them. */
  static async open(s: SessionInput): Promise<PeerSession> {
    s.progress.phase = 'probe';
    s.notify();
    let limits = s.limits ?? null;
    /** the limits read from the peer's document now (to remember), null when remembered or when it has none */
    let fetched: Limits | null = null;
    if (!limits) {
      let info = null;
      try {
        info = await fetchRelayInfo(s.url, { timeoutMs: s.timeouts.nip11, signal: s.signal });
      } catch (err) {
        if (s.signal.aborted) throw err;
        // No NIP-11 (a tunnel may not forward HTTP the same way): keep strfry's defaults, the probe decides.
      }
      limits = relayLimits(info);
      if (info) fetched = limits;
    }
    const { maxEventSize } = s.budget.bounds;
    const conn = await RelayConnection.connect(s.url, {
      timeoutMs: s.timeouts.connect,
      signal: s.signal,
      maxSubscriptions: subscriptionBudget(limits),
      maxMessageLength: limits.maxMessageLength,
      maxPayload: maxPayloadFor(maxEventSize),
      maxEventFrame: eventFrameLimit(maxEventSize),
      maxBytesIn: s.budget.bytesLeft,
      bytesBoundName: 'peerMaxMegabytes',
    });
    const session = new PeerSession(s, conn, limits);
    session.result.limits = fetched;
    return session;
  }

  get result(): SessionResult {
    return this.tally.result;
  }

  async run(): Promise<SessionResult> {
    await this.probe();
    await this.syncFilters(this.plan());
    return this.account();
  }

  close(): void {
    this.result.bytesIn = this.conn.bytesIn;
    this.result.bytesOut = this.conn.bytesOut;
    if (this.s.traffic) {
      this.s.traffic.bytesIn = this.conn.bytesIn;
      this.s.traffic.bytesOut = this.conn.bytesOut;
      // what the peer's bytes bound counts (the connection cuts on it too): the messages, inflated
      this.s.traffic.payloadIn = this.conn.payloadIn;
    }
    this.conn.close();
    // what this session claimed and did not bring goes back to the run (a waiting session fetches it)
    this.claims.close();
    for (const d of this.deferred.splice(0)) d.ids.release();
  }

  /** probe, second half: NIP-77 or REQ for this peer (a remembered "no" is not asked again). */
  private async probe(): Promise<void> {
    const { s, result } = this;
    if (s.nip77 === null || s.nip77) {
      const probe = await probeNip77(this.conn, { timeoutMs: s.timeouts.negProbe, signal: s.signal });
      result.nip77 = probe.ok;
      result.nip77Reason = probe.reason;
    } else {
      result.nip77Reason = reasonText(reason('nip77.remembered'));
    }
    result.method = result.nip77 ? 'nip77' : 'req';
    s.progress.method = result.method;
  }

  /**
   * NIP-77: deletions reconciled with the members' other kinds (one filter per author bucket, so a no-change
   * sync sends each bucket's authors once); the fetch then sieves kind 5 first.
   */
  private plan(): PlannedFilter[] {
    const planned = this.s.plan(this.limits);
    return this.result.nip77 ? mergeDeletions(planned) : planned;
  }

  /**
   * Deletions first (one at a time, so the sieve knows them), then the station pass and the members together
   * (a steady run's reconciliations are one round trip each: side by side, not one after the other). On the
   * NIP-77 path the deletions ride in the members' filters (plan), and a kind 5 that arrives after the events it
   * deletes still removes them from the batch before import (flush).
   */
  private async syncFilters(planned: PlannedFilter[]): Promise<void> {
    this.filtersTotal = planned.length;
    try {
      for (const x of planned.filter((p) => p.pass === 'deletions')) await this.syncFilter(x.filter);
      await forEachLimited(planned.filter((p) => p.pass !== 'deletions'), FILTER_CONCURRENCY, (x) => this.syncFilter(x.filter), this.s.signal);
      await settleDeferred(this);
      await this.flush();
      await this.pipe.drain();
    } catch (err) {
      // Keep what was already fetched and sieved (the retry then skips it), unless cancelled; no import may
      // outlive the session either way.
      if (!this.s.signal.aborted) await this.flush().catch(() => undefined);
      await this.pipe.settle();
      throw err;
    }
  }

  private async syncFilter(f: Filter): Promise<void> {
    if (this.result.nip77) {
      const { complete } = await reconcileFilter(this, f);
      if (!complete) this.allFull = false;
    } else await this.page(f);
    this.filtersDone++;
    this.s.progress.coverage = this.filtersDone / this.filtersTotal;
    this.report();
  }

  /** page: the REQ path for one filter, backwards through its window. */
  async page(f: Filter): Promise<void> {
    const { s } = this;
    this.enter('fetch');
    const span = f.since !== undefined ? s.nowSec - f.since : 0;
    for await (const e of pageEvents(this.conn, f, {
      pageSize: this.limits.maxLimit,
      idleMs: s.timeouts.idle,
      signal: s.signal,
      onPage: ({ until }) => {
        if (span > 0 && until !== undefined) {
          s.progress.coverage = Math.min(1, (this.filtersDone + Math.min(1, (s.nowSec - until) / span)) / this.filtersTotal);
        }
      },
      onFlood: () => this.tally.note(reason('sync.pagingFlood')),
    })) {
      await this.take(e, f);
    }
  }

  /** take: one event from the peer through the sieve into the batch; a full batch goes to import. */
  async take(raw: unknown, asked: Filter): Promise<void> {
    const { s, tally } = this;
    s.budget.event();
    if ((tally.fetched() & 511) === 0) this.report();
    s.ledger.fetched((raw as { id?: unknown } | null)?.id);
    const v = s.sieve.check(raw, asked);
    if (!v.ok) {
      tally.refused(v);
      this.refusedCopy(raw, v.reason);
    } else if (this.queued.has(v.event.id)) tally.sessionDuplicate();
    else {
      this.queued.add(v.event.id);
      this.batch.add(v.event);
    }
    // A full batch, or a smaller one as soon as the local store is idle: the store keeps working while we
    // fetch, and the last batch (imported after the last fetch) stays small. A session waiting for ids this one
    // claimed gets them as soon as the store is idle.
    const idle = s.importer.idle;
    if (this.batch.length >= IMPORT_BATCH || (idle && (this.batch.length >= MIN_IMPORT_BATCH || (s.ledger.waited && this.batch.length > 0)))) await this.flush();
  }

  /**
   * A copy the sieve refused: when every copy of that id would be refused the same way (the id is the hash of the
   * content), the run will not fetch it again; otherwise another peer's copy may pass, and the claim goes back.
   */
  private refusedCopy(raw: unknown, reason: string): void {
    if (reason === 'duplicate') return;
    const e = raw as { id?: unknown; created_at?: unknown };
    if (typeof e.id !== 'string') return;
    if (PERMANENT_DROPS.has(reason) && typeof e.created_at === 'number') this.s.ledger.refusedForGood(e.id, e.created_at);
    else this.claims.release(e.id);
  }

  /** Everything taken so far imported and answered for: the session's claims are settled or given back. */
  async importTaken(): Promise<void> {
    await this.flush();
    await this.pipe.drain();
  }

  /** import: the batch being filled, less what a deletion seen since removed, to the local store. */
  private async flush(): Promise<void> {
    const filled = this.batch;
    this.batch = new PackedEvents();
    const events = this.s.sieve.prunePacked(filled);
    if (events !== filled) {
      // deleted by a kind 5 seen since they passed: every copy is
      const gone = filled.ids.notIn(events.ids);
      for (let i = 0; i < gone.length; i++) this.s.ledger.refusedForGood(gone.hex(i), gone.time(i));
      this.queued.deleteAll(gone);
      gone.release();
      filled.release();
    }
    if (events.length === 0) {
      events.release();
      return;
    }
    await this.pipe.push(events);
  }

  /** account: what the session counted, once every import has been answered for. */
  private account(): SessionResult {
    const { result } = this;
    this.tally.dropped('not-json', this.conn.garbage);
    this.tally.dropped('too-large', this.conn.tooLarge);
    result.fullDone = result.nip77 && (this.full || this.allFull);
    this.report();
    return result;
  }

  /** The session's phase, as the captain sees it. */
  enter(phase: PeerPhase): void {
    this.s.progress.phase = phase;
    this.s.notify();
  }

  /** Bytes and rate into the progress, then a (throttled) progress event. */
  report(): void {
    const p = this.s.progress;
    p.bytesIn = this.conn.bytesIn;
    p.bytesOut = this.conn.bytesOut;
    const secs = (Date.now() - this.started) / 1000;
    p.rate = secs > 0 ? Math.round(p.fetched / secs) : 0;
    this.s.notify();
  }
}
