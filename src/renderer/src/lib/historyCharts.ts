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

/**
 * What a run received, by category: the events its peers sent that passed the sieve and went to the local relay,
 * new or already held (the engine counts categories there; `strfry import` only answers totals, so how many of
 * each category were new is not known). `categories.events` is that total.
 */
export function receivedTotal(r: Pick<RunSummary, 'categories'>): number {
  return r.categories.events ?? 0;
}

/**
 * The stacked series of the category chart: the `max` biggest categories, then "other" for the rest, so each
 * run's stack adds up to exactly what it received (`receivedTotal`).
 */
export function categoryStacks(runs: readonly RunSummary[], max = 8): Array<{ key: string; data: number[] }> {
  const top = topCategories(runs, max);
  const series = top.map((key) => ({ key, data: runs.map((r) => r.categories[key] ?? 0) }));
  const other = runs.map((r, i) => Math.max(0, receivedTotal(r) - series.reduce((sum, s) => sum + (s.data[i] as number), 0)));
  if (other.some((v) => v > 0)) series.push({ key: 'other', data: other });
  return series;
}
