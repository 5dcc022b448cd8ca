/**
 * Serialises imports into the local store across the peers of a run (one `strfry import` at a time; the
 * relay store gets one publisher), and keeps the run's totals.
 *
 * Batches handed over while the store is busy wait; when it is free, every packed batch waiting (up to
 * MERGE_MAX_EVENTS events) goes in ONE import: with many peers in flight, each session's batches are small (a
 * cold run at 32 peers brings ~1,000 new events per peer), and every `strfry import` is a process start. Each
 * session still gets its own batch's answer:
 * - events the batch rules keep out (an older version, an event a kind 5 of the same import deletes) are known
 *   one by one (batch-rules.ts, the same rules the store applies) and counted for the batch they came in;
 * - when strfry counted nothing else but added events (the usual case: the run only fetches what the local relay
 *   lacks), the rest of each batch was added: exact;
 * - strfry counts duplicates, rejections and events it holds a newer version of per import, not per event: when
 *   a merged import has some, they are shared among its batches in proportion to their sizes (largest remainder).
 *   The run's totals stay exact; a peer's own figures may then be off by those few events.
 */
import type { Event as NostrEvent } from 'nostr-tools';
import type { ImportResult, LocalStore } from '../services';
import { PackedEvents, importsPacked } from '../store/packed';
import { supersededInBatch } from '../store/batch-rules';

interface PackedStore {
  import(events: PackedEvents, opts: { verify: boolean }, signal?: AbortSignal): Promise<ImportResult>;
}

/** Events of one merged import at most (a few MB of JSON lines, copied once). */
export const MERGE_MAX_EVENTS = 10_000;

interface Job {
  events: readonly NostrEvent[] | PackedEvents;
  opts: { verify: boolean };
  signal: AbortSignal | undefined;
  resolve(r: ImportResult): void;
  reject(err: unknown): void;
}

const emptyResult = (): ImportResult => ({ added: 0, duplicates: 0, rejected: 0, superseded: 0, reasons: {}, bytes: 0 });

export class Importer {
  private readonly queue: Job[] = [];
  private running = false;
  /** imports handed over and not answered yet */
  private pending = 0;
  /** store imports run (a merged one counts once) */
  imports = 0;
  readonly totals: ImportResult = emptyResult();

  constructor(private readonly store: LocalStore) {}

  /** True when no import is running or waiting: a session may hand over a smaller batch now. */
  get idle(): boolean {
    return this.pending === 0;
  }

  /**
   * A packed batch goes to the store as it is when the store takes one (both of ours do), else as events
   * parsed back. The batch is not kept past the returned promise.
   */
  import(events: readonly NostrEvent[] | PackedEvents, opts: { verify: boolean }, signal?: AbortSignal): Promise<ImportResult> {
    this.pending++;
    return new Promise<ImportResult>((resolve, reject) => {
      this.queue.push({ events, opts, signal, resolve, reject });
      this.pump();
    });
  }

  /** The next import: the first waiting batch, with the packed ones that may go along. */
  private pump(): void {
    if (this.running) return;
    // a batch whose session was cancelled while it waited is not imported
    for (let j = this.queue[0]; j?.signal?.aborted; j = this.queue[0]) {
      this.queue.shift();
      this.pending--;
      j.reject(j.signal.reason);
    }
    const first = this.queue.shift();
    if (!first) return;
    const jobs = [first];
    // merged for strfry only: each of its imports is a process start; a relay store answers event by event anyway
    if (first.events instanceof PackedEvents && this.store.kind === 'strfry' && importsPacked(this.store)) {
      let n = first.events.length;
      for (let i = 0; i < this.queue.length; ) {
        const j = this.queue[i] as Job;
        const fits = j.events instanceof PackedEvents && j.opts.verify === first.opts.verify && !j.signal?.aborted && n + j.events.length <= MERGE_MAX_EVENTS;
        if (!fits) {
          i++;
          continue;
        }
        n += j.events.length;
        jobs.push(j);
        this.queue.splice(i, 1);
      }
    }
    this.running = true;
    void this.run(jobs).finally(() => {
      this.running = false;
      this.pending -= jobs.length;
      this.pump();
    });
  }

  private async run(jobs: Job[]): Promise<void> {
    try {
      const results = jobs.length === 1 ? [await this.importOne(jobs[0] as Job)] : await this.importMerged(jobs);
      this.imports++;
      jobs.forEach((j, i) => j.resolve(results[i] as ImportResult));
    } catch (err) {
      for (const j of jobs) j.reject(err);
    }
  }

  private async importOne(j: Job): Promise<ImportResult> {
    const store = this.store;
    const { events, opts, signal } = j;
    let r: ImportResult;
    if (!(events instanceof PackedEvents)) r = await store.import(events, opts, signal);
    else if (importsPacked(store)) r = await (store as unknown as PackedStore).import(events, opts, signal);
    else r = await store.import(Array.from({ length: events.length }, (_, i) => events.event(i)), opts, signal);
    this.count(r);
    return r;
  }

