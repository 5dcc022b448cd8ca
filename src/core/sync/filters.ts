/**
 * The filters a run asks every peer for.
 *
 * kinds = settings.kinds (the registry's 57 by default) minus kind 4 with noDms; window = now − days (0 =
 * everything); authors = the member set in stable buckets within what the peer accepts; plus the station pass
 * (kinds 30800, 30850, 30851, no authors). Deletions (kind 5) are asked first so the sieve knows them before
 * the events they delete arrive.
 *
 * Authors go into buckets by a hash of the key, not by sorted position: adding a member then changes one
 * bucket only, so the per-peer "known to hold" sets (keyed by filter) stay valid for the others.
 */
import { createHash } from 'node:crypto';
import type { Filter } from 'nostr-tools';
import { DELETION_KIND, DM_KIND, STATION_PASS_KINDS } from '../../shared/kinds';

export interface FilterInput {
  kinds: readonly number[];
  noDms: boolean;
  days: number;
  members: readonly string[];
  nowSec: number;
  /** Elements (authors + kinds) a filter may hold on this peer. */
  maxFilterElements: number;
}

export interface PlannedFilter {
  /** 'deletions' | 'members' | 'station' */
  pass: 'deletions' | 'members' | 'station';
  filter: Filter;
}

export function windowSince(days: number, nowSec: number): number | undefined {
  return days > 0 ? nowSec - days * 86400 : undefined;
}

export function syncKinds(kinds: readonly number[], noDms: boolean): number[] {
  const set = new Set(kinds.filter((k) => !(noDms && k === DM_KIND)));
  return [...set].sort((a, b) => a - b);
}

/** A hash of the key, not its leading hex: keys that share a prefix still spread evenly. */
function bucketOf(hex: string, buckets: number): number {
  return createHash('sha256').update(hex).digest().readUInt32BE(0) % buckets;
}

/** Authors split into stable buckets of at most `max` each. */
export function authorBuckets(members: readonly string[], max: number): string[][] {
  const sorted = [...new Set(members)].sort();
  if (sorted.length === 0) return [];
  const per = Math.max(1, max);
  let buckets = 1;
  while (sorted.length / buckets > per * 0.75) buckets *= 2;
  const groups: string[][] = Array.from({ length: buckets }, () => []);
  for (const m of sorted) groups[bucketOf(m, buckets)]!.push(m);
  const out: string[][] = [];
  for (const g of groups) {
    for (let i = 0; i < g.length; i += per) out.push(g.slice(i, i + per));
  }
  return out.filter((g) => g.length > 0);
}

export function buildFilters(input: FilterInput): PlannedFilter[] {
  const kinds = syncKinds(input.kinds, input.noDms);
  const since = windowSince(input.days, input.nowSec);
  const withSince = (f: Filter): Filter => (since !== undefined ? { ...f, since } : f);
  const mainKinds = kinds.filter((k) => k !== DELETION_KIND);
  const wantDeletions = kinds.includes(DELETION_KIND);
  const out: PlannedFilter[] = [];
  // room for every kind, kind 5 included: the NIP-77 path asks deletions in the members' filter (mergeDeletions)
  const perFilter = Math.max(1, input.maxFilterElements - Math.max(1, kinds.length));
  const buckets = authorBuckets(input.members, perFilter);
  if (wantDeletions) for (const authors of buckets) out.push({ pass: 'deletions', filter: withSince({ kinds: [DELETION_KIND], authors }) });
  out.push({ pass: 'station', filter: withSince({ kinds: [...STATION_PASS_KINDS] }) });
  if (mainKinds.length > 0) for (const authors of buckets) out.push({ pass: 'members', filter: withSince({ kinds: mainKinds, authors }) });
  return out;
}

/** A stable key for a filter without its time window (the per-peer known sets are kept per key). */
export function filterKey(f: Filter): string {
  const { since: _s, until: _u, limit: _l, ...rest } = f;
  const norm = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]));
  return createHash('sha256').update(JSON.stringify(norm)).digest('hex').slice(0, 32);
}

/**
 * The plan with each deletions filter folded into the members filter of the same author bucket (kind 5 added
 * to its kinds). For the NIP-77 path: one reconciliation per bucket, the bucket's authors sent once. A
 * deletions filter without a members twin stays as it is.
 */
export function mergeDeletions(planned: readonly PlannedFilter[]): PlannedFilter[] {
  const key = (authors: readonly string[] | undefined): string => (authors ?? []).join(',');
  const withMembers = new Set(planned.filter((x) => x.pass === 'members').map((x) => key(x.filter.authors)));
  const withDeletions = new Set(planned.filter((x) => x.pass === 'deletions').map((x) => key(x.filter.authors)));
  const out: PlannedFilter[] = [];
  for (const x of planned) {
    const k = key(x.filter.authors);
    if (x.pass === 'deletions' && withMembers.has(k)) continue;
    if (x.pass === 'members' && withDeletions.has(k)) {
      const kinds = [...new Set([...(x.filter.kinds ?? []), DELETION_KIND])].sort((a, b) => a - b);
      out.push({ pass: 'members', filter: { ...x.filter, kinds } });
    } else out.push(x);
  }
  return out;
}
