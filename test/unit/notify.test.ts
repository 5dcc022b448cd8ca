import { describe, expect, it } from 'vitest';
import { allowed, coalesce, createNotifier, peerNotes, runNote } from '../../src/main/notify';
import type { Note } from '../../src/main/notify';
import { words } from '../../src/main/i18n';
import type { Lang } from '../../src/main/i18n';
import type { PeerOutcome, RunReport, StationSnapshot, Peer } from '../../src/shared/schemas';

function peer(over: Partial<PeerOutcome>): PeerOutcome {
  return { peer: '12D3KooWAbCdEfGhIjKlMnOpQrStUvWxYz', hostname: null, relayUrl: null, route: 'tunnel', method: 'nip77', ok: true, reason: null, fetched: 0, imported: 0, duplicates: 0, rejected: 0, superseded: 0, dropped: {}, bytesIn: 0, bytesOut: 0, durationMs: 1, ...over };
}
function report(over: Partial<RunReport>): RunReport {
  return { id: 'run-1', startedAt: 1, finishedAt: 2, durationMs: 1, outcome: 'success', reason: null, options: {}, members: 10, peers: [peer({ hostname: 'alpha' }), peer({ hostname: 'beta' })], categories: {}, imported: 0, duplicates: 0, rejected: 0, superseded: 0, rejectReasons: {}, dropped: {}, bytesIn: 0, bytesOut: 0, plan: [], profiles: null, ...over };
}

describe('run notes', () => {
  it('success: imported events, new members, recovered profiles', () => {
    const n = runNote(report({ imported: 1234, profiles: { found: 3, missing: 1, recovered: 2, outcomes: [] } }), 3)!;
    expect(n).toMatchObject({ kind: 'finished', title: 'Sync finished', runId: 'run-1' });
    expect(n.body).toBe('1,234 events imported, 3 new members, 2 profiles recovered from 2 peers.');
    expect(runNote(report({ imported: 1 }), 1)!.body).toBe('1 event imported, 1 new member from 2 peers.');
  });
  it('a quiet success says nothing', () => {
    expect(runNote(report({ imported: 0 }), 0)).toBeNull();
  });
  it('partial failure: which peers and why, and what still came in', () => {
    const n = runNote(
      report({ outcome: 'partial', imported: 5, peers: [peer({ hostname: 'alpha' }), peer({ hostname: null, ok: false, reason: 'tunnel refused by kubo: protocol not registered' })] }),
      0,
    )!;
    expect(n.kind).toBe('failed');
    expect(n.title).toBe('Sync partly failed (1 of 2 peers)');
    expect(n.body).toBe('12D3Ko…WxYz: tunnel refused by kubo: protocol not registered. Still: 5 events imported.');
  });
  it('failure: the run reason, else the peers', () => {
    expect(runNote(report({ outcome: 'failed', reason: 'the local relay ws://127.0.0.1:7777 does not answer' }), 0)).toMatchObject({
      title: 'Sync failed',
      body: 'the local relay ws://127.0.0.1:7777 does not answer',
    });
    const many = Array.from({ length: 5 }, (_, i) => peer({ hostname: `p${i}`, ok: false, reason: 'timeout' }));
    expect(runNote(report({ outcome: 'failed', peers: many }), 0)!.body).toBe('p0: timeout; p1: timeout; p2: timeout; and 2 more.');
  });
  it('cancelled and dry runs say nothing', () => {
    expect(runNote(report({ outcome: 'cancelled', imported: 3 }), 0)).toBeNull();
    expect(runNote(report({ outcome: 'dry-run' }), 0)).toBeNull();
  });
});

function snapPeer(id: string, status: Peer['status'], hostname: string | null = id): Peer {
  return { id, peerId: id, hostname, captain: null, captainHex: null, nodeHex: null, relayUrl: null, city: null, lat: null, lon: null, uplanet: null, services: [], servesStrfry: true, cardVersion: null, updatedAt: null, ageSeconds: null, status, reason: null, route: 'tunnel', syncable: status === 'ok' };
}
function snap(peers: Peer[]): StationSnapshot {
  return { root: '/z', found: true, takenAt: 1, self: { peerId: null, source: null, hostname: null, captain: null, captainHex: null, uplanet: null }, peers, members: { count: 0, bySource: { game: 0, amisOfAmis: 0, swarm: 0, flashmem: 0 } }, blacklistCount: 0, problems: [] };
}

describe('peer notes', () => {
  it('the first snapshot is the baseline', () => {
    expect(peerNotes(null, snap([snapPeer('a', 'ok')]))).toEqual([]);
  });
  it('a new peer and a peer gone stale', () => {
    const notes = peerNotes(snap([snapPeer('a', 'ok'), snapPeer('b', 'ok')]), snap([snapPeer('a', 'stale'), snapPeer('b', 'ok'), snapPeer('c', 'ok', 'gamma')]));
    expect(notes.map((n) => [n.kind, n.title, n.body])).toEqual([
      ['peer-new', 'A station joined the constellation', 'gamma'],
      ['peer-stale', 'A station went quiet', 'a: no fresh card (stale).'],
    ]);
  });
});

