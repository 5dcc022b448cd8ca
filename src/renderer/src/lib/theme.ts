import { ref } from 'vue';
import { pickLanguage, type Lang } from '../../../shared/i18n';

/** Light or dark: the setting wins, else the system's preference; applied as <html data-theme>. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  if (choice === 'light' || choice === 'dark') return choice;
  return systemDark ? 'dark' : 'light';
}

/**
 * The language to show: the shared resolution (src/shared/i18n/lang.ts) of the tray, the report and the command —
 * the setting wins, else the browser's languages ("fr-FR" → fr), else English. The window has no locale
 * environment: in the desktop app Chromium's languages come from it already.
 */
export function resolveLanguage(choice: 'system' | Lang, systemLanguages: readonly string[]): Lang {
  return pickLanguage({ setting: choice, system: systemLanguages });
}


/** The theme in force, set by App.vue; components that draw with colours (graph, charts) follow it. */
export const currentTheme = ref<'light' | 'dark'>('light');
