/**
 * `_MySwarm.moats`: when a beacon was last refreshed. Two formats occur in the wild:
 * - Unix seconds (`1782821101`);
 * - `YYYYMMDDHHMMSS` followed by 4 more digits (`date -u +%Y%m%d%H%M%S%4N`, a fraction of a second), read as UTC
 *   since the station's scripts write it with `date -u`. The bare 14-digit form is accepted too.
 * Unix milliseconds (13 digits) are accepted as well, being unambiguous.
 */
import { reason, type Reason } from '../../shared/i18n';

export type Moats = { ok: true; seconds: number } | { ok: false; why: Reason };

function fromDigits(stamp: string): number | null {
  const y = Number(stamp.slice(0, 4));
  const mo = Number(stamp.slice(4, 6));
  const d = Number(stamp.slice(6, 8));
  const h = Number(stamp.slice(8, 10));
  const mi = Number(stamp.slice(10, 12));
  const s = Number(stamp.slice(12, 14));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Reject dates the calendar does not have (month 13, 31 February…): Date.UTC would roll them over.
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== s
  ) {
    return null;
  }
  return Math.floor(ms / 1000);
}

export function parseMoats(text: string): Moats {
  const t = text.trim();
  if (t === '') return { ok: false, why: reason('moats.empty') };
  if (!/^\d+$/.test(t)) return { ok: false, why: reason('moats.notTimestamp', { value: t.slice(0, 40) }) };
  if (t.length >= 9 && t.length <= 11) return { ok: true, seconds: Number(t) };
  if (t.length === 13) return { ok: true, seconds: Math.floor(Number(t) / 1000) };
  if (t.length === 14 || t.length === 18) {
    const s = fromDigits(t.slice(0, 14));
    return s === null ? { ok: false, why: reason('moats.badDate', { value: t }) } : { ok: true, seconds: s };
  }
  return { ok: false, why: reason('moats.unknownFormat', { digits: t.length }) };
}
