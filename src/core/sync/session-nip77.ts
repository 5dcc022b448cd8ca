/**
 * The NIP-77 path of one filter in a peer's session: reconcile what we hold for the filter against what the
 * peer holds, fetch the ids the local relay lacks, record in the peer's known set what it was found to hold.
 *
 *   start items     everything the local relay holds for the filter (a full reconciliation: from the run's
 *                   local view, read once per run) or what the peer is known to hold (the usual, cheap case)
 *   reconcile round one NIP-77 reconciliation; its need less what an earlier round asked, less what the run
 *                   already settled or the local relay already holds; ids another session is fetching are set
 *                   aside for the session's end (settleDeferred); the rest is claimed in the run's ledger
 *   record held     the known set follows: the peer lacks `have`, holds what it sent and what the local relay had
 *   fetch needed    the needed ids by REQ, kind 5 first when the filter asks deletions; a second chance for ids
 *                   a relay skipped; what never came is counted as not sent
 *   offer lacking   sharing (setting liveShare), members' filters only: the ids the peer lacks (`have`) are
 *                   handed to the session's share side (share.ts), which sends it the members' events among
 *                   them (the local relay's recent events join the known set's items for this)
 *   next round?     only when the need may have been cut at a responder's frame size and the peer's COUNT
 *                   says it holds more than the reconciliation showed
 */
import type { Filter } from 'nostr-tools';
import { DELETION_KIND } from '../../shared/kinds';
import { reconcile, fetchByIds, pageEvents, isWellFormed, IdList, IdMap, IdSet, ReconcileCapped, type ReconcileResult } from '../nostr';
import { filterKey } from './filters';
import type { KnownSection } from './known';
import { IMPORT_BATCH } from './import-pipe';
import { reason } from '../../shared/i18n';
import type { PeerSession } from './session';

/** What the NIP-77 path uses of its session. */
type Session = Pick<PeerSession, 's' | 'conn' | 'limits' | 'tally' | 'full' | 'take' | 'page' | 'enter' | 'report' | 'claims' | 'deferred' | 'importTaken'>;

/** Needed ids another session was fetching when a round of `pass` found them; settled at the session's end. */
export interface Deferred {
  pass: Nip77Filter;
  ids: IdList;
}

/** ids in a NIP-77 need from which the answer may have been cut at a responder's frame size (4 KiB ≈ 128 ids):
 * the peer's COUNT then decides whether to reconcile again */
const RECHECK_NEED = 100;
/** reconciliations of one filter at most (each after fetching what the previous one found) */
const MAX_NEG_ROUNDS = 16;
const FETCH_IN_FLIGHT = 4;
/** ids asked again, per REQ, when a relay skipped some of an ids REQ */
const SECOND_CHANCE_CHUNK = 50;

/**
 * Reconciles one filter and fetches what it finds; `complete` when it was reconciled against the whole local
 * relay. A reconciliation that meets a bound (negMaxRounds, negMaxNeed) is given up: the filter's window is
 * paged instead, and the captain is told.
 */
export async function reconcileFilter(session: Session, f: Filter): Promise<{ complete: boolean }> {
  const pass = new Nip77Filter(session, f);
  try {
    await pass.run();
    return { complete: pass.complete };
  } catch (err) {
    if (!(err instanceof ReconcileCapped)) throw err;
    session.tally.note(reason('bound.pagedInstead', { why: err.reason }));
    pass.release();
    await session.page(f);
    return { complete: false };
  } finally {
    pass.release();
  }
}

/** One round's id lists: released together at the round's end. */
interface Round {
  r: ReconcileResult;
  /** the need, less what an earlier round asked */
  fresh: IdList;
  /** ids of `fresh` the run already settled or the local relay holds, with their created_at */
  local: IdMap;
  /** ids of `fresh` this session claimed and the local relay lacks: what this round fetches */
  toFetch: IdList;
  /** ids of `toFetch` the peer has not sent yet */
  missing: IdSet;
}

/** What a fetch works on: the ids asked, and those not received yet. */
type Fetch = Pick<Round, 'toFetch' | 'missing'>;

