/**
 * What the local relay holds for the run's window, read once per run and shared by every peer's session (issue
 * 14: the local strfry was scanned again for every peer and filter — 174 scans at 32 peers, each a `strfry scan`
 * process reading the whole window of its filter).
 *
 * The window is read in a few parts, "units": the members' events (every kind of the run, authors in chunks of
 * UNIT_AUTHORS, one `strfry scan` each) and the station pass (its kinds, any author). A unit is read the first
 * time a session needs it — the full reconciliation of a filter it covers — and kept packed: per event its id,
 * created_at, kind and author (an index). A session's filter is then answered from the units that cover it, in
 * memory. It stays right as the run imports: every batch the local store answers for is added to the units it
 * matches (LocalView.landed).
 *
 * "Which of these ids does the local relay hold" is answered from the units when they are loaded, else by a
 * `strfry scan` of those ids (a few new events in a steady run do not justify reading a whole unit).
 *
 * Bounded: at most `maxIds` ids over all units (about 50 bytes each). A unit that would pass the bound is not kept;
 * the filters it covers are then read from the local store by each session that needs them, as before. So is a
 * filter no unit covers.
 */
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import { DELETION_KIND } from '../../shared/kinds';
import type { LocalStore } from '../services';
import { ID_SIZE, IdList, IdMap, moveBuffer } from '../nostr/ids';
import type { PackedEvents } from '../store/packed';
import { abortReason } from '../util/limit';

/** Authors per unit: one `strfry scan` argument stays far below the 128 KiB a command-line argument may hold on
 * Linux, and below the 65,535 bytes of packed authors strfry accepts in one filter (2,047 keys). */
export const UNIT_AUTHORS = 1000;
/** Ids kept over all units at most (about 50 MB). */
export const LOCAL_VIEW_MAX_IDS = 1_000_000;
const IDS_PER_SCAN = 500;

/** The run's window, as the view reads it. */
export interface LocalViewPlan {
  /** the members (blacklist removed) */
  members: readonly string[];
  /** every kind the members' filters may ask (kind 5 included) */
  kinds: readonly number[];
  /** the station pass's kinds (any author) */
  stationKinds: readonly number[];
  /** start of the window (undefined: everything) */
  since: number | undefined;
}

type UnitState = 'idle' | 'loading' | 'loaded' | 'too-big';

/** One part of the window: events with their kind and author index (into the family's authors). */
class Unit {
  state: UnitState = 'idle';
  loading: Promise<void> | null = null;
  ids = IdList.unique(true);
  private kindOf = new Uint32Array(64);
  private authorOf = new Int32Array(64);

  constructor(readonly filter: Filter) {}

  get size(): number {
    return this.ids.length;
  }

  add(src: Uint8Array, o: number, createdAt: number, kind: number, author: number): void {
    const at = this.ids.length;
    if (!this.ids.push(src, o, createdAt)) return;
    if (at >= this.kindOf.length) {
      const cap = this.kindOf.length * 2;
      this.kindOf = new Uint32Array(moveBuffer(this.kindOf.buffer as ArrayBuffer, cap * 4));
      this.authorOf = new Int32Array(moveBuffer(this.authorOf.buffer as ArrayBuffer, cap * 4));
    }
    this.kindOf[at] = kind;
    this.authorOf[at] = author;
  }

  /** Appends the entries that pass `keep` to `out`. */
  select(out: IdList, keep: (kind: number, author: number, createdAt: number) => boolean): void {
    const b = this.ids.bytes;
    for (let i = 0; i < this.ids.length; i++) {
      const t = this.ids.time(i);
      if (keep(this.kindOf[i] as number, this.authorOf[i] as number, t)) out.push(b, i * ID_SIZE, t);
    }
  }

  /** created_at of the id at src[o…] when held, else undefined. */
  timeAt(src: Uint8Array, o: number): number | undefined {
    const i = this.ids.indexOfAt(src, o);
    return i < 0 ? undefined : this.ids.time(i);
  }

  drop(): void {
    this.ids.release();
    this.kindOf = new Uint32Array(64);
    this.authorOf = new Int32Array(64);
  }
}

