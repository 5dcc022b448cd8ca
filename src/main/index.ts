/**
 * Electron main: a thin shell around the Engine. It binds the engine to IPC (trusted senders only), keeps the
 * app in the tray, shows notifications, runs the schedule (the engine's), and hardens the window. No sync
 * logic lives here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, Notification, Tray, app, ipcMain, nativeImage, powerMonitor, protocol, session, shell } from 'electron';
import { Engine } from '../core/engine';
import { makeConfig } from '../core/config';
import { demoLaunch } from '../demo/launch';
import type { RunReport, Settings, StationSnapshot } from '../shared/schemas';
import { parseDesktopArgs } from './args';
import { applyAutostart } from './autostart';
import { bindIpc, forwardEvents } from './ipc';
import { words } from './i18n';
import { pickLanguage, type Lang } from '../shared/i18n';
import { createNotifier, peerNotes, runNote } from './notify';
import type { Note } from './notify';
import { FALLBACK_CSP, appUrlMatcher, cspOf, senderRefusal } from './security';
import { APP_SCHEME, APP_URL, appRequestHandler, registerAppScheme } from './protocol';
import { headerCsp } from '../shared/csp';
import { claimSingleInstance } from './single-instance';
import { installTestHooks } from './test-hooks';
import { TrayController } from './tray';
import type { TrayItemId } from './tray-model';
import { hardenContents, hardenSession, windowOptions } from './window';

const here = fileURLToPath(new URL('.', import.meta.url));
const PRELOAD = join(here, '../preload/index.cjs');
const RENDERER_DIR = join(here, '../renderer');
const INDEX_HTML = join(RENDERER_DIR, 'index.html');
const DEV_URL = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const RUN_ID = /^[\w.:-]{1,100}$/;

const args = parseDesktopArgs(process.argv.slice(1));
const warn = (m: string): void => void process.stderr.write(`constellation: ${m}\n`);

function resourcesDir(): string {
  return app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources');
}

/**
 * The language of the tray and notifications: the shared resolution (src/shared/i18n/lang.ts) — the setting, then
 * the system's preferred languages — as the window (whose Chromium has the same list). Electron builds that list
 * from LC_ALL/LC_MESSAGES/LANG on Linux and from the desktop's settings elsewhere, so the environment is not asked
 * twice here.
 */
function language(setting: Settings['language']): Lang {
  return pickLanguage({ setting, system: systemLocales() });
}

/** The system's languages, most preferred first; the app's locale (from LANG on Linux) closes the list. */
function systemLocales(): string[] {
  try {
    return [...app.getPreferredSystemLanguages(), app.getLocale()];
  } catch (err) {
    warn(`system language: ${(err as Error).message}; speaking English`);
    return [];
  }
}

function pageCsp(): string {
  try {
    return cspOf(readFileSync(INDEX_HTML, 'utf8')) ?? FALLBACK_CSP;
  } catch {
    return FALLBACK_CSP;
  }
}

let win: BrowserWindow | null = null;
let quitting = false;

function createWindow(show: boolean, runId: string | null): BrowserWindow {
  const icon = join(resourcesDir(), 'icon.png');
  const w = new BrowserWindow(windowOptions({ preload: PRELOAD, show, ...(existsSync(icon) ? { icon } : {}) }));
  hardenContents(w.webContents, { openExternal: (url) => shell.openExternal(url), warn });
  // Closing the window keeps the app in the tray; Quit (tray menu) really quits.
  w.on('close', (event) => {
    if (!quitting) {
      event.preventDefault();
      w.hide();
    }
  });
  w.on('closed', () => {
    if (win === w) win = null;
  });
  const hash = runId ? `/history/${encodeURIComponent(runId)}` : undefined;
  const page = DEV_URL ?? APP_URL;
  void w.loadURL(hash ? `${page}#${hash}` : page);
  return w;
}

