/**
 * Smoke test of the desktop app itself through Playwright's `_electron`: open the window, click "Sync now" in
 * the tray through the test hooks (no test tool can drive a real tray), and see the run finish.
 *
 * It needs the Electron binary, which `npm install` downloads from GitHub: impossible on the project's own
 * machines, so there the test is skipped and says why. Where the binary exists (or ELECTRON_PATH names one),
 * it runs on the built app (`npm run build` first).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '../..');

/** The Electron binary, or why there is none. */
function electronBinary(): { path: string } | { reason: string } {
  const fromEnv = process.env.ELECTRON_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { reason: `ELECTRON_PATH=${fromEnv} does not exist` };
  const pkgDir = join(ROOT, 'node_modules/electron');
  const pathTxt = join(pkgDir, 'path.txt');
  if (!existsSync(pathTxt)) {
    return { reason: 'the Electron binary is not installed (node_modules/electron/path.txt missing: its download from GitHub is impossible on this machine); set ELECTRON_PATH to run this test' };
  }
  const bin = join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? { path: bin } : { reason: `the Electron binary ${bin} is missing` };
}

type Hooks = {
  clickTray(id: string): boolean;
  trayView(): { icon: string; items: Array<{ id: string; label: string; enabled: boolean }> };
  notifications(): Array<{ kind: string; title: string; runId: string | null }>;
  flushNotifications(): void;
  windowVisible(): boolean;
};

const found = electronBinary();
const mainJs = join(ROOT, 'out/main/index.js');

test('the desktop app opens, syncs from the tray and shows the finished run', async () => {
  if ('reason' in found) {
    console.log(`electron-smoke skipped: ${found.reason}`);
    test.skip(true, found.reason);
    return;
  }
  expect(existsSync(mainJs), 'run npm run build first').toBe(true);
  const tmp = await mkdtemp(join(tmpdir(), 'constellation-electron-'));
  await mkdir(join(tmp, 'zen'));
  const app = await electron.launch({
    executablePath: found.path,
    args: [mainJs, '--no-sandbox', '--data-dir', join(tmp, 'data'), '--zen-root', join(tmp, 'zen'), '--relay-url', 'ws://127.0.0.1:1', '--kubo-api', 'http://127.0.0.1:1'],
    cwd: dirname(mainJs),
    env: { ...process.env, CONSTELLATION_TEST_HOOKS: '1', XDG_CONFIG_HOME: join(tmp, 'config') },
    timeout: 60_000,
  });
  try {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle(/Constellation/);
    // Served by the app's own scheme (src/main/protocol.ts), not from file://, as a secure context.
    expect(page.url()).toBe('constellation://app/index.html');
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    // The page has the preload's API and no Node.
    expect(await page.evaluate(() => typeof (globalThis as unknown as { constellation?: { transport: string } }).constellation?.transport)).toBe('string');
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');

    const hooks = <T>(fn: (h: Hooks) => T): Promise<T> =>
      app.evaluate((_electron, body) => {
        const h = (globalThis as unknown as { __constellationTestHooks: Hooks }).__constellationTestHooks;
        return new Function('h', `return (${body})(h)`)(h) as T;
      }, fn.toString());

    expect(await hooks((h) => h.clickTray('sync-now'))).toBe(true);
    await expect.poll(() => hooks((h) => h.trayView().items.find((i) => i.id === 'last-run')?.label ?? ''), { timeout: 60_000 }).toMatch(/^(Last run|Dernière exécution) /);
    expect(await hooks((h) => h.trayView().icon)).not.toBe('syncing');
    await hooks((h) => h.flushNotifications());
    const notes = await hooks((h) => h.notifications());
    // The run on an empty station with no reachable relay does not succeed quietly: it speaks up.
    expect(notes.some((n) => n.kind === 'failed' && n.runId !== null)).toBe(true);
  } finally {
    await app.close();
    await rm(tmp, { recursive: true, force: true });
  }
});
