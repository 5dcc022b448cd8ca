/**
 * One peer's session in a run: NIP-11, NIP-77 probe (remembered per peer), then for each planned filter either
 * the NIP-77 path (reconcile against what the peer is known to hold, fetch only ids the local relay lacks) or
 * the REQ path (page backwards until nothing new); every event through the run's sieve, then imported in
 * batches.
 */
import type { Filter } from 'nostr-tools';
import type { LocalStore } from '../services';
import type { PeerProgress, SyncMethod } from '../../shared/schemas';
import { emptyCounts, type CategoryCounts } from '../../shared/kinds';
import { PackedEvents } from '../store/packed';
import type { Timeouts } from '../config';
import {
  RelayConnection,
  fetchRelayInfo,
  relayLimits,
  subscriptionBudget,
  pageEvents,
  probeNip77,
  reconcile,
  fetchByIds,
  isWellFormed,
  IdList,
  IdMap,
  IdSet,
  type Limits,
} from '../nostr';
import { filterKey, mergeDeletions, type PlannedFilter } from './filters';
import { DELETION_KIND } from '../../shared/kinds';
import type { Sieve } from './sieve';
import type { KnownSet } from './known';
import type { Importer } from './importer';

const IMPORT_BATCH = 2500;
/** a batch this big is handed over early when the local store has nothing to do */
const MIN_IMPORT_BATCH = 1000;
/** import batches of one session handed to the store and not yet answered (fetching goes on meanwhile) */
const IMPORT_DEPTH = 2;
/** ids in a NIP-77 need from which the answer may have been cut at a responder's frame size (4 KiB ≈ 128 ids):
 * the peer's COUNT then decides whether to reconcile again */
const RECHECK_NEED = 100;
/** reconciliations of one filter at most (each after fetching what the previous one found) */
const MAX_NEG_ROUNDS = 16;
const FILTER_CONCURRENCY = 3;
const FETCH_IN_FLIGHT = 4;
/** A full-window reconciliation against the local relay at least this often (catches what the known sets miss). */
export const FULL_RECONCILE_EVERY_SEC = 24 * 3600;

export interface SessionInput {
  peer: string;
  url: string;
  store: LocalStore;
  sieve: Sieve;
  importer: Importer;
  verify: boolean;
  known: KnownSet;
  /** remembered NIP-77 answer for this peer, null when never probed */
  nip77: boolean | null;
  full: boolean;
  nowSec: number;
  timeouts: Timeouts;
  plan(limits: Limits): PlannedFilter[];
  progress: PeerProgress;
  notify(): void;
  signal: AbortSignal;
}

