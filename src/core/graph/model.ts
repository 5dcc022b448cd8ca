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

/**
 * Pubkeys interned to dense integers, so the graph lives in typed arrays instead of string maps.
 *
 * An open-addressing table over the keys' 32 bytes (8 words per key in one Uint32Array), not a Map of strings:
 * every follow of every list arrives as a fresh string from the relay's JSON, which a Map would hash and then
 * compare as strings, while here each is decoded once and compared as integers in contiguous memory.
 *
 * The hex is decoded by Node's own decoder (Buffer `write(…, 'hex')`, native code), a whole follow list at
 * once: the list's keys are joined into one string and decoded in one call, which costs a fraction of decoding
 * 64 characters per key in JavaScript (the top cost of the reach in the profile: ~1 µs per follow). The decoder
 * stops at the first character that is not hex, so the byte count it returns validates every key of the list
 * at once; a list with a bad key is decoded key by key.
 *
 * The hash mixes all 32 bytes with a per-table seed, so keys ground to collide cannot be prepared in advance;
 * each slot keeps the key's hash next to its id, so a probe that does not match reads no key bytes.
 */
export class KeyIndex {
  readonly keys: string[] = [];
  /** key id → its 32 bytes as 8 words (in the decoder's byte order: only equality matters) */
  private words = new Uint32Array(8 * 1024);
  /** key id → its hash (rehashing reads no key bytes) */
  private hashes = new Int32Array(1024);
  /** [hash, id] pairs; id -1: empty */
  private slots = new Int32Array(2 * 2048).fill(-1);
  private mask = 2047;
  private readonly seed = (Math.random() * 0x100000000) | 0;
  /** decoding area: keys as bytes, read as words */
  private scratch = new ArrayBuffer(32 * 256);
  private scratchWords = new Uint32Array(this.scratch);
  private scratchBytes = Buffer.from(this.scratch);
  /** the hashes of the list being interned */
  private listHashes = new Int32Array(256);
  /** the reads made only to bring memory into the cache go here, so they are not optimised away */
  touched = 0;

  private room(keys: number): void {
    if (keys * 32 <= this.scratch.byteLength) return;
    let size = this.scratch.byteLength;
    while (size < keys * 32) size *= 2;
    this.scratch = new ArrayBuffer(size);
    this.scratchWords = new Uint32Array(this.scratch);
    this.scratchBytes = Buffer.from(this.scratch);
  }

  /** Decodes one text into scratch key slot `at`; false when it is not 64 hex characters. */
  private decode(text: string, at: number): boolean {
    return text.length === 64 && this.scratchBytes.write(text, at * 32, 32, 'hex') === 32;
  }

