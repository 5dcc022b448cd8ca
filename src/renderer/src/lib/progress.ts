/** How far along a peer's session and a whole run are, for the progress bars. */
import type { PeerProgress, SyncProgress } from '../../../shared/schemas';

const FINISHED = new Set(['done', 'failed', 'cancelled']);

export function isFinishedPhase(phase: string): boolean {
  return FINISHED.has(phase);
}

/** 0..1: the window share covered, or what was fetched of what reconciliation said was needed. */
export function peerFraction(p: PeerProgress): number {
  if (isFinishedPhase(p.phase)) return 1;
  const byNeed = p.need > 0 ? p.fetched / p.need : 0;
  return Math.max(0, Math.min(0.99, Math.max(p.coverage, byNeed)));
}

export function overallFraction(s: SyncProgress): number {
  if (s.stage === 'done') return 1;
  if (s.peers.length === 0) return 0;
  return s.peers.reduce((sum, p) => sum + peerFraction(p), 0) / s.peers.length;
}

export function profilesFraction(s: SyncProgress): number | null {
  if (!s.profiles) return null;
  return s.profiles.total > 0 ? Math.min(1, s.profiles.done / s.profiles.total) : 1;
}
