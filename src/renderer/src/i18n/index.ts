import { createI18n } from 'vue-i18n';
import { en, type MessageSchema } from './en';
import { fr } from './fr';
import { resolveLanguage } from '../lib/theme';

export type Locale = 'en' | 'fr';

/** Starts in the system's language; the settings store switches it once settings are read. */
export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: resolveLanguage('system', typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]),
  fallbackLocale: 'en',
  messages: { en, fr },
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  document.documentElement.lang = locale;
}
