/**
 * The Reach figures a captain reads, assembled from the analysed graph, what the local relay holds
 * (coverage sets, names) and the station's amisOfAmis.txt. Pure.
 */
import type { Coverage, Reach } from '../../shared/schemas';
import type { Analysis } from './analyze';
import type { BuiltGraph } from './build';
import { normalizeKey, type KeyIndex } from './model';

/** Which keys the local relay holds something for. `withEvent` includes the keys of the two others. */
export interface CoverageSets {
  withProfile: ReadonlySet<string>;
  withEvent: ReadonlySet<string>;
  withRecentEvent: ReadonlySet<string>;
}

export interface FigureLimits {
  connectors: number;
  /** longest missing/extra list kept (the counts stay exact) */
  diffKeys: number;
  /** longest perMember list kept (members with a list, most N2 alone first) */
  perMember: number;
}

export const DEFAULT_LIMITS: FigureLimits = { connectors: 20, diffKeys: 500, perMember: 1_000 };

export interface FigureInput {
  built: BuiltGraph;
  analysis: Analysis;
  coverage: CoverageSets;
  /** hex → name from the newest kind 0 ('' when the profile has none) */
  names: ReadonlyMap<string, string>;
  localUsersN1: ReadonlySet<string>;
  amisOfAmis: readonly string[];
  followListCap: number;
  computedAt: number;
  durationMs: number;
  limits?: Partial<FigureLimits>;
}

/** Coverage of N1 and N2: walks the coverage sets (what the relay holds), not every node of the graph. */
function coverage(index: KeyIndex, analysis: Analysis, sets: CoverageSets): { n1: Coverage; n2: Coverage } {
  const n1: Coverage = { total: analysis.n1, withProfile: 0, withEvent: 0, withRecentEvent: 0 };
  const n2: Coverage = { total: analysis.n2, withProfile: 0, withEvent: 0, withRecentEvent: 0 };
  const tally = (set: ReadonlySet<string>, field: 'withProfile' | 'withEvent' | 'withRecentEvent'): void => {
    for (const k of set) {
      const i = index.get(k);
      const d = i === undefined ? -1 : analysis.distance[i];
      if (d === 1) n1[field]++;
      else if (d === 2) n2[field]++;
    }
  };
  tally(sets.withProfile, 'withProfile');
  tally(sets.withEvent, 'withEvent');
  tally(sets.withRecentEvent, 'withRecentEvent');
  return { n1, n2 };
}

/** Keys of `a` not in `b`, sorted, the first `max` of them, with the full count. */
function difference(a: Iterable<string>, b: ReadonlySet<string>, max: number): { keys: string[]; count: number } {
  const out: string[] = [];
  for (const k of a) if (!b.has(k)) out.push(k);
  out.sort();
  return { keys: out.slice(0, max), count: out.length };
}

/**
 * The top `max` node indexes by a score (ties: smaller key first), skipping zero scores. One pass keeping a
 * small sorted array: sorting every node (hundreds of thousands, mostly tied) would cost far more.
 */
export function topBy(score: ArrayLike<number>, keys: readonly string[], max: number, keep: (i: number) => boolean = () => true): number[] {
  const best: number[] = [];
  const before = (x: number, y: number): boolean => {
    const sx = score[x] as number;
    const sy = score[y] as number;
    return sx !== sy ? sx > sy : (keys[x] as string) < (keys[y] as string);
  };
  if (max <= 0) return best;
  for (let i = 0; i < score.length; i++) {
    if ((score[i] as number) <= 0) continue;
    if (best.length === max && !before(i, best[max - 1] as number)) continue;
    if (!keep(i)) continue;
    let at = best.length === max ? max - 1 : best.length;
    while (at > 0 && before(i, best[at - 1] as number)) {
      best[at] = best[at - 1] as number;
      at--;
    }
    best[at] = i;
  }
  return best;
}

export interface AmisOfAmisDiff {
  fileCount: number;
  n1Count: number;
  missing: string[];
  extra: string[];
  missingCount: number;
  extraCount: number;
}

/** N1 of the local users vs the keys of amisOfAmis.txt: missing (followed, not in the file) and extra. */
export function amisOfAmisDiff(localUsersN1: ReadonlySet<string>, fileKeys: readonly string[], max: number): AmisOfAmisDiff {
  const file = new Set<string>();
  for (const k of fileKeys) {
    const key = normalizeKey(k);
    if (key) file.add(key);
  }
  const missing = difference(localUsersN1, file, max);
  const extra = difference(file, localUsersN1, max);
  return {
    fileCount: file.size,
    n1Count: localUsersN1.size,
    missing: missing.keys,
    extra: extra.keys,
    missingCount: missing.count,
    extraCount: extra.count,
  };
}

export function reachFigures(input: FigureInput): Reach {
  const limits = { ...DEFAULT_LIMITS, ...(input.limits ?? {}) };
  const { graph } = input.built;
  const { keys, offsets, hasList } = graph;
  const { analysis } = input;
  const name = (i: number): string => input.names.get(keys[i] as string) ?? '';

  const perMember = [...input.built.members]
    .filter((m) => hasList[m] === 1)
    .map((m) => ({ hex: keys[m] as string, name: name(m), follows: (offsets[m + 1] as number) - (offsets[m] as number), n2Alone: analysis.n2Alone[m] as number }))
    .sort((a, b) => b.n2Alone - a.n2Alone || b.follows - a.follows || (a.hex < b.hex ? -1 : 1))
    .slice(0, limits.perMember);

  const connectors = topBy(analysis.followers, keys, limits.connectors, (i) => analysis.distance[i] !== -1).map((i) => ({
    hex: keys[i] as string,
    name: name(i),
    followers: analysis.followers[i] as number,
  }));

  const diff = amisOfAmisDiff(input.localUsersN1, input.amisOfAmis, limits.diffKeys);
  return {
    computedAt: input.computedAt,
    durationMs: input.durationMs,
    members: analysis.members,
    n1: analysis.n1,
    n2: analysis.n2,
    edges: analysis.edges,
    coverage: coverage(input.built.index, analysis, input.coverage),
    perMember,
    connectors,
    amisOfAmis: diff,
    caps: { followListCap: input.followListCap, listsOverCap: input.built.listsOverCap },
  };
}
