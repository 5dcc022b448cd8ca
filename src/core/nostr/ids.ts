/**
 * Compact containers for Nostr ids (32 bytes each), off the JavaScript heap: a sync of 100,000 events holds
 * several sets of ids at once (what the peer holds, what was asked, what the local store confirmed), and
 * as hex strings each id costs about 80 bytes of heap plus its slot in a Set or Map, and every one of them
 * survives the young generation's collections. Here an id is 32 bytes in one big buffer.
 *
 * Memory is given back as it is replaced, not when the garbage collector gets to it: a container grows by
 * moving its ArrayBuffer (ArrayBuffer.prototype.transfer: the old one is detached and its memory freed at
 * once), and `release()` frees a container that is done with (it is empty and usable again afterwards).
 *
 * Public API:
 *   new IdList(withTimes?)    // packed ids (+ optional created_at), insertion order; iterable as hex
 *     .push(bytes, offset, time?) / .pushHex(hex, time?) / .append(list) / .hex(i) / .time(i) / .length
 *   IdList.unique(withTimes?) // the same, each id once, with .indexOfAt(bytes, offset) (entry number or -1)
 *   new IdMap()               // id → number (created_at), insertion order kept
 *     .set(id, value) / .get(id) / .has(id) / .delete(id) / .size / .forEach((hex, value) => …)
 *   new IdSet()               // the same without values: .add(id) / .has(id) / .delete(id)
 *
 * Set algebra, each a new container (the operands are left as they are):
 *   list.notIn(setOrList)      // the list's ids the other does not hold (times kept)
 *   list.between(from, to)     // ids whose time is within [from, to]
 *   map.pick(list)             // the list's ids the map holds, with the map's values as times
 *   map.toList(minValue?)      // the map's entries (value ≥ minValue) as a list with times
 * and in place: set.addAll(list), map.setAll(listWithTimes), map.merge(otherMap), table.deleteAll(list).
 * `list.hexChunks(n)` hands the ids out as hex arrays of n (one REQ's `ids` each).
 *
 * Hex keys must be 64 lower-case hex digits; anything else is never found (and not stored: set/add return
 * false). The `…At(bytes, offset)` forms take an id already in a buffer. A view handed out (`bytes`,
 * `bytesAt`) is valid until the container next grows or is released.
 */
import { randomBytes } from 'node:crypto';

export const ID_SIZE = 32;

const HEX64 = /^[0-9a-f]{64}$/;

/** One id parsed from hex, reused (no allocation per lookup). */
const scratch = Buffer.alloc(ID_SIZE);

/** Parses a 64-digit lower-case hex id (as Nostr writes them) into `target` at `offset`; false when it is not one. */
export function writeHexId(hex: string, target: Buffer, offset: number): boolean {
  return HEX64.test(hex) && target.write(hex, offset, ID_SIZE, 'hex') === ID_SIZE;
}

type Movable = ArrayBuffer & { transfer?: (newLength?: number) => ArrayBuffer };

/**
 * `ab` resized to `bytes` (contents kept up to the smaller length); `ab` is detached and its memory freed now
 * rather than at the next full garbage collection.
 */
export function moveBuffer(ab: ArrayBuffer, bytes: number): ArrayBuffer {
  const m = ab as Movable;
  if (typeof m.transfer === 'function') return m.transfer(bytes);
  const next = new ArrayBuffer(bytes);
  new Uint8Array(next).set(new Uint8Array(ab, 0, Math.min(ab.byteLength, bytes)));
  return next;
}

/** Frees a typed array's memory now (it is left empty); only for arrays that own their whole ArrayBuffer. */
export function freeArray(a: ArrayBufferView): void {
  const ab = a.buffer as ArrayBuffer;
  if (a.byteOffset === 0 && ab.byteLength > 0 && !(ab as { detached?: boolean }).detached) moveBuffer(ab, 0);
}

function bufferOf(bytes: number): Buffer {
  return Buffer.from(new ArrayBuffer(bytes));
}

