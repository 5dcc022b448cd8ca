/**
 * Test hooks, installed only when the app starts with CONSTELLATION_TEST_HOOKS=1: no test tool can click a real
 * tray or read a desktop notification, so a Playwright `_electron` test reaches them through a global of the
 * main process (`electronApp.evaluate(() => globalThis.__constellationTestHooks.clickTray('sync-now'))`).
 * Nothing is exposed to the page and nothing listens on the network.
 */
import type { Note } from './notify';
import type { TrayController } from './tray';
import type { TrayItemId, TrayView } from './tray-model';

export interface TestHooks {
  clickTray(id: TrayItemId): boolean;
  trayView(): TrayView;
  notifications(): Note[];
  flushNotifications(): void;
  windowVisible(): boolean;
}

export const TEST_HOOKS_GLOBAL = '__constellationTestHooks';

export function installTestHooks(deps: {
  tray: Pick<TrayController, 'click' | 'view'>;
  notifications: () => Note[];
  flushNotifications: () => void;
  windowVisible: () => boolean;
}): TestHooks {
  const hooks: TestHooks = {
    clickTray: (id) => deps.tray.click(id),
    trayView: () => deps.tray.view(),
    // Copies: the test reads, it cannot change what the app recorded.
    notifications: () => deps.notifications().map((n) => ({ ...n })),
    flushNotifications: () => deps.flushNotifications(),
    windowVisible: () => deps.windowVisible(),
  };
  (globalThis as Record<string, unknown>)[TEST_HOOKS_GLOBAL] = hooks;
  return hooks;
}
