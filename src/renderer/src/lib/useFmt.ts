import { useI18n } from 'vue-i18n';
import * as f from './format';

/** The formatters bound to the window's current language. */
export function useFmt() {
  const { locale } = useI18n();
  return {
    num: (n: number | null | undefined) => f.formatNumber(n, locale.value),
    bytes: (n: number | null | undefined) => f.formatBytes(n, locale.value),
    rate: (n: number) => f.formatRate(n, locale.value),
    duration: (ms: number) => f.formatDuration(ms, locale.value),
    time: (ms: number | null | undefined) => f.formatTime(ms, locale.value),
    clock: (ms: number) => f.formatClock(ms, locale.value),
    age: (s: number | null | undefined) => f.formatAge(s, locale.value),
    relative: (diffSeconds: number) => f.formatRelative(diffSeconds, locale.value),
  };
}

/** Runs an action and reports its failure as a notice (what, reason) instead of losing it. */
export type Guard = <T>(what: string, action: () => Promise<T>) => Promise<T | undefined>;