  /**
   * MurmurHash3 (x86, 32-bit) over the 8 words, seeded. A full mix matters: keys that differ in a few bytes
   * only (sequential test keys, or keys made to look alike) must still spread over the whole table, or linear
   * probing turns quadratic (a weaker mix made 4M follows 10× slower than 1M).
   */
  private hash(w: Uint32Array, at: number): number {
    let h = this.seed;
    for (let j = at, end = at + 8; j < end; j++) {
      let k = Math.imul(w[j] as number, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      h ^= Math.imul(k, 0x1b873593);
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    h ^= 32;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  /** The id of the key decoded at scratch slot `at`, or -1 - slot of the empty slot where it would go. */
  private find(at: number, h: number): number {
    const w = this.scratchWords;
    const a = at * 8;
    const words = this.words;
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const id = slots[2 * i + 1] as number;
      if (id < 0) return -1 - i;
      if (slots[2 * i] === h) {
        const b = id * 8;
        if (
          words[b] === w[a] && words[b + 1] === w[a + 1] && words[b + 2] === w[a + 2] && words[b + 3] === w[a + 3] &&
          words[b + 4] === w[a + 4] && words[b + 5] === w[a + 5] && words[b + 6] === w[a + 6] && words[b + 7] === w[a + 7]
        ) {
          return id;
        }
      }
      i = (i + 1) & mask;
    }
  }

  private insert(slot: number, h: number, at: number, text: string): number {
    const id = this.keys.length;
    // toLowerCase returns the same string when it already is lower-case (the common case): no copy.
    this.keys.push(text.toLowerCase());
    if ((id + 1) * 8 > this.words.length) {
      this.words = growTo(this.words, (id + 1) * 8, 0);
      this.hashes = growTo(this.hashes, id + 1, 0);
    }
    this.words.set(this.scratchWords.subarray(at * 8, at * 8 + 8), id * 8);
    this.hashes[id] = h;
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = id;
    // Keep the table at most half full: short probe runs.
    if (2 * this.keys.length > this.mask + 1) this.rehash();
    return id;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const slots = new Int32Array(2 * size).fill(-1);
    const mask = size - 1;
    const hashes = this.hashes;
    for (let id = 0; id < this.keys.length; id++) {
      const h = hashes[id] as number;
      let i = h & mask;
      while ((slots[2 * i + 1] as number) >= 0) i = (i + 1) & mask;
      slots[2 * i] = h;
      slots[2 * i + 1] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** Interns the key decoded at scratch slot `at` (its text kept for the key list when new). */
  private internAt(at: number, text: string): number {
    const h = this.hash(this.scratchWords, at * 8);
    return this.internHashed(at, h, text);
  }

  private internHashed(at: number, h: number, text: string): number {
    const found = this.find(at, h);
    return found >= 0 ? found : this.insert(-1 - found, h, at, text);
  }

  /** Interns a key (64 hex characters; throws otherwise: callers pass checked keys). */
  intern(key: string): number {
    const i = this.internText(key);
    if (i < 0) throw new Error(`not a 64-character hex key: ${key.slice(0, 80)}`);
    return i;
  }

  /** Interns a key as found in a tag, any case; -1 when the text is not a key. */
  internText(text: string): number {
    return this.decode(text, 0) ? this.internAt(0, text) : -1;
  }

  /**
   * Interns `count` texts of 64 characters each (checked by the caller) into `out`: node ids, -1 for a text
   * that is not hex. One native decode for the whole list when every key is valid.
   */
  internAll(texts: readonly string[], count: number, out: Int32Array): void {
    this.room(count);
    const joined = texts.length === count ? texts.join('') : texts.slice(0, count).join('');
    if (this.scratchBytes.write(joined, 0, count * 32, 'hex') !== count * 32) {
      for (let k = 0; k < count; k++) out[k] = this.decode(texts[k] as string, k) ? this.internAt(k, texts[k] as string) : -1;
      return;
    }
    // The table and the key bytes are far larger than the CPU caches, so each lookup waits on memory, twice
    // (slot, then key bytes). Touching every key's first slot, then its candidate's bytes, in loops of
    // independent reads lets the CPU wait for many of them at once; the probes then find them in cache.
    // (Measured: ~3× faster lookups on 200k keys.)
    if (this.listHashes.length < count) this.listHashes = new Int32Array(Math.max(count, 2 * this.listHashes.length));
    const hashes = this.listHashes;
    const slots = this.slots;
    const mask = this.mask;
    const words = this.words;
    const w = this.scratchWords;
    let touched = 0;
    for (let k = 0; k < count; k++) {
      const h = this.hash(w, k * 8);
      hashes[k] = h;
      touched ^= slots[2 * (h & mask) + 1] as number;
    }
    for (let k = 0; k < count; k++) {
      const i = (hashes[k] as number) & mask;
      const id = slots[2 * i + 1] as number;
      if (id >= 0 && slots[2 * i] === hashes[k]) touched ^= words[id * 8] as number;
    }
    this.touched = touched;
    for (let k = 0; k < count; k++) out[k] = this.internHashed(k, hashes[k] as number, texts[k] as string);
  }

  get(key: string): number | undefined {
    if (!this.decode(key, 0)) return undefined;
    const found = this.find(0, this.hash(this.scratchWords, 0));
    return found >= 0 ? found : undefined;
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
  /** reused between lists: the tag texts of one list and their node ids */
  private readonly texts: string[] = [];
  private ids = new Int32Array(256);

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
    // The texts that may be keys, then all of them interned in one go.
    const texts = this.texts;
    let count = 0;
    for (const tag of ev.tags) {
      const text = tag[0] === 'p' ? tag[1] : undefined;
      if (typeof text === 'string' && text.length === 64) texts[count++] = text;
    }
    if (this.ids.length < count) this.ids = new Int32Array(Math.max(count, 2 * this.ids.length));
    const ids = this.ids;
    this.index.internAll(texts, count, ids);
    texts.length = 0;
    // Duplicates dropped by sorting the list's ids (a small array in cache), not by marking every node in a
    // graph-sized array: one random memory access less per follow, which shows at 10M follows.
    const sorted = ids.subarray(0, count).sort();
    this.reserve(count);
    const start = this.poolLength;
    const pool = this.pool;
    let n = start;
    let last = -1;
    for (let k = 0; k < count; k++) {
      const to = sorted[k] as number;
      if (to === last) continue;
      last = to;
      if (to < 0 || to === from || blocked?.has(to)) continue;
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

/** A copy of `arr` at least `needed` long (doubling), new room filled with `fill`. */
function growTo<T extends Int32Array | Uint32Array>(arr: T, needed: number, fill: number): T {
  return grow(arr, needed - 1, fill);
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
