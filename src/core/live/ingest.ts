/**
 * The down path's last steps, shared by every peer: each event through the backfill's sieve (valid id,
 * signature when verifying, filter match, welcome notes, deletions, blacklist), then into the local store in
 * batches — `strfry import` bypasses the station's write policy, so live sync stores what the backfill would.
 *
 * Batching: when no import is running, what arrived in the same turn of the event loop (one socket read may
 * carry many frames) is imported at once — a lone event waits for nothing. While an import runs, arrivals
 * gather for `windowMs` and then take the next of the `importsInFlight` slots (an import is a process spawn
 * for strfry: a burst becomes a few imports, not one per event); a full batch goes at once. An event already queued (another peer sent it too) is not queued twice; an event the store
 * answered for is a duplicate for the sieve. The sieve is renewed now and then so its memory stays bounded
 * (after that, a repeat is only a duplicate for the store).
 */
import { matchFilter, type Event as NostrEvent, type Filter } from 'nostr-tools';
import type { ImportResult, LocalStore } from '../services';
import { isWellFormed, type Verifier } from '../nostr';
import { Sieve } from '../sync/sieve';
import type { Holders } from './holders';
import { atMost } from './backoff';
import { reason, reasonOf, type Reason } from '../../shared/i18n';

/** Confirmed ids the sieve keeps before it is renewed (32 bytes each). */
const SIEVE_RENEW_AFTER = 200_000;

export type Offered = 'queued' | 'duplicate' | 'dropped' | 'full';

export interface BatchDone {
  /** per peer that brought events of the batch: how many, and the lag of the last (ms: readable − created_at for a
   * fresh event, readable − received otherwise) */
  peers: Map<string, { count: number; lagMs: number }>;
  result: ImportResult;
}

export interface IngestDeps {
  store: () => LocalStore;
  verify: boolean;
  verifier: Verifier | null;
  blacklist: ReadonlySet<string>;
  holders: Holders;
  clock: () => number;
  windowMs: number;
  maxBatch: number;
  importsInFlight: number;
  maxPending: number;
  onImported(done: BatchDone): void;
  /** An import failed three times: these peers' events since `sinceSec` must be caught up again. */
  onLost(peers: Map<string, number>, why: Reason): void;
}

interface Pending {
  event: NostrEvent;
  /** the peers that sent it while it waited */
  peers: string[];
  receivedAt: number;
}

export class LiveIngest {
  private sieve: Sieve;
  private confirmedInSieve = 0;
  /** queued or being imported, by id */
  private readonly queued = new Map<string, Pending>();
  private batch: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private running = 0;
  private readonly jobs = new Set<Promise<void>>();
  private readonly roomWaiters: Array<() => void> = [];
  private stopped = false;
  readonly totals = { imported: 0, duplicates: 0, rejected: 0, dropped: {} as Record<string, number> };

  constructor(private readonly d: IngestDeps) {
    this.sieve = this.newSieve();
  }

  private newSieve(): Sieve {
    return new Sieve({ verifier: this.d.verify ? this.d.verifier : null, blacklist: this.d.blacklist });
  }

  /** A new blacklist (or verify setting) takes effect with a fresh sieve. */
  reset(blacklist: ReadonlySet<string>, verify: boolean, verifier: Verifier | null): void {
    Object.assign(this.d, { blacklist, verify, verifier });
    this.sieve = this.newSieve();
    this.confirmedInSieve = 0;
  }

  /** Events waiting or being imported. */
  get pending(): number {
    return this.queued.size;
  }

  /** Events of this peer waiting or being imported. */
  pendingFrom(peer: string): number {
    let n = 0;
    for (const p of this.queued.values()) if (p.peers[0] === peer) n++;
    return n;
  }