export interface SessionResult {
  method: SyncMethod;
  nip77: boolean;
  nip77Reason: string;
  fetched: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** answered for by the local store but not held: older versions, events deleted by a kind 5 it holds */
  superseded: number;
  rejectReasons: Record<string, number>;
  dropped: Record<string, number>;
  categories: CategoryCounts;
  bytesIn: number;
  bytesOut: number;
  /** the known set was fully reconciled for every filter */
  fullDone: boolean;
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function runSession(s: SessionInput): Promise<SessionResult> {
  const { progress: p, signal } = s;
  const started = Date.now();
  const result: SessionResult = {
    method: 'req', nip77: false, nip77Reason: '', fetched: 0, imported: 0, duplicates: 0, rejected: 0, superseded: 0,
    rejectReasons: {}, dropped: {}, categories: emptyCounts(), bytesIn: 0, bytesOut: 0, fullDone: false,
  };

  p.phase = 'probe';
  s.notify();
  let info = null;
  try {
    info = await fetchRelayInfo(s.url, { timeoutMs: s.timeouts.nip11, signal });
  } catch (err) {
    if (signal.aborted) throw err;
    // No NIP-11 (a tunnel may not forward HTTP the same way): keep strfry's defaults, the probe decides.
  }
  const limits = relayLimits(info);
  const conn = await RelayConnection.connect(s.url, {
    timeoutMs: s.timeouts.connect,
    signal,
    maxSubscriptions: subscriptionBudget(limits),
    maxMessageLength: limits.maxMessageLength,
  });
  const bytes = (): void => {
    p.bytesIn = conn.bytesIn;
    p.bytesOut = conn.bytesOut;
    const secs = (Date.now() - started) / 1000;
    p.rate = secs > 0 ? Math.round(p.fetched / secs) : 0;
  };
  try {
    if (s.nip77 === null || s.nip77) {
      const probe = await probeNip77(conn, { timeoutMs: s.timeouts.negProbe, signal });
      result.nip77 = probe.ok;
      result.nip77Reason = probe.reason;
    } else {
      result.nip77Reason = 'remembered: no NIP-77';
    }
    result.method = result.nip77 ? 'nip77' : 'req';
    p.method = result.method;
    // NIP-77: deletions reconciled with the members' other kinds (one filter per author bucket, so a no-change
    // sync sends each bucket's authors once); the fetch then sieves kind 5 first.
    const planned = result.nip77 ? mergeDeletions(s.plan(limits)) : s.plan(limits);
    const total = planned.length;
    let done = 0;
    const full = s.full || s.nowSec - s.known.lastFull > FULL_RECONCILE_EVERY_SEC;
    let allFull = true;

    // Import pipeline: fetching goes on while earlier batches are imported (a bounded number waiting), so a
    // slow local store does not stall the peer's socket long; every id counts as held only once the store
    // answered for it.
    /** ids queued for import in this session, not yet confirmed (a peer may send one twice; once confirmed,
     * the sieve knows them) */
    const queued = new IdSet();
    const pipe = new ImportPipe(s, result, p, IMPORT_DEPTH, queued);
    // the batch being filled, packed: its events' objects die young (see store/packed.ts)
    let batch = new PackedEvents();
    const flush = async (): Promise<void> => {
      const filled = batch;
      batch = new PackedEvents();
      const events = s.sieve.prunePacked(filled);
      if (events !== filled) filled.release();
      if (events.length === 0) {
        events.release();
        return;
      }
      await pipe.push(events);
    };
    const take = async (raw: unknown, asked: Filter): Promise<void> => {
      result.fetched++;
      p.fetched = result.fetched;
      const v = s.sieve.check(raw, asked);
      if (v.ok) {
        if (queued.has(v.event.id)) {
          s.sieve.count('duplicate');
          result.duplicates++;
        } else {
          queued.add(v.event.id);
          batch.add(v.event);
        }
      } else if (v.reason === 'duplicate') result.duplicates++;
      else result.dropped[v.reason] = (result.dropped[v.reason] ?? 0) + 1;
      if ((result.fetched & 511) === 0) {
        bytes();
        s.notify();
      }
      // A full batch, or a smaller one as soon as the local store is idle: the store keeps working while we
      // fetch, and the last batch (imported after the last fetch) stays small.
      if (batch.length >= IMPORT_BATCH || (batch.length >= MIN_IMPORT_BATCH && s.importer.idle)) await flush();
    };

    const viaReq = async (f: Filter): Promise<void> => {
      p.phase = 'fetch';
      s.notify();
      const span = f.since !== undefined ? s.nowSec - f.since : 0;
      for await (const e of pageEvents(conn, f, {
        pageSize: limits.maxLimit,
        idleMs: s.timeouts.idle,
        signal,
        onPage: ({ until }) => {
          if (span > 0 && until !== undefined) p.coverage = Math.min(1, (done + Math.min(1, (s.nowSec - until) / span)) / total);
        },
      })) {
        await take(e, f);
      }
    };

    const viaNip77 = async (f: Filter): Promise<void> => {
      const key = filterKey(f);
      const fullHere = full || !s.known.has(key);
      if (!fullHere) allFull = false;
      const section = s.known.section(key, s.nowSec);
      const since = f.since ?? 0;
      p.phase = 'reconcile';
      s.notify();
      // what we hold for this filter: everything the local relay holds (full) or what the peer is known to hold
      let items = new IdList(true);
      if (fullHere) {
        for await (const e of s.store.query(f, signal)) items.pushHex(e.id, e.created_at);
      } else {
        section.items.forEachSlot((slot) => {
          const t = section.items.valueAt(slot);
          if (t < since) return;
          const [b, o] = section.items.bytesAt(slot);
          items.push(b, o, t);
        });
      }
      /** every id asked for in this filter so far (a later round never asks twice); made when a second round comes */
      let asked: IdSet | null = null;
      // A responder may cut a long id list at its frame size without saying the rest exists (the JS responder
      // of @nostr-dev-kit/sync does; strfry and the devkit relays continue in later rounds). A need too big to
      // fit a minimal frame could have been cut: the peer's COUNT for the filter tells; only when it says more
      // exists than the reconciliation showed (or COUNT goes unanswered) is the filter reconciled again.
      try {
        for (let round = 0; ; round++) {
          const r = await reconcile(conn, f, items, { signal, idleMs: s.timeouts.idle, maxMessageLength: limits.maxMessageLength, now: s.nowSec });
          bytes();
          // the first round's need is all fresh; later rounds leave out what an earlier one asked
          let fresh = r.need;
          if (asked) {
            fresh = new IdList();
            const needBytes = r.need.bytes;
            for (let i = 0; i < r.need.length; i++) if (asked.addAt(needBytes, i * 32)) fresh.push(needBytes, i * 32);
          }
          if (round === 0) p.have += items.length - r.have.length;
          p.need += fresh.length;
          // ids the local relay already holds (from another peer or an earlier run): record, do not fetch
          const local = fullHere ? new IdMap() : await localTimestamps(s.store, fresh, signal);
          let toFetch = fresh;
          if (local.size > 0) {
            toFetch = new IdList();
            const freshBytes = fresh.bytes;
            for (let i = 0; i < fresh.length; i++) if (!local.hasAt(freshBytes, i * 32)) toFetch.push(freshBytes, i * 32);
          }
          const itemBytes = items.bytes;
          if (fullHere && round === 0) {
            section.items.deleteIf((t) => t >= since);
            const gone = IdSet.of(r.have);
            for (let i = 0; i < items.length; i++) if (!gone.hasAt(itemBytes, i * 32)) section.items.setAt(itemBytes, i * 32, items.time(i));
            gone.release();
          } else {
            const haveBytes = r.have.bytes;
            for (let i = 0; i < r.have.length; i++) section.items.deleteAt(haveBytes, i * 32);
          }
          local.forEachSlot((slot) => {
            const [b, o] = local.bytesAt(slot);
            section.items.setAt(b, o, local.valueAt(slot));
          });
          p.phase = 'fetch';
          s.notify();
          const chunk = Math.min(limits.maxLimit, limits.maxFilterElements);
          // ids the peer announced and has not sent yet: every one must arrive (or be counted as not sent)
          const missing = IdSet.of(toFetch);
          const drain = async (source: AsyncIterable<unknown>, sink: (e: unknown, asked: boolean) => Promise<void>, onlyAsked = false): Promise<void> => {
            for await (const e of source) {
              const id = (e as { id?: unknown }).id;
              const asked = typeof id === 'string' && missing.delete(id);
              if (!asked && onlyAsked) continue;
              // the peer holds it whatever our sieve decides: remember, so it is not asked again next run
              if (asked && isWellFormed(e)) section.items.set(e.id, e.created_at);
              await sink(e, asked);
            }
          };
          const fetchSome = async (ids: IdList, size: number, sink: (e: unknown, asked: boolean) => Promise<void>, release = false): Promise<void> => {
            try {
              await drain(fetchByIds(conn, ids, { chunk: size, inFlight: FETCH_IN_FLIGHT, idleMs: s.timeouts.idle, signal }), sink);
            } finally {
              if (release) ids.release();
            }
          };
          const direct = (e: unknown, asked: boolean): Promise<void> => take(e, asked ? f : { ids: [] });
          try {
            // Deletions (kind 5) must pass the sieve before the events they delete. The ids do not say their
            // kind: a need that fits one import batch is fetched whole and sieved kind 5 first; for a bigger one
            // the filter's kind 5s are asked first (one paged REQ: deletions are few; the ones not needed are
            // skipped), then the rest of the ids.
            const withDeletions = (f.kinds ?? []).includes(DELETION_KIND);
            if (!withDeletions) await fetchSome(toFetch, chunk, direct);
            else if (toFetch.length <= IMPORT_BATCH) {
              const got: Array<{ e: unknown; asked: boolean }> = [];
              await fetchSome(toFetch, chunk, async (e, asked) => void got.push({ e, asked }));
              const isDeletion = (x: { e: unknown }): boolean => (x.e as { kind?: unknown }).kind === DELETION_KIND;
              for (const x of got.filter(isDeletion)) await direct(x.e, x.asked);
              for (const x of got.filter((y) => !isDeletion(y))) await direct(x.e, x.asked);
            } else {
              const deletions = pageEvents(conn, { ...f, kinds: [DELETION_KIND] }, { pageSize: limits.maxLimit, idleMs: s.timeouts.idle, signal });
              await drain(deletions, direct, true);
              await fetchSome(missing.toList(), chunk, direct, true);
            }
            // A relay may cut an ids REQ below what it advertises: ask once more for the rest, in small chunks.
            if (missing.size > 0) await fetchSome(missing.toList(), Math.max(1, Math.min(50, chunk)), direct, true);
            if (missing.size > 0) {
              result.dropped['not-sent'] = (result.dropped['not-sent'] ?? 0) + missing.size;
              s.sieve.count('not-sent', missing.size);
            }
            if (fresh.length < RECHECK_NEED || round + 1 >= MAX_NEG_ROUNDS) break;
            // Safety net for a responder that cuts a long answer without saying the rest exists: only when the
            // peer's COUNT says it holds more than the reconciliation showed (or does not answer COUNT).
            const shown = items.length - r.have.length + r.need.length;
            const counted = await conn.count([f], { idleMs: s.timeouts.negProbe, signal });
            if (counted !== null && counted <= shown) break;
            // next round: what we hold now = what we held, less what the peer lacks, plus what it sent (asked
            // and well formed: recorded in the section) and what the local relay turned out to hold
            asked ??= IdSet.of(fresh);
            const gone = IdSet.of(r.have);
            const next = new IdList(true);
            for (let i = 0; i < items.length; i++) if (!gone.hasAt(itemBytes, i * 32)) next.push(itemBytes, i * 32, items.time(i));
            gone.release();
            const fetchedBytes = toFetch.bytes;
            for (let i = 0; i < toFetch.length; i++) {
              if (missing.hasAt(fetchedBytes, i * 32)) continue;
              const t = section.items.getAt(fetchedBytes, i * 32);
              if (t !== undefined) next.push(fetchedBytes, i * 32, t);
            }
            local.forEachSlot((slot) => {
              const [b, o] = local.bytesAt(slot);
              next.push(b, o, local.valueAt(slot));
            });
            items.release();
            items = next;
            p.phase = 'reconcile';
            s.notify();
          } finally {
            // this round's id lists are done with: their memory goes back now
            missing.release();
            local.release();
            if (toFetch !== fresh) toFetch.release();
            if (fresh !== r.need) fresh.release();
            r.need.release();
            r.have.release();
          }
        }
      } finally {
        items.release();
        asked?.release();
      }
    };

    // Deletions first (sequential, so the sieve knows them), then the station pass and the members.
    const first = planned.filter((x) => x.pass !== 'members');
    const rest = planned.filter((x) => x.pass === 'members');
    const one = async (x: PlannedFilter): Promise<void> => {
      if (result.nip77) await viaNip77(x.filter);
      else await viaReq(x.filter);
      done++;
      p.coverage = done / total;
      bytes();
      s.notify();
    };
    try {
      for (const x of first) await one(x);
      await pool(rest, FILTER_CONCURRENCY, one);
      await flush();
      await pipe.drain();
    } catch (err) {
      // Keep what was already fetched and sieved (the retry then skips it), unless cancelled; no import may
      // outlive the session either way.
      if (!signal.aborted) await flush().catch(() => undefined);
      await pipe.settle();
      throw err;
    }
    if (conn.garbage > 0) {
      result.dropped['not-json'] = (result.dropped['not-json'] ?? 0) + conn.garbage;
      s.sieve.count('not-json', conn.garbage);
    }
    result.fullDone = result.nip77 && (full || allFull);
    bytes();
    return result;
  } finally {
    result.bytesIn = conn.bytesIn;
    result.bytesOut = conn.bytesOut;
    conn.close();
  }
}

/**
 * A session's imports: at most `depth` batches handed to the run's importer and not yet answered. A batch
 * counts only when the local store answered for every event of it (added, duplicate, rejected or superseded:
 * an older version or a deleted event, which the store will never hold — asking again changes nothing); a
 * short answer fails the session.
 */
class ImportPipe {
  private readonly inFlight: Array<Promise<void>> = [];
  private failure: Error | null = null;

