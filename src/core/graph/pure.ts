/**
 * The whole reach from plain data in one call (no relay, no worker): what the service computes, for tests,
 * the bench and tools. The service does the same steps, reading each input from the local relay.
 */
import type { Reach } from '../../shared/schemas';
import { analyze, type Analysis } from './analyze';
import { DEFAULT_FOLLOW_LIST_CAP, localUsersFollows, memberKeys, ReachBuilder, type BuiltGraph } from './build';
import { reachFigures, type FigureLimits } from './figures';
import { NewestLists, type FollowListEvent } from './model';

/** Everything but the follow lists themselves. */
interface ReachExtras {
  members: Iterable<string>;
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

export interface ReachData extends ReachExtras {
  /** every kind 3 held (replaced ones included: the newest per author wins) */
  followLists: Iterable<FollowListEvent>;
}

export interface ReachLookup extends ReachExtras {
  /**
   * The newest kind 3 of an author, asked once per member and per N1 key, members first (as the service reads
   * the relay): the list can be made on demand and dropped once added.
   */
  list(author: string): FollowListEvent | undefined;
}

export interface ReachResult {
  reach: Reach;
  built: BuiltGraph;
  analysis: Analysis;
}

export function reachFromLookup(data: ReachLookup): ReachResult {
  const started = performance.now();
  const cap = data.followListCap ?? DEFAULT_FOLLOW_LIST_CAP;
  const members = memberKeys(data.members, data.blacklist);
  const builder = new ReachBuilder(members, cap, data.blacklist);
  const localUsers = memberKeys(data.localUsers ?? []);
  const isLocalUser = new Set(localUsers);
  const localLists = new Map<string, FollowListEvent>();
  const feed = (author: string): void => {
    const ev = data.list(author);
    if (!ev) return;
    builder.add(ev);
    if (isLocalUser.has(author)) localLists.set(author, ev);
  };
  for (const m of members) feed(m);
  for (const k of builder.n1Keys()) feed(k);
  for (const u of localUsers) if (!localLists.has(u)) feed(u);
  const built = builder.finish();
  const analysis = analyze(built.graph, built.members);
  const names = data.profiles ?? new Map<string, string>();
  const withRecentEvent = new Set(data.withRecentEvent ?? []);
  const withEvent = new Set([...(data.withEvent ?? []), ...names.keys(), ...withRecentEvent, ...builder.authors]);
  const reach = reachFigures({
    built,
    analysis,
    coverage: { withProfile: new Set(names.keys()), withEvent, withRecentEvent },
    names,
    localUsersN1: localUsersFollows(localUsers, (a) => localLists.get(a)),
    amisOfAmis: data.amisOfAmis ?? [],
    followListCap: cap,
    computedAt: data.computedAt ?? Date.now(),
    durationMs: Math.round(performance.now() - started),
    limits: data.limits,
  });
  return { reach, built, analysis };
}

export function reachFromData(data: ReachData): ReachResult {
  const lists = new NewestLists();
  for (const ev of data.followLists) lists.add(ev);
  const authors = [...lists.entries()].map(([a]) => a);
  return reachFromLookup({ ...data, withEvent: [...(data.withEvent ?? []), ...authors], list: (a) => lists.get(a) });
}
