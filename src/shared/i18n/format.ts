/**
 * Numbers, counts, sizes and ages in each language, for every place that writes for a captain: reasons, the
 * command, the report, the tray. French groups thousands with a narrow no-break space and writes decimals with a
 * comma; its byte units are the octet's (o, ko, Mo), English's the byte's (B, kB, MB), both in powers of 1000.
 */
import { LOCALES, type Lang } from './lang';

/** Forms of a counted phrase; `#` is replaced by the formatted number. `many` is French's form for millions. */
export interface Forms {
  one: string;
  other: string;
  many?: string;
}

export interface Formats {
  lang: Lang;
  locale: string;
  /** 1234 → "1,234" / "1 234". */
  num(n: number): string;
  /** A decimal with `digits` fixed digits: 13 → "13.0" / "13,0". */
  dec(n: number, digits?: number): string;
  count(n: number, forms: Forms): string;
  /** 0.42 → "42%" / "42 %". */
  percent(fraction: number): string;
  /** 1536000 → "1.5 MB" / "1,5 Mo". */
  bytes(n: number): string;
  /** An age in seconds, as a peer's freshness reads: "12 min", "13.0 h", "4 days". */
  age(seconds: number): string;
  /** A duration in milliseconds: "850 ms", "12.3 s", "4 min 5 s". */
  duration(ms: number): string;
}

const UNITS: Readonly<Record<Lang, readonly string[]>> = {
  en: ['B', 'kB', 'MB', 'GB', 'TB'],
  fr: ['o', 'ko', 'Mo', 'Go', 'To'],
};
const DAYS: Readonly<Record<Lang, Forms>> = { en: { one: '# day', other: '# days' }, fr: { one: '# jour', other: '# jours' } };

function make(lang: Lang): Formats {
  const locale = LOCALES[lang];
  const numbers = new Intl.NumberFormat(locale);
  const decimals = new Map<number, Intl.NumberFormat>();
  const percents = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const plurals = new Intl.PluralRules(locale);
  const num = (n: number): string => numbers.format(n);
  const dec = (n: number, digits = 1): string => {
    let f = decimals.get(digits);
    if (!f) decimals.set(digits, (f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false })));
    return f.format(n);
  };
  const count = (n: number, forms: Forms): string => {
    const cat = plurals.select(n);
    const form = cat === 'one' ? forms.one : cat === 'many' ? (forms.many ?? forms.other) : forms.other;
    return form.replace('#', num(n));
  };
  return {
    lang,
    locale,
    num,
    dec,
    count,
    percent: (fraction) => percents.format(fraction),
    bytes(n) {
      const units = UNITS[lang];
      let v = n;
      let i = 0;
      while (Math.abs(v) >= 1000 && i < units.length - 1) {
        v /= 1000;
        i++;
      }
      return `${i === 0 ? num(v) : dec(v, 1)}\u00a0${units[i]}`;
    },
    age(seconds) {
      if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
      if (seconds < 48 * 3600) return `${dec(seconds / 3600, 1)} h`;
      return count(Math.round(seconds / 86400), DAYS[lang]);
    },
    duration(ms) {
      if (ms < 1000) return `${Math.round(ms)} ms`;
      const s = ms / 1000;
      if (s < 60) return `${dec(s, 1)} s`;
      const m = Math.floor(s / 60);
      return `${m} min ${Math.round(s - m * 60)} s`;
    },
  };
}

// Intl objects are costly to build and a table of peers asks often: one per language.
const cache = new Map<Lang, Formats>();

export function formats(lang: Lang): Formats {
  let f = cache.get(lang);
  if (!f) cache.set(lang, (f = make(lang)));
  return f;
}