  constructor(
    private readonly s: SessionInput,
    private readonly result: SessionResult,
    private readonly p: PeerProgress,
    private readonly depth: number,
    /** the session's ids queued and not yet confirmed: confirmed ones leave it */
    private readonly queued: IdSet,
  ) {}

  /** Hands a packed batch to the importer; its memory is released once the store has answered (or failed). */
  async push(events: PackedEvents): Promise<void> {
    if (this.failure) {
      events.release();
      throw this.failure;
    }
    const { s, result, p } = this;
    for (const [k, v] of Object.entries(events.counts)) if (v !== 0) result.categories[k] = (result.categories[k] ?? 0) + v;
    p.phase = 'import';
    s.notify();
    const job = s.importer.import(events, { verify: s.verify }, s.signal).then(
      (r) => {
        const answered = r.added + r.duplicates + r.rejected + r.superseded;
        if (answered !== events.length) {
          throw new Error(`the local store answered for ${answered} of ${events.length} events sent to it (${s.store.description}); the rest are not counted as held`);
        }
        s.sieve.confirmPacked(events);
        const ids = events.ids.bytes;
        for (let i = 0; i < events.length; i++) this.queued.deleteAt(ids, i * 32);
        result.imported += r.added;
        result.duplicates += r.duplicates;
        result.rejected += r.rejected;
        result.superseded += r.superseded;
        for (const [k, v] of Object.entries(r.reasons)) result.rejectReasons[k] = (result.rejectReasons[k] ?? 0) + v;
        p.imported = result.imported;
        if (p.phase === 'import') p.phase = 'fetch';
        s.notify();
      },
    ).catch((err: Error) => {
      this.failure ??= new Error(`import into the local relay failed: ${err.message}`);
    }).finally(() => events.release());
    this.inFlight.push(job);
    while (this.inFlight.length >= this.depth) {
      await this.inFlight.shift();
      if (this.failure) throw this.failure;
    }
  }

  /** Waits for every import; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
  }

  /** Waits for every import, whatever the outcome. */
  async settle(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift();
  }
}

/** created_at of the given ids that the local store already holds. */
async function localTimestamps(store: LocalStore, ids: IdList, signal: AbortSignal): Promise<IdMap> {
  const out = new IdMap();
  for (let i = 0; i < ids.length; i += 200) {
    for await (const e of store.query({ ids: ids.hexSlice(i, i + 200) }, signal)) out.set(e.id, e.created_at);
  }
  return out;
}