/**
 * Packed 32-byte ids in insertion order, with an optional number (created_at) each. Iterates as hex.
 * A unique list (`IdList.unique()`) keeps an index of its own ids (4 bytes a slot, half full at most) and
 * refuses an id it already holds.
 */
export class IdList implements Iterable<string> {
  private buf: Buffer;
  private times: Float64Array | null;
  private capacity: number;
  /** unique lists: open addressing over entry numbers (-1 empty) */
  private index: Int32Array | null = null;
  private bits = 0;
  length = 0;

  constructor(withTimes = false, capacity = 16) {
    this.capacity = Math.max(1, capacity);
    this.buf = bufferOf(this.capacity * ID_SIZE);
    this.times = withTimes ? new Float64Array(this.capacity) : null;
  }

  /** A list that keeps each id once (push/pushHex return false for an id already there). */
  static unique(withTimes = false): IdList {
    const l = new IdList(withTimes, 64);
    l.reindex();
    return l;
  }

  private reindex(): void {
    let bits = 5;
    while (1 << bits < this.capacity * 2) bits++;
    this.bits = bits;
    const bytes = (1 << bits) * 4;
    this.index = this.index ? new Int32Array(moveBuffer(this.index.buffer as ArrayBuffer, bytes)) : new Int32Array(1 << bits);
    this.index.fill(-1);
    for (let i = 0; i < this.length; i++) this.indexAt(i * ID_SIZE, i, true);
  }

  /** Finds the id at buf[o…] in the index; adds entry `entry` when absent and `add`. True when it was present. */
  private indexAt(o: number, entry: number, add: boolean): boolean {
    const index = this.index as Int32Array;
    const mask = (1 << this.bits) - 1;
    let i = hashAt(this.buf, o) >>> (32 - this.bits);
    for (;;) {
      const e = index[i] as number;
      if (e < 0) {
        if (add) index[i] = entry;
        return false;
      }
      if (e !== entry && sameId(this.buf, e * ID_SIZE, this.buf, o)) return true;
      i = (i + 1) & mask;
    }
  }

  /** Entry number of the id at src[o…], or -1. Only a unique list keeps the index this needs. */
  indexOfAt(src: Uint8Array, o: number): number {
    const index = this.index;
    if (!index) throw new Error('IdList.indexOfAt: only a unique list (IdList.unique) keeps an index');
    const mask = (1 << this.bits) - 1;
    let i = hashAt(src, o) >>> (32 - this.bits);
    for (;;) {
      const e = index[i] as number;
      if (e < 0) return -1;
      if (sameId(this.buf, e * ID_SIZE, src, o)) return e;
      i = (i + 1) & mask;
    }
  }

  static fromHex(ids: Iterable<string>): IdList {
    const list = new IdList();
    for (const id of ids) list.pushHex(id);
    return list;
  }

  /** Ids with their created_at (ids that are not 64 lower-case hex digits are left out). */
  static fromItems(items: Iterable<{ id: string; created_at: number }>): IdList {
    const list = new IdList(true);
    for (const it of items) list.pushHex(it.id, it.created_at);
    return list;
  }

  get hasTimes(): boolean {
    return this.times !== null;
  }