export class Nip77Filter {
  /** reconciled against everything the local relay holds for the filter */
  readonly complete: boolean;
  private readonly section: KnownSection;
  private readonly since: number;
  /** what we hold for the filter, for the next reconciliation */
  private items = new IdList(true);
  /** every id asked for in this filter so far (a later round never asks twice); made when a second round comes */
  private asked: IdSet | null = null;
  /** a members' filter while sharing: the ids the peer lacks are offered to it */
  private readonly shares: boolean;
  /** the local relay's recent events join the known set's items (sharing, known-set reconciliations only) */
  private readonly addsRecent: boolean;

  constructor(
    private readonly session: Session,
    private readonly f: Filter,
  ) {
    const { s } = session;
    const key = filterKey(f);
    this.complete = session.full || !s.known.has(key);
    this.section = s.known.section(key, s.nowSec);
    this.since = f.since ?? 0;
    this.shares = s.share !== undefined && Array.isArray(f.authors);
    this.addsRecent = this.shares && !this.complete;
  }

  async run(): Promise<void> {
    this.session.enter('reconcile');
    await this.startItems();
    for (let round = 0; ; round++) {
      const x = await this.reconcileRound(round);
      try {
        this.recordHeld(x, round);
        this.session.enter('fetch');
        await this.fetchNeeded(x);
        await this.offerLacking(x);
        if (!(await this.mayHaveMore(x, round))) return;
        this.nextItems(x);
        this.session.enter('reconcile');
      } finally {
        releaseRound(x);
      }
    }
  }

  release(): void {
    this.items.release();
    this.asked?.release();
  }

  /** start items: the whole local relay for a full reconciliation, else what the peer is known to hold. */
  private async startItems(): Promise<void> {
    const { s } = this.session;
    this.items.release();
    this.items = this.complete ? await s.local.items(this.f, s.signal) : this.section.items.toList(this.since);
    if (this.addsRecent) await this.addRecentLocal();
  }

  /** Sharing: the local relay's recent events join the items (the peer's lack of them then shows). */
  private async addRecentLocal(): Promise<void> {
    const { s } = this.session;
    if (!s.share) return;
    const recent = await s.share.recent(this.f);
    try {
      const extra = recent.notIn(this.items);
      this.items.append(extra);
      extra.release();
    } finally {
      recent.release();
    }
  }

  /** Sharing: what the peer lacks (NIP-77's have) goes to it; the hook keeps the members' events among them. */
  private async offerLacking(x: Round): Promise<void> {
    const { s, conn } = this.session;
    if (!this.shares || !s.share || x.r.have.length === 0) return;
    await s.share.offer(conn, x.r.have, s.signal);
  }

  /** reconcile round: the peer's have/need, the need less what was asked before and what the local relay holds. */
  private async reconcileRound(round: number): Promise<Round> {
    const { s, conn, limits } = this.session;
    const p = s.progress;
    const { negMaxRounds, negMaxNeed } = s.budget.bounds;
    // Against a known set the peer most likely holds the same ids: one fingerprint of the whole range first
    // (steady state: one small message each way); a full reconciliation expects differences and splits at once.
    const r = await reconcile(conn, this.f, this.items, {
      signal: s.signal,
      idleMs: s.timeouts.idle,
      maxMessageLength: limits.maxMessageLength,
      now: s.nowSec,
      maxRounds: negMaxRounds,
      maxNeed: negMaxNeed,
      wholeRangeFirst: !this.complete,
    });
    this.session.report();
    const fresh = this.asked ? r.need.notIn(this.asked) : r.need;
    if (round === 0) p.have += this.items.length - r.have.length;
    p.need += fresh.length;
    // The run's view of the need: ids the run already settled (imported by another session, found in the local
    // relay, refused for good) are recorded, not fetched; ids another session is fetching are set aside for the
    // session's end; the rest is claimed by this session. Of those, the ones the local relay already holds (from
    // an earlier run or a client of the station) are recorded too: a full reconciliation's items were the whole
    // local relay, so nothing it needs is held there.
    const split = this.session.claims.split(fresh);
    if (split.theirs.length > 0) this.session.deferred.push({ pass: this, ids: split.theirs });
    else split.theirs.release();
    const stored = this.complete ? new IdMap() : await s.local.held(split.mine, this.f, s.signal);
    s.ledger.held(stored);
    const local = split.settled;
    local.merge(stored);
    const toFetch = stored.size > 0 ? split.mine.notIn(stored) : split.mine;
    if (toFetch !== split.mine) split.mine.release();
    stored.release();
    return { r, fresh, local, toFetch, missing: IdSet.of(toFetch) };
  }

