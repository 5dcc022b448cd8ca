/**
 * The pure part of the social graph: follow lists (kind 3) → an interned graph in compressed sparse rows.
 * Takes plain data only (no relay, no Node APIs), so tests and the bench feed it directly and a worker
 * thread can run it.
 */

/** The fields of a kind 3 event the graph needs. */
export interface FollowListEvent {
  id: string;
  pubkey: string;
  created_at: number;
  tags: string[][];
}

/**
 * A key as the graph stores it (64 lower-case hex), or null when the text is not a key. A hand loop, not a
 * regular expression: it runs once per follow (millions of times) and returns the same string when it is
 * already lower-case, so no copy is made in the common case.
 */
export function normalizeKey(text: unknown): string | null {
  if (typeof text !== 'string' || text.length !== 64) return null;
  let upper = false;
  for (let i = 0; i < 64; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) continue;
    if (c >= 65 && c <= 70) upper = true;
    else return null;
  }
  return upper ? text.toLowerCase() : text;
}

/**
 * NIP-01 replaceable events: the newest created_at wins; on a tie, the lowest id. Returns true when
 * `candidate` replaces `current`.
 */
export function replaces(candidate: { id: string; created_at: number }, current: { id: string; created_at: number } | undefined): boolean {
  if (!current) return true;
  if (candidate.created_at !== current.created_at) return candidate.created_at > current.created_at;
  return candidate.id < current.id;
}

/** Keeps the newest kind 3 per author while events stream in (a relay may hold replaced ones). */
export class NewestLists {
  private readonly byAuthor = new Map<string, FollowListEvent>();

  add(ev: FollowListEvent): void {
    const author = normalizeKey(ev.pubkey);
    if (!author) return;
    if (replaces(ev, this.byAuthor.get(author))) this.byAuthor.set(author, ev);
  }

  get(author: string): FollowListEvent | undefined {
    return this.byAuthor.get(author);
  }

  get size(): number {
    return this.byAuthor.size;
  }

  entries(): IterableIterator<[string, FollowListEvent]> {
    return this.byAuthor.entries();
  }
}

/** The followed keys of a kind 3: valid `p` tags, lower-cased, without duplicates or the author itself. */
export function followsOf(ev: FollowListEvent): string[] {
  const author = normalizeKey(ev.pubkey);
  const seen = new Set<string>();
  for (const tag of ev.tags) {
    if (tag[0] !== 'p') continue;
    const key = normalizeKey(tag[1]);
    if (key && key !== author) seen.add(key);
  }
  return [...seen];
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[97 + i] = 10 + i;
  HEX_VALUE[65 + i] = 10 + i;
}

/**
 * Pubkeys interned to dense integers, so the graph lives in typed arrays instead of string maps.
 *
 * An open-addressing table over the keys' 32 bytes (8 words per key in one Uint32Array), not a Map of strings:
 * every follow of every list arrives as a fresh string from the relay's JSON, which a Map would hash and then
 * compare as strings, while here each is read once (parsed to words, which also validates it) and compared as
 * integers in contiguous memory. About 2× faster than a Map on fresh strings (measured while writing
 * bench/graph). The hash mixes all 32 bytes with a per-table seed, so keys ground to collide cannot be prepared
 * in advance.
 */
export class KeyIndex {
  readonly keys: string[] = [];
  private words = new Uint32Array(8 * 1024);
  private slots = new Int32Array(2048).fill(-1);
  private mask = 2047;
  private readonly parsed = new Uint32Array(8);
  private readonly seed = (Math.random() * 0x100000000) >>> 0;
  /** set by parse(): the text had upper-case digits */
  private upper = false;

  /** Parses 64 hex characters into `parsed`; false when the text is not a key. */
  private parse(text: string): boolean {
    if (text.length !== 64) return false;
    const w = this.parsed;
    let upper = false;
    for (let j = 0; j < 8; j++) {
      let v = 0;
      for (let k = j * 8, end = k + 8; k < end; k++) {
        const c = text.charCodeAt(k);
        const h = c < 128 ? (HEX_VALUE[c] as number) : -1;
        if (h < 0) return false;
        if (c < 97 && h >= 10) upper = true;
        v = (v << 4) | h;
      }
      w[j] = v >>> 0;
    }
    this.upper = upper;
    return true;
  }

