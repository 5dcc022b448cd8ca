performance.mark('app:start');
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import NoToken from './NoToken.vue';
import { i18n, setLocale } from './i18n';
import { resolveLanguage, resolveTheme } from './lib/theme';
import { tokenMissing } from './transport';
import './styles.css';

if (tokenMissing()) {
  // No engine to ask for the settings: the system's language and theme.
  setLocale(resolveLanguage('system', navigator.languages ?? [navigator.language]));
  document.documentElement.dataset.theme = resolveTheme('system', window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false);
  createApp(NoToken).use(i18n).mount('#app');
} else {
  createApp(App).use(createPinia()).use(i18n).mount('#app');
}
