import { ref } from 'vue';

/** Light or dark: the setting wins, else the system's preference; applied as <html data-theme>. */
export type ThemeChoice = 'system' | 'light' | 'dark';

export function resolveTheme(choice: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  if (choice === 'light' || choice === 'dark') return choice;
  return systemDark ? 'dark' : 'light';
}

/** The language to show: the setting wins, else the system's ("fr-FR" → fr), else English. */
export function resolveLanguage(choice: 'system' | 'en' | 'fr', systemLanguages: readonly string[]): 'en' | 'fr' {
  if (choice !== 'system') return choice;
  for (const l of systemLanguages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'fr') return 'fr';
    if (base === 'en') return 'en';
  }
  return 'en';
}


/** The theme in force, set by App.vue; components that draw with colours (graph, charts) follow it. */
export const currentTheme = ref<'light' | 'dark'>('light');
