/**
 * A peer session's counts, in one place: every event the peer sent is counted here once as fetched, then as
 * exactly one of: queued for import (and later answered for by the local store: imported, duplicate or
 * rejected), a duplicate, or dropped with a named reason. Drops decided outside the sieve (ids the peer
 * announced and never sent, frames that were not JSON) also reach the run's sieve totals from here.
 */
import type { PeerProgress, SyncMethod } from '../../shared/schemas';
import { emptyCounts, type CategoryCounts } from '../../shared/kinds';
import type { ImportResult } from '../services';
import type { DropReason, Sieve, Verdict } from './sieve';

export interface SessionResult {
  method: SyncMethod;
  nip77: boolean;
  nip77Reason: string;
  fetched: number;
  imported: number;
  duplicates: number;
  rejected: number;
  rejectReasons: Record<string, number>;
  dropped: Record<string, number>;
  categories: CategoryCounts;
  bytesIn: number;
  bytesOut: number;
  /** the known set was fully reconciled for every filter */
  fullDone: boolean;
}

export function emptyResult(): SessionResult {
  return {
    method: 'req', nip77: false, nip77Reason: '', fetched: 0, imported: 0, duplicates: 0, rejected: 0,
    rejectReasons: {}, dropped: {}, categories: emptyCounts(), bytesIn: 0, bytesOut: 0, fullDone: false,
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

  /** Drops decided outside the sieve (ids announced and never sent, frames that were not JSON). */
  dropped(reason: DropReason, n: number): void {
    if (n <= 0) return;
    add(this.result.dropped, reason, n);
    this.sieve.count(reason, n);
  }

  /** A batch handed to the local store: its events by category. */
  queued(counts: Record<string, number>): void {
    for (const [k, v] of Object.entries(counts)) if (v !== 0) add(this.result.categories, k, v);
  }

  /** What the local store answered for one batch. */
  answered(r: ImportResult): void {
    const res = this.result;
    res.imported += r.added;
    res.duplicates += r.duplicates;
    res.rejected += r.rejected;
    for (const [k, v] of Object.entries(r.reasons)) add(res.rejectReasons, k, v);
    this.progress.imported = res.imported;
  }
}
