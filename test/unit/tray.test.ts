import { describe, expect, it, vi } from 'vitest';
import { lastRunLine, progressFraction, trayView } from '../../src/main/tray-model';
import type { TrayFacts } from '../../src/main/tray-model';
import { TrayController } from '../../src/main/tray';
import type { TrayElectron } from '../../src/main/tray';
import { words } from '../../src/main/i18n';
import type { SyncProgress } from '../../src/shared/schemas';

vi.mock('electron', () => ({}));

const at = new Date(2026, 10, 21, 14, 3).getTime();
const schedule = { enabled: true, paused: false, nextRunAt: new Date(2026, 10, 21, 15, 2).getTime() };
const idle: TrayFacts = { running: false, progress: null, lastRun: { id: 'r1', outcome: 'success', finishedAt: at, imported: 1234, peersOk: 5, peersTotal: 6, reason: null }, schedule, lang: 'en' };

function progress(over: Partial<SyncProgress>): SyncProgress {
  return { runId: 'r2', stage: 'peers', startedAt: at, peers: [], totals: { fetched: 0, imported: 0, duplicates: 0, rejected: 0, superseded: 0, dropped: 0, bytesIn: 0, bytesOut: 0 }, profiles: null, ...over };
}
const peerP = (phase: 'fetch' | 'done', coverage: number) => ({ peer: 'p', hostname: null, route: 'direct' as const, phase, method: null, have: 0, need: 0, fetched: 0, imported: 0, bytesIn: 0, bytesOut: 0, rate: 0, coverage, error: null });

const labels = (f: TrayFacts): string[] => trayView(f).items.map((i) => (i.id === 'separator' ? '—' : `${i.label}${i.enabled ? '' : ' (off)'}`));

describe('tray menu per state', () => {
  it('idle', () => {
    expect(trayView(idle).icon).toBe('idle');
    expect(labels(idle)).toEqual(['Sync now', 'Open Constellation', '—', 'Last run 14:03: ok, 1,234 events, 5/6 peers', 'Pause schedule (next 15:02)', '—', 'Quit']);
    expect(trayView(idle).progress).toBeNull();
  });
  it('syncing, with progress', () => {
    const f: TrayFacts = { ...idle, running: true, progress: progress({ peers: [peerP('done', 1), peerP('fetch', 0.5)] }) };
    const v = trayView(f);
    expect(v.icon).toBe('syncing');
    expect(v.progress).toBeCloseTo(0.05 + 0.75 * 0.75);
    expect(labels(f).slice(0, 3)).toEqual(['Syncing… 61% (off)', 'Cancel sync', 'Open Constellation']);
    expect(v.tooltip).toBe('Constellation: syncing 61%');
  });
  it('error after a failed or partial run', () => {
    const failed: TrayFacts = { ...idle, lastRun: { id: 'r3', outcome: 'failed', finishedAt: at, imported: 0, peersOk: 0, peersTotal: 3, reason: 'the local relay does not answer' } };
    expect(trayView(failed).icon).toBe('error');
    expect(labels(failed)[3]).toBe('Last run 14:03: failed, the local relay does not answer');
    expect(trayView({ ...idle, lastRun: { ...idle.lastRun!, outcome: 'partial' } }).icon).toBe('error');
  });
  it('paused, schedule off, no run yet', () => {
    expect(labels({ ...idle, schedule: { ...schedule, paused: true } })[4]).toBe('Resume schedule');
    expect(labels({ ...idle, schedule: { ...schedule, enabled: false } })[4]).toBe('Schedule off (see Settings) (off)');
    expect(labels({ ...idle, lastRun: null })[3]).toBe('No run yet (off)');
  });
  it('progress through the stages', () => {
    expect(progressFraction(null)).toBeNull();
    expect(progressFraction(progress({ stage: 'plan' }))).toBeCloseTo(0.02);
    expect(progressFraction(progress({ stage: 'profiles', profiles: { total: 10, done: 5, found: 1, missing: 0 } }))).toBeCloseTo(0.875);
    expect(progressFraction(progress({ stage: 'done' }))).toBe(1);
  });
  it('long reasons are shortened', () => {
    expect(lastRunLine({ ...idle.lastRun!, outcome: 'failed', reason: 'x'.repeat(100) }).length).toBeLessThan(100);
  });
});

function fakeElectron() {
  const menus: Array<Array<{ id?: string; label?: string; click?: () => void; type?: string }>> = [];
  const tray = { on: vi.fn(), setImage: vi.fn(), setToolTip: vi.fn(), setContextMenu: vi.fn(), destroy: vi.fn() };
  const electron = {
    Tray: vi.fn(function () {
      return tray;
    }),
    Menu: { buildFromTemplate: vi.fn((t: (typeof menus)[number]) => (menus.push(t), { template: t })) },
    nativeImage: { createFromPath: vi.fn((p: string) => ({ path: p })) },
  };
  return { electron: electron as unknown as TrayElectron, raw: electron, tray, menus };
}

// French typography from ICU: no-break space before a colon and %, narrow no-break space between thousands.
const NB = '\u00a0';
const NNB = '\u202f';

