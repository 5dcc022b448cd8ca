/**
 * The share side of the hourly reconciliation: given the ids a peer lacks (NIP-77's `have`), send it the ones
 * that are this station's members' events. The hourly session calls this with its own connection when the
 * "Share this station's events with the constellation" setting is on; live sync's catch-up does the same.
 *
 *   await offerMissing({ conn, store, ids, members, blacklist, signal }) → OfferResult
 *
 * Events are read back from the local store (complete, by ids in chunks), kept when their author is a member
 * (not blacklisted) and they are not an automatic welcome note, and published with the live publisher's rules
 * (bounded in flight, OK false counted by reason, a peer refusing writes stops the offer). Reading and sending
 * overlap: events are sent as the read brings them, and the read waits (the store's pipe fills) while
 * QUEUE_HIGH events are queued or unanswered, so memory stays bounded whatever the chunk.
 */
import type { Event as NostrEvent } from 'nostr-tools';
import { WELCOME_NOTE_PATTERN } from '../../shared/kinds';
import type { ShareCounts } from '../../shared/schemas';
import type { LocalStore } from '../services';
import { IdList, type RelayConnection } from '../nostr';
import { Publisher } from './publisher';

/**
 * Ids per read. A strfry store reads with one `strfry scan '<filter>'` process per chunk, the filter JSON being
 * one argument: Linux caps a single argument at MAX_ARG_STRLEN (32 pages: 131,072 bytes with its NUL), and
 * strfry caps a filter's ids at 65,535 decoded bytes (filters.h: `total filter items too large`), 2,047 ids of
 * 32 bytes. 1,900 ids make a 127,310-byte argument and 60,800 bytes of ids: both within, and a cold share of a
 * few thousand events starts a few processes, not dozens (each costs a process start and a database open).
 * Another store reads by REQ, whose message a relay caps (strfry's max_message_length: 131,072 bytes) and whose
 * answer it pages by max_limit: 200 ids there.
 */
export const SCAN_READ_CHUNK = 1_900;
const REQ_READ_CHUNK = 200;
/** Events queued or unanswered above which the read waits for the peer's answers. */
const QUEUE_HIGH = 256;

export interface OfferInput {
  conn: RelayConnection;
  store: LocalStore;
  /** ids the peer does not hold (hex, or NIP-77's packed `have`) */
  ids: readonly string[] | IdList;
  members: ReadonlySet<string>;
  blacklist?: ReadonlySet<string>;
  signal?: AbortSignal;
  inFlight?: number;
  timeoutMs?: number;
}

export interface OfferResult {
  /** events published (members' events among the ids) */
  offered: number;
  accepted: number;
  duplicates: number;
  /** OK false about the event, by reason */
  rejected: Record<string, number>;
  /** the peer refuses this station's writes (the offer stopped there), else null */
  refusing: string | null;
  unanswered: number;
}

export const emptyOffer = (): OfferResult => ({ offered: 0, accepted: 0, duplicates: 0, rejected: {}, refusing: null, unanswered: 0 });

/** Adds one offer's counts to a peer's (several filters, several attempts). */
export function addOffer(into: OfferResult, r: OfferResult): void {
  into.offered += r.offered;
  into.accepted += r.accepted;
  into.duplicates += r.duplicates;
  into.unanswered += r.unanswered;
  for (const [reason, n] of Object.entries(r.rejected)) into.rejected[reason] = (into.rejected[reason] ?? 0) + n;
  into.refusing ??= r.refusing;
}

/** A peer's offers as the run report counts them (ShareCounts). */
export function shareCounts(r: OfferResult): ShareCounts {
  const refused = Object.values(r.rejected).reduce((a, b) => a + b, 0);
  return { offered: r.offered, accepted: r.accepted, duplicates: r.duplicates, refused, unanswered: r.unanswered, refusingPeers: r.refusing !== null ? 1 : 0 };
}

/** The run's total of its peers' share counts; null when the share side ran for none of them. */
export function sumShareCounts(list: ReadonlyArray<ShareCounts | undefined>): ShareCounts | null {
  const got = list.filter((x): x is ShareCounts => x !== undefined);
  if (got.length === 0) return null;
  const sum = (k: keyof ShareCounts): number => got.reduce((a, x) => a + x[k], 0);
  return { offered: sum('offered'), accepted: sum('accepted'), duplicates: sum('duplicates'), refused: sum('refused'), unanswered: sum('unanswered'), refusingPeers: sum('refusingPeers') };
}

/** Whether an event of the local relay is one this station shares. */
export function shareable(e: NostrEvent, members: ReadonlySet<string>, blacklist?: ReadonlySet<string>): boolean {
  return members.has(e.pubkey) && !blacklist?.has(e.pubkey) && !WELCOME_NOTE_PATTERN.test(e.content);
}

export async function offerMissing(input: OfferInput): Promise<OfferResult> {
  const out = emptyOffer();
  if (input.ids.length === 0) return out;
  const pub = new Publisher(input.conn, {
    peer: input.conn.url,
    inFlight: input.inFlight ?? 16,
    maxQueue: Number.MAX_SAFE_INTEGER,
    timeoutMs: input.timeoutMs ?? 15_000,
    refuseBackoffMs: 3_600_000,
    refuseBackoffMaxMs: 3_600_000,
    clock: Date.now,
    onAnswer: (a) => {
      if (a.outcome === 'accepted') out.accepted++;
      else if (a.outcome === 'duplicate') out.duplicates++;
      else if (a.outcome === 'rejected') out.rejected[a.reason] = (out.rejected[a.reason] ?? 0) + 1;
      else if (a.outcome === 'refusing') out.refusing ??= a.reason;
      else out.unanswered++;
    },
  });
  const chunk = input.store.kind === 'strfry' ? SCAN_READ_CHUNK : REQ_READ_CHUNK;
  const slice = (i: number): string[] => (input.ids instanceof IdList ? input.ids.hexSlice(i, i + chunk) : input.ids.slice(i, i + chunk));
  try {
    for (let i = 0; i < input.ids.length && !pub.refusing; i += chunk) {
      input.signal?.throwIfAborted();
      for await (const e of input.store.query({ ids: slice(i) }, input.signal)) {
        if (!shareable(e, input.members, input.blacklist)) continue;
        if (pub.enqueue(e)) out.offered++;
        // keep the queue short: the read waits while the peer answers (leaving the loop ends the read)
        if (pub.waiting >= QUEUE_HIGH) await pub.atMost(QUEUE_HIGH / 2);
        if (pub.refusing) break;
      }
    }
    await pub.idle();
  } finally {
    pub.close();
  }
  return out;
}
