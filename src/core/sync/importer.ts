/**
 * Serialises imports into the local store across the peers of a run (one `strfry import` at a time; the
 * relay store gets one publisher), and keeps the run's totals.
 */
import type { Event as NostrEvent } from 'nostr-tools';
import type { ImportResult, LocalStore } from '../services';
import { PackedEvents, importsPacked } from '../store/packed';

interface PackedStore {
  import(events: PackedEvents, opts: { verify: boolean }, signal?: AbortSignal): Promise<ImportResult>;
}

export class Importer {
  private chain: Promise<unknown> = Promise.resolve();
  /** imports handed over and not answered yet */
  private pending = 0;
  readonly totals: ImportResult = { added: 0, duplicates: 0, rejected: 0, superseded: 0, reasons: {}, bytes: 0 };

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
    const store = this.store;
    const run = this.chain.then(async () => {
      let r: ImportResult;
      if (!(events instanceof PackedEvents)) r = await store.import(events, opts, signal);
      else if (importsPacked(store)) r = await (store as unknown as PackedStore).import(events, opts, signal);
      else r = await store.import(Array.from({ length: events.length }, (_, i) => events.event(i)), opts, signal);
      this.totals.added += r.added;
      this.totals.duplicates += r.duplicates;
      this.totals.rejected += r.rejected;
      this.totals.superseded += r.superseded;
      this.totals.bytes += r.bytes;
      for (const [k, v] of Object.entries(r.reasons)) this.totals.reasons[k] = (this.totals.reasons[k] ?? 0) + v;
      return r;
    });
    this.chain = run.catch(() => undefined).finally(() => this.pending--);
    return run;
  }
}
