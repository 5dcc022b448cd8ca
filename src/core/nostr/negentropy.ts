/**
 * NIP-77 (negentropy) client side: probe, reconcile (splitting the time range when the peer says "blocked"),
 * and fetching the needed ids with REQ `{"ids":[…]}`.
 *
 * Public API:
 *   await probeNip77(conn, { timeoutMs, signal }) → { ok, reason }        // NOTICE, CLOSED, NEG-ERR or silence = no
 *   await reconcile(conn, filter, items, { signal, idleMs, maxMessageLength, maxRounds, maxNeed, wholeRangeFirst })
 *     → { have, need, rounds, splits }
 *     (throws ReconcileCapped past maxRounds NEG-MSG answers or maxNeed needed ids)
 *   fetchByIds(conn, ids, { chunk, inFlight, idleMs, signal }) → AsyncGenerator<NostrEvent>
 *
 * Our own compact initiator (negentropy-client.ts) over our own RelayConnection: items, `have` and `need` are
 * packed IdLists (32 bytes an id), not per-id objects and hex strings; NEG-ERR reasons reach the caller (we
 * need "blocked"). `need` = ids the peer holds and `items` lacks; `have` = ids in `items` the peer does not hold.
 */
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import { RelayRefusal, RelayTimeout, Silence, type RelayConnection } from './relay';
import { IdList } from './ids';
import { NegentropyInitiator, NegentropyItems } from './negentropy-client';
import { abortReason } from '../util/limit';
import { reason, reasonOf, reasonText, ReasonError, type Reason } from '../../shared/i18n';

export interface ReconcileResult {
  have: IdList;
  need: IdList;
  /** NEG-MSG round trips */
  rounds: number;
  /** time-range splits made because the peer answered "blocked" */
  splits: number;
}

/**
 * A reconciliation stopped at one of our bounds (NEG-MSG exchanges, ids said to be needed): a responder that
 * never converges, or lists ids without end. The caller pages the filter's window instead.
 */
export class ReconcileCapped extends ReasonError {
  override name = 'ReconcileCapped';
}

export interface ReconcileOptions {
  signal?: AbortSignal;
  idleMs?: number;
  maxMessageLength?: number;
  /** NEG-MSG answers taken at most (all splits together) */
  maxRounds?: number;
  /** ids the peer may say we lack at most (all splits together) */
  maxNeed?: number;
  /** start with one fingerprint of the whole range (the peer most likely holds the same set) */
  wholeRangeFirst?: boolean;
}

