/**
 * REQ paging: every event of a filter, past any `limit` the relay applies.
 *
 * Public API:
 *   pageEvents(conn, filter, { pageSize, idleMs, signal, onPage }) → AsyncGenerator<NostrEvent>
 *   batchAuthors(authors, perFilter) → string[][]
 *   authorsPerFilter(limits, kindsCount) → number
 *
 * Relays answer newest first and cut at their max_limit. We page backwards: the next `until` is the oldest
 * `created_at` of the page (inclusive), ids already seen at that boundary are dropped, and a page that brings
 * nothing new ends the window. A short page does NOT end it (a relay may cut below the page size we asked).
 *
 * What a peer can make paging cost is bounded: a page that brings nothing OLDER than its `until` ends the window
 * too (a relay answering every page with new events of the same created_at would otherwise be paged forever:
 * an honest relay cannot get past such a second by REQ anyway, it sends the same page again); a page is at most
 * MAX_PAGE events whatever max_limit the relay claims, and a relay sending more than asked is not read further.
 */
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import type { RelayConnection, WaitOptions } from './relay';
import type { Limits } from './nip11';

export interface PageOptions extends WaitOptions {
  /** limit asked per page: the peer's max_limit. */
  pageSize: number;
  /** Called after each page with the count of events it brought and the boundary reached. */
  onPage?: (p: { events: number; fresh: number; until: number | undefined }) => void;
  /** Called when paging stops because a page brought new events but nothing older (see the header). */
  onFlood?: (p: { at: number; events: number }) => void;
}

/** Events asked per page at most, whatever max_limit a relay claims (strfry stations use 500 to 2000). */
export const MAX_PAGE = 5000;

export async function* pageEvents(conn: RelayConnection, filter: Filter, opts: PageOptions): AsyncGenerator<NostrEvent> {
  const since = filter.since;
  let until = filter.until;
  // ids already yielded whose created_at equals the current boundary (only they can come back)
  let boundary = new Set<string>();
  let boundaryAt: number | undefined;
  const pageSize = Math.max(1, Math.min(opts.pageSize, MAX_PAGE));
  for (;;) {
    if (since !== undefined && until !== undefined && until < since) return;
    const page: Filter = { ...filter, limit: pageSize };
    if (until !== undefined) page.until = until;
    let received = 0;
    let fresh = 0;
    let oldest: number | undefined;
    const nextBoundary = new Set<string>();
    for await (const ev of conn.req([page], opts)) {
      // more than asked: not an honest answer; what came is taken, the rest of this page is not read
      if (received >= pageSize) break;
      received++;
      const at = typeof ev.created_at === 'number' ? ev.created_at : 0;
      if (oldest === undefined || at < oldest) {
        oldest = at;
        nextBoundary.clear();
      }
      if (at === oldest) nextBoundary.add(ev.id);
      if (at === boundaryAt && boundary.has(ev.id)) continue;
      fresh++;
      yield ev;
    }
    opts.onPage?.({ events: received, fresh, until: oldest });
    if (fresh === 0 || oldest === undefined) return;
    if (until !== undefined && oldest >= until) {
      opts.onFlood?.({ at: until, events: fresh });
      return;
    }
    // (the page reached an older second: only ids at that second can come back in the next page)
    boundary = nextBoundary;
    boundaryAt = oldest;
    until = oldest;
  }
}

export function batchAuthors(authors: readonly string[], perFilter: number): string[][] {
  const size = Math.max(1, Math.floor(perFilter));
  const out: string[][] = [];
  for (let i = 0; i < authors.length; i += size) out.push(authors.slice(i, i + size));
  return out;
}

/** Authors one filter may carry so that authors + kinds stay within the peer's filter elements. */
export function authorsPerFilter(limits: Limits, kindsCount: number): number {
  return Math.max(1, limits.maxFilterElements - kindsCount);
}
