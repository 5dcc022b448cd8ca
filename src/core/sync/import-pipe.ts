/**
 * A session's imports: at most `depth` batches handed to the run's importer and not yet answered, so fetching
 * goes on while earlier batches are imported and a slow local store does not stall the peer's socket long.
 * A batch counts only when the local store answered for every event of it (added, duplicate, rejected or
 * superseded: strfry's replaced/deleted); a short answer fails the session.
 */
import type { PeerProgress } from '../../shared/schemas';
import type { LocalStore } from '../services';
import type { IdSet } from '../nostr';
import type { PackedEvents } from '../store/packed';
import type { Importer } from './importer';
import type { Sieve } from './sieve';
import type { Tally } from './session-tally';
import { reason, reasonOf, ReasonError } from '../../shared/i18n';

/** Events per import batch (a `strfry import` run, or publishes to a relay store). */
export const IMPORT_BATCH = 2500;

/** What the pipe needs from the session. */
export interface ImportPipeDeps {
  store: LocalStore;
  sieve: Sieve;
  importer: Importer;
  notify(): void;
  signal: AbortSignal;
  /** the local store answered for every event of this batch (called before the batch is released) */
  answered?(events: PackedEvents): void;
}

/** The local store did not take a batch: a failure of this station, not of the peer (trying the peer again changes nothing). */
export class ImportFailed extends ReasonError {
  override name = 'ImportFailed';
}

export class ImportPipe {
  private readonly inFlight: Array<Promise<void>> = [];
  private failure: Error | null = null;

  constructor(
    private readonly s: ImportPipeDeps,
    private readonly tally: Tally,
    private readonly p: PeerProgress,
    private readonly depth: number,
    /** the session's ids queued and not yet confirmed: confirmed ones leave it */
    private readonly queued: IdSet,
  ) {}

  /** Hands a packed batch to the importer; its memory is released once the store has answered (or failed). */
  async push(events: PackedEvents): Promise<void> {
    if (this.failure) {
      events.release();
      throw this.failure;
    }
    const { s, p } = this;
    p.phase = 'import';
    s.notify();
    // The sieve let this batch through: with verification on, it checked every event's id and signature, and the
    // line strfry receives is that very event written out again (PackedEvents: JSON.stringify of it). strfry checking
    // them again is the same work twice — on a station's 2 cores, the larger part of an import's cost — so the
    // store is told not to (`strfry import --no-verify`). With --no-verify nobody checks, as asked.
    const job = s.importer.import(events, { verify: false }, s.signal).then(
      (r) => {
        const answered = r.added + r.duplicates + r.rejected + r.superseded;
        if (answered !== events.length) {
          throw new ReasonError(reason('import.shortAnswer', { answered, sent: events.length, store: s.store.description }));
        }
        s.sieve.confirmPacked(events);
        s.answered?.(events);
        this.queued.deleteAll(events.ids);
        this.tally.answered(r, events.counts);
        if (p.phase === 'import') p.phase = 'fetch';
        s.notify();
      },
    ).catch((err: unknown) => {
      this.failure ??= new ImportFailed(reason('import.failed', { why: reasonOf(err) }));
    }).finally(() => events.release());
    this.inFlight.push(job);
    while (this.inFlight.length >= this.depth) {
      await this.inFlight.shift();
      if (this.failure) throw this.failure;
    }
  }

  /** Waits for every import; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
  }

  /** Waits for every import, whatever the outcome. */
  async settle(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift();
  }
}
