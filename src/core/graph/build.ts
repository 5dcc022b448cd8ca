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

/**
 * The usable follows of a list: null when the list is longer than the cap (its distinct valid keys, blocked ones
 * included: the cap is about what kind of list it is), else its keys without the blocked ones.
 */
export function usableFollows(ev: FollowListEvent, cap: number, blacklist?: ReadonlySet<string>): string[] | null {
  const follows = followsOf(ev);
  if (follows.length > cap) return null;
  return blacklist && blacklist.size > 0 ? follows.filter((k) => !blacklist.has(k)) : follows;
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
  const blocked = new Set<number>();
  for (const k of src.blacklist ?? []) {
    const key = normalizeKey(k);
    if (key) blocked.add(builder.addNode(key));
  }
  let listsOverCap = 0;
  const addListOf = (author: string): Uint32Array | null => {
    const ev = src.list(author);
    if (!ev) return null;
    const row = builder.addFollowList(ev, src.followListCap, blocked.size > 0 ? blocked : undefined);
    if (!row) listsOverCap++;
    return row;
  };
  const isMember = new Set<number>(memberIdx);
  const n1: number[] = [];
  const inN1 = new Set<number>();
  for (const m of members) {
    for (const k of addListOf(m) ?? []) {
      if (!isMember.has(k) && !inN1.has(k)) {
        inN1.add(k);
        n1.push(k);
      }
    }
  }
  const keys = builder.index.keys;
  for (const k of n1) addListOf(keys[k] as string);
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
