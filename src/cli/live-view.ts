/**
 * What `constellation live` prints while it runs, as pure functions (unit-tested): the peer state changes since
 * the last status, and a summary every minute — as lines in the captain's language, or as one JSON object per
 * line (`--json`).
 */
import type { LivePeer, LiveStatus } from '../shared/schemas';

export type ViewLang = 'en' | 'fr';

const WORDS = {
  en: {
    ready: (peers: number, members: number) => `Constellation live: following ${peers} peer(s) and ${members} members; stop with Ctrl-C`,
    connecting: 'connecting',
    'catching-up': 'catching up',
    connected: (via: string | null) => `connected${via ? ` (${via === 'tunnel' ? 'through its tunnel' : 'directly'})` : ''}`,
    reconnecting: (s: number | null) => (s === null ? 'reconnecting' : `reconnecting in ${s} s`),
    stopped: 'stopped',
    refusing: (why: string) => `refuses this station's events (${why})`,
    writesBack: 'takes this station\'s events again',
    minute: (on: number, total: number, inN: number, outN: number) => `live: ${on} of ${total} peers connected; last minute ${inN} in, ${outN} out`,
    stopping: (sig: string) => `${sig}: stopping live sync`,
  },
  fr: {
    ready: (peers: number, members: number) => `Constellation en direct : ${peers} pair(s) et ${members} membres suivis ; Ctrl-C pour arrêter`,
    connecting: 'connexion en cours',
    'catching-up': 'rattrapage en cours',
    connected: (via: string | null) => `connecté${via ? ` (${via === 'tunnel' ? 'par son tunnel' : 'en direct'})` : ''}`,
    reconnecting: (s: number | null) => (s === null ? 'reconnexion' : `reconnexion dans ${s} s`),
    stopped: 'arrêté',
    refusing: (why: string) => `refuse les événements de cette station (${why})`,
    writesBack: 'accepte de nouveau les événements de cette station',
    minute: (on: number, total: number, inN: number, outN: number) => `direct : ${on} pairs connectés sur ${total} ; dernière minute ${inN} reçus, ${outN} envoyés`,
    stopping: (sig: string) => `${sig} : arrêt de la synchronisation en direct`,
  },
} as const;

export function readyLine(s: LiveStatus, lang: ViewLang, json: boolean): string {
  if (json) return JSON.stringify({ type: 'ready', peers: s.peers.length, members: s.members, share: s.share });
  return WORDS[lang].ready(s.peers.length, s.members);
}

export function stoppingLine(sig: string, lang: ViewLang, json: boolean): string {
  return json ? JSON.stringify({ type: 'stopping', signal: sig, time: Date.now() }) : WORDS[lang].stopping(sig);
}

const nameOf = (p: LivePeer): string => p.hostname ?? (p.peer.length > 16 ? `${p.peer.slice(0, 8)}…${p.peer.slice(-4)}` : p.peer);

function stateText(p: LivePeer, lang: ViewLang, now: number): string {
  const w = WORDS[lang];
  switch (p.state) {
    case 'connected':
      return w.connected(p.via);
    case 'reconnecting':
      return w.reconnecting(p.retryAt === null ? null : Math.max(0, Math.round((p.retryAt - now) / 1000)));
    case 'catching-up':
      return w['catching-up'];
    case 'connecting':
      return w.connecting;
    case 'stopped':
      return w.stopped;
  }
}

/** The lines for what changed between two statuses: a peer's state, or its acceptance of this station's events. */
export function changeLines(prev: LiveStatus | null, next: LiveStatus, lang: ViewLang, json: boolean, now = Date.now()): string[] {
  const before = new Map((prev?.peers ?? []).map((p) => [p.peer, p]));
  const out: string[] = [];
  for (const p of next.peers) {
    const b = before.get(p.peer);
    const moved = !b || b.state !== p.state || b.via !== p.via || (p.state === 'reconnecting' && b.retryAt !== p.retryAt);
    if (moved) {
      if (json) {
        out.push(JSON.stringify({ type: 'peer', time: now, peer: p.peer, hostname: p.hostname, state: p.state, via: p.via, retryAt: p.retryAt, reason: p.reason }));
      } else {
        out.push(`${nameOf(p)}: ${stateText(p, lang, now)}${p.reason && p.state !== 'connected' ? ` — ${p.reason}` : ''}`);
      }
    }
    if (b && b.writes !== p.writes && (p.writes === 'refused' || b.writes === 'refused')) {
      if (json) out.push(JSON.stringify({ type: 'writes', time: now, peer: p.peer, hostname: p.hostname, writes: p.writes, reason: p.writesReason, retryAt: p.writesRetryAt }));
      else out.push(`${nameOf(p)}: ${p.writes === 'refused' ? WORDS[lang].refusing(p.writesReason ?? '?') : WORDS[lang].writesBack}`);
    }
  }
  return out;
}

/** The summary printed every minute. */
export function minuteLine(s: LiveStatus, lang: ViewLang, json: boolean, now = Date.now()): string {
  const on = s.peers.filter((p) => p.state === 'connected' || p.state === 'catching-up').length;
  const inN = s.peers.reduce((a, p) => a + p.inPerMinute, 0);
  const outN = s.peers.reduce((a, p) => a + p.outPerMinute, 0);
  if (json) return JSON.stringify({ type: 'minute', time: now, connected: on, peers: s.peers.length, in: inN, out: outN, totals: s.totals });
  return WORDS[lang].minute(on, s.peers.length, inN, outN);
}
