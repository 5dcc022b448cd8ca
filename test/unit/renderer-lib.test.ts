// The renderer's pure pieces: remote-content guards, the Stations rows, settings validation, progress, i18n.
import { describe, expect, it } from 'vitest';
import { safeLink, safePicture, shortId } from '../../src/renderer/src/lib/safe';
import { buildStationRows, filterStationRows, sortStationRows, countBy } from '../../src/renderer/src/lib/stations';
import { diffSettings, parseRelayLines, validateSettings } from '../../src/renderer/src/lib/settingsForm';
import { engineFieldErrors } from '../../src/renderer/src/lib/settingsErrors';
import { resolveLanguage, resolveTheme } from '../../src/renderer/src/lib/theme';
import { overallFraction, peerFraction } from '../../src/renderer/src/lib/progress';
import { chronological, topCategories } from '../../src/renderer/src/lib/historyCharts';
import { buildGraph, countKinds, findNode, visibleCount } from '../../src/renderer/src/lib/graphModel';
import { en } from '../../src/renderer/src/i18n/en';
import { fr } from '../../src/renderer/src/i18n/fr';
import { CATEGORIES } from '../../src/shared/kinds';
import { PeerPhase, PeerStatus, RunOutcome, Route, defaultSettings } from '../../src/shared/schemas';
import type { Peer, PeerProgress, RunReport, RunSummary, Subgraph, SyncProgress, Tunnel } from '../../src/shared/schemas';

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
});

describe('history charts', () => {
  const run = (id: string, startedAt: number, categories: Record<string, number>): RunSummary =>
    ({ id, startedAt, categories }) as RunSummary;
  it('orders runs oldest first and ranks categories, leaving out the sums', () => {
    const runs = [run('b', 2, { events: 9, public: 9, text: 5, reactions: 4 }), run('a', 1, { events: 3, text: 1, profiles: 2 })];
    expect(chronological(runs).map((r) => r.id)).toEqual(['a', 'b']);
    expect(topCategories(runs)).toEqual(['text', 'reactions', 'profiles']);
  });
});

describe('graph model', () => {
  const sub: Subgraph = {
    nodes: [
      { id: 's', label: 'station', kind: 'station', distance: 0, size: 4, x: 0, y: 0 },
      { id: 'm', label: 'member', kind: 'member', distance: 0, size: 2, x: 1, y: 1 },
      { id: 'n', label: '', kind: 'n1', distance: 1, size: 1, x: 2, y: Number.NaN },
      { id: 'o', label: 'far', kind: 'n2', distance: 2, size: 0, x: 3, y: 3 },
    ],
    edges: [['m', 'n'], ['n', 'o'], ['m', 'n'], ['m', 'm'], ['m', 'ghost']],
    totalNodes: 9,
    sampled: true,
  };
  it('keeps the engine positions and drops duplicate, self and dangling edges', () => {
    const g = buildGraph(sub, 'light');
    expect(g.order).toBe(4);
    expect(g.size).toBe(2);
    expect(g.getNodeAttribute('n', 'y')).toBe(0);
    expect(g.getNodeAttribute('n', 'label')).toBe('n');
    expect(g.getNodeAttribute('o', 'x')).toBe(3);
  });
  it('can build the nodes alone, for a first frame before the edges', () => {
    const g = buildGraph(sub, 'light', false);
    expect(g.order).toBe(4);
    expect(g.size).toBe(0);
    expect(buildGraph(sub, 'light', true).size).toBe(2);
  });
  it('counts kinds and what a distance filter keeps', () => {
    expect(countKinds(sub)).toEqual({ station: 1, member: 1, n1: 1, n2: 1 });
    expect(visibleCount(sub, null)).toBe(4);
    expect(visibleCount(sub, 1)).toBe(3);
  });
  it('draws the N1 and N2 crowd as points under circles for stations and members', () => {
    const g = buildGraph(sub, 'dark');
    expect(['s', 'm', 'n', 'o'].map((id) => g.getNodeAttribute(id, 'type'))).toEqual(['circle', 'circle', 'point', 'point']);
    expect(g.getNodeAttribute('s', 'zIndex')).toBeGreaterThan(g.getNodeAttribute('m', 'zIndex'));
    expect(g.getNodeAttribute('n', 'zIndex')).toBeGreaterThan(g.getNodeAttribute('o', 'zIndex'));
  });
  it('finds a node by name: exact before prefix before substring, stations and members first, accents ignored', () => {
    const people: Subgraph = {
      nodes: [
        { id: 'a'.repeat(64), label: 'Aurore Lumière', kind: 'n2', distance: 2, size: 0, x: 0, y: 0 },
        { id: 'b'.repeat(64), label: 'Aurore Lumiere', kind: 'member', distance: 0, size: 0, x: 0, y: 0 },
        { id: 'c'.repeat(64), label: 'aurore', kind: 'n1', distance: 1, size: 0, x: 0, y: 0 },
        { id: 'd'.repeat(64), label: 'Bruno chez Aurore', kind: 'station', distance: 0, size: 0, x: 0, y: 0 },
        { id: '0123456789' + 'e'.repeat(54), label: '', kind: 'n2', distance: 2, size: 0, x: 0, y: 0 },
      ],
      edges: [],
      totalNodes: 5,
      sampled: false,
    };
    expect(findNode(people, '  AURORE ')).toBe('c'.repeat(64));
    expect(findNode(people, 'aurore lum')).toBe('b'.repeat(64));
    expect(findNode(people, 'lumière')).toBe('b'.repeat(64));
    expect(findNode(people, 'chez')).toBe('d'.repeat(64));
    expect(findNode(people, '01234567')).toBe('0123456789' + 'e'.repeat(54));
    expect(findNode(people, '0123')).toBeNull();
    expect(findNode(people, 'nobody')).toBeNull();
    expect(findNode(people, '')).toBeNull();
    // A distance filter hides N2: the N2 match is not offered.
    expect(findNode(people, '01234567', 1)).toBeNull();
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