describe('coalescing', () => {
  it('merges peer notes and keeps the newest run only', () => {
    const notes: Note[] = [
      { kind: 'peer-new', title: '', body: '', runId: null, peers: ['a'] },
      { kind: 'finished', title: 'ok', body: '', runId: 'r1' },
      { kind: 'peer-new', title: '', body: '', runId: null, peers: ['b', 'a'] },
      { kind: 'failed', title: 'failed', body: '', runId: 'r2' },
    ];
    const out = coalesce(notes);
    expect(out.map((n) => n.kind)).toEqual(['peer-new', 'failed']);
    expect(out[0]).toMatchObject({ title: '2 stations joined the constellation', body: 'a, b' });
  });

  it('each kind can be turned off', () => {
    const prefs = { finished: false, failed: true, peers: false };
    expect(allowed('finished', prefs)).toBe(false);
    expect(allowed('failed', prefs)).toBe(true);
    expect(allowed('peer-new', prefs)).toBe(false);
    expect(allowed('peer-stale', prefs)).toBe(false);
  });

  it('a burst becomes one show, then waits the minimum gap; turned-off kinds are dropped', () => {
    let now = 0;
    const timers: Array<{ at: number; fn: () => void }> = [];
    const shown: Note[] = [];
    let prefs = { finished: true, failed: true, peers: true };
    const n = createNotifier({
      show: (x) => shown.push(x),
      prefs: () => prefs,
      settleMs: 3000,
      minGapMs: 30000,
      clock: () => now,
      setTimer: (fn, ms) => timers.push({ at: now + ms, fn }),
      clearTimer: () => undefined,
    });
    const advance = (ms: number): void => {
      now += ms;
      for (const t of timers.splice(0).sort((a, b) => a.at - b.at)) {
        if (t.at <= now) t.fn();
        else timers.push(t);
      }
    };
    for (let i = 0; i < 20; i++) n.push({ kind: 'peer-new', title: '', body: '', runId: null, peers: [`p${i}`] });
    n.push({ kind: 'finished', title: 'Sync finished', body: 'x', runId: 'r1' });
    expect(timers).toHaveLength(1);
    advance(2999);
    expect(shown).toHaveLength(0);
    advance(1);
    expect(shown.map((s) => s.title)).toEqual(['20 stations joined the constellation', 'Sync finished']);
    expect(shown[0]!.body).toBe('p0, p1, p2, p3, p4 and 15 more');
    // The next burst waits for the gap since the last show.
    n.push({ kind: 'failed', title: 'Sync failed', body: 'y', runId: 'r2' });
    advance(3000);
    expect(shown).toHaveLength(2);
    advance(27000);
    expect(shown.map((s) => s.title).at(-1)).toBe('Sync failed');
    prefs = { finished: false, failed: true, peers: true };
    n.push({ kind: 'finished', title: 'quiet', body: '', runId: 'r3' });
    advance(60000);
    expect(shown).toHaveLength(3);
    n.push(null);
    expect(timers).toHaveLength(0);
  });
});

// French typography from ICU: no-break space before a colon or semicolon, narrow no-break space between thousands.
const NB = '\u00a0';
const NNB = '\u202f';
const fr = words('fr');