  private reserve(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, this.capacity * 2, 64);
    this.buf = Buffer.from(moveBuffer(this.buf.buffer as ArrayBuffer, cap * ID_SIZE));
    if (this.times) this.times = new Float64Array(moveBuffer(this.times.buffer as ArrayBuffer, cap * 8));
    this.capacity = cap;
    if (this.index) this.reindex();
  }

  /** The id just written at entry `length`: kept (true) or, in a unique list already holding it, dropped. */
  private commit(time: number): boolean {
    if (this.index && this.indexAt(this.length * ID_SIZE, this.length, true)) return false;
    if (this.times) this.times[this.length] = time;
    this.length++;
    return true;
  }

  /** Appends the 32 bytes at `src[offset…]` (false: a unique list already holds them). */
  push(src: Uint8Array, offset: number, time = 0): boolean {
    this.reserve(this.length + 1);
    const o = this.length * ID_SIZE;
    const buf = this.buf;
    for (let k = 0; k < ID_SIZE; k++) buf[o + k] = src[offset + k] as number;
    return this.commit(time);
  }

  /** Appends a hex id; false (nothing added) when it is not 64 lower-case hex digits (or a unique list holds it). */
  pushHex(hex: string, time = 0): boolean {
    this.reserve(this.length + 1);
    if (!writeHexId(hex, this.buf, this.length * ID_SIZE)) return false;
    return this.commit(time);
  }

  append(other: IdList): void {
    if (this.index) {
      const b = other.bytes;
      for (let i = 0; i < other.length; i++) this.push(b, i * ID_SIZE, other.time(i));
      return;
    }
    this.reserve(this.length + other.length);
    other.buf.copy(this.buf, this.length * ID_SIZE, 0, other.length * ID_SIZE);
    if (this.times) {
      if (other.times) this.times.set(other.times.subarray(0, other.length), this.length);
      else this.times.fill(0, this.length, this.length + other.length);
    }
    this.length += other.length;
  }

  hex(i: number): string {
    return this.buf.toString('hex', i * ID_SIZE, (i + 1) * ID_SIZE);
  }

  time(i: number): number {
    return this.times ? (this.times[i] as number) : 0;
  }

  /** The packed bytes (a view). */
  get bytes(): Buffer {
    return this.buf.subarray(0, this.length * ID_SIZE);
  }

  /** The timestamps (a view), or null. */
  get timestamps(): Float64Array | null {
    return this.times ? this.times.subarray(0, this.length) : null;
  }

  /** Hex ids `from` (inclusive) to `to` (exclusive), as a plain array (for one REQ's filter). */
  hexSlice(from: number, to: number): string[] {
    const out: string[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.length); i++) out.push(this.hex(i));
    return out;
  }

  /** The hex ids in arrays of `size` (the last one shorter), made one array at a time. */
  *hexChunks(size: number): Generator<string[]> {
    const n = Math.max(1, Math.floor(size));
    for (let i = 0; i < this.length; i += n) yield this.hexSlice(i, i + n);
  }

  /** A new list (times kept when this one has them) of the entries that pass `keep`. */
  where(keep: (bytes: Buffer, offset: number, time: number) => boolean): IdList {
    const out = new IdList(this.times !== null);
    const b = this.buf;
    for (let i = 0; i < this.length; i++) {
      const t = this.time(i);
      if (keep(b, i * ID_SIZE, t)) out.push(b, i * ID_SIZE, t);
    }
    return out;
  }

  /** The ids the other container does not hold, in this list's order (times kept). */
  notIn(other: IdLookup | IdList): IdList {
    const set = other instanceof IdList ? IdSet.of(other) : other;
    try {
      return this.where((b, o) => !set.hasAt(b, o));
    } finally {
      if (set !== other) (set as IdSet).release();
    }
  }

  /** The ids whose time is within [from, to]. */
  between(from: number, to: number): IdList {
    return this.where((_b, _o, t) => t >= from && t <= to);
  }

  /** Frees the memory now; the list is empty afterwards. */
  release(): void {
    freeArray(this.buf);
    if (this.times) freeArray(this.times);
    if (this.index) freeArray(this.index);
    this.capacity = 1;
    this.length = 0;
    this.buf = bufferOf(ID_SIZE);
    if (this.times) this.times = new Float64Array(1);
    if (this.index) {
      this.index = null;
      this.reindex();
    }
  }

  /** Drops the index of a unique list (it stays as it is, plain). */
  dropIndex(): void {
    if (this.index) freeArray(this.index);
    this.index = null;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.length; i++) yield this.hex(i);
  }
}

// Multilinear hashing with random odd multipliers, index from the top bits (multiply-shift): a peer cannot
// choose ids that collide in our tables without knowing these.
const MUL = new Uint32Array(9);
{
  const r = randomBytes(4 * 9);
  for (let k = 0; k < 9; k++) MUL[k] = (r.readUInt32LE(k * 4) | (k < 8 ? 1 : 0)) >>> 0;
}

