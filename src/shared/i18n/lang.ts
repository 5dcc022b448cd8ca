/**
 * The one language resolution of the window, the tray and notifications, the HTML report and the command.
 * Constellation speaks English and French; English is the default. Each host gives the sources it has (the
 * window has no environment, the command no system list); the order is the same for all. The window asks the
 * report in its own language (`history.exportHtml` with `lang`), so what it shows and what it exports agree.
 *
 * Precedence, first that decides wins:
 *   1. an explicit choice for this use: the command's `--lang en|fr` (the window: none);
 *   2. the `language` setting, when it is `en` or `fr` (the captain chose in Settings);
 *   3. the process's locale environment, as POSIX orders it: LC_ALL, then LC_MESSAGES, then LANG (the first one
 *      set decides; `C`/`POSIX` mean English) — the command, and the report when the engine makes it for itself;
 *   4. the system's preferred languages (the browser's `navigator.languages` for the window, Electron's
 *      `app.getPreferredSystemLanguages()` for the tray and notifications — on Linux Electron makes that list from
 *      the same environment), the first French or English one;
 *   5. English.
 * A locale in another language (de_DE) does not decide: the next source is asked, then English.
 */
export const LANGS = ['en', 'fr'] as const;
export type Lang = (typeof LANGS)[number];

/** The BCP 47 locale each language formats numbers and dates with. */
export const LOCALES: Readonly<Record<Lang, string>> = { en: 'en-US', fr: 'fr-FR' };

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'fr';
}

/** The language part of a BCP 47 tag or a POSIX locale ("fr-CA", "fr_FR.UTF-8", "fr@euro" → "fr"). */
export function localeLanguage(locale: string): string {
  return locale.trim().toLowerCase().split(/[-_.@]/)[0] ?? '';
}

/** What a locale says: 'en', 'fr', or null when it is another language (or empty). `C` and `POSIX` are English. */
export function langOfLocale(locale: string | null | undefined): Lang | null {
  if (!locale) return null;
  const base = localeLanguage(locale);
  if (base === 'fr') return 'fr';
  if (base === 'en' || base === 'c' || base === 'posix') return 'en';
  return null;
}

/** The locale environment variable that decides (POSIX order: LC_ALL, LC_MESSAGES, LANG), or null. */
export function envLocale(env: Readonly<Record<string, string | undefined>>): string | null {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return v;
  }
  return null;
}

export interface LanguageSources {
  /** `--lang` of the command: wins over everything. */
  flag?: string | null;
  /** The `language` setting ('system' defers to the environment and the system). */
  setting?: 'system' | Lang | null;
  /** The process environment (LC_ALL, LC_MESSAGES, LANG); absent in the browser. */
  env?: Readonly<Record<string, string | undefined>> | null;
  /** The system's preferred languages, most preferred first. */
  system?: readonly string[] | null;
}

/** The language to speak, from the sources in the order documented above. */
export function pickLanguage(s: LanguageSources): Lang {
  if (isLang(s.flag)) return s.flag;
  if (isLang(s.setting)) return s.setting;
  const fromEnv = s.env ? langOfLocale(envLocale(s.env)) : null;
  if (fromEnv) return fromEnv;
  for (const l of s.system ?? []) {
    const lang = langOfLocale(l);
    if (lang) return lang;
  }
  return 'en';
}