  /** Ids found settled after all (by another session): the peer holds them, as its need said. */
  recordSettled(settled: IdMap): void {
    this.section.items.merge(settled);
  }

  /** Ids another session did not bring after all: fetched from this peer as a round fetches. */
  async fetchAgain(ids: IdList): Promise<void> {
    const x: Fetch = { toFetch: ids, missing: IdSet.of(ids) };
    try {
      await this.fetchNeeded(x);
    } finally {
      x.missing.release();
      ids.release();
    }
  }

  /** record held: what the peer was found to hold (and to lack) goes into its known set. */
  private recordHeld(x: Round, round: number): void {
    const held = this.section.items;
    if (this.complete && round === 0) {
      // a full reconciliation replaces the window's part of the known set
      held.deleteIf((t) => t >= this.since);
      const kept = this.items.notIn(x.r.have);
      held.setAll(kept);
      kept.release();
    } else held.deleteAll(x.r.have);
    held.merge(x.local);
  }

  /**
   * fetch needed: every id of `toFetch` from the peer. Deletions (kind 5) must pass the sieve before the events
   * they delete and the ids do not say their kind: a need that fits one import batch is fetched whole and sieved
   * kind 5 first; for a bigger one the filter's kind 5s are asked first (one paged REQ: deletions are few; the
   * ones not needed are skipped), then the rest of the ids. A relay may cut an ids REQ below what it advertises:
   * what it skipped is asked once more in small chunks, and what still never came is counted as not sent.
   */
  private async fetchNeeded(x: Fetch): Promise<void> {
    const { s, conn, limits } = this.session;
    const chunk = Math.min(limits.maxLimit, limits.maxFilterElements);
    const deletionsFirst = (this.f.kinds ?? []).includes(DELETION_KIND);
    if (!deletionsFirst) await this.fetchIds(x, x.toFetch, chunk);
    else if (x.toFetch.length <= IMPORT_BATCH) {
      const got: Array<{ e: unknown; asked: boolean }> = [];
      await this.fetchIds(x, x.toFetch, chunk, async (e, asked) => void got.push({ e, asked }));
      const isDeletion = (y: { e: unknown }): boolean => (y.e as { kind?: unknown }).kind === DELETION_KIND;
      for (const y of got.filter(isDeletion)) await this.take(y.e, y.asked);
      for (const y of got.filter((z) => !isDeletion(z))) await this.take(y.e, y.asked);
    } else {
      const deletions = pageEvents(conn, { ...this.f, kinds: [DELETION_KIND] }, { pageSize: limits.maxLimit, idleMs: s.timeouts.idle, signal: s.signal });
      await this.drain(x, deletions, (e, asked) => this.take(e, asked), true);
      await this.fetchIds(x, x.missing.toList(), chunk, undefined, true);
    }
    if (x.missing.size > 0) await this.fetchIds(x, x.missing.toList(), Math.max(1, Math.min(SECOND_CHANCE_CHUNK, chunk)), undefined, true);
    // never sent: another session that needs them fetches them from its peer
    this.session.claims.releaseAll(x.missing);
    this.session.tally.dropped('not-sent', x.missing.size);
  }

  /** The ids by REQ, each event to `sink` (the sieve by default); `release` frees the id list afterwards. */
  private async fetchIds(
    x: Fetch,
    ids: IdList,
    chunk: number,
    sink: (e: unknown, asked: boolean) => Promise<void> = (e, asked) => this.take(e, asked),
    release = false,
  ): Promise<void> {
    const { s, conn } = this.session;
    try {
      await this.drain(x, fetchByIds(conn, ids, { chunk, inFlight: FETCH_IN_FLIGHT, idleMs: s.timeouts.idle, signal: s.signal }), sink);
    } finally {
      if (release) ids.release();
    }
  }

  /** Events from the peer: each one asked for leaves `missing` and is recorded as held (whatever our sieve says). */
  private async drain(
    x: Fetch,
    source: AsyncIterable<unknown>,
    sink: (e: unknown, asked: boolean) => Promise<void>,
    onlyAsked = false,
  ): Promise<void> {
    for await (const e of source) {
      const id = (e as { id?: unknown }).id;
      const asked = typeof id === 'string' && x.missing.delete(id);
      if (!asked && onlyAsked) continue;
      // the peer holds it whatever our sieve decides: remember, so it is not asked again next run
      if (asked && isWellFormed(e)) this.section.items.set(e.id, e.created_at);
      await sink(e, asked);
    }
  }

