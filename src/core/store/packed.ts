/**
 * A batch of events on its way to the local store, packed off the JavaScript heap: each event's JSON line
 * (exactly as `JSON.stringify(event)` writes it, newline included) in one buffer, its id and pubkey packed
 * beside it, its kind in a typed array, and the batch's category counts.
 *
 * Why: a batch waits for the store (strfry import of the previous batch) while the next one is fetched. As
 * objects, its events (about 1 KB of heap each) outlive the young generation's collections and are copied and
 * promoted, which is what makes V8 grow the young generation to its largest size (64 MB semi-spaces: 128 MB
 * of the process) during a 100,000-event sync. Packed, an event's objects die young and the batch is one
 * buffer, given back as soon as the store has answered for it.
 *
 * Public API:
 *   const b = new PackedEvents(); b.add(event)          // counts its categories too
 *   b.length / b.kind(i) / b.idHex(i) / b.pubkeyHex(i) / b.createdAt(i) / b.ids (IdList with created_at) / b.counts
 *   b.line(i) → Buffer (a view: the JSON and its newline) / b.event(i) → a fresh object parsed back
 *   b.without(indexes) → a new batch without those entries (their categories taken off the counts)
 *   PackedEvents.concat(batches) → one batch of all their events, in order (copies)
 *   b.release()                                         // frees the memory now; the batch is empty afterwards
 *   PackedEvents.of(events)
 */
import type { Event as NostrEvent } from 'nostr-tools';
import { countEvent, type CategoryCounts } from '../../shared/kinds';
import { ID_SIZE, IdList, freeArray, moveBuffer } from '../nostr/ids';

export class PackedEvents {
  private text: Buffer;
  /** end of each line in `text` (after its newline) */
  private ends: Uint32Array;
  private kinds: Uint32Array;
  private pubkeys: IdList;
  /** the events' ids with their created_at, in batch order */
  readonly ids: IdList;
  /** categories of the events in the batch (countEvent) */
  readonly counts: CategoryCounts = {};
  private size = 0;
  private used = 0;

  constructor(capacity = 256) {
    const cap = Math.max(16, capacity);
    this.text = Buffer.from(new ArrayBuffer(cap * 512));
    this.ends = new Uint32Array(cap);
    this.kinds = new Uint32Array(cap);
    this.ids = new IdList(true, cap);
    this.pubkeys = new IdList(false, cap);
  }

  static of(events: readonly NostrEvent[]): PackedEvents {
    const b = new PackedEvents(events.length);
    for (const e of events) b.add(e);
    return b;
  }

  get length(): number {
    return this.size;
  }

  /** Total bytes of the JSON lines. */
  get bytes(): number {
    return this.used;
  }

  /** Adds a well-formed event (lower-case hex id and pubkey). */
  add(e: NostrEvent): void {
    const bad = (): Error => new Error(`packed batch: event ${String(e.id).slice(0, 16)} is not well formed`);
    if (!this.ids.pushHex(e.id, e.created_at)) throw bad();
    if (!this.pubkeys.pushHex(e.pubkey)) {
      this.ids.length--;
      throw bad();
    }
    const json = JSON.stringify(e);
    // at most 3 bytes of UTF-8 per UTF-16 unit, and the newline
    const room = this.used + json.length * 3 + 1;
    if (room > this.text.length) this.text = Buffer.from(moveBuffer(this.text.buffer as ArrayBuffer, Math.max(room, this.text.length * 2)));
    this.used += this.text.write(json, this.used, 'utf8');
    this.text[this.used++] = 0x0a;
    if (this.size >= this.ends.length) {
      const cap = this.ends.length * 2;
      this.ends = new Uint32Array(moveBuffer(this.ends.buffer as ArrayBuffer, cap * 4));
      this.kinds = new Uint32Array(moveBuffer(this.kinds.buffer as ArrayBuffer, cap * 4));
    }
    this.ends[this.size] = this.used;
    this.kinds[this.size] = e.kind;
    this.size++;
    countEvent(this.counts, e);
  }