/** A seeded 32-bit hash of the id at b[o…] (index tables by its top bits). */
export function hashAt(b: Uint8Array, o: number): number {
  let h = MUL[8] as number;
  for (let k = 0; k < 8; k++) {
    const p = o + k * 4;
    const w = (b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24);
    h = (h + Math.imul(w, MUL[k] as number)) | 0;
  }
  return h >>> 0;
}

/** Anything that can say whether it holds the id at src[o…] (IdSet, IdMap). */
export interface IdLookup {
  hasAt(src: Uint8Array, o: number): boolean;
}

export function sameId(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  for (let k = 0; k < ID_SIZE; k++) if (a[ao + k] !== b[bo + k]) return false;
  return true;
}

const EMPTY = -1;
const GONE = -2;

/**
 * A hash index over ids stored densely (insertion order) in one buffer, with an optional number per id.
 * Open addressing (linear probing) over slot numbers, at most half full; deletions leave tombstones, cleared
 * when the dense storage is compacted.
 */
class IdTable {
  /** Whether the id (hex or packed bytes) is in the table. */
  has(id: Key): boolean {
    const k = resolve(id);
    return k ? this.find(k[0], k[1]) >= 0 : false;
  }

  delete(id: Key): boolean {
    const k = resolve(id);
    return k ? this.remove(k[0], k[1]) : false;
  }

  private ids: Buffer;
  private vals: Float64Array | null;
  private alive: Uint8Array;
  private capacity: number;
  /** dense slots used (live or deleted) */
  private used = 0;
  private live = 0;
  private table: Int32Array;
  private bits: number;

  constructor(
    private readonly withValues: boolean,
    capacity = 16,
  ) {
    this.capacity = Math.max(16, capacity);
    this.ids = bufferOf(this.capacity * ID_SIZE);
    this.vals = withValues ? new Float64Array(this.capacity) : null;
    this.alive = new Uint8Array(this.capacity);
    this.bits = IdTable.bitsFor(this.capacity);
    this.table = new Int32Array(1 << this.bits).fill(EMPTY);
  }

  private static bitsFor(capacity: number): number {
    let bits = 5;
    while (1 << bits < capacity * 2) bits++;
    return bits;
  }

  get size(): number {
    return this.live;
  }

  hasAt(src: Uint8Array, o: number): boolean {
    return this.find(src, o) >= 0;
  }

  deleteAt(src: Uint8Array, o: number): boolean {
    return this.remove(src, o);
  }

  /** Removes every id of the list. */
  deleteAll(ids: IdList): void {
    const b = ids.bytes;
    for (let i = 0; i < ids.length; i++) this.remove(b, i * ID_SIZE);
  }

  /** Drops every entry whose value passes the test. */
  deleteIf(test: (value: number) => boolean): void {
    const slots: number[] = [];
    this.forEachSlot((s) => {
      if (test(this.valueAt(s))) slots.push(s);
    });
    // removing never moves the stored ids (only adding compacts them)
    for (const s of slots) this.remove(this.ids, s * ID_SIZE);
  }

  /** Table position of the id at src[o…], or -1. */
  protected find(src: Uint8Array, o: number): number {
    const mask = (1 << this.bits) - 1;
    const table = this.table;
    let i = hashAt(src, o) >>> (32 - this.bits);
    for (;;) {
      const slot = table[i] as number;
      if (slot === EMPTY) return -1;
      if (slot >= 0 && sameId(this.ids, slot * ID_SIZE, src, o)) return i;
      i = (i + 1) & mask;
    }
  }

