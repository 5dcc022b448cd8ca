import { describe, expect, it } from 'vitest';
import { reachFromData } from '../../src/core/graph';
import { distances, UNREACHED } from '../../src/core/graph/analyze';
import { GraphBuilder, followsOf, replaces, reverse, type FollowListEvent } from '../../src/core/graph/model';
import { amisOfAmisDiff } from '../../src/core/graph/figures';
import { ReachBuilder } from '../../src/core/graph/build';
import { Reach } from '../../src/shared/schemas';

/** A readable key: the letter's code as a 64-hex key. */
const K = (name: string): string => Buffer.from(name).toString('hex').padStart(64, '0');
let seq = 0;
function list(author: string, follows: string[], createdAt = 1_000, id?: string): FollowListEvent {
  seq++;
  return { id: id ?? seq.toString(16).padStart(64, '0'), pubkey: K(author), created_at: createdAt, tags: follows.map((f) => ['p', K(f)]) };
}

/*
 * Members A, B.   A → C, D, B    B → D, E
 * N1: C → F, G    D → G, H       E → H, I      N2: F, G, H, I      (F → X is not loaded: F is N2)
 */
const base = (): FollowListEvent[] => [
  list('A', ['C', 'D', 'B']),
  list('B', ['D', 'E']),
  list('C', ['F', 'G']),
  list('D', ['G', 'H']),
  list('E', ['H', 'I']),
  list('F', ['X']),
];

