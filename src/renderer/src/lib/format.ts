/** Number, size, duration and date formatting in the window's current language. */
import { formats, localeLanguage } from '../../../shared/i18n';

export function formatNumber(n: number | null | undefined, locale: string): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(locale).format(n);
}

export function formatRate(perSecond: number, locale: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: perSecond < 10 ? 1 : 0 }).format(perSecond);
}

/** Sizes in the language's units (B, kB, MB; o, ko, Mo in French), shared with the report and the command. */
export function formatBytes(bytes: number | null | undefined, locale: string): string {
  if (bytes === null || bytes === undefined) return '—';
  return formats(localeLanguage(locale) === 'fr' ? 'fr' : 'en').bytes(bytes);
}

export function formatDuration(ms: number, locale: string): string {
  const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${nf.format(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rest} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

/** A date-time from Unix milliseconds. */
export function formatTime(ms: number | null | undefined, locale: string): string {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
}

/** A time of day from Unix milliseconds, in the window's language ("07:26:14" in French, "7:26:14 AM" in English). */
export function formatClock(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'medium' }).format(new Date(ms));
}

/** "3 hours ago" / "in 12 minutes" from a difference in seconds (negative = past). */
export function formatRelative(diffSeconds: number, locale: string): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(diffSeconds);
  if (abs < 60) return rtf.format(Math.round(diffSeconds), 'second');
  if (abs < 3600) return rtf.format(Math.round(diffSeconds / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diffSeconds / 3600), 'hour');
  return rtf.format(Math.round(diffSeconds / 86400), 'day');
}

/** An age in seconds as "3 h" style text (freshness of a peer's card). */
export function formatAge(seconds: number | null | undefined, locale: string): string {
  if (seconds === null || seconds === undefined) return '—';
  return formatRelative(-seconds, locale);
}
