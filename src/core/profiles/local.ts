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
 * One query over every event of `kinds` (no authors) instead of author batches, when there are many authors and
 * the relay's COUNT says that query reads at most ONE_PASS_EVENTS_PER_AUTHOR events per author asked: each batch
 * is a round trip (or a `strfry scan` process), which costs more than reading a few events.
 */
export const ONE_PASS_ABOVE = 4_000;
export const ONE_PASS_EVENTS_PER_AUTHOR = 10;
export const ONE_PASS_MAX_EVENTS = 300_000;

export interface Newest<T> {
  created_at: number;
  id: string;
  value: T;
}

/** Every stored event of `kinds` by `authors`: one pass or author batches, whichever is cheaper (see above). */
async function* eventsOfAuthors(store: LocalStore, kinds: readonly number[], authors: readonly string[], signal?: AbortSignal): AsyncIterable<NostrEvent> {
  const wanted = new Set(authors);
  // A relay can send anything: only the kinds and authors asked count.
  const asked = (e: NostrEvent): boolean => kinds.includes(e.kind) && wanted.has(e.pubkey);
  if (authors.length > ONE_PASS_ABOVE) {
    const total = await store.count({ kinds: [...kinds] }).catch(() => null);
    if (total !== null && total <= ONE_PASS_MAX_EVENTS && total <= authors.length * ONE_PASS_EVENTS_PER_AUTHOR) {
      for await (const e of store.query({ kinds: [...kinds] }, signal)) if (asked(e)) yield e;
      return;
    }
  }
  for (const batch of batches(authors, AUTHOR_BATCH)) {
    signal?.throwIfAborted();
    const filter: Filter = { kinds: [...kinds], authors: batch };
    for await (const e of store.query(filter, signal)) if (asked(e)) yield e;
  }
}

/**
 * Streams the events of `kinds` by `authors` and keeps, per kind and author, what `keep` makes of the newest
 * event (so a caller can keep a parsed form instead of the whole event). Several kinds share each query.
 */
export async function newestPerAuthorOfKinds<T>(
  store: LocalStore,
  kinds: readonly number[],
  authors: readonly string[],
  keep: (e: NostrEvent) => T,
  signal?: AbortSignal,
): Promise<Map<number, Map<string, Newest<T>>>> {
  const best = new Map<number, Map<string, Newest<T>>>(kinds.map((k) => [k, new Map()]));
  for await (const e of eventsOfAuthors(store, kinds, authors, signal)) {
    const ofKind = best.get(e.kind) as Map<string, Newest<T>>;
    const cur = ofKind.get(e.pubkey);
    if (cur && !isNewer(e, cur)) continue;
    ofKind.set(e.pubkey, { created_at: e.created_at, id: e.id, value: keep(e) });
  }
  return best;
}

/** newestPerAuthorOfKinds for one kind. */
export async function newestPerAuthor<T>(
  store: LocalStore,
  kind: number,
  authors: readonly string[],
  keep: (e: NostrEvent) => T,
  signal?: AbortSignal,
): Promise<Map<string, Newest<T>>> {
  return (await newestPerAuthorOfKinds(store, [kind], authors, keep, signal)).get(kind) as Map<string, Newest<T>>;
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
