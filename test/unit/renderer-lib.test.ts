// The renderer's pure pieces: remote-content guards, the Stations rows, settings validation, progress, i18n.
import { describe, expect, it } from 'vitest';
import { safeLink, safePicture, shortId } from '../../src/renderer/src/lib/safe';
import { buildStationRows, filterStationRows, sortStationRows, countBy } from '../../src/renderer/src/lib/stations';
import { diffSettings, parseRelayLines, validateSettings } from '../../src/renderer/src/lib/settingsForm';
import { engineFieldErrors } from '../../src/renderer/src/lib/settingsErrors';
import { resolveLanguage, resolveTheme } from '../../src/renderer/src/lib/theme';
import { overallFraction, peerCounts, peerFraction, runBarState, runState } from '../../src/renderer/src/lib/progress';
import { categoryStacks, chronological, receivedTotal, topCategories } from '../../src/renderer/src/lib/historyCharts';
import { buildGraph, drawnCount, edgeColor, findNode, groupNames, legendCounts, PALETTES, premultiplied, stationStates } from '../../src/renderer/src/lib/graphModel';
import { overlaps, placeLabels, type LabelCandidate } from '../../src/renderer/src/lib/graphLabels';
import { formatClock } from '../../src/renderer/src/lib/format';
import { shiftBetween } from '../../src/renderer/src/lib/graphMotion';
import { haloProfile } from '../../src/renderer/src/lib/graphHalo';
import { isDesktop, scheduleView } from '../../src/renderer/src/lib/schedule';
import { loadShowN2, saveShowN2 } from '../../src/renderer/src/lib/graphPrefs';
import { en } from '../../src/renderer/src/i18n/en';
import { fr } from '../../src/renderer/src/i18n/fr';
import { CATEGORIES } from '../../src/shared/kinds';
import { PeerPhase, PeerStatus, RunOutcome, Route, defaultSettings } from '../../src/shared/schemas';
import { toColumns, type GraphNode, type Peer, type PeerProgress, type RunReport, type RunSummary, type Subgraph, type SyncProgress, type Tunnel } from '../../src/shared/schemas';

function peer(over: Partial<Peer>): Peer {
  return {
    id: 'P1', peerId: 'P1', hostname: 'a.local', captain: 'cap@a', captainHex: null, nodeHex: null, relayUrl: 'ws://127.0.0.1:7777',
    city: 'Lyon', lat: null, lon: null, uplanet: null, services: [], servesStrfry: true, cardVersion: null, updatedAt: null,
    ageSeconds: 600, status: 'ok', reason: null, route: 'tunnel', syncable: true, ...over,
  };
}

describe('remote content guards', () => {
  it('keeps http(s) and raster data pictures only, and none when pictures are off', () => {
    expect(safePicture('https://x.test/a.png', true)).toBe('https://x.test/a.png');
    expect(safePicture('http://x.test/a.png', true)).toBe('http://x.test/a.png');
    expect(safePicture('data:image/png;base64,iVBORw0KGgo=', true)).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(safePicture('https://x.test/a.png', false)).toBeNull();
    expect(safePicture('javascript:alert(1)', true)).toBeNull();
    expect(safePicture('data:image/svg+xml;base64,PHN2Zz4=', true)).toBeNull();
    expect(safePicture('file:///etc/passwd', true)).toBeNull();
    expect(safePicture('https://x.test/a" onerror="x', true)).toBeNull();
    expect(safePicture('', true)).toBeNull();
  });
  it('links only http(s) websites', () => {
    expect(safeLink('https://example.org/me')).toBe('https://example.org/me');
    expect(safeLink('javascript:alert(1)')).toBeNull();
    expect(safeLink('example.org')).toBeNull();
  });
  it('shortens long ids and leaves short ones', () => {
    expect(shortId('12D3KooWABCDEFGHIJKLMNOP', 4)).toBe('12D3…MNOP');
    expect(shortId('abc')).toBe('abc');
  });
});