describe('graph: distances and counts', () => {
  it('counts members, N1, N2 and the edges of the loaded lists', () => {
    const { reach, built, analysis } = reachFromData({ members: [K('A'), K('B')], followLists: base() });
    expect(Reach.parse(reach)).toBeTruthy();
    expect([reach.members, reach.n1, reach.n2, reach.edges]).toEqual([2, 3, 4, 11]);
    const d = (n: string): number => analysis.distance[built.index.get(K(n)) as number] as number;
    expect(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'].map(d)).toEqual([0, 0, 1, 1, 1, 2, 2, 2, 2]);
    expect(built.index.get(K('X'))).toBeUndefined();
  });

  it('BFS stops at the given depth and leaves the rest unreached', () => {
    const b = new GraphBuilder();
    b.addList(K('a'), [K('b')]);
    b.addList(K('b'), [K('c')]);
    b.addList(K('c'), [K('d')]);
    const g = b.build();
    const dist = distances(g, Uint32Array.of(0), 2);
    expect([...dist]).toEqual([0, 1, 2, UNREACHED]);
    expect([...distances(g, Uint32Array.of(0), 3)]).toEqual([0, 1, 2, 3]);
  });

  it('builds a CSR graph and its reverse', () => {
    const b = new GraphBuilder();
    b.addList(K('a'), [K('b'), K('c')]);
    b.addList(K('b'), [K('c')]);
    const g = b.build();
    expect([...g.offsets]).toEqual([0, 2, 3, 3]);
    expect([...g.targets]).toEqual([1, 2, 2]);
    expect([...g.hasList]).toEqual([1, 1, 0]);
    const r = reverse(g);
    expect([...r.offsets]).toEqual([0, 0, 1, 3]);
    expect([...r.sources]).toEqual([0, 0, 1]);
  });

  it('members without a list still count at distance 0; a member followed by a member stays a member', () => {
    const { reach } = reachFromData({ members: [K('A'), K('B'), K('Z')], followLists: base() });
    expect(reach.members).toBe(3);
    expect(reach.n1).toBe(3);
  });
});

describe('graph: follow lists', () => {
  it('a replaced kind 3: the newest wins, whatever the order the relay returns them in', () => {
    const old = list('C', ['Y'], 500);
    const lists = [list('A', ['C']), list('C', ['F', 'G'], 900), old];
    const { reach } = reachFromData({ members: [K('A')], followLists: lists });
    expect(reach.n2).toBe(2);
    const flipped = reachFromData({ members: [K('A')], followLists: [list('A', ['C']), old, list('C', ['Y', 'Z', 'W'], 400)] });
    expect(flipped.reach.n2).toBe(1);
  });

  it('same created_at: the lowest id wins (NIP-01)', () => {
    const low = list('C', ['F'], 700, '0'.repeat(63) + '1');
    const high = list('C', ['F', 'G', 'H'], 700, 'f'.repeat(64));
    expect(replaces(low, high)).toBe(true);
    expect(replaces(high, low)).toBe(false);
    for (const order of [[high, low], [low, high]]) {
      const { reach } = reachFromData({ members: [K('A')], followLists: [list('A', ['C']), ...order] });
      expect(reach.n2).toBe(1);
    }
  });

  it('keeps valid p tags only, lower-cased and deduplicated, without the author', () => {
    const ev: FollowListEvent = {
      id: '1',
      pubkey: K('A'),
      created_at: 1,
      tags: [['p', K('B')], ['p', K('B').toUpperCase()], ['p', 'npub1nothex'], ['e', K('C')], ['p', K('A')], ['p'], ['p', K('D'), 'wss://r']],
    };
    expect(followsOf(ev)).toEqual([K('B'), K('D')]);
  });

  it('a cap hit: longer lists are ignored and counted', () => {
    const { reach } = reachFromData({ members: [K('A'), K('B')], followLists: base(), followListCap: 2 });
    // A's list (3 entries) is ignored: N1 is B's follows only, C and F are not reached.
    expect(reach.caps).toEqual({ followListCap: 2, listsOverCap: 1 });
    expect([reach.n1, reach.n2, reach.edges]).toEqual([2, 3, 6]);
    expect(reach.perMember.map((m) => m.hex)).toEqual([K('B')]);
  });

  it('blocked keys are not part of the graph', () => {
    const { reach } = reachFromData({ members: [K('A'), K('B')], followLists: base(), blacklist: new Set([K('E')]) });
    expect([reach.n1, reach.n2]).toEqual([2, 3]);
  });
});

describe('graph: reach figures', () => {
  it('n2Alone: the N2 keys only one member brings', () => {
    const { reach } = reachFromData({ members: [K('A'), K('B')], followLists: base() });
    // F only through C (A's), I only through E (B's); G and H through D, which both follow.
    expect(reach.perMember).toEqual([
      { hex: K('A'), name: '', follows: 3, n2Alone: 1 },
      { hex: K('B'), name: '', follows: 2, n2Alone: 1 },
    ]);
    const solo = reachFromData({ members: [K('A'), K('B')], followLists: [list('A', ['C']), list('B', ['E']), list('C', ['F', 'G']), list('E', ['G'])] });
    expect(solo.reach.perMember.map((m) => [m.hex, m.n2Alone])).toEqual([
      [K('A'), 1],
      [K('B'), 0],
    ]);
  });

  it('coverage of N1 and N2: profiles, any event, recent event', () => {
    const { reach } = reachFromData({
      members: [K('A'), K('B')],
      followLists: base(),
      profiles: new Map([
        [K('C'), 'Carol'],
        [K('G'), ''],
        [K('A'), 'Alice'],
      ]),
      withRecentEvent: [K('E'), K('H')],
      withEvent: [K('I')],
    });
    // N1 C (profile, list), D (list), E (list, recent); N2 F (list), G (profile), H (recent), I (event).
    expect(reach.coverage.n1).toEqual({ total: 3, withProfile: 1, withEvent: 3, withRecentEvent: 1 });
    expect(reach.coverage.n2).toEqual({ total: 4, withProfile: 1, withEvent: 4, withRecentEvent: 1 });
    expect(reach.perMember[0]).toMatchObject({ hex: K('A'), name: 'Alice' });
  });

  it('connectors: most followed first, ties by key, with names', () => {
    const { reach } = reachFromData({ members: [K('A'), K('B')], followLists: base(), profiles: new Map([[K('D'), 'Dan']]) });
    const expectedTies = [K('G'), K('H')].sort();
    expect(reach.connectors.slice(0, 3)).toEqual([
      ...[K('D')].map((hex) => ({ hex, name: 'Dan', followers: 2 })),
      ...expectedTies.map((hex) => ({ hex, name: '', followers: 2 })),
    ].sort((a, b) => (a.hex < b.hex ? -1 : 1)));
    expect(reach.connectors.every((c, i, all) => i === 0 || all[i - 1]!.followers >= c.followers)).toBe(true);
    expect(reach.connectors.map((c) => c.hex)).not.toContain(K('X'));
  });

  it('amisOfAmis difference: N1 of the local users vs the file', () => {
    const { reach } = reachFromData({
      members: [K('A'), K('B')],
      localUsers: [K('A')],
      followLists: base(),
      amisOfAmis: [K('C'), K('Y'), 'not a key', K('C'), `  ${K('Q')}`],
    });
    // A follows C, D, B; the file has C and Y (a padded line is not a key line).
    expect(reach.amisOfAmis).toEqual({ fileCount: 2, n1Count: 3, missing: [K('B'), K('D')].sort(), extra: [K('Y')], missingCount: 2, extraCount: 1 });
  });

  it('amisOfAmis difference lists are capped, counts stay whole', () => {
    const n1 = new Set(Array.from({ length: 30 }, (_, i) => K(`n${i}`)));
    const file = Array.from({ length: 20 }, (_, i) => K(`f${i}`));
    const diff = amisOfAmisDiff(n1, file, 5);
    expect([diff.missing.length, diff.extra.length, diff.missingCount, diff.extraCount, diff.fileCount, diff.n1Count]).toEqual([5, 5, 30, 20, 20, 30]);
    expect(diff.missing).toEqual([...n1].sort().slice(0, 5));
  });
});

describe('graph: incremental builder (what the service feeds batch by batch)', () => {
  it('takes members first, then N1; ignores lists of others and a second list of the same author', () => {
    const b = new ReachBuilder([K('A'), K('B')], 5000);
    b.add(list('C', ['F'])); // C is not N1 yet: skipped
    b.add(list('A', ['C', 'D', 'B']));
    b.add(list('A', ['Y'])); // a second list for A: ignored
    b.add(list('B', ['D', 'E']));
    expect(b.n1Keys().sort()).toEqual([K('C'), K('D'), K('E')].sort());
    b.add(list('C', ['F', 'G']));
    b.add(list('F', ['X'])); // N2: not loaded
    const built = b.finish();
    expect(built.graph.targets.length).toBe(3 + 2 + 2);
    expect(built.listsOverCap).toBe(0);
    expect([...b.authors].sort()).toEqual([K('A'), K('B'), K('C')].sort());
  });

  it('an upper-case spelling of a key is the same node', () => {
    const upper: FollowListEvent = { id: '1', pubkey: K('A'), created_at: 1, tags: [['p', K('C').toUpperCase()], ['p', K('C')]] };
    const { reach, built } = reachFromData({ members: [K('A')], followLists: [upper, list('B', ['C'])] });
    expect(reach.n1).toBe(1);
    expect(reach.edges).toBe(1);
    expect(built.index.get(K('C'))).toBe(built.index.get(K('C').toUpperCase()));
  });
});

describe('graph: key index', () => {
  it('interns keys to dense integers across growth, any case, and refuses non-keys', async () => {
    const { KeyIndex } = await import('../../src/core/graph/model');
    const idx = new KeyIndex();
    const many = Array.from({ length: 5000 }, (_, i) => K(`key-${i}`));
    many.forEach((k, i) => expect(idx.internText(k)).toBe(i));
    many.forEach((k, i) => expect(idx.get(k)).toBe(i));
    expect(idx.internText(K('key-7').toUpperCase())).toBe(7);
    expect(idx.internText(K('new').toUpperCase())).toBe(5000);
    expect(idx.keys[5000]).toBe(K('new'));
    expect(idx.get(K('absent'))).toBeUndefined();
    for (const bad of ['', 'xyz', 'g'.repeat(64), K('a').slice(1), `${K('a')}0`, 'é'.repeat(64)]) expect(idx.internText(bad)).toBe(-1);
    expect(() => idx.intern('nope')).toThrow(/hex key/);
    expect(idx.size).toBe(5001);
  });
});

describe('node names', () => {
  it('label a node with the display name first, as the Profiles screen does, then the name', async () => {
    const { profileName } = await import('../../src/core/graph/collect');
    expect(profileName({ content: JSON.stringify({ name: 'aurore', display_name: '  Aurore Lumière ' }) })).toBe('Aurore Lumière');
    expect(profileName({ content: JSON.stringify({ name: 'aurore', displayName: 'Aurore L.' }) })).toBe('Aurore L.');
    expect(profileName({ content: JSON.stringify({ name: 'aurore', display_name: '   ' }) })).toBe('aurore');
    expect(profileName({ content: JSON.stringify({ name: 42 }) })).toBe('');
    expect(profileName({ content: 'not json' })).toBe('');
    expect(profileName({ content: JSON.stringify({ display_name: 'x'.repeat(200) }) })).toHaveLength(80);
  });
});
