/**
 * Reading replaceable events (kind 0, 3, 10002) from the local relay: authors in batches, the newest per
 * author wins (NIP-01: highest created_at, then the lowest id).
 */
import type { Filter, LocalStore, NostrEvent } from '../services';

/** Authors per filter: strfry's default accepts 200 filter elements; stay under it. */
export const AUTHOR_BATCH = 200;

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** True when `a` replaces `b` (NIP-01 rule for replaceable events). */
export function isNewer(a: { created_at: number; id: string }, b: { created_at: number; id: string }): boolean {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.id < b.id);
}

/**
 * Streams the events of `kind` by `authors` and keeps, per author, what `keep` makes of the newest event
 * (so a caller can keep a parsed form instead of the whole event).
 */
export async function newestPerAuthor<T>(
  store: LocalStore,
  kind: number,
  authors: readonly string[],
  keep: (e: NostrEvent) => T,
  signal?: AbortSignal,
): Promise<Map<string, { created_at: number; id: string; value: T }>> {
  const best = new Map<string, { created_at: number; id: string; value: T }>();
  const wanted = new Set(authors);
  for (const batch of batches(authors, AUTHOR_BATCH)) {
    signal?.throwIfAborted();
    const filter: Filter = { kinds: [kind], authors: batch };
    for await (const e of store.query(filter, signal)) {
      // A relay can send anything: only the kind and authors asked count.
      if (e.kind !== kind || !wanted.has(e.pubkey)) continue;
      const cur = best.get(e.pubkey);
      if (cur && !isNewer(e, cur)) continue;
      best.set(e.pubkey, { created_at: e.created_at, id: e.id, value: keep(e) });
    }
  }
  return best;
}

/** The `n` newest events matching the filter (bounded memory even if the store ignores `limit`). */
export async function newestEvents(store: LocalStore, filter: Filter, n: number, signal?: AbortSignal): Promise<NostrEvent[]> {
  const top: NostrEvent[] = [];
  for await (const e of store.query({ ...filter, limit: n }, signal)) {
    if (top.length < n) {
      top.push(e);
      if (top.length === n) top.sort((a, b) => b.created_at - a.created_at);
      continue;
    }
    const last = top[n - 1];
    if (last && e.created_at > last.created_at) {
      top[n - 1] = e;
      top.sort((a, b) => b.created_at - a.created_at);
    }
  }
  return top.sort((a, b) => b.created_at - a.created_at);
}
