/**
 * Serialises imports into the local store across the peers of a run (one `strfry import` at a time; the
 * relay store gets one publisher), and keeps the run's totals.
 */
import type { Event as NostrEvent } from 'nostr-tools';
import type { ImportResult, LocalStore } from '../services';

export class Importer {
  private chain: Promise<unknown> = Promise.resolve();
  /** imports handed over and not answered yet */
  private pending = 0;
  readonly totals: ImportResult = { added: 0, duplicates: 0, rejected: 0, reasons: {}, bytes: 0 };

  constructor(private readonly store: LocalStore) {}

  /** True when no import is running or waiting: a session may hand over a smaller batch now. */
  get idle(): boolean {
    return this.pending === 0;
  }

  import(events: readonly NostrEvent[], opts: { verify: boolean }, signal?: AbortSignal): Promise<ImportResult> {
    this.pending++;
    const run = this.chain.then(async () => {
      const r = await this.store.import(events, opts, signal);
      this.totals.added += r.added;
      this.totals.duplicates += r.duplicates;
      this.totals.rejected += r.rejected;
      this.totals.bytes += r.bytes;
      for (const [k, v] of Object.entries(r.reasons)) this.totals.reasons[k] = (this.totals.reasons[k] ?? 0) + v;
      return r;
    });
    this.chain = run.catch(() => undefined).finally(() => this.pending--);
    return run;
  }
}
