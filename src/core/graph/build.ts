/**
 * From the station's members and the newest follow lists to the graph the reach is measured on:
 * members (distance 0) → their follows (N1) → the follows of N1 (N2). Pure.
 *
 * The ReachBuilder takes lists one at a time, so the service feeds it batch by batch while reading the relay:
 * the per-follow work (interning) is spread between relay answers instead of blocking the event loop at once,
 * and no event is kept after it is added.
 */
import { GraphBuilder, followsOf, normalizeKey, type FollowGraph, type FollowListEvent, type KeyIndex } from './model';

/** Follow lists longer than this are ignored (bots and "follow everyone" accounts would swamp N2). */
export const DEFAULT_FOLLOW_LIST_CAP = 5_000;

export interface BuiltGraph {
  graph: FollowGraph;
  /** key → node index */
  index: KeyIndex;
  /** node indexes of the members */
  members: Uint32Array;
  listsOverCap: number;
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

export class ReachBuilder {
  private readonly builder = new GraphBuilder();
  readonly memberIdx: Uint32Array;
  private readonly blocked = new Set<number>();
  private readonly n1 = new Set<number>();
  /** authors whose kind 3 was seen (used or over the cap): they have an event in the relay */
  readonly authors = new Set<string>();
  listsOverCap = 0;

  constructor(
    members: Iterable<string>,
    private readonly cap: number,
    blacklist?: ReadonlySet<string>,
  ) {
    const keys = memberKeys(members, blacklist);
    this.memberIdx = Uint32Array.from(keys, (k) => this.builder.addNode(k));
    for (const k of blacklist ?? []) {
      const key = normalizeKey(k);
      if (key) this.blocked.add(this.builder.addNode(key));
    }
  }

  get memberCount(): number {
    return this.memberIdx.length;
  }

  private member(i: number): boolean {
    // Members were interned first: their indexes are 0 .. memberCount-1.
    return i < this.memberIdx.length;
  }

  /** Adds the newest kind 3 of a member or an N1 key (others are not part of the reach and are skipped). */
  add(ev: FollowListEvent): void {
    const author = normalizeKey(ev.pubkey);
    if (!author) return;
    const i = this.builder.index.get(author);
    if (i === undefined || (!this.member(i) && !this.n1.has(i)) || this.blocked.has(i)) return;
    // One list per author: the caller passes the newest (NewestLists); a second one is ignored.
    if (this.authors.has(author)) return;
    this.authors.add(author);
    const row = this.builder.addFollowList(ev, this.cap, this.blocked.size > 0 ? this.blocked : undefined);
    if (!row) {
      this.listsOverCap++;
      return;
    }
    if (this.member(i)) for (const k of row) if (!this.member(k)) this.n1.add(k);
  }

  /** N1 so far: the keys the members' lists follow (complete once every member's list was added). */
  n1Keys(): string[] {
    const keys = this.builder.index.keys;
    return [...this.n1].map((i) => keys[i] as string);
  }

  finish(): BuiltGraph {
    return { graph: this.builder.build(), index: this.builder.index, members: this.memberIdx, listsOverCap: this.listsOverCap };
  }
}

export interface GraphSource {
  members: Iterable<string>;
  /** Blocked keys: never a node of the graph (the station does not sync them). */
  blacklist?: ReadonlySet<string>;
  /** The newest kind 3 of an author, if the local relay holds one. */
  list(author: string): FollowListEvent | undefined;
  followListCap: number;
}

/** The whole graph in one call from a lookup of newest lists (tests, bench, tools). */
export function buildFollowGraph(src: GraphSource): BuiltGraph {
  const b = new ReachBuilder(src.members, src.followListCap, src.blacklist);
  for (const m of memberKeys(src.members, src.blacklist)) {
    const ev = src.list(m);
    if (ev) b.add(ev);
  }
  for (const k of b.n1Keys()) {
    const ev = src.list(k);
    if (ev) b.add(ev);
  }
  return b.finish();
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