  /** Several sessions' packed batches in one store import; each gets its share of the answer. */
  private async importMerged(jobs: Job[]): Promise<ImportResult[]> {
    const batches = jobs.map((j) => j.events as PackedEvents);
    const merged = PackedEvents.concat(batches);
    const { signal, done } = allAborted(jobs.map((j) => j.signal));
    try {
      // the same rules the store applies, one event at a time: whose batch each kept-out event came from
      const kept = supersededInBatch(merged);
      const r = await (this.store as unknown as PackedStore).import(merged, jobs[0]?.opts ?? { verify: false }, signal);
      this.count(r);
      return shareAnswer(r, batches, kept);
    } finally {
      done();
      merged.release();
    }
  }

  private count(r: ImportResult): void {
    this.totals.added += r.added;
    this.totals.duplicates += r.duplicates;
    this.totals.rejected += r.rejected;
    this.totals.superseded += r.superseded;
    this.totals.bytes += r.bytes;
    for (const [k, v] of Object.entries(r.reasons)) this.totals.reasons[k] = (this.totals.reasons[k] ?? 0) + v;
  }
}

/** A signal that aborts once every one of `signals` has (a merged import serves them all); `done` unhooks it. */
function allAborted(signals: ReadonlyArray<AbortSignal | undefined>): { signal: AbortSignal | undefined; done: () => void } {
  if (signals.some((s) => s === undefined)) return { signal: undefined, done: () => undefined };
  const all = signals as AbortSignal[];
  const c = new AbortController();
  const check = (): void => {
    if (all.every((s) => s.aborted)) c.abort(all[0]?.reason);
  };
  for (const s of all) s.addEventListener('abort', check);
  check();
  return { signal: c.signal, done: () => all.forEach((s) => s.removeEventListener('abort', check)) };
}

/**
 * Up to `total` shared among slots of room `room`, in proportion to the room (largest remainder), never more
 * than a slot's room. The shares, in slot order.
 */
export function apportion(total: number, room: readonly number[]): number[] {
  const sum = room.reduce((a, b) => a + b, 0);
  const give = Math.min(total, sum);
  if (give <= 0) return room.map(() => 0);
  const exact = room.map((r) => (r * give) / sum);
  const out = exact.map((x) => Math.floor(x));
  let left = give - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    if ((out[i] as number) < (room[i] as number)) {
      out[i] = (out[i] as number) + 1;
      left--;
    }
  }
  return out;
}

/**
 * A merged import's answer, batch by batch: the events the batch rules kept out where they came from, the
 * duplicates, rejections (with their reasons) and events strfry held a newer version of in proportion, the rest
 * added. A short answer (the store answered for fewer events than it was sent) stays short, batch by batch.
 */
export function shareAnswer(r: ImportResult, batches: readonly PackedEvents[], kept: readonly number[]): ImportResult[] {
  const out = batches.map(() => emptyResult());
  const starts: number[] = [];
  let at = 0;
  for (const b of batches) {
    starts.push(at);
    at += b.length;
  }
  const batchOf = (i: number): number => {
    let b = starts.length - 1;
    while (b > 0 && (starts[b] as number) > i) b--;
    return b;
  };
  const inBatch = batches.map(() => 0);
  for (const i of kept) inBatch[batchOf(i)] = (inBatch[batchOf(i)] as number) + 1;
  // kept-out events are superseded; if the store counted fewer superseded than that, the rule sets differ:
  // then every superseded event is shared like the rest
  const exactSuperseded = r.superseded >= kept.length;
  const room = batches.map((b, k) => b.length - (exactSuperseded ? (inBatch[k] as number) : 0));
  const take = (n: number): number[] => {
    const share = apportion(n, room);
    share.forEach((s, k) => (room[k] = (room[k] as number) - s));
    return share;
  };
  const superseded = take(exactSuperseded ? r.superseded - kept.length : r.superseded);
  const duplicates = take(r.duplicates);
  const rejected = take(r.rejected);
  const added = take(r.added);
  const bytes = apportion(r.bytes, batches.map((b) => b.bytes));
  out.forEach((x, k) => {
    x.superseded = (superseded[k] as number) + (exactSuperseded ? (inBatch[k] as number) : 0);
    x.duplicates = duplicates[k] as number;
    x.rejected = rejected[k] as number;
    x.added = added[k] as number;
    x.bytes = bytes[k] as number;
  });
  // each reason shared among the batches that got rejections, within what each got
  const reasonRoom = rejected.slice();
  for (const [why, n] of Object.entries(r.reasons)) {
    const share = apportion(n, reasonRoom);
    share.forEach((s, k) => {
      if (s === 0) return;
      reasonRoom[k] = (reasonRoom[k] as number) - s;
      (out[k] as ImportResult).reasons[why] = s;
    });
  }
  return out;
}