  /** Adds (or updates the value of) the id at src[o…]; true when it was not there. */
  protected put(source: Uint8Array, offset: number, value: number): boolean {
    // an id read from this table itself would move when the table is compacted below
    const own = source.buffer === this.ids.buffer;
    const src = own ? Buffer.from(source.subarray(offset, offset + ID_SIZE)) : source;
    const o = own ? 0 : offset;
    const at = this.find(src, o);
    if (at >= 0) {
      if (this.vals) this.vals[this.table[at] as number] = value;
      return false;
    }
    if (this.used >= this.capacity) this.makeRoom();
    const slot = this.used++;
    const d = slot * ID_SIZE;
    const ids = this.ids;
    for (let k = 0; k < ID_SIZE; k++) ids[d + k] = src[o + k] as number;
    if (this.vals) this.vals[slot] = value;
    this.alive[slot] = 1;
    this.live++;
    this.insertSlot(slot);
    return true;
  }

  protected remove(src: Uint8Array, o: number): boolean {
    const at = this.find(src, o);
    if (at < 0) return false;
    const slot = this.table[at] as number;
    this.table[at] = GONE;
    this.alive[slot] = 0;
    this.live--;
    if (this.live === 0) this.clear();
    return true;
  }

  protected valueOf(src: Uint8Array, o: number): number | undefined {
    const at = this.find(src, o);
    if (at < 0) return undefined;
    return this.vals ? (this.vals[this.table[at] as number] as number) : 0;
  }

  clear(): void {
    this.used = 0;
    this.live = 0;
    this.alive.fill(0);
    this.table.fill(EMPTY);
  }

  /** Frees the memory now; the table is empty afterwards. */
  release(): void {
    freeArray(this.ids);
    if (this.vals) freeArray(this.vals);
    freeArray(this.alive);
    freeArray(this.table);
    this.capacity = 16;
    this.used = 0;
    this.live = 0;
    this.ids = bufferOf(this.capacity * ID_SIZE);
    this.vals = this.withValues ? new Float64Array(this.capacity) : null;
    this.alive = new Uint8Array(this.capacity);
    this.bits = IdTable.bitsFor(this.capacity);
    this.table = new Int32Array(1 << this.bits).fill(EMPTY);
  }

  private insertSlot(slot: number): void {
    const mask = (1 << this.bits) - 1;
    const table = this.table;
    let i = hashAt(this.ids, slot * ID_SIZE) >>> (32 - this.bits);
    while ((table[i] as number) >= 0) i = (i + 1) & mask;
    table[i] = slot;
  }

  /** Full dense storage: drop the deleted slots (keeping the order) or grow; then rebuild the index. */
  private makeRoom(): void {
    if (this.live <= this.capacity / 2) {
      let w = 0;
      for (let r = 0; r < this.used; r++) {
        if (!this.alive[r]) continue;
        if (w !== r) {
          this.ids.copyWithin(w * ID_SIZE, r * ID_SIZE, (r + 1) * ID_SIZE);
          if (this.vals) this.vals[w] = this.vals[r] as number;
        }
        w++;
      }
      this.used = w;
      this.alive.fill(1, 0, w);
      this.alive.fill(0, w);
    } else {
      const cap = this.capacity * 2;
      this.ids = Buffer.from(moveBuffer(this.ids.buffer as ArrayBuffer, cap * ID_SIZE));
      if (this.vals) this.vals = new Float64Array(moveBuffer(this.vals.buffer as ArrayBuffer, cap * 8));
      this.alive = new Uint8Array(moveBuffer(this.alive.buffer as ArrayBuffer, cap));
      this.capacity = cap;
    }
    this.bits = IdTable.bitsFor(this.capacity);
    // the index is rebuilt from the dense ids: its old memory is reused, not copied
    this.table = new Int32Array(moveBuffer(this.table.buffer as ArrayBuffer, (1 << this.bits) * 4)).fill(EMPTY);
    for (let s = 0; s < this.used; s++) if (this.alive[s]) this.insertSlot(s);
  }

  /** Live entries in insertion order. */
  forEachSlot(fn: (slot: number) => void): void {
    for (let s = 0; s < this.used; s++) if (this.alive[s]) fn(s);
  }

  hexAt(slot: number): string {
    return this.ids.toString('hex', slot * ID_SIZE, (slot + 1) * ID_SIZE);
  }

