/**
 * The Constellation view remembers whether the captain asked for the N2 (localStorage: this browser, this
 * machine; nothing the engine needs to know). Off by default: the N2 is summarised as a halo until asked for.
 */
const SHOW_N2 = 'constellation.graph.showN2';

export function loadShowN2(storage: Pick<Storage, 'getItem'> | null = globalThis.localStorage ?? null): boolean {
  try {
    return storage?.getItem(SHOW_N2) === '1';
  } catch {
    return false;
  }
}

export function saveShowN2(on: boolean, storage: Pick<Storage, 'setItem'> | null = globalThis.localStorage ?? null): void {
  try {
    storage?.setItem(SHOW_N2, on ? '1' : '0');
  } catch {
    // storage refused (private mode quotas): the choice lasts as long as the page.
  }
}