describe('stations rows', () => {
  const peers = [
    peer({ id: 'A', peerId: 'A', hostname: 'alpha', city: 'Paris', ageSeconds: 100 }),
    peer({ id: 'B', peerId: 'B', hostname: 'beta', city: 'Lyon', ageSeconds: 50000, status: 'stale', reason: 'card 14 h old', syncable: false }),
    peer({ id: 'C', peerId: 'C', hostname: 'gamma', city: 'Nice', ageSeconds: 10 }),
  ];
  const tunnels = new Map<string, Tunnel>([['C', { peerId: 'C', protocol: '/x/strfry-C', localPort: 4000, state: 'failed', reason: 'refused', changedAt: 1 }]]);
  const report = {
    peers: [
      { peer: 'A', ok: true, reason: null, imported: 7 },
      { peer: 'C', ok: false, reason: 'peer C: relay down', imported: 0 },
    ],
  } as unknown as RunReport;

  it('joins each peer with its tunnel and its outcome in the last run', () => {
    const rows = buildStationRows(peers, tunnels, report);
    expect(rows.map((r) => [r.peer.id, r.tunnel?.state ?? null, r.last?.imported ?? null])).toEqual([
      ['A', null, 7],
      ['B', null, null],
      ['C', 'failed', 0],
    ]);
  });
  it('filters on every word, across fields and reasons', () => {
    const rows = buildStationRows(peers, tunnels, report);
    expect(filterStationRows(rows, 'relay down').map((r) => r.peer.id)).toEqual(['C']);
    expect(filterStationRows(rows, 'LYON stale').map((r) => r.peer.id)).toEqual(['B']);
    expect(filterStationRows(rows, '  ').length).toBe(3);
  });
  it('sorts by a column both ways, unknown last', () => {
    const rows = buildStationRows(peers, tunnels, report);
    expect(sortStationRows(rows, 'age', true).map((r) => r.peer.id)).toEqual(['C', 'A', 'B']);
    expect(sortStationRows(rows, 'imported', false).map((r) => r.peer.id)).toEqual(['A', 'C', 'B']);
    expect(sortStationRows(rows, 'hostname', false).map((r) => r.peer.id)).toEqual(['C', 'B', 'A']);
  });
  it('counts peers by a field', () => {
    expect(countBy(peers, (p) => p.status)).toEqual({ ok: 2, stale: 1 });
  });
});

describe('reasons on a station row', () => {
  it('drops the peer name the engine puts first, however it is named, and keeps the rest', async () => {
    const { reasonWithoutPeer } = await import('../../src/renderer/src/lib/stations');
    const peer = { id: '12D3KooWPeerFolder', peerId: '12D3KooWPeerFolder', hostname: 'gamma.e2e' };
    expect(reasonWithoutPeer('peer 12D3KooWPeerFolder: tunnel refused by kubo: busy', peer)).toBe('tunnel refused by kubo: busy');
    expect(reasonWithoutPeer('gamma.e2e: not syncable: no usable relay', peer)).toBe('not syncable: no usable relay');
    expect(reasonWithoutPeer('peer 12D3KooWPeerFolder: gamma.e2e: relay down', peer)).toBe('relay down');
    // Another peer's name, or a name alone, stays.
    expect(reasonWithoutPeer('peer 12D3KooWOther: refused', peer)).toBe('peer 12D3KooWOther: refused');
    expect(reasonWithoutPeer('gamma.e2e: ', peer)).toBe('gamma.e2e:');
    expect(reasonWithoutPeer('ws://127.0.0.1:7777: cannot connect', { id: 'x', peerId: null, hostname: null })).toBe('ws://127.0.0.1:7777: cannot connect');
  });
});