  valueAt(slot: number): number {
    return this.vals ? (this.vals[slot] as number) : 0;
  }

  /** The 32 bytes of a slot: (buffer, offset), valid until the next change. */
  bytesAt(slot: number): [Buffer, number] {
    return [this.ids, slot * ID_SIZE];
  }
}

type Key = string | { bytes: Uint8Array; offset: number };

function resolve(id: Key): [Uint8Array, number] | null {
  if (typeof id === 'string') return writeHexId(id, scratch, 0) ? [scratch, 0] : null;
  return [id.bytes, id.offset];
}

/** id → number (created_at), insertion order kept. */
export class IdMap extends IdTable {
  constructor(capacity = 16) {
    super(true, capacity);
  }

  set(id: Key, value: number): boolean {
    const k = resolve(id);
    return k ? this.put(k[0], k[1], value) : false;
  }

  setAt(src: Uint8Array, o: number, value: number): boolean {
    return this.put(src, o, value);
  }

  get(id: Key): number | undefined {
    const k = resolve(id);
    return k ? this.valueOf(k[0], k[1]) : undefined;
  }

  getAt(src: Uint8Array, o: number): number | undefined {
    return this.valueOf(src, o);
  }

  forEach(fn: (hex: string, value: number) => void): void {
    this.forEachSlot((s) => fn(this.hexAt(s), this.valueAt(s)));
  }

  /** Sets every id of a list with times to its time. */
  setAll(ids: IdList): void {
    const b = ids.bytes;
    for (let i = 0; i < ids.length; i++) this.put(b, i * ID_SIZE, ids.time(i));
  }

  /** Sets every entry of another map here (its values win). */
  merge(other: IdMap): void {
    other.forEachSlot((slot) => {
      const [b, o] = other.bytesAt(slot);
      this.put(b, o, other.valueAt(slot));
    });
  }

  /** The ids of the list this map holds, in the list's order, with the map's values as times. */
  pick(ids: IdList): IdList {
    const out = new IdList(true);
    const b = ids.bytes;
    for (let i = 0; i < ids.length; i++) {
      const v = this.valueOf(b, i * ID_SIZE);
      if (v !== undefined) out.push(b, i * ID_SIZE, v);
    }
    return out;
  }

  /** The entries whose value is at least `minValue`, insertion order, as a list with times. */
  toList(minValue = -Infinity): IdList {
    const out = new IdList(true);
    this.forEachSlot((slot) => {
      const v = this.valueAt(slot);
      if (v < minValue) return;
      const [b, o] = this.bytesAt(slot);
      out.push(b, o, v);
    });
    return out;
  }

  /** [hex, value] pairs in insertion order. */
  *[Symbol.iterator](): Iterator<[string, number]> {
    const slots: number[] = [];
    this.forEachSlot((s) => slots.push(s));
    for (const s of slots) yield [this.hexAt(s), this.valueAt(s)];
  }
}

/** A set of ids, insertion order kept. */
export class IdSet extends IdTable {
  constructor(capacity = 16) {
    super(false, capacity);
  }

  static of(ids: IdList): IdSet {
    const set = new IdSet(ids.length);
    set.addAll(ids);
    return set;
  }

  add(id: Key): boolean {
    const k = resolve(id);
    return k ? this.put(k[0], k[1], 0) : false;
  }

  addAt(src: Uint8Array, o: number): boolean {
    return this.put(src, o, 0);
  }

  addAll(ids: IdList): void {
    const b = ids.bytes;
    for (let i = 0; i < ids.length; i++) this.put(b, i * ID_SIZE, 0);
  }

  /** The ids as a packed list, insertion order. */
  toList(): IdList {
    const out = new IdList(false, this.size);
    this.forEachSlot((s) => {
      const [b, o] = this.bytesAt(s);
      out.push(b, o);
    });
    return out;
  }

  *[Symbol.iterator](): Iterator<string> {
    const list = this.toList();
    yield* list;
  }
}
