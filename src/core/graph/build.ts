/**
 * From the station's members and the newest follow lists to the graph the reach is measured on:
 * members (distance 0) → their follows (N1) → the follows of N1 (N2). Pure: takes a lookup of lists.
 */
import { GraphBuilder, followsOf, normalizeKey, type FollowGraph, type FollowListEvent, type KeyIndex } from './model';

/** Follow lists longer than this are ignored (bots and "follow everyone" accounts would swamp N2). */
export const DEFAULT_FOLLOW_LIST_CAP = 5_000;

export interface GraphSource {
  members: Iterable<string>;
  /** Blocked keys: never a node of the graph (the station does not sync them). */
  blacklist?: ReadonlySet<string>;
  /** The newest kind 3 of an author, if the local relay holds one. */
  list(author: string): FollowListEvent | undefined;
  followListCap: number;
}

export interface BuiltGraph {
  graph: FollowGraph;
  /** key → node index */
  index: KeyIndex;
  /** node indexes of the members */
  members: Uint32Array;
  listsOverCap: number;
}

/** The usable follows of a list: blocked keys left out; null when the list is longer than the cap. */
export function usableFollows(ev: FollowListEvent, cap: number, blacklist?: ReadonlySet<string>): string[] | null {
  let follows = followsOf(ev);
  if (blacklist && blacklist.size > 0) follows = follows.filter((k) => !blacklist.has(k));
  return follows.length > cap ? null : follows;
}

/** Members as graph keys: valid, lower-case, not blocked, without duplicates. */
export function memberKeys(members: Iterable<string>, blacklist?: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const m of members) {
    const key = normalizeKey(m);
    if (key && !blacklist?.has(key)) out.add(key);
  }
  return [...out];
}

/** N1: the keys the members follow that are not members themselves (whose lists must be read next). */
export function firstHop(src: GraphSource): string[] {
  const members = new Set(memberKeys(src.members, src.blacklist));
  const n1 = new Set<string>();
  for (const m of members) {
    const ev = src.list(m);
    const follows = ev ? usableFollows(ev, src.followListCap, src.blacklist) : null;
    for (const k of follows ?? []) if (!members.has(k)) n1.add(k);
  }
  return [...n1];
}

/** Builds the graph of the members' and N1's lists; lists of anyone else are not part of the reach. */
export function buildFollowGraph(src: GraphSource): BuiltGraph {
  const members = memberKeys(src.members, src.blacklist);
  const builder = new GraphBuilder();
  const memberIdx = new Uint32Array(members.length);
  members.forEach((m, i) => (memberIdx[i] = builder.addNode(m)));
  let listsOverCap = 0;
  const addListOf = (author: string): string[] => {
    const ev = src.list(author);
    if (!ev) return [];
    const follows = usableFollows(ev, src.followListCap, src.blacklist);
    if (!follows) {
      listsOverCap++;
      return [];
    }
    builder.addList(author, follows);
    return follows;
  };
  const memberSet = new Set(members);
  const n1 = new Set<string>();
  for (const m of members) for (const k of addListOf(m)) if (!memberSet.has(k)) n1.add(k);
  for (const k of n1) addListOf(k);
  return { graph: builder.build(), index: builder.index, members: memberIdx, listsOverCap };
}

/**
 * The N1 of the local users, as `strfry/amisOfAmis.txt` should list it: every key their newest lists follow,
 * uncapped (the file is compared as the station writes it).
 */
export function localUsersFollows(localUsers: Iterable<string>, list: (author: string) => FollowListEvent | undefined): Set<string> {
  const out = new Set<string>();
  for (const u of localUsers) {
    const key = normalizeKey(u);
    const ev = key ? list(key) : undefined;
    if (ev) for (const k of followsOf(ev)) out.add(k);
  }
  return out;
}
