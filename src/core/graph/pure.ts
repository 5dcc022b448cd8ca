/**
 * The whole reach from plain data in one call (no relay, no worker): what the service computes, for tests,
 * the bench and tools. The service does the same steps, reading each input from the local relay.
 */
import type { Reach } from '../../shared/schemas';
import { analyze, type Analysis } from './analyze';
import { buildFollowGraph, DEFAULT_FOLLOW_LIST_CAP, localUsersFollows, type BuiltGraph } from './build';
import { reachFigures, type FigureLimits } from './figures';
import { NewestLists, type FollowListEvent } from './model';

export interface ReachData {
  members: Iterable<string>;
  /** every kind 3 held (replaced ones included: the newest per author wins) */
  followLists: Iterable<FollowListEvent>;
  localUsers?: Iterable<string>;
  amisOfAmis?: readonly string[];
  blacklist?: ReadonlySet<string>;
  /** hex → name of the keys with a kind 0 */
  profiles?: ReadonlyMap<string, string>;
  /** keys with any event (keys with a profile, a follow list or a recent event count anyway) */
  withEvent?: Iterable<string>;
  withRecentEvent?: Iterable<string>;
  followListCap?: number;
  computedAt?: number;
  limits?: Partial<FigureLimits>;
}

export interface ReachResult {
  reach: Reach;
  built: BuiltGraph;
  analysis: Analysis;
}

export function reachFromData(data: ReachData): ReachResult {
  const started = performance.now();
  const cap = data.followListCap ?? DEFAULT_FOLLOW_LIST_CAP;
  const lists = new NewestLists();
  for (const ev of data.followLists) lists.add(ev);
  const list = (a: string): FollowListEvent | undefined => lists.get(a);
  const built = buildFollowGraph({ members: data.members, blacklist: data.blacklist, list, followListCap: cap });
  const analysis = analyze(built.graph, built.members);
  const names = data.profiles ?? new Map<string, string>();
  const withRecentEvent = new Set(data.withRecentEvent ?? []);
  const withEvent = new Set([...(data.withEvent ?? []), ...names.keys(), ...withRecentEvent]);
  for (const [author] of lists.entries()) withEvent.add(author);
  const reach = reachFigures({
    built,
    analysis,
    coverage: { withProfile: new Set(names.keys()), withEvent, withRecentEvent },
    names,
    localUsersN1: localUsersFollows(data.localUsers ?? [], list),
    amisOfAmis: data.amisOfAmis ?? [],
    followListCap: cap,
    computedAt: data.computedAt ?? Date.now(),
    durationMs: Math.round(performance.now() - started),
    limits: data.limits,
  });
  return { reach, built, analysis };
}
