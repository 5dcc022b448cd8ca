/**
 * What the tray shows, as data: the icon state, the progress, and the menu items for a given moment.
 * Pure, so every state's menu is unit-tested; tray.ts turns it into electron objects.
 */
import type { RunSummary, ScheduleStatus, SyncProgress } from '../shared/schemas';

export type TrayIconState = 'idle' | 'syncing' | 'error';

export interface TrayFacts {
  running: boolean;
  progress: SyncProgress | null;
  lastRun: Pick<RunSummary, 'id' | 'outcome' | 'finishedAt' | 'imported' | 'peersOk' | 'peersTotal' | 'reason'> | null;
  schedule: Pick<ScheduleStatus, 'enabled' | 'paused' | 'nextRunAt'> | null;
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

const OUTCOME_WORDS: Record<string, string> = {
  success: 'ok',
  partial: 'partly failed',
  failed: 'failed',
  cancelled: 'cancelled',
  'dry-run': 'dry run',
  refused: 'not run',
};

/** "Last run 14:03: ok, 1234 events, 5/6 peers" — the line that sums up the last run. */
export function lastRunLine(last: TrayFacts['lastRun']): string {
  if (!last) return 'No run yet';
  const words = OUTCOME_WORDS[last.outcome] ?? last.outcome;
  const parts = [`Last run ${clock(last.finishedAt)}: ${words}`];
  if (last.outcome === 'success' || last.outcome === 'partial') parts.push(`${last.imported} events`, `${last.peersOk}/${last.peersTotal} peers`);
  else if (last.reason) parts.push(last.reason.length > 60 ? `${last.reason.slice(0, 59)}…` : last.reason);
  return parts.join(', ');
}

export function trayView(f: TrayFacts): TrayView {
  const icon = iconState(f);
  const fraction = f.running ? progressFraction(f.progress) : null;
  const percent = fraction === null ? null : Math.round(fraction * 100);
  const items: TrayItem[] = [];
  if (f.running) {
    items.push({ id: 'sync-now', label: `Syncing…${percent === null ? '' : ` ${percent}%`}`, enabled: false });
    items.push({ id: 'cancel', label: 'Cancel sync', enabled: true });
  } else {
    items.push({ id: 'sync-now', label: 'Sync now', enabled: true });
  }
  items.push({ id: 'open', label: 'Open Constellation', enabled: true });
  items.push({ id: 'separator', label: '', enabled: false });
  items.push({ id: 'last-run', label: lastRunLine(f.lastRun), enabled: f.lastRun !== null });
  const sched = f.schedule;
  if (!sched || !sched.enabled) {
    items.push({ id: 'schedule', label: 'Schedule off (see Settings)', enabled: false });
  } else if (sched.paused) {
    items.push({ id: 'schedule', label: 'Resume schedule', enabled: true });
  } else {
    items.push({ id: 'schedule', label: `Pause schedule${sched.nextRunAt ? ` (next ${clock(sched.nextRunAt)})` : ''}`, enabled: true });
  }
  items.push({ id: 'separator', label: '', enabled: false });
  items.push({ id: 'quit', label: 'Quit', enabled: true });

  const tooltip =
    icon === 'syncing'
      ? `Constellation: syncing${percent === null ? '' : ` ${percent}%`}`
      : icon === 'error'
        ? `Constellation: ${lastRunLine(f.lastRun)}`
        : `Constellation: ${f.lastRun ? lastRunLine(f.lastRun) : 'idle'}`;
  return { icon, tooltip, progress: fraction, items };
}
