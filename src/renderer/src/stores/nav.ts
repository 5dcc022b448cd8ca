import { defineStore } from 'pinia';
import { ref } from 'vue';

export const SCREENS = ['overview', 'stations', 'graph', 'reach', 'profiles', 'sync', 'history', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

function isScreen(s: string): s is Screen {
  return (SCREENS as readonly string[]).includes(s);
}

/** Which screen is shown, kept in the URL hash (#/profiles/<hex>) so a reload stays where the captain was. */
export const useNavStore = defineStore('nav', () => {
  const screen = ref<Screen>('overview');
  const param = ref<string | null>(null);

  function readHash(): void {
    const [, name = '', arg] = window.location.hash.split('/');
    screen.value = isScreen(name) ? name : 'overview';
    param.value = arg ? decodeURIComponent(arg) : null;
  }
  // The screen in the address from the first render on: a window opened on #/graph starts the graph's call and
  // stage at once, without making the Overview (and its calls) first.
  readHash();
  function go(to: Screen, arg: string | null = null): void {
    screen.value = to;
    param.value = arg;
    const hash = `#/${to}${arg ? `/${encodeURIComponent(arg)}` : ''}`;
    if (window.location.hash !== hash) window.history.pushState(null, '', hash);
  }
  function listen(): () => void {
    readHash();
    const onPop = (): void => readHash();
    window.addEventListener('popstate', onPop);
    window.addEventListener('hashchange', onPop);
    return () => {
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('hashchange', onPop);
    };
  }
  return { screen, param, go, listen };
});
