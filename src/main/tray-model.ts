/**
 * What the tray shows, as data: the icon state, the progress, and the menu items for a given moment.
 * Pure, so every state's menu is unit-tested; tray.ts turns it into electron objects.
 */
import type { RunSummary, ScheduleStatus, SyncProgress } from '../shared/schemas';
import { words } from './i18n';
import { sayReason } from '../shared/i18n';
import type { Lang, Words } from './i18n';

export type TrayIconState = 'idle' | 'syncing' | 'error';

export interface TrayFacts {
  running: boolean;
  progress: SyncProgress | null;
  lastRun: Pick<RunSummary, 'id' | 'outcome' | 'finishedAt' | 'imported' | 'peersOk' | 'peersTotal' | 'reason' | 'why'> | null;
  schedule: Pick<ScheduleStatus, 'enabled' | 'paused' | 'nextRunAt'> | null;
  /** The language the tray speaks (settings.language, or the system's). */
  lang: Lang;
}

export type TrayItemId = 'sync-now' | 'cancel' | 'open' | 'last-run' | 'schedule' | 'quit';

export interface TrayItem {
  id: TrayItemId | 'separator';
  label: string;
  enabled: boolean;
}

export interface TrayView {
  icon: TrayIconState;
  tooltip: string;
  /** 0..1 for the window's taskbar progress, null when not syncing. */
  progress: number | null;
  items: TrayItem[];
}

/** One number for a run's progress: stages weighted, peers by their covered share. */
export function progressFraction(p: SyncProgress | null): number | null {
  if (!p) return null;
  switch (p.stage) {
    case 'lock':
    case 'plan':
      return 0.02;
    case 'peers': {
      if (p.peers.length === 0) return 0.1;
      const done = p.peers.reduce((sum, peer) => sum + (peer.phase === 'done' || peer.phase === 'failed' || peer.phase === 'cancelled' ? 1 : Math.min(1, Math.max(0, peer.coverage))), 0);
      return 0.05 + 0.75 * (done / p.peers.length);
    }
    case 'profiles': {
      const pr = p.profiles;
      return 0.8 + 0.15 * (pr && pr.total > 0 ? pr.done / pr.total : 0);
    }
    case 'graph':
      return 0.96;
    case 'done':
      return 1;
  }
}

export function iconState(f: TrayFacts): TrayIconState {
  if (f.running) return 'syncing';
  if (f.lastRun && (f.lastRun.outcome === 'failed' || f.lastRun.outcome === 'partial')) return 'error';
  return 'idle';
}

function clock(t: number): string {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** "Last run 14:03: ok, 1,234 events, 5/6 peers" — the line that sums up the last run. */
export function lastRunLine(last: TrayFacts['lastRun'], w: Words = words('en')): string {
  if (!last) return w.m.tray.noRun;
  const outcomes: Record<string, string> = w.m.outcome;
  const parts = [w.m.tray.lastRun(clock(last.finishedAt), outcomes[last.outcome] ?? last.outcome)];
  if (last.outcome === 'success' || last.outcome === 'partial') parts.push(w.count(last.imported, w.m.tray.events), w.m.tray.peersOk(w, last.peersOk, last.peersTotal));
  else if (last.reason) {
    const reason = sayReason(last.reason, last.why, w.lang);
    parts.push(reason.length > 60 ? `${reason.slice(0, 59)}…` : reason);
  }
  return parts.join(', ');
}

export function trayView(f: TrayFacts): TrayView {
  const w = words(f.lang);
  const t = w.m.tray;
  const icon = iconState(f);
  const fraction = f.running ? progressFraction(f.progress) : null;
  const items: TrayItem[] = [];
  if (f.running) {
    items.push({ id: 'sync-now', label: t.syncing(w, fraction), enabled: false });
    items.push({ id: 'cancel', label: t.cancel, enabled: true });
  } else {
    items.push({ id: 'sync-now', label: t.syncNow, enabled: true });
  }
  items.push({ id: 'open', label: t.open, enabled: true });
  items.push({ id: 'separator', label: '', enabled: false });
  items.push({ id: 'last-run', label: lastRunLine(f.lastRun, w), enabled: f.lastRun !== null });
  const sched = f.schedule;
  if (!sched || !sched.enabled) {
    items.push({ id: 'schedule', label: t.scheduleOff, enabled: false });
  } else if (sched.paused) {
    items.push({ id: 'schedule', label: t.resume, enabled: true });
  } else {
    items.push({ id: 'schedule', label: t.pause(sched.nextRunAt ? clock(sched.nextRunAt) : null), enabled: true });
  }
  items.push({ id: 'separator', label: '', enabled: false });
  items.push({ id: 'quit', label: t.quit, enabled: true });

  const tooltip = icon === 'syncing' ? t.tipSyncing(w, fraction) : f.lastRun ? t.tipLastRun(lastRunLine(f.lastRun, w)) : t.tipIdle;
  return { icon, tooltip, progress: fraction, items };
}