  private hash(w: Uint32Array, at: number): number {
    let h = this.seed;
    for (let j = 0; j < 8; j++) {
      h = Math.imul(h ^ (w[at + j] as number), 0x9e3779b1);
      h ^= h >>> 15;
    }
    return h >>> 0;
  }

  /** The slot holding the parsed key, or the empty slot where it would go, as -1 - slot. */
  private find(): number {
    const w = this.parsed;
    const words = this.words;
    let i = this.hash(w, 0) & this.mask;
    for (;;) {
      const id = this.slots[i] as number;
      if (id < 0) return -1 - i;
      const b = id * 8;
      if (
        words[b] === w[0] && words[b + 1] === w[1] && words[b + 2] === w[2] && words[b + 3] === w[3] &&
        words[b + 4] === w[4] && words[b + 5] === w[5] && words[b + 6] === w[6] && words[b + 7] === w[7]
      ) {
        return i;
      }
      i = (i + 1) & this.mask;
    }
  }

  private insert(emptySlot: number, key: string): number {
    const id = this.keys.length;
    this.keys.push(key);
    if ((id + 1) * 8 > this.words.length) {
      const next = new Uint32Array(this.words.length * 2);
      next.set(this.words);
      this.words = next;
    }
    this.words.set(this.parsed, id * 8);
    this.slots[emptySlot] = id;
    // Keep the table at most half full: short probe runs.
    if (2 * this.keys.length > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (let id = 0; id < this.keys.length; id++) {
      let i = this.hash(this.words, id * 8) & this.mask;
      while ((this.slots[i] as number) >= 0) i = (i + 1) & this.mask;
      this.slots[i] = id;
    }
  }

  /** Interns a key (64 hex characters; throws otherwise: callers pass checked keys). */
  intern(key: string): number {
    const i = this.internText(key);
    if (i < 0) throw new Error(`not a 64-character hex key: ${key.slice(0, 80)}`);
    return i;
  }

  /** Interns a key as found in a tag, any case; -1 when the text is not a key. */
  internText(text: string): number {
    if (!this.parse(text)) return -1;
    const at = this.find();
    if (at >= 0) return this.slots[at] as number;
    return this.insert(-1 - at, this.upper ? text.toLowerCase() : text);
  }

  get(key: string): number | undefined {
    if (!this.parse(key)) return undefined;
    const at = this.find();
    return at >= 0 ? (this.slots[at] as number) : undefined;
  }

  get size(): number {
    return this.keys.length;
  }
}

/**
 * A directed follow graph in CSR form: the follows of node i are targets[offsets[i] .. offsets[i+1]).
 * Nodes without a loaded list have an empty row; `hasList` tells them apart from an empty list.
 */
export interface FollowGraph {
  /** node index → hex key */
  keys: string[];
  offsets: Uint32Array;
  targets: Uint32Array;
  /** 1 when the node's follow list was loaded and used (under the cap) */
  hasList: Uint8Array;
}

/** Collects lists (author → follows), then packs them into a FollowGraph. */
export class GraphBuilder {
  readonly index = new KeyIndex();
  /**
   * Every row's follows, one after the other in one growing array (rows are [start, length) slices): a typed
   * array per list would mean tens of thousands of small buffers, which weigh on the garbage collector.
   */
  private pool = new Uint32Array(1 << 16);
  private poolLength = 0;
  private readonly rowFrom: number[] = [];
  private readonly rowStart: number[] = [];
  private readonly withList = new Set<number>();
  private seen = new Int32Array(1024).fill(-1);
  private listNo = 0;

  private reserve(n: number): void {
    if (this.poolLength + n > this.pool.length) this.pool = grow(this.pool, this.poolLength + n, 0);
  }

  private endRow(from: number, start: number): Uint32Array {
    this.withList.add(from);
    this.rowFrom.push(from);
    this.rowStart.push(start);
    return this.pool.subarray(start, this.poolLength);
  }

