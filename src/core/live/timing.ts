/**
 * Live sync's tuning, in one place. Every value has a reason; tests shorten the waits through
 * `EngineConfig.live` (a partial of this).
 */
export interface LiveTiming {
  /** Events that arrive within this window after the first of a batch are imported together: `strfry import` is
   * a process per batch, so one per event would cost a spawn each. 100 ms keeps the down path well under 1 s. */
  windowMs: number;
  /** A batch this big is imported at once, without waiting for its window to close. */
  maxBatch: number;
  /** Imports running at once (strfry serialises its writers; a second one hides the next spawn's start-up). */
  importsInFlight: number;
  /** Events sieved and not yet imported, at most (a peer flooding the stream cannot grow memory past this). */
  maxPending: number;
  /** First wait before reconnecting to a peer; doubles up to backoffMaxMs, ±20 % jitter. */
  backoffFirstMs: number;
  backoffMaxMs: number;
  /** A connection that stayed up this long resets the backoff. */
  stableMs: number;
  /** A relay round trip this often proves an idle connection alive (a dead tunnel or a sleep shows here). */
  keepaliveMs: number;
  keepaliveTimeoutMs: number;
  /** How often the station's member set and peers are compared with what live sync follows. */
  membershipPollMs: number;
  /** The catch-up starts this long before the last moment the stream was known complete (clock skew, events
   * created shortly before they were published). */
  gapMarginSec: number;
  /** The gap caught up with a peer never seen before (the hourly backfill covers what is older). */
  firstGapSec: number;
  /** The longest gap caught up live; older events are the hourly backfill's (its window). */
  maxGapSec: number;
  /** A new subscription asks this far back (the catch-up covers the rest). */
  streamOverlapSec: number;
  /** EVENTs sent to one peer and not yet answered, at most. */
  publishInFlight: number;
  /** Events waiting to go up to one peer, at most; more are left to the next catch-up or hourly reconciliation. */
  publishQueue: number;
  /** No answer to an EVENT after this long counts as a failure. */
  publishTimeoutMs: number;
  /** A peer refusing writes is left alone this long, doubling up to refuseBackoffMaxMs. */
  refuseBackoffMs: number;
  refuseBackoffMaxMs: number;
  /** An event that came from a peer goes on to the other peers this long after it appeared locally, to those
   * that have not streamed it to us meanwhile (in a constellation where every station runs live sync, they got
   * it from its origin: nothing to send). This station's own events go at once. */
  forwardDelayMs: number;
  /** A failed catch-up is tried again after this long while the stream runs. */
  catchUpRetryMs: number;
  /** At most this often, the per-peer "seen until" marks are written to the data folder. */
  seenSaveMs: number;
  /** `live.changed` at most this often. */
  emitMs: number;
}

export const DEFAULT_LIVE_TIMING: LiveTiming = {
  windowMs: 100,
  maxBatch: 500,
  importsInFlight: 2,
  maxPending: 20_000,
  backoffFirstMs: 1_000,
  backoffMaxMs: 60_000,
  stableMs: 60_000,
  keepaliveMs: 60_000,
  keepaliveTimeoutMs: 15_000,
  membershipPollMs: 2_000,
  gapMarginSec: 600,
  firstGapSec: 3_600,
  maxGapSec: 86_400,
  streamOverlapSec: 10,
  publishInFlight: 16,
  publishQueue: 2_000,
  publishTimeoutMs: 15_000,
  refuseBackoffMs: 60_000,
  refuseBackoffMaxMs: 3_600_000,
  forwardDelayMs: 1_000,
  catchUpRetryMs: 60_000,
  seenSaveMs: 30_000,
  emitMs: 250,
};