/** Units sharing kinds and window: the members (authors split over units) or the station pass (any author). */
class Family {
  readonly kinds: ReadonlySet<number>;
  /** author → its index; null: any author */
  readonly authorIndex: Map<string, number> | null;
  readonly units: Unit[] = [];
  /** unit of each author index */
  private readonly unitOf: Int32Array;

  constructor(kinds: readonly number[], readonly since: number | undefined, authors: readonly string[] | null) {
    this.kinds = new Set(kinds);
    const sorted = [...kinds].sort((a, b) => a - b);
    const base: Filter = since !== undefined ? { kinds: sorted, since } : { kinds: sorted };
    if (authors === null) {
      this.authorIndex = null;
      this.unitOf = new Int32Array(0);
      this.units.push(new Unit(base));
      return;
    }
    const list = [...new Set(authors)].sort();
    this.authorIndex = new Map(list.map((a, i) => [a, i]));
    this.unitOf = new Int32Array(list.length);
    for (let i = 0; i < list.length; i += UNIT_AUTHORS) {
      const chunk = list.slice(i, i + UNIT_AUTHORS);
      this.unitOf.fill(this.units.length, i, i + chunk.length);
      this.units.push(new Unit({ ...base, authors: chunk }));
    }
  }

  /** The units holding every event of `f`, or null when this family does not cover `f`. */
  cover(f: Filter): { units: Unit[]; authors: Set<number> | null } | null {
    for (const k of Object.keys(f)) if (!['kinds', 'authors', 'since', 'until', 'limit'].includes(k)) return null;
    if (!f.kinds || f.kinds.some((k) => !this.kinds.has(k))) return null;
    if (this.since !== undefined && (f.since === undefined || f.since < this.since)) return null;
    if (this.authorIndex === null) return { units: this.units, authors: f.authors ? new Set<number>() : null };
    if (!f.authors) return null;
    const authors = new Set<number>();
    const units = new Set<Unit>();
    for (const a of f.authors) {
      const i = this.authorIndex.get(a);
      if (i === undefined) return null;
      authors.add(i);
      units.add(this.units[this.unitOf[i] as number] as Unit);
    }
    return { units: [...units], authors };
  }

  /** The unit an event belongs to (and its author index), or null. */
  unitFor(kind: number, pubkey: string, createdAt: number): { unit: Unit; author: number } | null {
    if (!this.kinds.has(kind) || (this.since !== undefined && createdAt < this.since)) return null;
    if (this.authorIndex === null) return { unit: this.units[0] as Unit, author: -1 };
    const i = this.authorIndex.get(pubkey);
    return i === undefined ? null : { unit: this.units[this.unitOf[i] as number] as Unit, author: i };
  }
}

