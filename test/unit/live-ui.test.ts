/**
 * Live sync as the captain sees it: the tray (icon, tooltip, menu line), the "unreachable for a while"
 * notification (once per outage, never per blip), and the window's summary and per-peer state — in English and
 * French.
 */
import { describe, expect, it, vi } from 'vitest';
import { iconState, liveFacts, liveLine, trayView, type TrayFacts } from '../../src/main/tray-model';
import { LiveAlerts, coalesce, liveDownNote } from '../../src/main/notify';
import { words } from '../../src/main/i18n';
import { liveSummary, livePeerMap, peerStateText } from '../../src/renderer/src/lib/live';
import type { LivePeer, LiveStatus } from '../../src/shared/schemas';

vi.mock('electron', () => ({}));

const peer = (id: string, over: Partial<LivePeer> = {}): LivePeer => ({
  peer: id, peerId: `12D3KooW${id}`, hostname: `${id}.local`, route: 'direct', via: 'direct', state: 'connected', stateSince: 0,
  retryAt: null, reason: null, downSince: null, method: 'nip77', writes: 'ok', writesReason: null, writesRetryAt: null, inPerMinute: 2,
  outPerMinute: 1, lastEventAt: null, lagMs: null, received: 0, sent: 0, refused: {}, catchUps: 1, ...over,
});
const status = (peers: LivePeer[], running = true): LiveStatus => ({
  running, reason: running ? null : 'live sync is turned off in the settings', startedAt: 0, share: true,
  local: { connected: true, reason: null }, members: 40, peers, totals: { imported: 0, duplicates: 0, rejected: 0, dropped: {}, sent: 0 },
});
const NOW = 10_000_000;
const MIN = 60_000;

describe('the tray follows live sync', () => {
  const base: TrayFacts = { running: false, progress: null, lastRun: null, schedule: null, lang: 'en' };

  it('sums it up: peers up, refusing, unreachable for longer than the alert', () => {
    const s = status([peer('a'), peer('b', { state: 'catching-up' }), peer('c', { state: 'reconnecting', downSince: NOW - 40 * MIN }), peer('d', { writes: 'refused' })]);
    expect(liveFacts(s, 30 * MIN, NOW)).toEqual({ running: true, connected: 3, total: 4, refusing: 1, longDown: 1 });
    expect(liveFacts(s, 60 * MIN, NOW).longDown).toBe(0);
    expect(liveFacts(s, 0, NOW).longDown).toBe(0);
  });

  it('shows a live icon when every peer streams, the error icon for a long outage, idle otherwise', () => {
    const all = liveFacts(status([peer('a'), peer('b')]), 30 * MIN, NOW);
    expect(iconState({ ...base, live: all })).toBe('live');
    const blip = liveFacts(status([peer('a'), peer('b', { state: 'reconnecting', downSince: NOW - MIN })]), 30 * MIN, NOW);
    expect(iconState({ ...base, live: blip })).toBe('idle');
    const long = liveFacts(status([peer('a'), peer('b', { state: 'reconnecting', downSince: NOW - 31 * MIN })]), 30 * MIN, NOW);
    expect(iconState({ ...base, live: long })).toBe('error');
    expect(iconState({ ...base, running: true, live: long })).toBe('syncing');
    expect(iconState({ ...base, live: liveFacts(status([peer('a')], false), 30 * MIN, NOW) })).toBe('idle');
  });

  it('says "Live: 3 of 4 peers" in the tooltip and the menu, in English and French', () => {
    const f = liveFacts(status([peer('a'), peer('b'), peer('c'), peer('d', { state: 'connecting' })]), 30 * MIN, NOW);
    expect(liveLine(f, words('en'))).toBe('Live: 3 of 4 peers');
    expect(liveLine(f, words('fr'))).toBe('En direct\u00a0: 3 pairs sur 4');
    expect(liveLine({ ...f, refusing: 1 }, words('en'))).toBe("Live: 3 of 4 peers · 1 peer refuses this station's events");
    expect(liveLine({ ...f, running: false }, words('fr'))).toBe('Synchronisation en direct arrêtée');
    const v = trayView({ ...base, live: f });
    expect(v.tooltip).toBe('Constellation: idle\nLive: 3 of 4 peers');
    expect(v.items.find((i) => i.id === 'live')?.label).toBe('Live: 3 of 4 peers');
    expect(trayView(base).items.some((i) => i.id === 'live')).toBe(false);
  });
});

describe('the unreachable-peer notification', () => {
  it('comes once per outage past the setting, never for a blip', () => {
    const alerts = new LiveAlerts();
    const down = (since: number) => status([peer('a'), peer('b', { state: 'reconnecting', downSince: since })]);
    expect(alerts.check(down(NOW - 5 * MIN), 30, NOW)).toEqual([]);
    expect(alerts.check(down(NOW - 30 * MIN), 30, NOW)).toEqual(['b.local']);
    expect(alerts.check(down(NOW - 45 * MIN), 30, NOW)).toEqual([]);
    // back, then down again: another full wait before a new note
    expect(alerts.check(status([peer('a'), peer('b')]), 30, NOW)).toEqual([]);
    expect(alerts.check(down(NOW - 2 * MIN), 30, NOW)).toEqual([]);
    expect(alerts.check(down(NOW - 31 * MIN), 30, NOW)).toEqual(['b.local']);
    // 0 = never
    expect(new LiveAlerts().check(down(NOW - 999 * MIN), 0, NOW)).toEqual([]);
  });

  it('is worded in both languages, and a burst is one note', () => {
    const en = liveDownNote(['alpha'], 30, words('en'));
    expect(en).toMatchObject({ kind: 'live-down', title: 'A peer is unreachable', body: 'alpha: no live connection for 30 minutes; live sync keeps trying.' });
    const fr = liveDownNote(['alpha', 'beta'], 30, words('fr'));
    expect(fr.title).toBe('2 pairs sont injoignables');
    expect(fr.body).toBe('alpha, beta\u00a0: pas de connexion en direct depuis 30\u00a0minutes\u00a0; la synchronisation en direct continue d’essayer.');
    const merged = coalesce([liveDownNote(['alpha'], 30), liveDownNote(['beta'], 30)]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ title: '2 peers are unreachable', peers: ['alpha', 'beta'] });
  });
});

describe('the window\'s live summary', () => {
  it('counts peers up, rates and refusals; finds a peer by folder id or PeerID', () => {
    const s = status([peer('a'), peer('b', { state: 'reconnecting', retryAt: NOW + 4200 }), peer('c', { writes: 'refused' })]);
    expect(liveSummary(s)).toEqual({ running: true, up: 2, total: 3, inPerMinute: 6, outPerMinute: 3, refusing: 1 });
    expect(liveSummary(null)).toBeNull();
    const m = livePeerMap(s);
    expect(m.get('a')?.hostname).toBe('a.local');
    expect(m.get('12D3KooWb')?.state).toBe('reconnecting');
    expect(peerStateText(m.get('b')!, NOW)).toEqual({ key: 'live.state.reconnectingIn', seconds: 5 });
    expect(peerStateText(m.get('a')!, NOW)).toEqual({ key: 'live.state.connected', seconds: null });
  });
});