describe('run notes in French', () => {
  it('success: plurals of events, members and profiles, numbers grouped the French way', () => {
    const n = runNote(report({ imported: 1234, profiles: { found: 3, missing: 1, recovered: 2, outcomes: [] } }), 3, fr)!;
    expect(n).toMatchObject({ kind: 'finished', title: 'Synchronisation terminée', runId: 'run-1' });
    expect(n.body).toBe(`1${NNB}234 événements importés, 3 nouveaux membres, 2 profils récupérés, depuis 2 pairs.`);
    const one = runNote(report({ imported: 1, peers: [peer({ hostname: 'alpha' })], profiles: { found: 1, missing: 0, recovered: 1, outcomes: [] } }), 1, fr)!;
    expect(one.body).toBe('1 événement importé, 1 nouveau membre, 1 profil récupéré, depuis 1 pair.');
  });
  it('0, 1 and 2 events in both languages (0 events is left out of a note)', () => {
    const body = (lang: Lang, imported: number): string | undefined => runNote(report({ imported }), 1, words(lang))?.body;
    expect([0, 1, 2].map((i) => body('en', i))).toEqual(['1 new member from 2 peers.', '1 event imported, 1 new member from 2 peers.', '2 events imported, 1 new member from 2 peers.']);
    expect([0, 1, 2].map((i) => body('fr', i))).toEqual([
      '1 nouveau membre, depuis 2 pairs.',
      '1 événement importé, 1 nouveau membre, depuis 2 pairs.',
      '2 événements importés, 1 nouveau membre, depuis 2 pairs.',
    ]);
    expect(runNote(report({ imported: 0 }), 0, fr)).toBeNull();
  });
  it('partial failure: one peer failed, several peers failed (French agrees with the failed count)', () => {
    const bad = (name: string, reason = 'timeout'): PeerOutcome => peer({ hostname: name, ok: false, reason });
    const onePeer = runNote(report({ outcome: 'partial', imported: 5, peers: [peer({ hostname: 'alpha' }), bad('beta', 'tunnel refused by kubo')] }), 0, fr)!;
    expect(onePeer.title).toBe('Synchronisation en partie échouée (1 pair sur 2)');
    expect(onePeer.body).toBe(`beta${NB}: tunnel refusé par kubo. Malgré tout${NB}: 5 événements importés.`);
    const several = runNote(report({ outcome: 'partial', peers: [peer({ hostname: 'alpha' }), bad('beta'), bad('gamma')] }), 0, fr)!;
    expect(several.title).toBe('Synchronisation en partie échouée (2 pairs sur 3)');
    expect(several.body).toBe(`beta${NB}: timeout${NB}; gamma${NB}: timeout.`);
    const severalEn = runNote(report({ outcome: 'partial', peers: [peer({ hostname: 'alpha' }), bad('beta'), bad('gamma')] }), 0)!;
    expect(severalEn.title).toBe('Sync partly failed (2 of 3 peers)');
    expect(runNote(report({ outcome: 'partial', peers: [bad('beta')] }), 0)!.title).toBe('Sync partly failed (1 of 1 peer)');
  });
  it('failure and refusal', () => {
    const many = Array.from({ length: 4 }, (_, i) => peer({ hostname: `p${i}`, ok: false, reason: null }));
    expect(runNote(report({ outcome: 'failed', peers: many }), 0, fr)).toMatchObject({
      title: 'Échec de la synchronisation',
      body: `p0${NB}: échec${NB}; p1${NB}: échec${NB}; p2${NB}: échec${NB}; et 1 autre.`,
    });
    expect(runNote(report({ outcome: 'failed', peers: [] }), 0, fr)!.body).toBe('aucun pair n’a pu être synchronisé.');
    expect(runNote(report({ outcome: 'refused' }), 0, fr)).toMatchObject({ title: 'Synchronisation non lancée', body: 'l’exécution a été refusée.' });
  });
});

describe('peer notes in French', () => {
  it('one station and several, joined and gone quiet', () => {
    const notes = peerNotes(snap([snapPeer('a', 'ok'), snapPeer('b', 'ok')]), snap([snapPeer('a', 'stale'), snapPeer('b', 'stale'), snapPeer('c', 'ok', 'gamma')]), fr);
    expect(notes.map((n) => [n.title, n.body])).toEqual([
      ['Une station a rejoint la constellation', 'gamma'],
      ['2 stations ne donnent plus de nouvelles', `a, b${NB}: pas de carte récente (périmée).`],
    ]);
  });
  it('coalesced in French: merged names, "et N autres"', () => {
    const notes: Note[] = Array.from({ length: 7 }, (_, i) => ({ kind: 'peer-new' as const, title: '', body: '', runId: null, peers: [`p${i}`] }));
    const [merged] = coalesce(notes, fr);
    expect(merged).toMatchObject({ title: '7 stations ont rejoint la constellation', body: 'p0, p1, p2, p3, p4 et 2 autres' });
    expect(coalesce(notes.slice(0, 6), fr)[0]!.body).toBe('p0, p1, p2, p3, p4 et 1 autre');
  });
});

describe('notifier language', () => {
  it('words queued notes in the language of the moment they are shown', () => {
    const timers: Array<() => void> = [];
    const shown: Note[] = [];
    let lang: Lang = 'en';
    const n = createNotifier({
      show: (x) => shown.push(x),
      prefs: () => ({ finished: true, failed: true, peers: true }),
      words: () => words(lang),
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => undefined,
    });
    n.push((w) => runNote(report({ imported: 2 }), 0, w));
    n.push((w) => peerNotes(snap([]), snap([snapPeer('a', 'ok'), snapPeer('b', 'ok')]), w));
    n.push((w) => peerNotes(snap([]), snap([snapPeer('c', 'ok')]), w));
    lang = 'fr';
    timers.shift()!();
    expect(shown.map((s) => [s.title, s.body])).toEqual([
      ['Synchronisation terminée', '2 événements importés, depuis 2 pairs.'],
      ['3 stations ont rejoint la constellation', 'a, b, c'],
    ]);
    lang = 'en';
    n.push((w) => runNote(report({ outcome: 'failed', reason: 'the local relay does not answer' }), 0, w));
    n.push(() => null);
    timers.shift()!();
    expect(shown.at(-1)).toMatchObject({ title: 'Sync failed', body: 'the local relay does not answer' });
  });
});
