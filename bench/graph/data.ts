/**
 * The bench's follow lists, generated lazily: no list exists before the engine asks for it, and each one is
 * handed over as a fresh object in which every key of every tag is its own new string (as out of a relay's
 * JSON: no string shared with an earlier list, no cached hash) and dropped right after. Holding all the input at once (10M tags as string arrays: about 2 GB) would
 * measure the bench's own garbage, not the engine.
 *
 * The world: `lists` follow lists of ENTRIES keys. lists/100 members, whose lists cover every N1 key; the N1
 * lists follow the wider world (N2: 40 × lists keys), with 20% of follows going to 1% popular keys (connectors)
 * and 10% back into the constellation. Key i is hexOf(i + 1); list owners are keys 0 .. lists-1.
 */

export const ENTRIES = 200;

/** mulberry32: the same data on every run (the engine's own generator). */
import { mulberry32 } from '../../src/core/util/prng';

export const prng = mulberry32;

export const hexOf = (i: number): string => i.toString(16).padStart(64, '0');

export class World {
  readonly memberCount: number;
  readonly n1Count: number;
  readonly worldCount: number;
  readonly popular: number;
  /** time spent materialising lists (JSON text → object): the relay's share, not the engine's */
  feedMs = 0;
  materialised = 0;

  constructor(readonly lists: number) {
    this.memberCount = Math.max(1, Math.floor(lists / 100));
    this.n1Count = lists - this.memberCount;
    this.worldCount = 40 * lists;
    this.popular = Math.max(1, Math.floor(this.worldCount / 100));
  }

  members(): string[] {
    return Array.from({ length: this.memberCount }, (_, i) => hexOf(i + 1));
  }

  /** Key indexes the list of owner `i` (0 .. lists-1) follows, in tag order. */
  follows(i: number): Uint32Array {
    const out = new Uint32Array(ENTRIES);
    const { lists, memberCount, n1Count, popular, worldCount } = this;
    if (i < memberCount) {
      for (let e = 0; e < ENTRIES; e++) out[e] = memberCount + ((i * ENTRIES + e) % n1Count);
      return out;
    }
    const rand = prng(lists * 1_000_003 + i);
    for (let e = 0; e < ENTRIES; e++) {
      const r = rand();
      out[e] = r < 0.1 ? Math.floor(rand() * lists) : r < 0.3 ? lists + Math.floor(rand() * popular) : lists + Math.floor(rand() * worldCount);
    }
    return out;
  }

  /** The owner index of a key, or -1 when the key has no list in this world. */
  ownerOf(hex: string): number {
    if (hex.length !== 64) return -1;
    const i = Number.parseInt(hex.slice(48), 16) - 1;
    return i >= 0 && i < this.lists && hexOf(i + 1) === hex ? i : -1;
  }

  /** The list as JSON text, as a relay's answer carries it. */
  text(i: number): string {
    const tags = Array.from(this.follows(i), (k) => `["p","${hexOf(k + 1)}"]`).join(',');
    return `{"id":"${hexOf(10 ** 10 + i)}","pubkey":"${hexOf(i + 1)}","created_at":1700000000,"kind":3,"tags":[${tags}],"content":""}`;
  }

  /** The newest list of `hex`, materialised now (timed as feed, not engine). */
  list(hex: string): { id: string; pubkey: string; created_at: number; tags: string[][] } | undefined {
    const i = this.ownerOf(hex);
    if (i < 0) return undefined;
    const t0 = performance.now();
    const tags = Array.from(this.follows(i), (k) => ['p', hexOf(k + 1)]);
    const ev = { id: hexOf(10 ** 10 + i), pubkey: hexOf(i + 1), created_at: 1_700_000_000, tags };
    this.feedMs += performance.now() - t0;
    this.materialised++;
    return ev;
  }
}