/** Does the peer really answer NEG-OPEN? A tiny reconciliation on an empty time slice, with a short timeout. */
export async function probeNip77(
  conn: RelayConnection,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<{ ok: boolean; reason: string; why: Reason }> {
  const timeoutMs = opts.timeoutMs ?? 4000;
  const now = Math.floor(Date.now() / 1000);
  const neg = new NegentropyInitiator(NegentropyItems.empty());
  return new Promise((resolve, reject) => {
    let session: { close: () => void } | null = null;
    let settled = false;
    const finish = (r: { ok: boolean; why: Reason } | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      session?.close();
      if (r instanceof Error) reject(r);
      else resolve({ ...r, reason: reasonText(r.why) });
    };
    const timer = setTimeout(() => finish({ ok: false, why: reason('nip77.noAnswer', { ms: timeoutMs }) }), timeoutMs);
    const onAbort = (): void => finish(abortReason(opts.signal));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    conn
      .openNeg({ kinds: [0], since: now + 3600, until: now + 3600 }, neg.initiate().toString('hex'), {
        onMessage: () => finish({ ok: true, why: reason('nip77.answered') }),
        onError: (err) => finish({ ok: false, why: err instanceof RelayRefusal ? reason('nip77.refused', { why: reason('relay.refusal', { via: err.via, text: err.reason }) }) : reasonOf(err) }),
      }, opts.signal)
      .then((s) => {
        session = s;
        if (settled) s.close();
      })
      .catch((err: Error) => finish(opts.signal?.aborted ? err : { ok: false, why: reasonOf(err) }));
  });
}

/** One reconciliation of `filter` against `items` (no splitting). */
function reconcileOnce(conn: RelayConnection, filter: Filter, items: IdList, opts: ReconcileOptions): Promise<ReconcileResult> {
  const maxRounds = opts.maxRounds ?? Infinity;
  const maxNeed = opts.maxNeed ?? Infinity;
  // frame size in bytes; the hex message is twice that and must stay within the peer's max_message_length
  const frame = Math.max(4096, Math.min(60_000, Math.floor(((opts.maxMessageLength ?? 131072) - 1000) / 2)));
  const sorted = NegentropyItems.from(items);
  const neg = new NegentropyInitiator(sorted, frame);
  // a peer may list an id again when it reconciles a range a second time (a frame cut leaves settled ranges
  // inside the next fingerprint): each id is reported once
  const have = IdList.unique();
  const need = IdList.unique();
  const idleMs = opts.idleMs ?? 20_000;
  return new Promise((resolve, reject) => {
    let session: { send: (hex: string) => void; close: () => void } | null = null;
    let settled = false;
    let rounds = 0;
    // the peer's silence only: while the connection is paused for another subscription's back-pressure,
    // its NEG-MSG cannot reach us
    const silence = new Silence(
      idleMs,
      () => conn.held,
      () => finish(new RelayTimeout(reason('relay.at', { url: conn.url, why: reason('relay.negSilent', { ms: idleMs }) }))),
      () => conn.lastFrameAt,
    );
    const finish = (r: ReconcileResult | Error): void => {
      if (settled) return;
      settled = true;
      silence.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      session?.close();
      sorted.release();
      if (r instanceof Error) {
        have.release();
        need.release();
        reject(r);
      } else resolve(r);
    };
    const onAbort = (): void => finish(abortReason(opts.signal));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const pending: string[] = [];
    const onMessage = (hex: string): void => {
      if (settled) return;
      if (!session) {
        pending.push(hex);
        return;
      }
      rounds++;
      silence.heard();
      try {
        if (rounds > maxRounds) {
          finish(new ReconcileCapped(reason('bound.negMaxRounds', { max: maxRounds })));
          return;
        }
        if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw new ReasonError(reason('neg.notHex'));
        const next = neg.reconcile(Buffer.from(hex, 'hex'), have, need);
        if (need.length > maxNeed) {
          finish(new ReconcileCapped(reason('bound.negMaxNeed', { max: maxNeed })));
          return;
        }
        if (next) session.send(next.toString('hex'));
        else {
          have.dropIndex();
          need.dropIndex();
          finish({ have, need, rounds, splits: 0 });
        }
      } catch (err) {
        finish(new ReasonError(reason('relay.at', { url: conn.url, why: reason('relay.negFailed', { detail: reasonOf(err) }) })));
      }
    };
    silence.start();
    conn
      .openNeg(filter, neg.initiate(opts.wholeRangeFirst).toString('hex'), { onMessage, onError: (err) => finish(err) }, opts.signal)
      .then((s) => {
        session = s;
        if (settled) s.close();
        else for (const hex of pending.splice(0)) onMessage(hex);
      })
      .catch((err: Error) => finish(err));
  });
}

/**
 * Reconciles `filter` against `items`; when the peer answers "blocked" (too many events for one
 * reconciliation), splits the created_at range in two and reconciles each half.
 */
export async function reconcile(
  conn: RelayConnection,
  filter: Filter,
  items: IdList,
  opts: ReconcileOptions & { now?: number; depth?: number } = {},
): Promise<ReconcileResult> {
  try {
    return await reconcileOnce(conn, filter, items, opts);
  } catch (err) {
    const depth = opts.depth ?? 0;
    if (!(err instanceof RelayRefusal) || err.prefix !== 'blocked' || depth >= 24) throw err;
    const lo = filter.since ?? 0;
    const hi = filter.until ?? opts.now ?? Math.floor(Date.now() / 1000);
    if (hi <= lo) throw err;
    const mid = Math.floor((lo + hi) / 2);
    const parts: Array<[number, number]> = [
      [lo, mid],
      [mid + 1, hi],
    ];
    const out: ReconcileResult = { have: new IdList(), need: new IdList(), rounds: 0, splits: 1 };
    for (const [a, b] of parts) {
      const sub = items.between(a, b);
      // the bounds hold for the whole reconciliation: each half gets what the halves before it left
      const left = { maxRounds: (opts.maxRounds ?? Infinity) - out.rounds, maxNeed: (opts.maxNeed ?? Infinity) - out.need.length };
      const r = await reconcile(conn, { ...filter, since: a, until: b }, sub, { ...opts, ...left, depth: depth + 1 }).finally(() => sub.release());
      out.have.append(r.have);
      out.need.append(r.need);
      r.have.release();
      r.need.release();
      out.rounds += r.rounds;
      out.splits += r.splits;
    }
    return out;
  }
}

/**
 * Events for the given ids, REQ `{"ids":[…]}` in chunks of `chunk` ids (within max_limit and the filter
 * element limit), at most `inFlight` REQs at once, at most twice as many events read per REQ as it asked ids.
 * Order is not kept.
 */
export async function* fetchByIds(
  conn: RelayConnection,
  ids: readonly string[] | IdList,
  opts: { chunk: number; inFlight: number; idleMs?: number; signal?: AbortSignal; kinds?: number[] },
): AsyncGenerator<NostrEvent> {
  const chunk = Math.max(1, opts.chunk);
  const only = opts.kinds ? { kinds: opts.kinds } : {};
  // each chunk's hex ids are made when its REQ starts (only `inFlight` of them exist at once)
  const slice = (from: number): string[] => (ids instanceof IdList ? ids.hexSlice(from, from + chunk) : ids.slice(from, from + chunk));
  const sources = Array.from({ length: Math.ceil(ids.length / chunk) }, (_, c) => () => {
    const part = slice(c * chunk);
    // an honest relay sends at most one event per id; a REQ is read for twice that at most (what it slips in
    // unasked is dropped by the sieve, and does not hide the events asked for)
    return atMost(conn.req([{ ids: part, ...only, limit: part.length }], { idleMs: opts.idleMs, signal: opts.signal }), 2 * part.length);
  });
  yield* mergeConcurrent(sources, opts.inFlight);
}

/** The first `n` items of a REQ: past them the relay is not read further. */
async function* atMost<T>(source: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  if (n <= 0) return;
  let i = 0;
  for await (const item of source) {
    yield item;
    if (++i >= n) return;
  }
}

/** Runs at most `limit` async sources at once and yields their items as they come (bounded buffering). */
export async function* mergeConcurrent<T>(sources: Array<() => AsyncIterable<T>>, limit: number): AsyncGenerator<T> {
  const queue: T[] = [];
  let next = 0;
  let running = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  // every source blocked on a full queue waits here; all are woken when it drains (one slot would lose wakeups)
  const space: Array<() => void> = [];
  const wakeSources = (): void => {
    for (const s of space.splice(0)) s();
  };
  const poke = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const maxQueue = 1000;
  let stopped = false;
  const startOne = (): void => {
    const src = sources[next++];
    if (!src) return;
    running++;
    void (async () => {
      try {
        for await (const item of src()) {
          if (stopped) return;
          queue.push(item);
          poke();
          while (queue.length > maxQueue && !stopped) await new Promise<void>((r) => space.push(r));
        }
      } catch (err) {
        failure ??= err as Error;
      } finally {
        running--;
        poke();
      }
    })();
  };
  try {
    while (running < limit && next < sources.length) startOne();
    for (;;) {
      while (queue.length > 0) {
        yield queue.shift() as T;
        if (queue.length <= maxQueue && space.length > 0) wakeSources();
      }
      if (failure) throw failure;
      while (running < limit && next < sources.length) startOne();
      if (running === 0 && next >= sources.length && queue.length === 0) return;
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    stopped = true;
    wakeSources();
  }
}