describe('settings form', () => {
  const good = { ...defaultSettings('/home/cap'), fallbackRelays: [] };
  it('accepts the defaults and names each bad field once', () => {
    expect(validateSettings(good)).toEqual({});
    const errors = validateSettings({ ...good, relayUrl: 'http://x', days: -1, scheduleMinutes: 2, kinds: [], fallbackRelays: ['ws://ok', 'nope'] });
    expect(Object.keys(errors).sort()).toEqual(['days', 'fallbackRelays', 'kinds', 'relayUrl', 'scheduleMinutes']);
    expect(errors.scheduleMinutes?.code).toBe('too_small');
    expect(errors.scheduleMinutes?.minimum).toBe(5);
    expect(errors.fallbackRelays?.path).toBe('fallbackRelays.1');
    expect(errors.relayUrl?.code).toBe('invalid_format');
  });
  it('reads fallback relays one per line and sends only what changed', () => {
    expect(parseRelayLines(' wss://a \n\n wss://b,wss://c ')).toEqual(['wss://a', 'wss://b', 'wss://c']);
    expect(diffSettings(good, { ...good, days: 3, notifications: { ...good.notifications, failed: false } })).toEqual({
      days: 3,
      notifications: { ...good.notifications, failed: false },
    });
  });
  it('splits the engine refusal into one message per field', () => {
    expect(engineFieldErrors('settings.set: invalid input: relayUrl: a ws:// or wss:// URL; fallbackRelays.0: a ws:// or wss:// URL')).toEqual({
      relayUrl: 'a ws:// or wss:// URL',
      fallbackRelays: 'a ws:// or wss:// URL',
    });
    expect(engineFieldErrors('invalid settings: days: too big')).toEqual({ days: 'too big' });
    expect(engineFieldErrors('the engine is gone')).toEqual({});
  });
});

describe('theme and language', () => {
  it('lets the setting win over the system', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveLanguage('system', ['fr-FR', 'en'])).toBe('fr');
    expect(resolveLanguage('system', ['de-DE', 'en-GB'])).toBe('en');
    expect(resolveLanguage('system', ['de'])).toBe('en');
    expect(resolveLanguage('en', ['fr-FR'])).toBe('en');
  });
});

describe('progress', () => {
  const p = (over: Partial<PeerProgress>): PeerProgress => ({
    peer: 'A', hostname: null, route: 'direct', phase: 'fetch', method: 'nip77', have: 0, need: 0, fetched: 0, imported: 0,
    bytesIn: 0, bytesOut: 0, rate: 0, coverage: 0, error: null, ...over,
  });
  it('follows coverage or fetched/need, full only when the peer is finished', () => {
    expect(peerFraction(p({ need: 10, fetched: 5 }))).toBe(0.5);
    expect(peerFraction(p({ coverage: 0.7 }))).toBe(0.7);
    expect(peerFraction(p({ need: 10, fetched: 10 }))).toBe(0.99);
    expect(peerFraction(p({ phase: 'failed' }))).toBe(1);
    const run = { stage: 'peers', peers: [p({ phase: 'done' }), p({ coverage: 0.5 })] } as SyncProgress;
    expect(overallFraction(run)).toBe(0.75);
  });
  it('a run cancelled at once reads cancelled, not done: its bar stays where its peers stopped, not green', () => {
    const run = { runId: 'r1', stage: 'done', peers: [p({ phase: 'cancelled' }), p({ phase: 'cancelled', coverage: 0.2 }), p({ phase: 'cancelled' })] } as SyncProgress;
    // Until the report arrives the run is finishing; then it is what the report says.
    expect(runState(run, null)).toBe('finishing');
    expect(runState(run, { id: 'other', outcome: 'success' })).toBe('finishing');
    const state = runState(run, { id: 'r1', outcome: 'cancelled' });
    expect(state).toBe('cancelled');
    expect(overallFraction(run, state)).toBeCloseTo(0.2 / 3);
    expect(runBarState(state)).toBe('cancelled');
    expect(peerCounts(run)).toEqual({ done: 0, failed: 0, cancelled: 3, pending: 0 });
    expect(peerFraction(p({ phase: 'cancelled' }))).toBe(0);
    // A finished successful run is full and green.
    const ok = { runId: 'r2', stage: 'done', peers: [p({ phase: 'done' })] } as SyncProgress;
    expect(overallFraction(ok, runState(ok, { id: 'r2', outcome: 'success' }))).toBe(1);
    expect(runBarState('success')).toBe('done');
    expect(runState({ ...ok, stage: 'peers' }, null)).toBe('running');
  });
});