describe('tray menu in French', () => {
  const fr: TrayFacts = { ...idle, lang: 'fr' };
  it('idle', () => {
    expect(labels(fr)).toEqual([
      'Synchroniser maintenant',
      'Ouvrir Constellation',
      '—',
      `Dernière exécution 14:03${NB}: réussie, 1${NNB}234 événements, 5/6 pairs`,
      'Suspendre la planification (prochaine à 15:02)',
      '—',
      'Quitter',
    ]);
    expect(trayView(fr).tooltip).toBe(`Constellation${NB}: Dernière exécution 14:03${NB}: réussie, 1${NNB}234 événements, 5/6 pairs`);
  });
  it('syncing, with progress in the locale percent', () => {
    const f: TrayFacts = { ...fr, running: true, progress: progress({ peers: [peerP('done', 1), peerP('fetch', 0.5)] }) };
    expect(labels(f).slice(0, 3)).toEqual([`Synchronisation… 61${NB}% (off)`, 'Annuler la synchronisation', 'Ouvrir Constellation']);
    expect(trayView(f).tooltip).toBe(`Constellation${NB}: synchronisation 61${NB}%`);
  });
  it('failed, paused, schedule off, no run yet', () => {
    const failed: TrayFacts = { ...fr, lastRun: { id: 'r3', outcome: 'failed', finishedAt: at, imported: 0, peersOk: 0, peersTotal: 3, reason: 'the local relay does not answer' } };
    expect(labels(failed)[3]).toBe(`Dernière exécution 14:03${NB}: échouée, the local relay does not answer`);
    expect(labels({ ...fr, schedule: { ...schedule, paused: true } })[4]).toBe('Reprendre la planification');
    expect(labels({ ...fr, schedule: { ...schedule, enabled: false } })[4]).toBe('Planification arrêtée (voir Réglages) (off)');
    expect(labels({ ...fr, lastRun: null })[3]).toBe('Aucune exécution pour l’instant (off)');
    expect(trayView({ ...fr, lastRun: null }).tooltip).toBe(`Constellation${NB}: au repos`);
    expect(trayView({ ...idle, lastRun: null }).tooltip).toBe('Constellation: idle');
  });
  it('plurals: 0, 1 and 2 events, one peer and several (French counts 0 as singular, English does not)', () => {
    const line = (lang: 'en' | 'fr', imported: number, peersTotal: number): string =>
      lastRunLine({ ...idle.lastRun!, imported, peersOk: Math.min(1, peersTotal), peersTotal }, words(lang));
    expect([0, 1, 2].map((n) => line('en', n, 1))).toEqual([
      'Last run 14:03: ok, 0 events, 1/1 peer',
      'Last run 14:03: ok, 1 event, 1/1 peer',
      'Last run 14:03: ok, 2 events, 1/1 peer',
    ]);
    expect([0, 1, 2].map((n) => line('fr', n, 2))).toEqual([
      `Dernière exécution 14:03${NB}: réussie, 0 événement, 1/2 pairs`,
      `Dernière exécution 14:03${NB}: réussie, 1 événement, 1/2 pairs`,
      `Dernière exécution 14:03${NB}: réussie, 2 événements, 1/2 pairs`,
    ]);
    // French's "many" form for round millions.
    expect(line('fr', 1_000_000, 1)).toContain(`1${NNB}000${NNB}000 d’événements`);
  });
});

describe('TrayController', () => {
  it('rebuilds and sets the context menu again on every change, and switches icons', () => {
    const { electron, raw, tray, menus } = fakeElectron();
    const actions: string[] = [];
    const c = new TrayController(electron, '/res', idle, (id) => actions.push(id));
    expect(raw.nativeImage.createFromPath).toHaveBeenCalledWith('/res/tray-idle.png');
    expect(tray.setContextMenu).toHaveBeenCalledTimes(1);
    c.update({ running: true, progress: progress({}) });
    expect(tray.setContextMenu).toHaveBeenCalledTimes(2);
    expect(tray.setImage).toHaveBeenLastCalledWith({ path: '/res/tray-syncing.png' });
    expect(menus.at(-1)![0]!.label).toBe('Syncing… 10%');
    c.update({ running: false, lastRun: { ...idle.lastRun!, outcome: 'failed' } });
    expect(tray.setImage).toHaveBeenLastCalledWith({ path: '/res/tray-error.png' });
    expect(tray.setContextMenu).toHaveBeenCalledTimes(3);
    // A click on the built menu item reaches the action; a disabled item does nothing.
    menus.at(-1)!.find((i) => i.id === 'sync-now')!.click!();
    expect(actions).toEqual(['sync-now']);
    c.update({ running: true });
    expect(c.click('sync-now')).toBe(false);
    expect(c.click('cancel')).toBe(true);
    expect(actions).toEqual(['sync-now', 'cancel']);
    // A language switch rebuilds the menu and the tooltip in the new language.
    const before = tray.setContextMenu.mock.calls.length;
    c.update({ running: false, lang: 'fr' });
    expect(tray.setContextMenu).toHaveBeenCalledTimes(before + 1);
    expect(menus.at(-1)!.map((i) => i.label ?? '—')).toEqual(c.view().items.map((i) => (i.id === 'separator' ? '—' : i.label)));
    expect(menus.at(-1)![0]!.label).toBe('Synchroniser maintenant');
    expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.stringMatching(/^Constellation\u00a0: Dernière exécution/));
    c.update({ lang: 'en' });
    expect(menus.at(-1)![0]!.label).toBe('Sync now');
    c.destroy();
    expect(tray.destroy).toHaveBeenCalled();
  });
});
