/**
 * The Electron main process with electron mocked: the real src/main/index.ts wiring (real Engine on a temp data
 * folder) observed through a fake electron module.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDesktopArgs } from '../../src/main/args';
import { AUTOSTART_FILE, applyAutostart, autostartEntry } from '../../src/main/autostart';
import { claimSingleInstance } from '../../src/main/single-instance';
import { CALL_NAMES, ipcChannel } from '../../src/shared/api';
import { buildStation } from '../../src/devkit/station-builder';

const fake = vi.hoisted(() => {
  type Fn = (...a: unknown[]) => unknown;
  const state = {
    lockGranted: true,
    userData: '',
    appHandlers: new Map<string, Fn[]>(),
    ipc: new Map<string, Fn>(),
    windows: [] as Array<{ options: Record<string, unknown>; handlers: Map<string, Fn>; shown: number; hidden: number; webContents: { mainFrame: unknown } }>,
    quit: 0,
    exit: [] as number[],
    permissionRequest: null as Fn | null,
    headers: null as Fn | null,
    trays: 0,
    systemLanguages: [] as string[],
    locale: 'en-US',
    /** privileged schemes registered, and whether the app was ready by then */
    schemes: [] as Array<{ schemes: unknown; whenReady: boolean }>,
    protocolHandlers: new Map<string, Fn>(),
    ready: false,
  };
  const fire = (name: string, ...args: unknown[]): void => {
    for (const fn of state.appHandlers.get(name) ?? []) fn(...args);
  };
  class BrowserWindow {
    options: Record<string, unknown>;
    handlers = new Map<string, Fn>();
    shown = 0;
    hidden = 0;
    visible: boolean;
    webContents: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      this.options = options;
      this.visible = options.show !== false;
      const mainFrame = { url: 'about:blank', parent: null };
      this.webContents = {
        mainFrame,
        on: () => undefined,
        setWindowOpenHandler: () => undefined,
        isDestroyed: () => false,
        send: () => undefined,
        executeJavaScript: async () => undefined,
      };
      state.windows.push(this as never);
    }
    on(ev: string, fn: Fn) {
      this.handlers.set(ev, fn);
    }
    async loadFile(path: string, opts?: { hash?: string }) {
      (this.webContents.mainFrame as { url: string }).url = `file://${path}${opts?.hash ? `#${opts.hash}` : ''}`;
    }
    async loadURL(url: string) {
      (this.webContents.mainFrame as { url: string }).url = url;
    }
    show() {
      this.shown++;
      this.visible = true;
    }
    hide() {
      this.hidden++;
      this.visible = false;
    }
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
    isVisible() {
      return this.visible;
    }
    isDestroyed() {
      return false;
    }
    setProgressBar() {}
  }
  class Tray {
    constructor() {
      state.trays++;
    }
    on() {}
    setImage() {}
    setToolTip() {}
    setContextMenu() {}
    destroy() {}
  }
  const electron = {
    app: {
      isPackaged: false,
      whenReady: async () => void (state.ready = true),
      getPath: (name: string) => (name === 'userData' ? state.userData : tmpdirPath()),
      getAppPath: () => process.cwd(),
      getVersion: () => '9.9.9',
      getLocale: () => state.locale,
      getPreferredSystemLanguages: () => [...state.systemLanguages],
      requestSingleInstanceLock: () => state.lockGranted,
      on: (name: string, fn: Fn) => {
        const list = state.appHandlers.get(name) ?? [];
        list.push(fn);
        state.appHandlers.set(name, list);
      },
      quit: () => {
        state.quit++;
        fire('before-quit', { preventDefault: () => undefined });
      },
      exit: (code: number) => void state.exit.push(code),
      setLoginItemSettings: () => undefined,
    },
    BrowserWindow,
    Tray,
    Menu: { buildFromTemplate: (t: unknown) => t },
    Notification: Object.assign(function () {}, { isSupported: () => false }),
    nativeImage: { createFromPath: (p: string) => ({ p }) },
    ipcMain: { handle: (ch: string, fn: Fn) => void state.ipc.set(ch, fn), removeHandler: (ch: string) => void state.ipc.delete(ch) },
    powerMonitor: { on: () => undefined },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Fn) => void (state.permissionRequest = fn),
        setPermissionCheckHandler: () => undefined,
        webRequest: { onHeadersReceived: (fn: Fn) => void (state.headers = fn) },
      },
    },
    shell: { openExternal: async () => undefined },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => void state.schemes.push({ schemes, whenReady: state.ready }),
      handle: (scheme: string, fn: Fn) => void state.protocolHandlers.set(scheme, fn),
    },
  };
  function tmpdirPath(): string {
    return process.env.TMPDIR ?? '/tmp';
  }
  return { state, fire, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

async function until<T>(fn: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('single instance', () => {
  it('the first launch holds the lock and a second launch focuses it', () => {
    const handlers: Record<string, () => void> = {};
    const app = { requestSingleInstanceLock: () => true, on: (e: string, fn: () => void) => void (handlers[e] = fn), quit: vi.fn() };
    const focus = vi.fn();
    expect(claimSingleInstance(app, focus)).toBe(true);
    handlers['second-instance']!();
    expect(focus).toHaveBeenCalledTimes(1);
    expect(app.quit).not.toHaveBeenCalled();
  });
  it('a second launch quits at once', () => {
    const app = { requestSingleInstanceLock: () => false, on: vi.fn(), quit: vi.fn() };
    expect(claimSingleInstance(app, vi.fn())).toBe(false);
    expect(app.quit).toHaveBeenCalled();
    expect(app.on).not.toHaveBeenCalled();
  });
});

describe('desktop command line', () => {
  it('passes --demo, --data-dir and station options through, with the environment as fallback', () => {
    const a = parseDesktopArgs(['.', '--demo', '--data-dir', '/tmp/d', '--zen-root=/srv/zen', '--no-sandbox'], { CONSTELLATION_KUBO_API: 'http://127.0.0.1:5002' });
    expect(a).toEqual({ demo: true, dataDir: '/tmp/d', hidden: false, overrides: { zenRoot: '/srv/zen', kuboApi: 'http://127.0.0.1:5002' } });
    expect(parseDesktopArgs(['--hidden'], { CONSTELLATION_DEMO: '1' })).toMatchObject({ demo: true, hidden: true, dataDir: null });
    expect(parseDesktopArgs([], { CONSTELLATION_DEMO: '0' }).demo).toBe(false);
  });
});

describe('start at login', () => {
  it('writes and removes the XDG autostart entry on Linux', async () => {
    const home = await mkdtemp(join(tmpdir(), 'constellation-autostart-'));
    try {
      const deps = { platform: 'linux' as const, configHome: home, command: ['/opt/My Apps/Constellation.AppImage'], setLoginItemSettings: vi.fn() };
      await applyAutostart(true, deps);
      const text = await readFile(join(home, 'autostart', AUTOSTART_FILE), 'utf8');
      expect(text).toContain('Exec="/opt/My Apps/Constellation.AppImage" --hidden');
      expect(text).toContain('Categories=Network;Utility;');
      await applyAutostart(false, deps);
      await expect(readFile(join(home, 'autostart', AUTOSTART_FILE))).rejects.toThrow();
      expect(deps.setLoginItemSettings).not.toHaveBeenCalled();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
  it('uses the login item settings elsewhere', async () => {
    const set = vi.fn();
    await applyAutostart(true, { platform: 'win32', configHome: '/nope', command: [], setLoginItemSettings: set });
    expect(set).toHaveBeenCalledWith({ openAtLogin: true, args: ['--hidden'] });
    expect(autostartEntry(['/usr/bin/constellation-desktop'])).toContain('Exec=/usr/bin/constellation-desktop --hidden');
  });
});

describe('src/main/index.ts with electron mocked', () => {
  let tmp: string;
  const saved = { ...process.env };
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'constellation-main-'));
    fake.state.userData = join(tmp, 'userData');
    process.env.CONSTELLATION_ZEN_ROOT = join(tmp, 'zen');
    process.env.CONSTELLATION_RELAY_URL = 'ws://127.0.0.1:1';
    process.env.CONSTELLATION_KUBO_API = 'http://127.0.0.1:1';
    process.env.CONSTELLATION_TEST_HOOKS = '1';
  });
  afterAll(async () => {
    process.env = saved;
    await rm(tmp, { recursive: true, force: true });
  });
  beforeEach(() => {
    vi.resetModules();
    fake.state.appHandlers.clear();
    fake.state.ipc.clear();
    fake.state.windows.length = 0;
    fake.state.quit = 0;
    fake.state.trays = 0;
    fake.state.schemes.length = 0;
    fake.state.protocolHandlers.clear();
    fake.state.ready = false;
  });

  it('a second instance quits without a window, an engine or IPC', async () => {
    fake.state.lockGranted = false;
    await import('../../src/main/index');
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.state.quit).toBe(1);
    expect(fake.state.windows).toHaveLength(0);
    expect(fake.state.ipc.size).toBe(0);
  });

  it('the first instance binds every call, refuses strangers, hardens the window, keeps to the tray', async () => {
    fake.state.lockGranted = true;
    await import('../../src/main/index');
    const win = await until(() => fake.state.windows[0], 'the window');
    await until(() => fake.state.ipc.size === CALL_NAMES.length, 'the IPC handlers');
    expect([...fake.state.ipc.keys()].sort()).toEqual(CALL_NAMES.map(ipcChannel).sort());
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true });
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/\/preload\/index\.cjs$/);
    expect(fake.state.trays).toBe(1);

    // The page comes from the app's own privileged scheme, registered before the app was ready; never file://.
    expect(fake.state.schemes).toEqual([
      { schemes: [{ scheme: 'constellation', privileges: expect.objectContaining({ standard: true, secure: true }) }], whenReady: false },
    ]);
    expect((win.webContents.mainFrame as { url: string }).url).toBe('constellation://app/index.html');
    const serve = fake.state.protocolHandlers.get('constellation') as (r: Request) => Promise<Response>;
    const page = await serve(new Request('constellation://app/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(await page.text()).toContain('<div id="app"></div>');
    expect((await serve(new Request('constellation://app/..%2f..%2fpackage.json'))).status).toBe(403);

    // The app's own page may call; a stranger may not.
    const own = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    const info = (await fake.state.ipc.get(ipcChannel('app.info'))!(own)) as { ok: boolean; output: { host: string; dataDir: string } };
    expect(info.ok).toBe(true);
    expect(info.output).toMatchObject({ host: 'electron', dataDir: join(tmp, 'userData') });
    const strangerFrame = { url: 'https://evil.example/', parent: null };
    const refused = await fake.state.ipc.get(ipcChannel('settings.set'))!({ sender: { mainFrame: strangerFrame }, senderFrame: strangerFrame }, { theme: 'dark' });
    expect(refused).toMatchObject({ ok: false, code: 'forbidden' });

    // Permissions denied by the session.
    const cb = vi.fn();
    fake.state.permissionRequest!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);

    // Closing hides to the tray; a second launch shows the window again.
    const closeEvent = { preventDefault: vi.fn() };
    win.handlers.get('close')!(closeEvent);
    expect(closeEvent.preventDefault).toHaveBeenCalled();
    expect(win.hidden).toBe(1);
    fake.fire('second-instance');
    expect(win.shown).toBe(1);

    // Test hooks reach the tray without any IPC.
    const hooks = (globalThis as Record<string, unknown>).__constellationTestHooks as { trayView(): { items: Array<{ id: string; label: string }> }; windowVisible(): boolean };
    expect(hooks.trayView().items.map((i) => i.id)).toContain('sync-now');
    expect(hooks.windowVisible()).toBe(true);

    // Quit stops the engine, then really quits.
    fake.fire('before-quit', { preventDefault: vi.fn() });
    await until(() => fake.state.quit >= 1, 'the quit after the engine stopped');
  });

  it('speaks the system language, and switches tray and notifications when settings.language changes', async () => {
    fake.state.lockGranted = true;
    // A station with one peer behind a tunnel that kubo (nothing on 127.0.0.1:1) cannot open: the run fails.
    await buildStation({ root: process.env.CONSTELLATION_ZEN_ROOT, peers: 1 });
    fake.state.systemLanguages = ['de-DE', 'fr-FR'];
    fake.state.locale = 'de';
    await import('../../src/main/index');
    const win = await until(() => fake.state.windows[0], 'the window');
    await until(() => fake.state.ipc.size === CALL_NAMES.length, 'the IPC handlers');
    const own = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    const call = async (name: string, input?: unknown): Promise<{ ok: boolean; output: unknown }> =>
      (await fake.state.ipc.get(ipcChannel(name as never))!(own, input)) as { ok: boolean; output: unknown };
    type Hooks = {
      trayView(): { tooltip: string; items: Array<{ id: string; label: string }> };
      clickTray(id: string): boolean;
      notifications(): Array<{ title: string; body: string }>;
      flushNotifications(): void;
    };
    const hooks = (globalThis as Record<string, unknown>).__constellationTestHooks as Hooks;
    const label = (id: string): string | undefined => hooks.trayView().items.find((i) => i.id === id)?.label;

    // settings.language is 'system' and the system prefers French after German: French.
    expect((await call('settings.get')).output).toMatchObject({ language: 'system' });
    expect(label('sync-now')).toBe('Synchroniser maintenant');
    expect(label('quit')).toBe('Quitter');

    // The captain picks English: the tray is rebuilt at once.
    expect((await call('settings.set', { language: 'en' })).ok).toBe(true);
    await until(() => label('sync-now') === 'Sync now', 'the English tray');
    expect(label('open')).toBe('Open Constellation');

    // A run that cannot happen (no station, no relay) is told in the language of the moment: French again.
    expect((await call('settings.set', { language: 'fr' })).ok).toBe(true);
    await until(() => label('sync-now') === 'Synchroniser maintenant', 'the French tray');
    expect(hooks.clickTray('sync-now')).toBe(true);
    await until(() => label('last-run')?.startsWith('Dernière exécution'), 'the run to finish', 20_000);
    hooks.flushNotifications();
    const notes = hooks.notifications();
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.at(-1)!.title).toBe('Échec de la synchronisation');
    expect(label('last-run')).toMatch(/^Dernière exécution \d\d:\d\d\u00a0: échouée, /);

    // Back to 'system' with an English system: English.
    fake.state.systemLanguages = ['en-GB'];
    expect((await call('settings.set', { language: 'system' })).ok).toBe(true);
    await until(() => label('sync-now') === 'Sync now', 'the English tray from the system locale');
    expect(hooks.trayView().tooltip).toMatch(/^Constellation: Last run/);

    fake.fire('before-quit', { preventDefault: vi.fn() });
    await until(() => fake.state.quit >= 1, 'the quit after the engine stopped');
  });
});
