/** Chart data for the History screen, from run summaries (newest first in the list, oldest first on the axis). */
import type { RunSummary } from '../../../shared/schemas';

/** Sums that are not categories of their own. */
const AGGREGATES = new Set(['events', 'public']);

/** The categories with the most events over all runs, biggest first. */
export function topCategories(runs: readonly RunSummary[], max = 8): string[] {
  const totals = new Map<string, number>();
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.categories)) {
      if (!AGGREGATES.has(k) && v > 0) totals.set(k, (totals.get(k) ?? 0) + v);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, max).map(([k]) => k);
}

export function chronological(runs: readonly RunSummary[], max = 50): RunSummary[] {
  return [...runs].sort((a, b) => a.startedAt - b.startedAt).slice(-max);
}