  /** An event asked for is checked against the filter; one the peer sent unasked matches nothing. */
  private take(e: unknown, asked: boolean): Promise<void> {
    return this.session.take(e, asked ? this.f : { ids: [] });
  }

  /**
   * next round?: a responder may cut a long id list at its frame size without saying the rest exists (the JS
   * responder of @nostr-dev-kit/sync does; strfry and the devkit relays continue in later rounds). A need too
   * big to fit a minimal frame could have been cut: the peer's COUNT for the filter tells; only when it says
   * more exists than the reconciliation showed (or COUNT goes unanswered) is the filter reconciled again.
   */
  private async mayHaveMore(x: Round, round: number): Promise<boolean> {
    if (x.fresh.length < RECHECK_NEED || round + 1 >= MAX_NEG_ROUNDS) return false;
    const { s, conn } = this.session;
    const shown = this.items.length - x.r.have.length + x.r.need.length;
    const counted = await conn.count([this.f], { idleMs: s.timeouts.negProbe, signal: s.signal });
    return counted === null || counted > shown;
  }

  /**
   * What we hold for the next round: what we held, less what the peer lacks, plus what it sent (asked and well
   * formed: recorded in the section) and what the local relay turned out to hold.
   */
  private nextItems(x: Round): void {
    this.asked ??= new IdSet();
    this.asked.addAll(x.fresh);
    const next = this.items.notIn(x.r.have);
    const sent = x.toFetch.notIn(x.missing);
    const sentHeld = this.section.items.pick(sent);
    const localHeld = x.local.toList();
    next.append(sentHeld);
    next.append(localHeld);
    for (const l of [sent, sentHeld, localHeld]) l.release();
    this.items.release();
    this.items = next;
  }
}

/** A round's id lists are done with: their memory goes back now (its set-aside ids went to the session). */
function releaseRound(x: Round): void {
  x.missing.release();
  x.local.release();
  x.toFetch.release();
  if (x.fresh !== x.r.need) x.fresh.release();
  x.r.need.release();
  x.r.have.release();
}

/** A session waiting for ids other sessions claimed fetches them itself after this long with no session
 * receiving events or settling ids and the local store idle (a stalled peer's session must not hold the others;
 * while the store imports, fetching again would only queue the same events behind it)… */
export const WAIT_PATIENCE_MS = 10_000;
/** …or after this long in all (a peer that drips its events keeps the run busy). */
export const WAIT_MAX_MS = 60_000;

/**
 * settle: the ids set aside because another session was fetching them. First everything this session took is
 * imported and answered for (so no session ever waits for one that waits); then each set-aside id is either
 * settled (recorded in the peer's known set), or given back by the other session (this one fetches it from its
 * own peer), or still claimed: then wait for the next change in the ledger. Fetched here anyway (twice rather than
 * late) when nothing moved for WAIT_PATIENCE_MS, or after WAIT_MAX_MS in all.
 */
export async function settleDeferred(session: Session): Promise<void> {
  const { s } = session;
  const started = Date.now();
  while (session.deferred.length > 0) {
    await session.importTaken();
    const now = Date.now();
    const stalled = now - s.ledger.lastActivity >= WAIT_PATIENCE_MS && s.importer.idle;
    const impatient = stalled || now - started >= WAIT_MAX_MS;
    for (const d of session.deferred.splice(0)) {
      if (impatient) {
        session.enter('fetch');
        await d.pass.fetchAgain(d.ids);
        continue;
      }
      const split = session.claims.split(d.ids);
      d.ids.release();
      d.pass.recordSettled(split.settled);
      split.settled.release();
      if (split.theirs.length > 0) session.deferred.push({ pass: d.pass, ids: split.theirs });
      else split.theirs.release();
      if (split.mine.length > 0) {
        session.enter('fetch');
        await d.pass.fetchAgain(split.mine);
      } else split.mine.release();
    }
    if (session.deferred.length === 0) return;
    const quietLeft = WAIT_PATIENCE_MS - (Date.now() - s.ledger.lastActivity);
    const wait = Math.min(Math.max(quietLeft, 250), WAIT_MAX_MS - (Date.now() - started));
    if (wait > 0) await s.ledger.nextChange(s.signal, wait);
  }
}