/** Waits for `p`, or rejects as soon as `signal` aborts (the shared work goes on for the others). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class LocalView {
  private readonly families: Family[];
  private kept = 0;
  /** `strfry scan`s (or relay queries) this view made */
  reads = 0;

  constructor(
    private readonly store: LocalStore,
    plan: LocalViewPlan,
    /** the run's signal: a unit read is shared, no single session may cancel it */
    private readonly runSignal: AbortSignal,
    private readonly maxIds = LOCAL_VIEW_MAX_IDS,
  ) {
    this.families = [new Family(plan.kinds, plan.since, plan.members), new Family(plan.stationKinds, plan.since, null)];
  }

  private cover(f: Filter): { family: Family; units: Unit[]; authors: Set<number> | null } | null {
    for (const family of this.families) {
      const c = family.cover(f);
      if (c) return { family, ...c };
    }
    return null;
  }

  /**
   * Every id (with created_at) the local store holds for `f`: from the units covering it, read once per run, or
   * read from the store for this call when no unit can answer. A new list the caller owns.
   */
  async items(f: Filter, signal: AbortSignal): Promise<IdList> {
    const c = this.cover(f);
    if (c && (await this.load(c.units, signal))) {
      const kinds = new Set(f.kinds);
      const since = f.since ?? -Infinity;
      const until = f.until ?? Infinity;
      const out = new IdList(true);
      for (const u of c.units) {
        u.select(out, (kind, author, t) => kinds.has(kind) && (c.authors === null || c.authors.has(author)) && t >= since && t <= until);
      }
      return out;
    }
    const out = new IdList(true);
    this.reads++;
    for await (const e of this.store.query(f, signal)) out.pushHex(e.id, e.created_at);
    return out;
  }

  /** The ids of `ids` the local store holds, with their created_at (`f`: the filter the ids were found for). */
  async held(ids: IdList, f: Filter, signal: AbortSignal): Promise<IdMap> {
    const out = new IdMap();
    if (ids.length === 0) return out;
    const c = this.cover(f);
    const units = c?.units.filter((u) => u.state === 'loaded' || u.state === 'loading');
    if (c && units && units.length === c.units.length && (await this.load(units, signal))) {
      const b = ids.bytes;
      for (let i = 0; i < ids.length; i++) {
        for (const u of units) {
          const t = u.timeAt(b, i * ID_SIZE);
          if (t !== undefined) {
            out.setAt(b, i * ID_SIZE, t);
            break;
          }
        }
      }
      return out;
    }
    for (const chunk of ids.hexChunks(IDS_PER_SCAN)) {
      this.reads++;
      for await (const e of this.store.query({ ids: chunk }, signal)) out.set(e.id, e.created_at);
    }
    return out;
  }

  /**
   * The members' deletions (kind 5) the local store holds in the window, one read per UNIT_AUTHORS members: a
   * peer that still serves a deleted event must not bring it back.
   */
  async *deletions(signal: AbortSignal): AsyncIterable<NostrEvent> {
    const members = this.families[0] as Family;
    if (!members.kinds.has(DELETION_KIND)) return;
    for (const u of members.units) {
      const f: Filter = { ...u.filter, kinds: [DELETION_KIND] };
      this.reads++;
      yield* this.store.query(f, signal);
    }
  }

  /** The local store answered for these events: each joins the loaded (or loading) unit it belongs to. */
  landed(batch: PackedEvents): void {
    const ids = batch.ids;
    for (let i = 0; i < batch.length; i++) {
      const kind = batch.kind(i);
      const t = batch.createdAt(i);
      let pubkey: string | null = null;
      for (const family of this.families) {
        if (!family.kinds.has(kind)) continue;
        pubkey ??= batch.pubkeyHex(i);
        const at = family.unitFor(kind, pubkey, t);
        if (at && (at.unit.state === 'loaded' || at.unit.state === 'loading')) {
          const before = at.unit.size;
          at.unit.add(ids.bytes, i * ID_SIZE, t, kind, at.author);
          this.kept += at.unit.size - before;
        }
      }
    }
  }

  /** Reads the units not read yet (shared: one read each per run); false when one is over the bound. */
  private async load(units: readonly Unit[], signal: AbortSignal): Promise<boolean> {
    for (const u of units) {
      if (u.state === 'idle') u.loading = this.read(u);
    }
    for (const u of units) if (u.loading) await untilAborted(u.loading, signal);
    return units.every((u) => u.state === 'loaded');
  }

  private async read(u: Unit): Promise<void> {
    u.state = 'loading';
    this.reads++;
    try {
      const index = this.families.find((f) => f.units.includes(u))?.authorIndex ?? null;
      const author = (pubkey: string): number => index?.get(pubkey) ?? -1;
      const scratch = Buffer.alloc(ID_SIZE);
      for await (const e of this.store.query(u.filter, this.runSignal)) {
        if (!/^[0-9a-f]{64}$/.test(e.id)) continue;
        scratch.write(e.id, 0, ID_SIZE, 'hex');
        const before = u.size;
        u.add(scratch, 0, e.created_at, e.kind, author(e.pubkey));
        this.kept += u.size - before;
        if (this.kept > this.maxIds) {
          this.kept -= u.size;
          u.drop();
          u.state = 'too-big';
          return;
        }
      }
      u.state = 'loaded';
    } catch (err) {
      // a failed read is not kept: the next session that needs the unit reads it again
      this.kept -= u.size;
      u.drop();
      u.state = 'idle';
      throw err;
    } finally {
      u.loading = null;
    }
  }

  release(): void {
    for (const family of this.families) for (const u of family.units) u.drop();
    this.kept = 0;
  }
}
