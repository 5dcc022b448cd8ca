/**
 * Live sync as the window shows it, as pure functions (unit-tested): the Overview's "Live: 3 of 4 peers" and
 * each peer's state on the Stations screen.
 */
import type { LivePeer, LiveStatus } from '../../../shared/schemas';

/** A peer counts as live while its stream runs (connected, or catching up beside the stream). */
export function isUp(p: Pick<LivePeer, 'state'>): boolean {
  return p.state === 'connected' || p.state === 'catching-up';
}

export interface LiveSummary {
  running: boolean;
  up: number;
  total: number;
  /** events received from the peers and sent to them over the last minute */
  inPerMinute: number;
  outPerMinute: number;
  refusing: number;
}

export function liveSummary(s: LiveStatus | null): LiveSummary | null {
  if (!s) return null;
  return {
    running: s.running,
    up: s.peers.filter(isUp).length,
    total: s.peers.length,
    inPerMinute: s.peers.reduce((a, p) => a + p.inPerMinute, 0),
    outPerMinute: s.peers.reduce((a, p) => a + p.outPerMinute, 0),
    refusing: s.peers.filter((p) => p.writes === 'refused').length,
  };
}

/** The i18n key of a peer's live state and its parameter (seconds until the next try while reconnecting). */
export function peerStateText(p: LivePeer, now: number): { key: string; seconds: number | null } {
  if (p.state === 'reconnecting') return { key: 'live.state.reconnectingIn', seconds: p.retryAt === null ? null : Math.max(0, Math.ceil((p.retryAt - now) / 1000)) };
  return { key: `live.state.${p.state}`, seconds: null };
}

/** A peer's live state by the ids the Stations screen uses (folder id, else PeerID). */
export function livePeerMap(s: LiveStatus | null): Map<string, LivePeer> {
  const m = new Map<string, LivePeer>();
  for (const p of s?.peers ?? []) {
    m.set(p.peer, p);
    if (p.peerId) m.set(p.peerId, p);
  }
  return m;
}
