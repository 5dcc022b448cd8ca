/**
 * What `constellation live` prints while it runs, as pure functions (unit-tested): the peer state changes since
 * the last status, and a summary every minute — as lines in the captain's language (its words in words.ts, the
 * reasons through their codes), folded to the terminal's width, or as one JSON object per line (`--json`,
 * English, unfolded).
 */
import type { LivePeer, LiveStatus } from '../shared/schemas';
import { wrap } from './terminal';
import type { Voice } from './voice';

/** Lines folded to `width` (null: as they are, piped or `--json`). */
const fold = (lines: string[], width: number | null): string[] => (width === null ? lines : lines.flatMap((l) => wrap(l, width, '    ')));

export function readyLine(s: LiveStatus, v: Voice, json: boolean, width: number | null = null): string {
  if (json) return JSON.stringify({ type: 'ready', peers: s.peers.length, members: s.members, share: s.share });
  return fold([v.w.live.ready(v, s.peers.length, s.members)], width).join('\n');
}

export function stoppingLine(sig: string, v: Voice, json: boolean): string {
  return json ? JSON.stringify({ type: 'stopping', signal: sig, time: Date.now() }) : v.w.live.stopping(sig);
}

const nameOf = (p: LivePeer): string => p.hostname ?? (p.peer.length > 16 ? `${p.peer.slice(0, 8)}…${p.peer.slice(-4)}` : p.peer);

function stateText(p: LivePeer, v: Voice, now: number): string {
  const w = v.w.live;
  switch (p.state) {
    case 'connected':
      return w.connected(p.via);
    case 'reconnecting':
      return w.reconnecting(p.retryAt === null ? null : Math.max(0, Math.round((p.retryAt - now) / 1000)));
    case 'catching-up':
      return w.catchingUp;
    case 'connecting':
      return w.connecting;
    case 'stopped':
      return w.stopped;
  }
}

/** The lines for what changed between two statuses: a peer's state, or its acceptance of this station's events. */
export function changeLines(prev: LiveStatus | null, next: LiveStatus, v: Voice, json: boolean, now = Date.now(), width: number | null = null): string[] {
  const before = new Map((prev?.peers ?? []).map((p) => [p.peer, p]));
  const out: string[] = [];
  for (const p of next.peers) {
    const b = before.get(p.peer);
    const moved = !b || b.state !== p.state || b.via !== p.via || (p.state === 'reconnecting' && b.retryAt !== p.retryAt);
    if (moved) {
      if (json) {
        out.push(JSON.stringify({ type: 'peer', time: now, peer: p.peer, hostname: p.hostname, state: p.state, via: p.via, retryAt: p.retryAt, reason: p.reason, why: p.why }));
      } else {
        out.push(`${nameOf(p)}: ${stateText(p, v, now)}${p.reason && p.state !== 'connected' ? ` — ${v.say(p.reason, p.why)}` : ''}`);
      }
    }
    if (b && b.writes !== p.writes && (p.writes === 'refused' || b.writes === 'refused')) {
      if (json) out.push(JSON.stringify({ type: 'writes', time: now, peer: p.peer, hostname: p.hostname, writes: p.writes, reason: p.writesReason, retryAt: p.writesRetryAt }));
      else out.push(`${nameOf(p)}: ${p.writes === 'refused' ? v.w.live.refusing(v.say(p.writesReason ?? '?')) : v.w.live.writesBack}`);
    }
  }
  return json ? out : fold(out, width);
}

/** The summary printed every minute. */
export function minuteLine(s: LiveStatus, v: Voice, json: boolean, now = Date.now(), width: number | null = null): string {
  const on = s.peers.filter((p) => p.state === 'connected' || p.state === 'catching-up').length;
  const inN = s.peers.reduce((a, p) => a + p.inPerMinute, 0);
  const outN = s.peers.reduce((a, p) => a + p.outPerMinute, 0);
  if (json) return JSON.stringify({ type: 'minute', time: now, connected: on, peers: s.peers.length, in: inN, out: outN, totals: s.totals });
  return fold([v.w.live.minute(v, on, s.peers.length, inN, outN)], width).join('\n');
}