describe('history charts', () => {
  const run = (id: string, startedAt: number, categories: Record<string, number>): RunSummary =>
    ({ id, startedAt, categories }) as RunSummary;
  it('orders runs oldest first and ranks categories, leaving out the sums', () => {
    const runs = [run('b', 2, { events: 9, public: 9, text: 5, reactions: 4 }), run('a', 1, { events: 3, text: 1, profiles: 2 })];
    expect(chronological(runs).map((r) => r.id)).toEqual(['a', 'b']);
    expect(topCategories(runs)).toEqual(['text', 'reactions', 'profiles']);
  });
  it('stacks the categories so each run adds up to what it received, the rest as "other"', () => {
    const runs = [run('a', 1, { events: 10, public: 9, dms: 1, text: 5, reactions: 2, profiles: 1 }), run('b', 2, { events: 4, public: 4, text: 4 })];
    const stacks = categoryStacks(runs, 2);
    expect(stacks.map((s) => s.key)).toEqual(['text', 'reactions', 'other']);
    runs.forEach((r, i) => expect(stacks.reduce((sum, s) => sum + (s.data[i] as number), 0)).toBe(receivedTotal(r)));
  });
});

describe('graph model', () => {
  const node = (o: Partial<GraphNode> & Pick<GraphNode, 'id' | 'kind'>): GraphNode => ({
    label: '', distance: o.kind === 'n1' ? 1 : o.kind === 'n2' ? 2 : 0, size: 1, x: 0, y: 0, local: false, group: -1, ...o,
  });
  const sub: Subgraph = {
    nodes: toColumns([
      node({ id: 'station:S', label: 'station', kind: 'station', local: true }),
      node({ id: 'm', label: 'member', kind: 'member', x: 1, y: 1, group: 0, local: true }),
      node({ id: 'n', kind: 'n1', x: 2, y: Number.NaN, group: 0 }),
      node({ id: 'o', label: 'far', kind: 'n2', x: 3, y: 3 }),
      node({ id: 'k', label: 'other', kind: 'member', group: 1 }),
    ]),
    // m→n, n→o, m→n again, m→m, station→m, m→k
    edges: [1, 2, 2, 3, 1, 2, 1, 1, 0, 1, 1, 4],
    totalNodes: 9,
    totals: { station: 1, member: 2, n1: 1, n2: 5 },
    groups: [3, 2],
    sampled: true,
    computedAt: 1,
  };
  it('keeps the engine positions, leaves N2 out until asked for, and drops duplicate and self edges', () => {
    const g = buildGraph(sub, { theme: 'light', showN2: false });
    expect(g.order).toBe(4);
    expect(g.size).toBe(3);
    expect(g.getNodeAttribute('n', 'y')).toBe(0);
    expect(g.getNodeAttribute('n', 'name')).toBe('n');
    // No `label`: sigma would index every node in its label grid (this view places its own labels).
    expect(g.getNodeAttribute('n', 'label' as never)).toBeUndefined();
    const all = buildGraph(sub, { theme: 'light', showN2: true });
    expect(all.order).toBe(5);
    expect(all.size).toBe(4);
    expect(all.getNodeAttribute('o', 'x')).toBe(3);
    expect(buildGraph(sub, { theme: 'light', showN2: true, withEdges: false }).size).toBe(0);
    expect(drawnCount(sub, false)).toBe(4);
    expect(drawnCount(sub, true)).toBe(5);
  });
  it('draws the N1 and N2 crowd as points under circles for stations and members', () => {
    const g = buildGraph(sub, { theme: 'dark', showN2: true });
    expect(['station:S', 'm', 'n', 'o'].map((id) => g.getNodeAttribute(id, 'type'))).toEqual(['circle', 'circle', 'point', 'point']);
    expect(g.getNodeAttribute('station:S', 'zIndex')).toBeGreaterThan(g.getNodeAttribute('m', 'zIndex'));
    expect(g.getNodeAttribute('n', 'zIndex')).toBeGreaterThan(g.getNodeAttribute('o', 'zIndex'));
    // Sigma draws in the graph's order (its zIndex sort is off): the crowd first, the stations last.
    expect(g.nodes()).toEqual(['o', 'n', 'm', 'k', 'station:S']);
    const z = g.nodes().map((id) => g.getNodeAttribute(id, 'zIndex'));
    expect(z).toEqual([...z].sort((a, b) => a - b));
  });
  it('colours members by group, their N1 with a tint of it, stations by state', () => {
    for (const theme of ['light', 'dark'] as const) {
      const p = PALETTES[theme];
      const g = buildGraph(sub, { theme, showN2: false, stations: new Map([['station:S', 'failing' as const]]) });
      expect(g.getNodeAttribute('m', 'color')).toBe(p.groups[0]);
      expect(g.getNodeAttribute('k', 'color')).toBe(p.groups[1]);
      expect(g.getNodeAttribute('n', 'color')).not.toBe(p.groups[0]);
      expect(g.getNodeAttribute('station:S', 'color')).toBe(p.station.failing);
    }
  });
  it('gives edges premultiplied colours (sigma blends ONE, ONE_MINUS_SRC_ALPHA): faint means faint in both themes', () => {
    expect(premultiplied(200, 100, 50, 0.1)).toBe('rgba(20,10,5,0.1)');
    for (const theme of ['light', 'dark'] as const) {
      const g = buildGraph(sub, { theme, showN2: true });
      g.forEachEdge((_e, attrs) => {
        const [r, gg, b, a] = String((attrs as { color: string }).color).match(/[\d.]+/g)!.map(Number) as [number, number, number, number];
        for (const c of [r, gg, b]) expect(c).toBeLessThanOrEqual(Math.ceil(255 * a));
        expect(a).toBeLessThan(1);
      });
      // The crowd's follows are fainter than the follows between members, which are fainter than a station's link.
      const alpha = (c: string): number => Number(c.match(/[\d.]+/g)![3]);
      const at = (id: string) => g.getNodeAttributes(id);
      expect(alpha(edgeColor(at('n'), at('o'), PALETTES[theme]))).toBeLessThan(alpha(edgeColor(at('m'), at('k'), PALETTES[theme])));
      expect(alpha(edgeColor(at('m'), at('k'), PALETTES[theme]))).toBeLessThan(alpha(edgeColor(at('station:S'), at('m'), PALETTES[theme])));
    }
  });
  it('tells each station’s state from the snapshot and the last run', () => {
    const snapshot = {
      self: { peerId: 'SELF' },
      peers: [peer({ id: 'A', peerId: 'A' }), peer({ id: 'B', peerId: 'B' }), peer({ id: 'C', peerId: 'C', status: 'stale', syncable: false }), peer({ id: 'D', peerId: 'D' })],
    } as unknown as Parameters<typeof stationStates>[0];
    const report = { peers: [{ peer: 'A', ok: true }, { peer: 'B', ok: false }] } as unknown as RunReport;
    const states = stationStates(snapshot, report);
    expect(Object.fromEntries(states)).toEqual({ 'station:SELF': 'self', 'station:A': 'synced', 'station:B': 'failing', 'station:C': 'stale', 'station:D': 'unsynced' });
    expect(legendCounts(sub, new Map([['station:S', 'self' as const]]))).toEqual({ stations: { self: 1, synced: 0, failing: 0, stale: 0, unsynced: 0 }, local: 1, others: 1 });
    expect(groupNames(sub, 10)).toEqual([
      { group: 0, name: 'member', members: 3 },
      { group: 1, name: 'other', members: 2 },
    ]);
  });
  it('finds a node by name: exact before prefix before substring, stations and members first, accents ignored', () => {
    const people: Subgraph = {
      ...sub,
      nodes: toColumns([
        node({ id: 'a'.repeat(64), label: 'Aurore Lumière', kind: 'n2' }),
        node({ id: 'b'.repeat(64), label: 'Aurore Lumiere', kind: 'member' }),
        node({ id: 'c'.repeat(64), label: 'aurore', kind: 'n1' }),
        node({ id: 'd'.repeat(64), label: 'Bruno chez Aurore', kind: 'station' }),
        node({ id: '0123456789' + 'e'.repeat(54), kind: 'n2' }),
      ]),
      edges: [],
    };
    expect(findNode(people, '  AURORE ')).toBe('c'.repeat(64));
    expect(findNode(people, 'aurore lum')).toBe('b'.repeat(64));
    expect(findNode(people, 'lumière')).toBe('b'.repeat(64));
    expect(findNode(people, 'chez')).toBe('d'.repeat(64));
    expect(findNode(people, '01234567')).toBe('0123456789' + 'e'.repeat(54));
    expect(findNode(people, '0123')).toBeNull();
    expect(findNode(people, 'nobody')).toBeNull();
    expect(findNode(people, '')).toBeNull();
    // N2 not shown: the N2 match is not offered.
    expect(findNode(people, '01234567', false)).toBeNull();
  });
});