  /** Resolves when there is room again, or the signal fires (for a catch-up, which can wait; a stream cannot). */
  room(signal?: AbortSignal): Promise<void> {
    if (this.queued.size < this.d.maxPending || this.stopped || signal?.aborted) return Promise.resolve();
    return new Promise((r) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        r();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.roomWaiters.push(done);
    });
  }

  private drop(reason: string): void {
    this.totals.dropped[reason] = (this.totals.dropped[reason] ?? 0) + 1;
  }

  /**
   * One event a peer sent (`asked`: the filters it was sent for). Sieved; queued when new. The peer is recorded
   * as holding it (so it is never sent back) as soon as the id is known to be right.
   */
  offer(raw: unknown, asked: readonly Filter[], peer: string): Offered {
    if (this.stopped) return 'dropped';
    if (!isWellFormed(raw)) {
      this.sieve.count('malformed');
      this.drop('malformed');
      return 'dropped';
    }
    const already = this.queued.get(raw.id);
    if (already) {
      // the same id again: its content is what was queued only if the id is right
      if (already.event.sig === raw.sig) {
        if (!already.peers.includes(peer)) already.peers.push(peer);
        this.d.holders.add(raw.id, peer);
      }
      return 'duplicate';
    }
    if (this.queued.size >= this.d.maxPending) return 'full';
    const f = asked.find((x) => matchFilter(x, raw)) ?? asked[0] ?? { ids: [] };
    const v = this.sieve.check(raw, f);
    if (!v.ok) {
      if (v.reason === 'duplicate') {
        this.d.holders.add(raw.id, peer);
        return 'duplicate';
      }
      this.drop(v.reason);
      return 'dropped';
    }
    this.d.holders.add(raw.id, peer);
    const p: Pending = { event: v.event, peers: [peer], receivedAt: this.d.clock() };
    this.queued.set(raw.id, p);
    this.batch.push(p);
    if (this.batch.length >= this.d.maxBatch) this.flush();
    else if (this.running === 0) this.soon ??= setImmediate(() => this.flush());
    else this.timer ??= setTimeout(() => this.flush(), this.d.windowMs);
    return 'queued';
  }

  /**
   * An event the local relay holds already (seen on it, or read from it to go up): a peer that streams it back
   * after we sent it is answered by the sieve, not by another import.
   */
  heldLocally(e: NostrEvent): void {
    if (this.queued.has(e.id) || this.sieve.isConfirmed(e.id)) return;
    this.sieve.confirm([e]);
    this.confirmedInSieve++;
  }

  /** Hands the current batch to the store (when an import slot is free; else when one frees up). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = null;
    this.soon = null;
    if (this.batch.length === 0) return;
    if (this.running >= this.d.importsInFlight) return; // the import that ends next flushes it
    const batch = this.sieve.prune(this.batch.map((p) => p.event));
    const taken = this.batch;
    this.batch = [];
    if (batch.length < taken.length) {
      const keep = new Set(batch.map((e) => e.id));
      for (const p of taken) {
        if (keep.has(p.event.id)) continue;
        this.queued.delete(p.event.id);
        this.drop('deleted');
      }
    }
    const items = taken.filter((p) => this.queued.has(p.event.id));
    if (items.length === 0) return;
    this.running++;
    const job = this.importBatch(items).finally(() => {
      this.running--;
      this.jobs.delete(job);
      // a batch that waited for a slot goes now (its window is over, or it is full)
      if (this.batch.length > 0 && (this.batch.length >= this.d.maxBatch || !this.timer || this.running === 0)) this.flush();
      if (this.queued.size < this.d.maxPending) for (const w of this.roomWaiters.splice(0)) w();
    });
    this.jobs.add(job);
  }

  private async importBatch(items: Pending[]): Promise<void> {
    const events = items.map((p) => p.event);
    let lastError: Reason = reason('cancelled');
    /** Events a failed attempt may have stored before it died (strfry commits as it goes). */
    let maybeStored = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 1000 * 3 ** (attempt - 1)).unref());
      try {
        const r = await this.d.store().import(events, { verify: this.d.verify });
        this.settle(items, afterRetry(r, maybeStored));
        return;
      } catch (err) {
        lastError = reasonOf(err);
        maybeStored = Math.max(maybeStored, storedBeforeFailure(lastError, events.length));
        if (this.stopped) break;
      }
    }
    // not stored: these events must come back through a catch-up from the peers that sent them
    const peers = new Map<string, number>();
    for (const p of items) {
      this.queued.delete(p.event.id);
      for (const peer of p.peers) peers.set(peer, Math.min(peers.get(peer) ?? Infinity, p.event.created_at));
    }
    this.d.onLost(peers, reason('import.failed', { why: lastError }));
  }

  private settle(items: Pending[], r: ImportResult): void {
    const now = this.d.clock();
    this.sieve.confirm(items.map((p) => p.event));
    this.confirmedInSieve += items.length;
    if (this.confirmedInSieve > SIEVE_RENEW_AFTER) {
      this.sieve = this.newSieve();
      this.confirmedInSieve = 0;
    }
    this.totals.imported += r.added;
    this.totals.duplicates += r.duplicates;
    this.totals.rejected += r.rejected;
    const peers = new Map<string, { count: number; lagMs: number }>();
    for (const p of items) {
      this.queued.delete(p.event.id);
      const first = p.peers[0] as string;
      const cur = peers.get(first) ?? { count: 0, lagMs: 0 };
      cur.count++;
      // a fresh event: from its creation (what a captain means by lag); one written long before it reached the
      // peer (relayed, backdated): from its arrival here
      const created = p.event.created_at * 1000;
      cur.lagMs = Math.max(0, now - (p.receivedAt - created < 300_000 ? created : p.receivedAt));
      peers.set(first, cur);
    }
    this.d.onImported({ peers, result: r });
  }

  /** Imports what is queued, waiting at most `ms` for the store; then stops taking events. */
  async drain(ms: number): Promise<void> {
    this.flush();
    const deadline = Date.now() + ms;
    while ((this.jobs.size > 0 || this.batch.length > 0) && Date.now() < deadline) {
      this.flush();
      await atMost(Promise.all([...this.jobs]), Math.max(1, deadline - Date.now()));
    }
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = null;
    this.soon = null;
    for (const w of this.roomWaiters.splice(0)) w();
  }
}

/**
 * How many events of a batch a failed import may have stored: what strfry said it committed before it died, or, when
 * it said nothing (killed early, another store), any of them.
 */
export function storedBeforeFailure(why: Reason, batch: number): number {
  if (why.code === 'strfry.failed' && typeof why.params?.committed === 'number') return Math.min(batch, why.params.committed);
  return batch;
}

/**
 * A retry's answer, counted as the captain means it: the events an earlier attempt stored before it failed come back
 * as "duplicates" from the store, but they are this batch's imports, not repeats a peer sent (a batch of 25 once
 * counted 25 duplicates in live.test under load).
 */
export function afterRetry(r: ImportResult, maybeStored: number): ImportResult {
  const ours = Math.min(maybeStored, r.duplicates);
  return ours > 0 ? { ...r, added: r.added + ours, duplicates: r.duplicates - ours } : r;
}
