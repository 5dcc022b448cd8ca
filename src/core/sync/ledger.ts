/**
 * What a run has done with each id, shared by the sessions of its peers, so that an event several peers hold is
 * fetched once per run (issue 14: 22,736 fetches for 21,333 events at 32 peers, each session fetching what it
 * lacked whatever the others were fetching).
 *
 *   settled   the local store answered for it in this run, or was found to hold it, or the sieve refused a copy
 *             for a reason every copy meets (the id is the hash of the content: welcome, deleted, blacklisted);
 *             kept with its created_at, so a session that needed it records it in its peer's known set;
 *   claimed   one session is fetching it; a session that needs it too sets it aside and, once its own fetching
 *             is done, waits for the outcome (Claims.split, RunLedger.nextChange).
 *
 * An id counts as held only once the local store answered for it (or was found there): a claim that ends any
 * other way — the peer did not send it, sent a copy the sieve refused for a reason another copy may not meet (a
 * bad signature, not what was asked), the session failed — is released, and a session that waits for it fetches
 * it itself. Nothing is lost when a peer fails.
 *
 * The ledger also counts what the run fetched: every event received, and how many of them were ids already
 * received in the run (fetched twice or more).
 *
 * Memory: packed ids (32 bytes each and an index slot) for the settled ids, the claimed ones and every id received.
 */
import { IdList, IdMap, IdSet } from '../nostr/ids';
import type { PackedEvents } from '../store/packed';
import { abortReason } from '../util/limit';

export interface FetchCounts {
  /** events received from peers, every copy counted */
  events: number;
  /** distinct ids among them */
  distinct: number;
}

export class RunLedger {
  private readonly settledIds = new IdMap();
  /** id → number of the claiming session */
  private readonly claimed = new IdMap();
  private readonly received = new IdSet();
  private events = 0;
  private nextOwner = 1;
  private waiters: Array<() => void> = [];
  /** when a session last received an event or had ids settled or given back (Date.now()) */
  lastActivity = Date.now();

  /** A session's handle: its claims, released when it ends. */
  claims(): Claims {
    return new Claims(this, this.nextOwner++);
  }

  /** An event arrived from a peer (counted whatever the sieve then says). */
  fetched(id: unknown): void {
    this.events++;
    this.lastActivity = Date.now();
    if (typeof id === 'string') this.received.add(id);
  }

  get fetches(): FetchCounts {
    return { events: this.events, distinct: this.received.size };
  }

  /** created_at of a settled id, or undefined. */
  settledAt(id: string): number | undefined {
    return this.settledIds.get(id);
  }

  /** The local store answered for every event of the batch: settled, their claims gone. */
  answered(batch: PackedEvents): void {
    const ids = batch.ids;
    const b = ids.bytes;
    for (let i = 0; i < ids.length; i++) {
      this.settledIds.setAt(b, i * 32, ids.time(i));
      this.claimed.deleteAt(b, i * 32);
    }
    this.changed();
  }

  /** Ids the local store was found to hold (with created_at): settled. */
  held(ids: IdMap): void {
    if (ids.size === 0) return;
    ids.forEachSlot((slot) => {
      const [b, o] = ids.bytesAt(slot);
      this.settledIds.setAt(b, o, ids.valueAt(slot));
      this.claimed.deleteAt(b, o);
    });
    this.changed();
  }

  /** The sieve refused a copy for a reason every copy of this id meets: settled, never fetched again this run. */
  refusedForGood(id: string, createdAt: number): void {
    this.settledIds.set(id, createdAt);
    this.claimed.delete(id);
    this.changed();
  }

  /** Resolves at the next change (an id settled or released) or after `timeoutMs`; rejects when the signal aborts. */
  nextChange(signal?: AbortSignal, timeoutMs = Infinity): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      let timer: NodeJS.Timeout | null = null;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const done = (): void => {
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (Number.isFinite(timeoutMs)) timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.push(done);
    });
  }

  /** Wakes every session waiting in nextChange(). */
  changed(): void {
    this.lastActivity = Date.now();
    for (const w of this.waiters.splice(0)) w();
  }

  /** Someone waits for claimed ids to settle (their holders hand their batches over early). */
  get waited(): boolean {
    return this.waiters.length > 0;
  }

  /** @internal (Claims) */
  claimState(src: Uint8Array, o: number): { settled: number } | { owner: number } | null {
    const t = this.settledIds.getAt(src, o);
    if (t !== undefined) return { settled: t };
    const owner = this.claimed.getAt(src, o);
    return owner !== undefined ? { owner } : null;
  }

  /** @internal (Claims) */
  claimAt(src: Uint8Array, o: number, owner: number): void {
    this.claimed.setAt(src, o, owner);
  }

  /** @internal (Claims): drops the claim when `owner` still holds it. */
  unclaimAt(src: Uint8Array, o: number, owner: number): boolean {
    if (this.claimed.getAt(src, o) !== owner) return false;
    this.claimed.deleteAt(src, o);
    return true;
  }

  release(): void {
    this.settledIds.release();
    this.claimed.release();
    this.received.release();
  }
}

/** What a session's need is made of, in the run's light. */
export interface Split {
  /** ids the run already settled, with their created_at */
  settled: IdMap;
  /** ids claimed now by this session: it fetches them */
  mine: IdList;
  /** ids another session is fetching (or this session, for another filter): set aside, waited for */
  theirs: IdList;
}

/** One session's claims in the run's ledger. */
export class Claims {
  private readonly mine = new IdSet();

  constructor(
    private readonly ledger: RunLedger,
    private readonly owner: number,
  ) {}

  /** Splits a need: settled, claimed now for this session, or claimed by another. */
  split(ids: IdList): Split {
    const out: Split = { settled: new IdMap(), mine: new IdList(), theirs: new IdList() };
    const b = ids.bytes;
    for (let i = 0; i < ids.length; i++) {
      const o = i * 32;
      const st = this.ledger.claimState(b, o);
      if (st === null) {
        this.ledger.claimAt(b, o, this.owner);
        this.mine.addAt(b, o);
        out.mine.push(b, o);
      } else if ('settled' in st) out.settled.setAt(b, o, st.settled);
      else out.theirs.push(b, o);
    }
    return out;
  }

  /** Gives back the claims on these ids (not received, or refused for a reason another copy may not meet). */
  releaseAll(ids: IdList | IdSet): void {
    const list = ids instanceof IdList ? ids : ids.toList();
    let any = false;
    const b = list.bytes;
    for (let i = 0; i < list.length; i++) {
      if (this.mine.deleteAt(b, i * 32) && this.ledger.unclaimAt(b, i * 32, this.owner)) any = true;
    }
    if (list !== ids) list.release();
    if (any) this.ledger.changed();
  }

  release(id: string): void {
    const one = IdList.fromHex([id]);
    this.releaseAll(one);
    one.release();
  }

  /** The session ended (done or failed): every claim it still holds is given back. */
  close(): void {
    this.releaseAll(this.mine);
    this.mine.release();
  }
}