describe('graph labels, motion and halo', () => {
  const measure = (text: string): number => text.length * 7;
  const opts = { width: 400, height: 300, lineHeight: 14, max: 100, margin: 2 };
  it('places the most important labels first and never one over another or over a station', () => {
    // Ten nodes on one spot: one label on each side of it, the rest are left out.
    const crowd: LabelCandidate[] = Array.from({ length: 10 }, (_, i) => ({ id: `n${i}`, text: `node ${i}`, x: 200, y: 150, radius: 3, priority: 10 - i }));
    const placed = placeLabels(crowd, measure, opts);
    expect(placed.map((l) => l.id)).toEqual(['n9', 'n8']);
    for (const a of placed) for (const b of placed) if (a !== b) expect(overlaps(a, b)).toBe(false);
    // A station's marker is an obstacle: a label that would cover it goes to the other side or away.
    const blocked = placeLabels([{ id: 'x', text: 'long label', x: 100, y: 100, radius: 3, priority: 1 }], measure, { ...opts, obstacles: [{ x: 104, y: 90, w: 20, h: 20 }] });
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.x + blocked[0]!.w).toBeLessThanOrEqual(100);
    // Off-screen nodes get no label; the cap holds.
    expect(placeLabels([{ id: 'far', text: 'far', x: 900, y: 100, radius: 3, priority: 1 }], measure, opts)).toEqual([]);
    const spread: LabelCandidate[] = Array.from({ length: 50 }, (_, i) => ({ id: `s${i}`, text: 'ab', x: 20 + (i % 10) * 36, y: 20 + Math.floor(i / 10) * 40, radius: 2, priority: i }));
    expect(placeLabels(spread, measure, { ...opts, max: 7 })).toHaveLength(7);
  });
  it('moves the last drawing with one scale and shift that carries the old points onto the new ones', () => {
    const s = shiftBetween({ x: 10, y: 10 }, { x: 30, y: 10 }, { x: 15, y: 5 }, { x: 55, y: 5 });
    expect(s.scale).toBe(2);
    expect(s.x + s.scale * 10).toBe(15);
    expect(s.y + s.scale * 10).toBe(5);
    expect(shiftBetween({ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 5, y: 5 }, { x: 6, y: 6 })).toEqual({ scale: 1, x: 5, y: 5 });
  });
  it('summarises N2 as a halo: darker where more of it hangs, outside the drawn nodes', () => {
    const nodes = [
      { kind: 'member', x: 1, y: 0 },
      { kind: 'n1', x: 0, y: 40 },
      ...Array.from({ length: 9 }, () => ({ kind: 'n2', x: 100, y: 1 })),
      { kind: 'n2', x: -100, y: 1 },
    ];
    const h = haloProfile({ kind: nodes.map((n) => n.kind), x: nodes.map((n) => n.x), y: nodes.map((n) => n.y) }, 8);
    expect(h.inner).toBe(40);
    expect(Math.max(...h.density)).toBe(1);
    const right = h.density[4]!;
    const left = h.density[7]!;
    expect(right).toBeGreaterThan(left);
    expect(left).toBeGreaterThan(0);
  });
  it('remembers whether the captain asked for the N2', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadShowN2(storage)).toBe(false);
    saveShowN2(true, storage);
    expect(loadShowN2(storage)).toBe(true);
    expect(loadShowN2({ getItem: () => { throw new Error('denied'); } })).toBe(false);
  });
});

