/**
 * Per peer, what that peer is known to hold: ids (with created_at) received from it or found there by a
 * reconciliation, kept per filter key. The NIP-77 path reconciles against this set, not against everything
 * the local relay holds (which is the union of all peers and would list every id this peer lacks, every run).
 *
 * Stored compactly in the data folder: `<dataDir>/sync-state/<peer>.bin`
 *   "CKS1" | u32 lastFull | u32 sections | per section: 16-byte key | u32 touched | u32 n | n × (32-byte id, u32 created_at)
 * Bounded: at most MAX_ENTRIES per peer (the oldest created_at go first) and sections untouched for
 * STALE_SECTION_DAYS are dropped (member buckets that no longer exist).
 *
 * In memory a section is an IdMap (32 bytes an id in one buffer, not a hex string each): the file is read
 * into it and written from it as it is, the format unchanged.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs';
import { IdMap } from '../nostr/ids';
import { reason, reasonOf, ReasonError, type Reason } from '../../shared/i18n';

const MAGIC = 'CKS1';
export const MAX_ENTRIES = 1_000_000;
const STALE_SECTION_DAYS = 14;

export interface KnownSection {
  touched: number;
  /** id → created_at */
  items: IdMap;
}

export class KnownSet {
  lastFull = 0;
  readonly sections = new Map<string, KnownSection>();

  section(key: string, nowSec: number): KnownSection {
    let s = this.sections.get(key);
    if (!s) {
      s = { touched: nowSec, items: new IdMap() };
      this.sections.set(key, s);
    }
    s.touched = nowSec;
    return s;
  }

  has(key: string): boolean {
    return this.sections.has(key);
  }

  get size(): number {
    let n = 0;
    for (const s of this.sections.values()) n += s.items.size;
    return n;
  }

  encode(nowSec: number, maxEntries = MAX_ENTRIES): Buffer {
    for (const [k, s] of this.sections) if (nowSec - s.touched > STALE_SECTION_DAYS * 86400) this.sections.delete(k);
    let cutoff = -1;
    const total = this.size;
    if (total > maxEntries) {
      const all = new Float64Array(total);
      let n = 0;
      for (const s of this.sections.values()) s.items.forEachSlot((slot) => (all[n++] = s.items.valueAt(slot)));
      all.sort();
      cutoff = all[total - maxEntries] ?? -1;
    }
    const parts: Buffer[] = [];
    const head = Buffer.alloc(12);
    head.write(MAGIC, 0, 'ascii');
    head.writeUInt32LE(this.lastFull >>> 0, 4);
    head.writeUInt32LE(this.sections.size, 8);
    parts.push(head);
    let budget = maxEntries;
    for (const [key, s] of this.sections) {
      // newest first, so a cut keeps the recent ids (the ones the next window asks about); equal created_at
      // keep the order they were added in
      const items = s.items;
      const slots: number[] = [];
      items.forEachSlot((slot) => {
        if (items.valueAt(slot) >= cutoff) slots.push(slot);
      });
      const order = Uint32Array.from(slots);
      order.sort((a, b) => items.valueAt(b) - items.valueAt(a) || a - b);
      const n = Math.min(order.length, budget);
      budget -= n;
      const buf = Buffer.alloc(24 + n * 36);
      buf.write(key.slice(0, 32).padEnd(32, '0'), 0, 'hex');
      buf.writeUInt32LE(s.touched >>> 0, 16);
      buf.writeUInt32LE(n, 20);
      for (let i = 0; i < n; i++) {
        const slot = order[i] as number;
        const [ids, at] = items.bytesAt(slot);
        ids.copy(buf, 24 + i * 36, at, at + 32);
        buf.writeUInt32LE(Math.max(0, Math.min(0xffffffff, items.valueAt(slot))) >>> 0, 24 + i * 36 + 32);
      }
      parts.push(buf);
    }
    return Buffer.concat(parts);
  }

  static decode(buf: Buffer): KnownSet {
    const set = new KnownSet();
    if (buf.length < 12 || buf.toString('ascii', 0, 4) !== MAGIC) throw new ReasonError(reason('known.badMagic'));
    set.lastFull = buf.readUInt32LE(4);
    const sections = buf.readUInt32LE(8);
    let o = 12;
    for (let s = 0; s < sections; s++) {
      if (o + 24 > buf.length) throw new ReasonError(reason('known.truncated'));
      const key = buf.toString('hex', o, o + 16);
      const touched = buf.readUInt32LE(o + 16);
      const n = buf.readUInt32LE(o + 20);
      o += 24;
      if (o + n * 36 > buf.length) throw new ReasonError(reason('known.truncated'));
      const items = new IdMap(n);
      for (let i = 0; i < n; i++) {
        items.set({ bytes: buf, offset: o }, buf.readUInt32LE(o + 32));
        o += 36;
      }
      set.sections.set(key, { touched, items });
    }
    return set;
  }
}

export function knownPath(dataDir: string, peer: string): string {
  return join(dataDir, 'sync-state', `${peer.replace(/[^A-Za-z0-9._-]/g, '_')}.bin`);
}

/** Loads a peer's known set; a missing or damaged file gives an empty set (the next run reconciles fully). */
export async function loadKnown(dataDir: string, peer: string): Promise<{ set: KnownSet; problem: Reason | null }> {
  const path = knownPath(dataDir, peer);
  try {
    return { set: KnownSet.decode(await readFile(path)), problem: null };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { set: new KnownSet(), problem: null };
    return { set: new KnownSet(), problem: reason('known.unreadable', { path, why: reasonOf(err) }) };
  }
}

export async function saveKnown(dataDir: string, peer: string, set: KnownSet, nowSec: number): Promise<void> {
  await writeFileAtomic(knownPath(dataDir, peer), set.encode(nowSec));
}
