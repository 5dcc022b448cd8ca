/**
 * The engine's one concurrency limiter (the sync's filters and peers, the profile phase, the graph's reads and
 * the relay store's publishes all go through it, so they behave alike on failure and on cancel).
 *
 *   await forEachLimited(items, limit, async (item, index) => …, signal)
 *
 * - At most `limit` calls run at once; items start in their order.
 * - The first failure stops new items from starting; the call waits for the running ones to settle (nothing it
 *   started outlives it), then throws that first failure.
 * - An aborted signal does the same and the call throws the signal's reason (`cancelled` when it has none),
 *   even when every item had already finished: a caller never mistakes a cancelled pass for a complete one.
 *   The running calls get the signal from their caller if they need to stop early.
 */
import { reason, ReasonError } from '../../shared/i18n';

export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failure === null && !signal?.aborted && next < items.length) {
      const i = next++;
      try {
        await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
  if (signal?.aborted) throw abortReason(signal);
}

/** The reason an aborted signal carries, as an Error (`cancelled` when it carries none). */
export function abortReason(signal: AbortSignal | undefined): Error {
  const r: unknown = signal?.reason;
  return r instanceof Error ? r : new ReasonError(reason('cancelled'));
}
