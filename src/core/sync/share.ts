/**
 * The share side of an hourly run (setting liveShare): what each peer's NIP-77 reconciliation needs to send the
 * peer the members' events it lacks.
 *
 *   recent(f)   the local relay's events of the last SHARE_RECENT_SEC matching a members' filter — read once per
 *               run (one local read, shared by every peer's session, as the local view is) and added to the
 *               peer's known-set items, so what was written here since the last run shows as lacking; older
 *               events are shared by the daily full reconciliation (FULL_RECONCILE_EVERY_SEC), which
 *               reconciles against the whole local relay
 *   offer(ids)  the members' events among NIP-77's `have`, sent to the peer (live sync's offerMissing)
 */
import type { Filter } from 'nostr-tools';
import type { LocalStore } from '../services';
import { IdList, type RelayConnection } from '../nostr';
import { matcher, readLocalRows, type LocalRow } from '../live/catchup';
import { offerMissing, type OfferResult } from '../live/offer';
import { reason, reasonOf, type Reason } from '../../shared/i18n';

/** An hourly run and some slack (an event reaches the local relay after its created_at: a late import, a clock
 * ahead, a run skipped). */
export const SHARE_RECENT_SEC = 7 * 3600;

export interface ShareInput {
  store: LocalStore;
  /** every kind the members' filters ask */
  kinds: readonly number[];
  members: ReadonlySet<string>;
  blacklist: ReadonlySet<string>;
  nowSec: number;
  /** the run's signal (the shared read is the run's, not one session's) */
  signal: AbortSignal;
  /** a failed local read: the run goes on without the recent events (the full reconciliation catches up) */
  onProblem(why: Reason): void;
}

export class RunShare {
  private rows: Promise<readonly LocalRow[]> | null = null;
  readonly since: number;

  constructor(private readonly i: ShareInput) {
    this.since = i.nowSec - SHARE_RECENT_SEC;
  }

  /** The recent local events of a filter, as NIP-77 items (the caller releases the list). */
  async recent(f: Filter): Promise<IdList> {
    this.rows ??= readLocalRows(this.i.store, [{ kinds: [...this.i.kinds] }], this.since, this.i.signal).catch((err: unknown) => {
      this.i.onProblem(reason('share.cannotRead', { why: reasonOf(err) }));
      return [];
    });
    const match = matcher({ ...f, since: Math.max(f.since ?? 0, this.since) });
    const list = new IdList(true);
    for (const r of await this.rows) if (match(r)) list.pushHex(r.id, r.created_at);
    return list;
  }

  /** Sends the peer the members' events among the ids it lacks. */
  offer(conn: RelayConnection, lacking: IdList, signal: AbortSignal): Promise<OfferResult> {
    return offerMissing({ conn, store: this.i.store, ids: lacking, members: this.i.members, blacklist: this.i.blacklist, signal });
  }
}