describe('schedule texts', () => {
  const status = (enabled: boolean, paused = false) => ({ enabled, paused, intervalMinutes: 60, nextRunAt: null, lastDecision: null });
  it('agree with the settings: ticked but not run here is said so, never "turned off"', () => {
    expect(scheduleView(false, status(false))).toBe('off');
    expect(scheduleView(true, status(false))).toBe('notHere');
    expect(scheduleView(true, status(true))).toBe('on');
    expect(scheduleView(true, status(true, true))).toBe('paused');
    expect(scheduleView(null, status(true))).toBeNull();
  });
  it('shows the desktop-only settings in the desktop app only', () => {
    expect(isDesktop('electron')).toBe(true);
    expect(isDesktop('web')).toBe(false);
    expect(isDesktop(undefined)).toBe(false);
  });
});

describe('i18n', () => {
  function keys(o: object, prefix = ''): string[] {
    return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
  }
  function value(o: object, path: string): unknown {
    return path.split('.').reduce<unknown>((acc, k) => (acc as Record<string, unknown> | undefined)?.[k], o);
  }
  it('has the same keys in French and English, none empty', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
    for (const k of keys(en)) {
      expect(String(value(en, k)).length, k).toBeGreaterThan(0);
      expect(String(value(fr, k)).length, k).toBeGreaterThan(0);
    }
  });
  it('labels every status, route, phase, outcome and category the engine can send', () => {
    for (const s of PeerStatus.options) expect(value(en, `status.${s}`), s).toBeTypeOf('string');
    for (const r of Route.options) expect(value(en, `route.${r}`), r).toBeTypeOf('string');
    for (const p of PeerPhase.options) expect(value(en, `phase.${p}`), p).toBeTypeOf('string');
    for (const o of RunOutcome.options) expect(value(en, `outcome.${o}`), o).toBeTypeOf('string');
    for (const c of CATEGORIES) expect(value(en, `category.${c.key}`), c.key).toBeTypeOf('string');
  });
  it('uses no vue-i18n special character that would break a message', () => {
    for (const k of keys(en).concat(keys(fr))) {
      const text = String(value(en, k) ?? '') + String(value(fr, k) ?? '');
      expect(text, k).not.toMatch(/[@|$%]/);
    }
  });
});

describe('the Journal clock', () => {
  it('says the time of day in the window language, not the browser one', () => {
    const ms = Date.UTC(2026, 11, 2, 7, 26, 14);
    expect(formatClock(ms, 'fr')).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(formatClock(ms, 'en')).toMatch(/^\d{1,2}:\d{2}:\d{2}\s?[AP]M$/);
  });
});