/** Shows the window (creating it when needed), on a given run when asked. */
function showWindow(runId: string | null = null): void {
  const id = runId && RUN_ID.test(runId) ? runId : null;
  if (!win || win.isDestroyed()) {
    win = createWindow(true, id);
    return;
  }
  if (id) void win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#/history/${encodeURIComponent(id)}`)}`);
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

async function start(): Promise<void> {
  await app.whenReady();
  // The demo (asked, or a newcomer without a station) is decided here and handed to the engine, which never imports it.
  const { config, demo } = demoLaunch(
    makeConfig({
      host: 'electron',
      dataDir: args.dataDir ?? app.getPath('userData'),
      overrides: args.overrides,
      demo: args.demo,
      version: app.getVersion(),
    }),
  );
  const engine = new Engine(config, {
    schedule: true,
    demo,
    echo: (line) => (line.level === 'warn' || line.level === 'error' ? warn(line.msg) : undefined),
  });
  try {
    await engine.start();
  } catch (err) {
    warn(`the engine could not start: ${(err as Error).message}`);
    app.exit(1);
    return;
  }

  // The page's policy plus frame-ancestors, which only a header may carry.
  const csp = headerCsp(pageCsp());
  hardenSession(session.defaultSession, csp);
  protocol.handle(APP_SCHEME, appRequestHandler({ root: RENDERER_DIR, csp }));
  const isAppUrl = appUrlMatcher(APP_URL, DEV_URL);
  bindIpc(ipcMain, engine, (event) => senderRefusal(event, win, isAppUrl), warn);
  forwardEvents(engine, () => win);

  let settings: Settings = engine.settings();
  let lang: Lang = language(settings.language);
  const status = await engine.call('sync.status', undefined);
  const schedule = await engine.call('schedule.status', undefined);

  // What was shown, for the test hooks only (kept short: the app may run for months).
  const shown: Note[] = [];
  const testHooks = process.env.CONSTELLATION_TEST_HOOKS === '1';
  const notifier = createNotifier({
    prefs: () => settings.notifications,
    words: () => words(lang),
    show: (note) => {
      if (testHooks) shown.push(note);
      if (shown.length > 200) shown.splice(0, shown.length - 200);
      if (!Notification.isSupported()) return;
      const n = new Notification({ title: note.title, body: note.body, icon: join(resourcesDir(), 'icon.png') });
      n.on('click', () => showWindow(note.runId));
      n.show();
    },
  });

  const onTray = (id: TrayItemId): void => {
    const act = async (): Promise<void> => {
      if (id === 'sync-now') await engine.call('sync.start', { trigger: 'tray' });
      else if (id === 'cancel') await engine.call('sync.cancel', undefined);
      else if (id === 'open') showWindow(null);
      else if (id === 'last-run') showWindow(lastRunId);
      else if (id === 'schedule') await engine.call(scheduleFacts?.paused ? 'schedule.resume' : 'schedule.pause', undefined);
      else if (id === 'quit') app.quit();
    };
    act().catch((err: unknown) => {
      warn(`tray: ${(err as Error).message}`);
      notifier.push({ kind: 'failed', title: 'Constellation', body: (err as Error).message, runId: null });
    });
  };
  let lastRunId: string | null = status.lastRun?.id ?? null;
  let scheduleFacts = schedule;
  const tray = new TrayController({ Tray, Menu, nativeImage }, resourcesDir(), { running: status.running, progress: status.progress, lastRun: status.lastRun, schedule, lang }, onTray);

  // Members gained between runs: the previous report's member count is the baseline.
  let membersBefore: number | null = null;
  if (status.lastRun) membersBefore = (await engine.call('history.get', { id: status.lastRun.id }).catch(() => null))?.members ?? null;
  let snapshotBefore: StationSnapshot | null = null;

  engine.on('sync.progress', (p) => {
    tray.update({ running: true, progress: p });
    const fraction = tray.view().progress;
    if (win && !win.isDestroyed()) win.setProgressBar(fraction ?? -1);
  });
  engine.on('sync.finished', (report: RunReport) => {
    const peersOk = report.peers.filter((p) => p.ok).length;
    lastRunId = report.id;
    tray.update({ running: false, progress: null, lastRun: { ...report, peersOk, peersTotal: report.peers.length } });
    if (win && !win.isDestroyed()) win.setProgressBar(-1);
    const gained = membersBefore === null ? 0 : Math.max(0, report.members - membersBefore);
    if (report.outcome !== 'dry-run' && report.outcome !== 'refused') membersBefore = report.members;
    notifier.push((w) => runNote(report, gained, w));
  });
  engine.on('schedule.changed', (s) => {
    scheduleFacts = s;
    tray.update({ schedule: s });
  });
  engine.on('station.changed', (snap) => {
    const before = snapshotBefore;
    notifier.push((w) => peerNotes(before, snap, w));
    snapshotBefore = snap;
  });
  engine.station
    .snapshot()
    .then((snap) => (snapshotBefore ??= snap))
    .catch((err: unknown) => warn(`station: ${(err as Error).message}`));

  const autostart = (enabled: boolean): void => {
    applyAutostart(enabled, {
      platform: process.platform,
      configHome: process.env.XDG_CONFIG_HOME || join(app.getPath('home'), '.config'),
      command: process.env.APPIMAGE ? [process.env.APPIMAGE] : [process.execPath, ...(app.isPackaged ? [] : [app.getAppPath()])],
      setLoginItemSettings: (s) => app.setLoginItemSettings(s),
    }).catch((err: unknown) => warn(`start at login: ${(err as Error).message}`));
  };
  if (settings.startAtLogin) autostart(true);
  engine.on('settings.changed', (next) => {
    if (next.startAtLogin !== settings.startAtLogin) autostart(next.startAtLogin);
    settings = next;
    // A new language: the tray is rebuilt in it, and notes not yet shown are worded in it.
    const nextLang = language(next.language);
    if (nextLang !== lang) {
      lang = nextLang;
      tray.update({ lang });
    }
  });

  powerMonitor.on('resume', () => engine.wake());

  if (testHooks) {
    installTestHooks({ tray, notifications: () => shown, flushNotifications: () => notifier.flush(), windowVisible: () => !!win && !win.isDestroyed() && win.isVisible() });
  }

  const startHidden = args.hidden || settings.startMinimised;
  win = createWindow(!startHidden, null);

  app.on('window-all-closed', () => {
    // Stay in the tray: the schedule keeps running.
  });
  let stopped = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    event.preventDefault();
    notifier.dispose();
    tray.destroy();
    void engine
      .stop()
      .catch((err: unknown) => warn(`stopping the engine: ${(err as Error).message}`))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
}

// Before the app is ready, or Electron refuses it: the page's scheme (protocol.ts).
registerAppScheme(protocol);

if (claimSingleInstance(app, () => showWindow(null))) {
  start().catch((err: unknown) => {
    warn(`start failed: ${(err as Error).stack ?? String(err)}`);
    app.exit(1);
  });
}
