import { describe, expect, it } from 'vitest';
import { allowed, coalesce, createNotifier, peerNotes, runNote } from '../../src/main/notify';
import type { Note } from '../../src/main/notify';
import type { PeerOutcome, RunReport, StationSnapshot, Peer } from '../../src/shared/schemas';

function peer(over: Partial<PeerOutcome>): PeerOutcome {
  return { peer: '12D3KooWAbCdEfGhIjKlMnOpQrStUvWxYz', hostname: null, relayUrl: null, route: 'tunnel', method: 'nip77', ok: true, reason: null, fetched: 0, imported: 0, duplicates: 0, rejected: 0, dropped: {}, bytesIn: 0, bytesOut: 0, durationMs: 1, ...over };
}
function report(over: Partial<RunReport>): RunReport {
  return { id: 'run-1', startedAt: 1, finishedAt: 2, durationMs: 1, outcome: 'success', reason: null, options: {}, members: 10, peers: [peer({ hostname: 'alpha' }), peer({ hostname: 'beta' })], categories: {}, imported: 0, duplicates: 0, rejected: 0, rejectReasons: {}, dropped: {}, bytesIn: 0, bytesOut: 0, plan: [], profiles: null, ...over };
}

describe('run notes', () => {
  it('success: imported events, new members, recovered profiles', () => {
    const n = runNote(report({ imported: 1234, profiles: { found: 3, missing: 1, recovered: 2, outcomes: [] } }), 3)!;
    expect(n).toMatchObject({ kind: 'finished', title: 'Sync finished', runId: 'run-1' });
    expect(n.body).toBe('1234 events imported, 3 new members, 2 profiles recovered from 2 peers.');
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
