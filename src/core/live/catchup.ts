/**
 * The catch-up of one peer after a (re)connect, run while its stream already flows: the gap since the moment
 * its stream was last known complete is reconciled filter by filter — NIP-77 over the gap's time range where
 * the peer speaks it, else REQ paging over the same range. What the peer holds and this station lacks goes
 * through the ingest (sieve, import); what this station holds and the peer lacks goes up when sharing (only
 * the members' filters: the station pass is not this station's to share).
 */
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import type { SyncMethod } from '../../shared/schemas';
import type { LocalStore } from '../services';
import { IdList, fetchByIds, pageEvents, reconcile, type Limits, type RelayConnection } from '../nostr';
import type { LiveIngest } from './ingest';

/** What the catch-up needs of a local event. */
export interface LocalRow {
  id: string;
  created_at: number;
  pubkey: string;
  kind: number;
}

export interface CatchUpInput {
  conn: RelayConnection;
  peer: string;
  limits: Limits;
  nip77: boolean;
  /** The down filters (no time window). */
  filters: readonly Filter[];
  /** Send what the peer lacks (the share setting). */
  share: boolean;
  since: number;
  nowSec: number;
  /** The local relay's events since a time (shared between peers catching up at once). */
  local(since: number): Promise<readonly LocalRow[]>;
  ingest: LiveIngest;
  /** Sends these local events (ids) up to the peer; resolves with how many were queued. */
  send(ids: readonly string[]): Promise<number>;
  idleMs: number;
  signal: AbortSignal;
  onProgress?(p: { fetched: number; offered: number }): void;
}

export interface CatchUpResult {
  method: SyncMethod;
  /** events the peer sent for the gap */
  fetched: number;
  /** of those, new to this station (queued for import) */
  queued: number;
  /** local events queued up to the peer */
  offered: number;
}

/** A filter's test on a local row (kinds, authors, since: the only fields live filters use). */
export function matcher(f: Filter): (r: LocalRow) => boolean {
  const kinds = f.kinds ? new Set(f.kinds) : null;
  const authors = f.authors ? new Set(f.authors) : null;
  const since = f.since ?? 0;
  return (r) => r.created_at >= since && (!kinds || kinds.has(r.kind)) && (!authors || authors.has(r.pubkey));
}

/** Reads the local relay's events since `since` (compact rows; every kind the filters ask). */
export async function readLocalRows(store: LocalStore, filters: readonly Filter[], since: number, signal?: AbortSignal): Promise<LocalRow[]> {
  const kinds = [...new Set(filters.flatMap((f) => f.kinds ?? []))].sort((a, b) => a - b);
  const rows: LocalRow[] = [];
  for await (const e of store.query(kinds.length ? { kinds, since } : { since }, signal)) {
    rows.push({ id: e.id, created_at: e.created_at, pubkey: e.pubkey, kind: e.kind });
  }
  return rows;
}

export async function catchUp(i: CatchUpInput): Promise<CatchUpResult> {
  const out: CatchUpResult = { method: i.nip77 ? 'nip77' : 'req', fetched: 0, queued: 0, offered: 0 };
  const rows = await i.local(i.since);
  const take = async (e: NostrEvent, f: Filter): Promise<void> => {
    out.fetched++;
    await i.ingest.room(i.signal);
    i.signal.throwIfAborted();
    if (i.ingest.offer(e, [f], i.peer) === 'queued') out.queued++;
    if ((out.fetched & 63) === 0) i.onProgress?.({ fetched: out.fetched, offered: out.offered });
  };
  const chunk = Math.max(1, Math.min(i.limits.maxLimit, i.limits.maxFilterElements));
  for (const base of i.filters) {
    i.signal.throwIfAborted();
    const f: Filter = { ...base, since: i.since };
    const mine = rows.filter(matcher(f));
    const shares = i.share && Array.isArray(f.authors);
    if (i.nip77) {
      const items = new IdList(true);
      for (const r of mine) items.pushHex(r.id, r.created_at);
      const r = await reconcile(i.conn, f, items, { signal: i.signal, idleMs: i.idleMs, maxMessageLength: i.limits.maxMessageLength, now: i.nowSec }).finally(() => items.release());
      try {
        for await (const e of fetchByIds(i.conn, r.need, { chunk, inFlight: 4, idleMs: i.idleMs, signal: i.signal })) await take(e, f);
        if (shares && r.have.length > 0) out.offered += await i.send(r.have.hexSlice(0, r.have.length));
      } finally {
        r.need.release();
        r.have.release();
      }
    } else {
      const theirs = new Set<string>();
      for await (const e of pageEvents(i.conn, f, { pageSize: i.limits.maxLimit, idleMs: i.idleMs, signal: i.signal })) {
        if (typeof e.id === 'string') theirs.add(e.id);
        await take(e, f);
      }
      if (shares) {
        const lacking = mine.filter((r) => !theirs.has(r.id)).map((r) => r.id);
        if (lacking.length > 0) out.offered += await i.send(lacking);
      }
    }
    i.onProgress?.({ fetched: out.fetched, offered: out.offered });
  }
  return out;
}
