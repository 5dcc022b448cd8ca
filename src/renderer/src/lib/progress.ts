/** How far along a peer's session and a whole run are, for the progress bars. */
import type { PeerProgress, RunOutcome, RunReport, SyncProgress } from '../../../shared/schemas';

const FINISHED = new Set(['done', 'failed', 'cancelled']);

export function isFinishedPhase(phase: string): boolean {
  return FINISHED.has(phase);
}

/**
 * 0..1: the window share covered, or what was fetched of what reconciliation said was needed. A finished session
 * is full, a cancelled one keeps what it had covered (it did not finish: its bar must not read as done).
 */
export function peerFraction(p: PeerProgress): number {
  if (p.phase === 'done' || p.phase === 'failed') return 1;
  const byNeed = p.need > 0 ? p.fetched / p.need : 0;
  return Math.max(0, Math.min(0.99, Math.max(p.coverage, byNeed)));
}

/** The run's share done: the mean of its peers' (a cancelled run stops where its peers stopped). */
export function overallFraction(s: SyncProgress, outcome: RunState = s.stage === 'done' ? 'success' : 'running'): number {
  if (s.stage === 'done' && outcome !== 'cancelled') return 1;
  if (s.peers.length === 0) return 0;
  return s.peers.reduce((sum, p) => sum + peerFraction(p), 0) / s.peers.length;
}

export function profilesFraction(s: SyncProgress): number | null {
  if (!s.profiles) return null;
  return s.profiles.total > 0 ? Math.min(1, s.profiles.done / s.profiles.total) : 1;
}

/** What a run is: running, or how it ended. */
export type RunState = 'running' | 'finishing' | RunOutcome;

/**
 * The state of the run a progress stream shows. The stream's last event only says the run stopped (stage
 * `done`); how it ended (success, cancelled…) comes with the engine's report, which follows it: until then the
 * run is `finishing`, never "done".
 */
export function runState(progress: SyncProgress, report: Pick<RunReport, 'id' | 'outcome'> | null): RunState {
  if (progress.stage !== 'done') return 'running';
  return report && report.id === progress.runId ? report.outcome : 'finishing';
}

/** The bar's colour for a run state: green only for a run that did all it had to. */
export function runBarState(state: RunState): 'done' | 'failed' | 'cancelled' | undefined {
  if (state === 'success') return 'done';
  if (state === 'failed' || state === 'refused') return 'failed';
  if (state === 'cancelled' || state === 'partial') return 'cancelled';
  return undefined;
}

/** A peer's standing for the "n of m" line: synced, failed, stopped by a cancel, or still to do. */
export function peerCounts(s: SyncProgress): { done: number; failed: number; cancelled: number; pending: number } {
  const out = { done: 0, failed: 0, cancelled: 0, pending: 0 };
  for (const p of s.peers) {
    if (p.phase === 'done') out.done++;
    else if (p.phase === 'failed') out.failed++;
    else if (p.phase === 'cancelled') out.cancelled++;
    else out.pending++;
  }
  return out;
}
