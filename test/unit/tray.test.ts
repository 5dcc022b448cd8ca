import { describe, expect, it, vi } from 'vitest';
import { lastRunLine, progressFraction, trayView } from '../../src/main/tray-model';
import type { TrayFacts } from '../../src/main/tray-model';
import { TrayController } from '../../src/main/tray';
import type { TrayElectron } from '../../src/main/tray';
import type { SyncProgress } from '../../src/shared/schemas';

vi.mock('electron', () => ({}));

const at = new Date(2026, 10, 21, 14, 3).getTime();
const schedule = { enabled: true, paused: false, nextRunAt: new Date(2026, 10, 21, 15, 2).getTime() };
const idle: TrayFacts = { running: false, progress: null, lastRun: { id: 'r1', outcome: 'success', finishedAt: at, imported: 1234, peersOk: 5, peersTotal: 6, reason: null }, schedule };

function progress(over: Partial<SyncProgress>): SyncProgress {
  return { runId: 'r2', stage: 'peers', startedAt: at, peers: [], totals: { fetched: 0, imported: 0, duplicates: 0, rejected: 0, dropped: 0, bytesIn: 0, bytesOut: 0 }, profiles: null, ...over };
}
const peerP = (phase: 'fetch' | 'done', coverage: number) => ({ peer: 'p', hostname: null, route: 'direct' as const, phase, method: null, have: 0, need: 0, fetched: 0, imported: 0, bytesIn: 0, bytesOut: 0, rate: 0, coverage, error: null });

const labels = (f: TrayFacts): string[] => trayView(f).items.map((i) => (i.id === 'separator' ? '—' : `${i.label}${i.enabled ? '' : ' (off)'}`));

describe('tray menu per state', () => {
  it('idle', () => {
    expect(trayView(idle).icon).toBe('idle');
    expect(labels(idle)).toEqual(['Sync now', 'Open Constellation', '—', 'Last run 14:03: ok, 1234 events, 5/6 peers', 'Pause schedule (next 15:02)', '—', 'Quit']);
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
    c.destroy();
    expect(tray.destroy).toHaveBeenCalled();
  });
});