  private start(i: number): number {
    return i === 0 ? 0 : (this.ends[i - 1] as number);
  }

  kind(i: number): number {
    return this.kinds[i] as number;
  }

  idHex(i: number): string {
    return this.ids.hex(i);
  }

  pubkeyHex(i: number): string {
    return this.pubkeys.hex(i);
  }

  createdAt(i: number): number {
    return this.ids.time(i);
  }

  /** The event's JSON line, newline included (a view, valid until the batch is released). */
  line(i: number): Buffer {
    return this.text.subarray(this.start(i), this.ends[i] as number);
  }

  /** The event parsed back (a fresh object each call). */
  event(i: number): NostrEvent {
    return JSON.parse(this.text.toString('utf8', this.start(i), (this.ends[i] as number) - 1)) as NostrEvent;
  }

  /** A new batch without the entries at `drop` (ascending indexes); their categories are taken off. */
  without(drop: readonly number[]): PackedEvents {
    const gone = new Set(drop);
    const out = new PackedEvents(this.size - gone.size);
    for (let i = 0; i < this.size; i++) {
      if (gone.has(i)) continue;
      const line = this.line(i);
      if (out.used + line.length > out.text.length) out.text = Buffer.from(moveBuffer(out.text.buffer as ArrayBuffer, Math.max(out.used + line.length, out.text.length * 2)));
      line.copy(out.text, out.used);
      out.used += line.length;
      out.ends[out.size] = out.used;
      out.kinds[out.size] = this.kinds[i] as number;
      out.ids.push(this.ids.bytes, i * ID_SIZE, this.ids.time(i));
      out.pubkeys.push(this.pubkeys.bytes, i * ID_SIZE);
      out.size++;
    }
    Object.assign(out.counts, this.counts);
    for (const i of gone) {
      const removed: CategoryCounts = {};
      countEvent(removed, this.event(i));
      for (const [k, v] of Object.entries(removed)) out.counts[k] = (out.counts[k] ?? 0) - v;
    }
    return out;
  }

  /** One batch holding the events of `batches` in their order (copies: the batches stay as they are). */
  static concat(batches: readonly PackedEvents[]): PackedEvents {
    const out = new PackedEvents(batches.reduce((a, b) => a + b.size, 0));
    const bytes = batches.reduce((a, b) => a + b.used, 0);
    if (bytes > out.text.length) out.text = Buffer.from(moveBuffer(out.text.buffer as ArrayBuffer, bytes));
    for (const b of batches) {
      b.text.copy(out.text, out.used, 0, b.used);
      for (let i = 0; i < b.size; i++) {
        out.ends[out.size] = out.used + (b.ends[i] as number);
        out.kinds[out.size] = b.kinds[i] as number;
        out.ids.push(b.ids.bytes, i * ID_SIZE, b.ids.time(i));
        out.pubkeys.push(b.pubkeys.bytes, i * ID_SIZE);
        out.size++;
      }
      out.used += b.used;
      for (const [k, v] of Object.entries(b.counts)) out.counts[k] = (out.counts[k] ?? 0) + v;
    }
    return out;
  }

  /** Frees the memory now; the batch is empty afterwards. */
  release(): void {
    freeArray(this.text);
    freeArray(this.ends);
    freeArray(this.kinds);
    this.ids.release();
    this.pubkeys.release();
    this.text = Buffer.from(new ArrayBuffer(0));
    this.ends = new Uint32Array(16);
    this.kinds = new Uint32Array(16);
    this.size = 0;
    this.used = 0;
    for (const k of Object.keys(this.counts)) delete this.counts[k];
  }
}

/** A local store whose import also takes a packed batch (both of ours do). */
export interface PackedImport {
  readonly packedImport: true;
}

export function importsPacked(store: object): store is PackedImport {
  return (store as { packedImport?: unknown }).packedImport === true;
}
