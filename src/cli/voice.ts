/**
 * The command's voice: the captain's language (the shared resolution, src/shared/i18n/lang.ts: `--lang`, then
 * the `language` setting once the engine has read it, then LC_ALL, LC_MESSAGES, LANG; English by default), with
 * its words, formats and the reasons' catalogues. Every line the command prints goes through it.
 */
import { formats, pickLanguage, reasonOf, renderReason, runWords, sayReason, type Formats, type Lang, type Reason, type RunWords } from '../shared/i18n';
import type { Settings } from '../shared/schemas';
import { en, fr, type CliWords } from './words';

export interface Voice extends Formats {
  lang: Lang;
  w: CliWords;
  run: RunWords;
  /** A reason: its code in this language, else its English text through the fragment translator. */
  say(text: string | null | undefined, why?: Reason | null): string;
  /** Anything thrown, in this language. */
  error(err: unknown): string;
}

const cache = new Map<Lang, Voice>();

export function voiceOf(lang: Lang): Voice {
  let v = cache.get(lang);
  if (!v) {
    v = {
      ...formats(lang),
      lang,
      w: lang === 'fr' ? fr : en,
      run: runWords(lang),
      say: (text, why) => sayReason(text, why, lang),
      error: (err) => renderReason(reasonOf(err), lang),
    };
    cache.set(lang, v);
  }
  return v;
}

/** `--lang` as given on the command line (`--lang fr`, `--lang=fr`), read before commander parses it. */
export function langFlag(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') break;
    if (a === '--lang') return argv[i + 1] ?? null;
    if (a.startsWith('--lang=')) return a.slice('--lang='.length);
  }
  return null;
}

/** The command's language from what it knows: the flag, the setting when known, the environment. */
export function cliLanguage(flag: string | null | undefined, setting?: Settings['language'] | null, env: NodeJS.ProcessEnv = process.env): Lang {
  return pickLanguage({ flag, setting, env });
}