  /** Adds one author's list of checked keys; a second list for the same author is ignored. */
  addList(author: string, follows: readonly string[]): void {
    const from = this.index.intern(author);
    if (this.withList.has(from)) return;
    this.reserve(follows.length);
    const start = this.poolLength;
    for (const key of follows) this.pool[this.poolLength++] = this.index.intern(key);
    this.endRow(from, start);
  }

  /**
   * Adds an author's kind 3: valid `p` tags, without duplicates, the author itself or `blocked` nodes.
   * Returns the follows as node indexes (a view valid until the next add), or null (nothing added) when the
   * list is longer than `cap`. Works on node indexes, not strings: it runs once per follow of every list.
   */
  addFollowList(ev: FollowListEvent, cap: number, blocked?: ReadonlySet<number>): Uint32Array | null {
    const author = normalizeKey(ev.pubkey);
    if (author === null) return null;
    // A list with more p tags than the cap is checked exactly first, so a huge list adds no nodes.
    if (ev.tags.length > cap && followsOf(ev).length > cap) return null;
    const from = this.index.intern(author);
    if (this.withList.has(from)) return null;
    const list = this.listNo++;
    this.reserve(ev.tags.length);
    const start = this.poolLength;
    const pool = this.pool;
    let n = start;
    for (const tag of ev.tags) {
      if (tag[0] !== 'p' || typeof tag[1] !== 'string') continue;
      const to = this.index.internText(tag[1]);
      if (to < 0 || to === from || blocked?.has(to)) continue;
      if (to >= this.seen.length) this.seen = grow(this.seen, to, -1);
      if (this.seen[to] === list) continue;
      this.seen[to] = list;
      pool[n++] = to;
    }
    if (n - start > cap) return null;
    this.poolLength = n;
    return this.endRow(from, start);
  }

  /** Makes sure a key has a node (members without a list still count at distance 0). */
  addNode(key: string): number {
    return this.index.intern(key);
  }

  build(): FollowGraph {
    const n = this.index.size;
    const rows = this.rowFrom.length;
    const rowEnd = (r: number): number => (r + 1 < rows ? (this.rowStart[r + 1] as number) : this.poolLength);
    const degree = new Uint32Array(n + 1);
    for (let r = 0; r < rows; r++) degree[this.rowFrom[r] as number] = rowEnd(r) - (this.rowStart[r] as number);
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = (offsets[i] as number) + (degree[i] as number);
    const targets = new Uint32Array(this.poolLength);
    for (let r = 0; r < rows; r++) {
      targets.set(this.pool.subarray(this.rowStart[r] as number, rowEnd(r)), offsets[this.rowFrom[r] as number] as number);
    }
    const hasList = new Uint8Array(n);
    for (const i of this.withList) hasList[i] = 1;
    return { keys: this.index.keys, offsets, targets, hasList };
  }
}

function grow<T extends Int32Array | Uint32Array>(arr: T, needed: number, fill: number): T {
  let size = arr.length * 2;
  while (size <= needed) size *= 2;
  const next = new (arr.constructor as new (n: number) => T)(size);
  next.fill(fill);
  next.set(arr);
  return next;
}

/** The reverse graph (followers), same CSR shape: followers of j are sources[rOffsets[j] .. rOffsets[j+1]). */
export function reverse(graph: FollowGraph): { offsets: Uint32Array; sources: Uint32Array } {
  const n = graph.keys.length;
  const { offsets, targets } = graph;
  const count = new Uint32Array(n + 1);
  for (let e = 0; e < targets.length; e++) count[(targets[e] as number) + 1]!++;
  for (let i = 0; i < n; i++) count[i + 1]! += count[i] as number;
  const rOffsets = count.slice();
  const fill = count.slice(0, n);
  const sources = new Uint32Array(targets.length);
  for (let i = 0; i < n; i++) {
    for (let e = offsets[i] as number, end = offsets[i + 1] as number; e < end; e++) {
      const j = targets[e] as number;
      sources[fill[j]!++] = i;
    }
  }
  return { offsets: rOffsets, sources };
}
