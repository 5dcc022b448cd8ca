/**
 * A peer's counts in a run, in one place: every event the peer sent is counted here once as fetched, then as
 * exactly one of: queued for import (and later answered for by the local store: imported, duplicate,
 * rejected or superseded), a duplicate, or dropped with a named reason. Drops decided outside the sieve (ids the peer
 * announced and never sent, frames that were not JSON) also reach the run's sieve totals from here.
 * One Tally lives through all the peer's attempts: what a failed attempt fetched and imported still counts.
 */
import type { PeerProgress, SyncMethod } from '../../shared/schemas';
import { emptyCounts, type CategoryCounts } from '../../shared/kinds';
import type { ImportResult } from '../services';
import type { Limits } from '../nostr';
import type { DropReason, Sieve, Verdict } from './sieve';
import { reasonText, type Reason } from '../../shared/i18n';

export interface SessionResult {
  method: SyncMethod;
  nip77: boolean;
  nip77Reason: string;
  /** the limits the peer's NIP-11 document gave in this session (null: remembered ones were used, or it has none) */
  limits: Limits | null;
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
  /** what the captain should know though the session succeeded (a bound met, NIP-77 given up for paging) */
  notes: Reason[];
}

export function emptyResult(): SessionResult {
  return {
    method: 'req', nip77: false, nip77Reason: '', limits: null, fetched: 0, imported: 0, duplicates: 0, rejected: 0, superseded: 0,
    rejectReasons: {}, dropped: {}, categories: emptyCounts(), bytesIn: 0, bytesOut: 0, fullDone: false, notes: [],
  };
}

const add = (to: Record<string, number>, key: string, n: number): void => {
  to[key] = (to[key] ?? 0) + n;
};

export class Tally {
  readonly result = emptyResult();

  constructor(
    private readonly progress: PeerProgress,
    private readonly sieve: Sieve,
  ) {}

  /** A session (an attempt) starts: what it finds out about the peer replaces what an earlier one found. */
  beginSession(): void {
    const r = this.result;
    r.method = 'req';
    r.nip77 = false;
    r.nip77Reason = '';
    r.limits = null;
    r.fullDone = false;
  }

  /** One event (or frame claiming to be one) arrived from the peer. */
  fetched(): number {
    this.progress.fetched = ++this.result.fetched;
    return this.result.fetched;
  }

  /** The sieve's verdict on an event it refused (the sieve keeps its own run totals). */
  refused(v: Extract<Verdict, { ok: false }>): void {
    if (v.reason === 'duplicate') this.result.duplicates++;
    else add(this.result.dropped, v.reason, 1);
  }

  /** An event this session already queued for import, sent again. */
  sessionDuplicate(): void {
    this.result.duplicates++;
    this.sieve.count('duplicate');
  }

  /** Something the captain should know about this peer (said once, however often it happened). */
  note(why: Reason): void {
    const text = reasonText(why);
    if (!this.result.notes.some((n) => reasonText(n) === text)) this.result.notes.push(why);
  }

  /** Drops decided outside the sieve (ids announced and never sent, frames that were not JSON or too large). */
  dropped(reason: DropReason, n: number): void {
    if (n <= 0) return;
    add(this.result.dropped, reason, n);
    this.sieve.count(reason, n);
  }

  /** What the local store answered for one batch (its events by category: the station's SYNC_STATS). */
  answered(r: ImportResult, categories: Record<string, number>): void {
    const res = this.result;
    for (const [k, v] of Object.entries(categories)) if (v !== 0) add(res.categories, k, v);
    res.imported += r.added;
    res.duplicates += r.duplicates;
    res.rejected += r.rejected;
    res.superseded += r.superseded;
    for (const [k, v] of Object.entries(r.reasons)) add(res.rejectReasons, k, v);
    this.progress.imported = res.imported;
  }
}
