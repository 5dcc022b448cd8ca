/**
 * The sieve every fetched event passes before import, shared by all peers of a run.
 *
 * Drops (counted by reason): malformed, bad-id (id ≠ hash), off-filter (not what we asked), bad-signature
 * (only with verify), welcome (the automatic `Hello NOSTR visitor.` notes), deleted (an `e` reference of a
 * kind 5 by the same author seen in this run or already held by the local relay; the kind 5 itself is kept), blacklisted (author in
 * strfry/blacklist.txt). An event the local store already CONFIRMED in this run (imported, duplicate or
 * rejected with a reason) is a run duplicate. Only confirmation counts: an event merely accepted from a peer
 * whose session then fails must still be taken from the next peer that sends it (nothing lost).
 */
import { matchFilter, type Event as NostrEvent, type Filter } from 'nostr-tools';
import { DELETION_KIND, WELCOME_NOTE_PATTERN } from '../../shared/kinds';
import { IdSet, hasValidId, isWellFormed, type Verifier } from '../nostr';
import type { PackedEvents } from '../store/packed';

export type DropReason = 'malformed' | 'bad-id' | 'off-filter' | 'bad-signature' | 'welcome' | 'deleted' | 'blacklisted' | 'not-json' | 'not-sent' | 'too-large';
export type Verdict = { ok: true; event: NostrEvent } | { ok: false; reason: DropReason | 'duplicate' };

export class Sieve {
  /** ids the local store confirmed in this run (packed: 32 bytes an id, off the heap) */
  private readonly confirmed = new IdSet();
  /** deleted id → the author whose kind 5 deleted it */
  private readonly deleted = new Map<string, string>();
  readonly dropped: Record<string, number> = {};
  duplicates = 0;

  constructor(
    private readonly opts: { verifier: Verifier | null; blacklist: ReadonlySet<string> },
  ) {}

  check(raw: unknown, asked: Filter): Verdict {
    const v = this.judge(raw, asked);
    if (!v.ok) {
      if (v.reason === 'duplicate') this.duplicates++;
      else this.dropped[v.reason] = (this.dropped[v.reason] ?? 0) + 1;
    }
    return v;
  }

  private judge(raw: unknown, asked: Filter): Verdict {
    if (!isWellFormed(raw)) return { ok: false, reason: 'malformed' };
    const e = raw;
    if (this.confirmed.has(e.id)) return { ok: false, reason: 'duplicate' };
    if (!matchFilter(asked, e)) return { ok: false, reason: 'off-filter' };
    if (!hasValidId(e)) return { ok: false, reason: 'bad-id' };
    if (this.opts.blacklist.has(e.pubkey)) return { ok: false, reason: 'blacklisted' };
    if (WELCOME_NOTE_PATTERN.test(e.content)) return { ok: false, reason: 'welcome' };
    if (this.isDeleted(e)) return { ok: false, reason: 'deleted' };
    if (this.opts.verifier && !this.opts.verifier.verify(e)) return { ok: false, reason: 'bad-signature' };
    this.learnDeletion(e);
    return { ok: true, event: e };
  }

  /** The local store answered for these events (stored, already held or refused with a reason). */
  confirm(events: readonly NostrEvent[]): void {
    for (const e of events) this.confirmed.add(e.id);
  }

  /** The same for a packed batch. */
  confirmPacked(batch: PackedEvents): void {
    this.confirmed.addAll(batch.ids);
  }

  isConfirmed(id: string): boolean {
    return this.confirmed.has(id);
  }

  /** Counts a drop decided outside check() (a session-level duplicate, a frame that was not JSON, …). */
  count(reason: DropReason | 'duplicate', n = 1): void {
    if (n <= 0) return;
    if (reason === 'duplicate') this.duplicates += n;
    else this.dropped[reason] = (this.dropped[reason] ?? 0) + n;
  }

  /** Records what a kind 5 deletes (also used for the kind 5s the local relay already holds). */
  learnDeletion(e: NostrEvent): void {
    if (e.kind !== DELETION_KIND) return;
    for (const t of e.tags) if (t[0] === 'e' && typeof t[1] === 'string' && t[1].length === 64) this.deleted.set(t[1], e.pubkey);
  }

  /** Deleted by a kind 5 of the same author seen in this run (re-checked before import: a later kind 5 counts). */
  isDeleted(e: NostrEvent): boolean {
    return e.kind !== DELETION_KIND && this.deleted.get(e.id) === e.pubkey;
  }

  /** Drops the events of a pending batch deleted since they passed; counts them. */
  prune(batch: NostrEvent[]): NostrEvent[] {
    const keep = batch.filter((e) => !this.isDeleted(e));
    const gone = batch.length - keep.length;
    if (gone > 0) this.dropped.deleted = (this.dropped.deleted ?? 0) + gone;
    return keep;
  }

  /** The same for a packed batch: the batch itself when nothing goes, else a new one without them. */
  prunePacked(batch: PackedEvents): PackedEvents {
    if (this.deleted.size === 0) return batch;
    const gone: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      if (batch.kind(i) !== DELETION_KIND && this.deleted.get(batch.idHex(i)) === batch.pubkeyHex(i)) gone.push(i);
    }
    if (gone.length === 0) return batch;
    this.dropped.deleted = (this.dropped.deleted ?? 0) + gone.length;
    return batch.without(gone);
  }
}
