/**
 * What live sync asks for, as pure functions: the members' filters (the backfill's author buckets, kind 5
 * folded in) and the station pass, packed into as few REQs as the peer's message size allows, and keyed so a
 * changed member set re-subscribes only the REQs whose buckets changed.
 */
import { createHash } from 'node:crypto';
import type { Filter } from 'nostr-tools';
import { buildFilters, filterKey, mergeDeletions } from '../sync/filters';

export interface PlanInput {
  members: readonly string[];
  kinds: readonly number[];
  noDms: boolean;
  /** Elements (authors + kinds) a filter may hold (strfry: 200). */
  maxFilterElements: number;
}

export interface LivePlan {
  /** Down: the members' buckets and the station pass. No time window: each use adds its own. */
  down: Filter[];
  /** Up: the members' buckets only (this station shares its members' events, not every station-pass event). */
  up: Filter[];
  members: number;
}

export function livePlan(input: PlanInput): LivePlan {
  const planned = mergeDeletions(
    buildFilters({ kinds: input.kinds, noDms: input.noDms, days: 0, members: input.members, nowSec: 0, maxFilterElements: input.maxFilterElements }),
  );
  return {
    down: planned.map((p) => p.filter),
    up: planned.filter((p) => p.pass !== 'station').map((p) => p.filter),
    members: new Set(input.members).size,
  };
}

export interface FilterGroup {
  /** Stable for the same filters (their keys, in order). */
  key: string;
  filters: Filter[];
}

/** The 32-bit hash the backfill's author buckets use (filters.ts): every author of a bucket has the same value
 * modulo its bucket count (a power of two), hence modulo any smaller power of two. */
const authorHash = (hex: string): number => createHash('sha256').update(hex).digest().readUInt32BE(0);

/**
 * Filters packed into REQs: each REQ within `budgetBytes` once serialised (strfry's max_message_length is
 * 131072 by default) and at most `maxFilters` filters. A filter's REQ follows from its authors' bucket hash
 * modulo a power of two (the number of REQs, from the total size with room to spare), not from its position:
 * a member added or removed changes its bucket's filter, which stays in the same REQ — only that REQ is sent
 * again.
 */
export function groupFilters(filters: readonly Filter[], budgetBytes: number, maxFilters = 50): FilterGroup[] {
  const keyed = filters.map((f) => ({ f, k: filterKey(f), size: Buffer.byteLength(JSON.stringify(f)) + 1 })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const total = keyed.reduce((a, x) => a + x.size, 0);
  const needed = Math.max(1, Math.ceil(total / (budgetBytes * 0.6)), Math.ceil(keyed.length / (maxFilters * 0.6)));
  let count = 1;
  while (count < needed) count *= 2;
  const slots: Array<typeof keyed> = Array.from({ length: count }, () => []);
  for (const x of keyed) {
    const author = x.f.authors?.[0];
    slots[author ? authorHash(author) % count : 0]!.push(x);
  }
  const groups: FilterGroup[] = [];
  for (const slot of slots) {
    // an unlucky slot over the budget is split in order (rare: the slots have 40 % to spare on average)
    let cur: typeof keyed = [];
    let size = 0;
    const close = (): void => {
      if (cur.length === 0) return;
      const key = createHash('sha256').update(cur.map((x) => x.k).join(',')).digest('hex').slice(0, 24);
      groups.push({ key, filters: cur.map((x) => x.f) });
      cur = [];
      size = 0;
    };
    for (const x of slot) {
      if (cur.length > 0 && (size + x.size > budgetBytes || cur.length >= maxFilters)) close();
      cur.push(x);
      size += x.size;
    }
    close();
  }
  return groups;
}

/** The message budget of one REQ: the peer's max_message_length less room for the frame around the filters. */
export function reqBudget(maxMessageLength: number): number {
  return Math.max(4096, Math.floor(maxMessageLength * 0.9) - 200);
}

/** A digest of what a plan asks, to notice a change cheaply. */
export function planDigest(p: LivePlan): string {
  return createHash('sha256').update(p.down.map((f) => filterKey(f)).sort().join(',')).digest('hex');
}
