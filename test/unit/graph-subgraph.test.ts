import { describe, expect, it } from 'vitest';
import { reachFromData } from '../../src/core/graph';
import { computeLayout, layoutIterations, radialPositions } from '../../src/core/graph/layout';
import { reverse, type FollowListEvent } from '../../src/core/graph/model';
import { runGraphJob } from '../../src/core/graph/jobs';
import { runInWorker } from '../../src/core/graph/runner';
import { selectSubgraph, withPositions, type SubgraphSource } from '../../src/core/graph/subgraph';
import type { Analysis } from '../../src/core/graph/analyze';
import { nodeList, Subgraph } from '../../src/shared/schemas';
import { memberGroups } from '../../src/core/graph/groups';
import { placeStations } from '../../src/core/graph/layout';

/** The selection's edges as [from id, to id]. */
function pairs(sel: { nodes: Array<{ id: string }>; edges: number[] }): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let k = 0; k + 1 < sel.edges.length; k += 2) out.push([sel.nodes[sel.edges[k]!]!.id, sel.nodes[sel.edges[k + 1]!]!.id]);
  return out;
}

const K = (name: string): string => Buffer.from(name).toString('hex').padStart(64, '0');
let seq = 0;
const list = (author: string, follows: string[]): FollowListEvent => ({
  id: (++seq).toString(16).padStart(64, '0'),
  pubkey: K(author),
  created_at: 1,
  tags: follows.map((f) => ['p', K(f)]),
});

// Members A, B; N1 C, D; N2: G followed by C and D (2 followers), H and I by D only.
function source(): SubgraphSource {
  const { built, analysis } = reachFromData({
    members: [K('A'), K('B')],
    followLists: [list('A', ['C', 'D']), list('B', ['D']), list('C', ['G']), list('D', ['G', 'H', 'I'])],
  });
  return {
    graph: built.graph,
    reverse: reverse(built.graph),
    analysis,
    names: new Map([[K('A'), 'Alice']]),
    stations: [{ id: 'station:12D3KooWpeer', label: 'peer.example', links: [K('A'), K('Z')] }],
    indexOf: (hex) => built.index.get(hex),
  };
}

describe('graph: subgraph for drawing', () => {
  it('takes stations, members, N1 and N2 with kinds, distances, sizes by degree and labels', () => {
    const sel = selectSubgraph(source(), 2, 100);
    expect(sel.totalNodes).toBe(1 + 2 + 2 + 3);
    expect(sel.sampled).toBe(false);
    const byId = new Map(sel.nodes.map((n) => [n.id, n]));
    expect(byId.get('station:12D3KooWpeer')).toMatchObject({ kind: 'station', label: 'peer.example' });
    expect(byId.get(K('A'))).toMatchObject({ kind: 'member', distance: 0, label: 'Alice' });
    expect(byId.get(K('D'))).toMatchObject({ kind: 'n1', distance: 1 });
    expect(byId.get(K('G'))).toMatchObject({ kind: 'n2', distance: 2 });
    expect(byId.get(K('C'))!.label).toMatch(/^npub1.{5}….{4}$/);
    // D: 2 followers + 3 follows beats G: 2 followers, which beats H: 1 follower.
    expect(byId.get(K('D'))!.size).toBeGreaterThan(byId.get(K('G'))!.size);
    expect(byId.get(K('G'))!.size).toBeGreaterThan(byId.get(K('H'))!.size);
    // The station hangs on its captain when that key is a member; an unknown key gives no edge.
    const edges = pairs(sel);
    expect(edges).toContainEqual(['station:12D3KooWpeer', K('A')]);
    expect(edges.some((e) => e[1] === K('Z'))).toBe(false);
    expect(edges).toContainEqual([K('D'), K('I')]);
    expect(edges.length).toBe(1 + 7);
    // Totals by kind, drawn or not.
    expect(sel.totals).toEqual({ station: 1, member: 2, n1: 2, n2: 3 });
    // A and B follow nobody among members: no group.
    expect(sel.nodes.every((n) => n.group === -1)).toBe(true);
  });

  it('samples N2 deterministically up to the limit, most followed first', () => {
    const sel = selectSubgraph(source(), 2, 6);
    expect(sel.sampled).toBe(true);
    expect(sel.totalNodes).toBe(8);
    const n2 = sel.nodes.filter((n) => n.kind === 'n2').map((n) => n.id);
    expect(n2).toEqual([K('G')]);
    expect(selectSubgraph(source(), 2, 6)).toEqual(sel);
    // Every drawn node other than members and stations has a parent edge.
    for (const node of sel.nodes.filter((n) => n.distance > 0)) expect(pairs(sel).some((e) => e[1] === node.id)).toBe(true);
  });

  it('depth limits the levels', () => {
    const sel = selectSubgraph(source(), 1, 100);
    expect(sel.nodes.map((n) => n.kind).sort()).toEqual(['member', 'member', 'n1', 'n1', 'station']);
    expect(sel.totalNodes).toBe(5);
  });

  it('lays nodes out deterministically, finite, and valid for the contract', () => {
    const sel = selectSubgraph(source(), 2, 100);
    const a = computeLayout({ ...sel.layout, iterations: 50 });
    const b = computeLayout({ ...sel.layout, iterations: 50 });
    expect([...a]).toEqual([...b]);
    expect([...a].every(Number.isFinite)).toBe(true);
    // The layout moved the nodes from their starting rings.
    expect([...a]).not.toEqual([...radialPositions(sel.layout.ring, sel.layout.parent, sel.layout.stations)]);
    // Each node keeps its distance from the centre: members inside N1, N1 inside N2.
    const r = (i: number): number => Math.hypot(a[2 * i] as number, a[2 * i + 1] as number);
    const byRing = (d: number): number[] => sel.nodes.flatMap((n, i) => (n.kind !== 'station' && n.distance === d ? [r(i)] : []));
    expect(Math.max(...byRing(0))).toBeLessThan(Math.min(...byRing(1)));
    expect(Math.max(...byRing(1))).toBeLessThan(Math.min(...byRing(2)));
    const sub = withPositions(sel, a, 42);
    expect(Subgraph.parse(sub).nodes.id).toHaveLength(8);
    expect(nodeList(sub.nodes).map((n) => n.id)).toEqual(sel.nodes.map((n) => n.id));
    expect(sub.computedAt).toBe(42);
  });

  it('carries the nodes as columns the contract checks: same lengths, right types, edges within the nodes', () => {
    const sel = selectSubgraph(source(), 2, 100);
    const sub = withPositions(sel, computeLayout({ ...sel.layout, iterations: 5 }), 1);
    expect(Subgraph.safeParse(sub).success).toBe(true);
    const bad = (change: (s: Subgraph) => unknown): boolean => {
      const copy = structuredClone(sub);
      change(copy);
      return Subgraph.safeParse(copy).success;
    };
    expect(bad((s) => s.nodes.label.pop())).toBe(false);
    expect(bad((s) => ((s.nodes.x as unknown[])[3] = '12'))).toBe(false);
    expect(bad((s) => ((s.nodes.x as unknown[])[3] = Number.NaN))).toBe(false);
    expect(bad((s) => ((s.nodes.kind as unknown[])[0] = 'n3'))).toBe(false);
    expect(bad((s) => ((s.nodes.local as unknown[])[0] = 1))).toBe(false);
    expect(bad((s) => ((s.nodes.group as unknown[])[0] = 0.5))).toBe(false);
    expect(bad((s) => s.edges.push(0))).toBe(false);
    expect(bad((s) => s.edges.push(0, s.nodes.id.length))).toBe(false);
    expect(bad((s) => s.edges.push(0, -1))).toBe(false);
    expect(bad((s) => s.edges.push(0, 1))).toBe(true);
  });

  it('bounds the layout work as the graph grows', () => {
    expect(layoutIterations(100, 200)).toBe(100);
    expect(layoutIterations(20_000, 60_000)).toBe(30);
    expect(layoutIterations(1_000_000, 3_000_000)).toBe(10);
  });
});

describe('graph: groups of members who follow each other', () => {
  it('finds the groups, largest first, and leaves members who follow no other member out', () => {
    // 0-1-2 follow each other, 3-4 follow each other, 5 alone.
    const { group, sizes } = memberGroups(6, [0, 1, 1, 0, 1, 2, 2, 0, 3, 4, 4, 3]);
    expect(sizes).toEqual([3, 2]);
    expect([...group]).toEqual([0, 0, 0, 1, 1, -1]);
    // The same follows, the same groups.
    expect([...memberGroups(6, [0, 1, 1, 0, 1, 2, 2, 0, 3, 4, 4, 3]).group]).toEqual([...group]);
    expect([...memberGroups(3, []).group]).toEqual([-1, -1, -1]);
  });

  it('marks this station and its users, and gives N1 and N2 the group of the member they hang on', () => {
    // Members A, B, E: A and B follow each other (a group), E alone; this station's users: A.
    const { built, analysis } = reachFromData({
      members: [K('A'), K('B'), K('E')],
      followLists: [list('A', ['B', 'C']), list('B', ['A']), list('E', ['F']), list('C', ['G'])],
    });
    const src: SubgraphSource = {
      graph: built.graph,
      reverse: reverse(built.graph),
      analysis,
      names: new Map(),
      stations: [{ id: 'station:self', label: 'home', links: [K('A')], self: true }, { id: 'station:peer', label: 'peer', links: [K('E')] }],
      localUsers: new Set([K('A')]),
      indexOf: (hex) => built.index.get(hex),
    };
    const sel = selectSubgraph(src, 2, 100);
    const by = new Map(sel.nodes.map((n) => [n.id, n]));
    expect(by.get('station:self')!.local).toBe(true);
    expect(by.get('station:peer')!.local).toBe(false);
    expect(by.get(K('A'))!.local).toBe(true);
    expect(by.get(K('B'))!.local).toBe(false);
    expect(by.get(K('A'))!.group).toBe(0);
    expect(by.get(K('B'))!.group).toBe(0);
    expect(by.get(K('E'))!.group).toBe(-1);
    expect(by.get(K('C'))!.group).toBe(0); // N1 of A
    expect(by.get(K('G'))!.group).toBe(0); // N2 through C
    expect(by.get(K('F'))!.group).toBe(-1);
    expect(sel.groups).toEqual([2]);

    const xy = computeLayout({ ...sel.layout, iterations: 20 });
    const at = (id: string): [number, number] => {
      const i = sel.nodes.findIndex((n) => n.id === id);
      return [xy[2 * i] as number, xy[2 * i + 1] as number];
    };
    // This station in the centre; the peer next to its captain E, inside it.
    expect(at('station:self')).toEqual([0, 0]);
    const [px, py] = at('station:peer');
    const [ex, ey] = at(K('E'));
    expect(Math.hypot(px, py)).toBeLessThan(Math.hypot(ex, ey));
    expect(Math.abs(Math.atan2(py, px) - Math.atan2(ey, ex))).toBeLessThan(0.05);
  });

  it('puts each group in one sector: its members side by side around the circle', () => {
    // Two groups of three (each a ring of follows), interleaved in the selection order.
    const names = ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'];
    const ring = (x: string[]): FollowListEvent[] => x.map((m, i) => list(m, [x[(i + 1) % x.length]!, `${m}-n1`]));
    const { built, analysis } = reachFromData({ members: names.map(K), followLists: [...ring(['a1', 'a2', 'a3']), ...ring(['b1', 'b2', 'b3'])] });
    const src: SubgraphSource = { graph: built.graph, reverse: reverse(built.graph), analysis, names: new Map(), stations: [], indexOf: (hex) => built.index.get(hex) };
    const sel = selectSubgraph(src, 1, 100);
    const xy = computeLayout({ ...sel.layout, iterations: 0 });
    const angle = (id: string): number => {
      const i = sel.nodes.findIndex((n) => n.id === id);
      return Math.atan2(xy[2 * i + 1] as number, xy[2 * i] as number);
    };
    // Sorted by angle, the members come as aaa bbb (or bbb aaa), never mixed.
    const order = names.map((n) => [n, angle(K(n))] as const).sort((a, b) => a[1] - b[1]).map(([n]) => n[0]).join('');
    expect(['aaabbb', 'bbbaaa', 'abbbaa', 'aabbba', 'baaabb', 'bbaaab']).toContain(order);
  });

  it('never puts two stations on one spot', () => {
    const pos = new Float64Array([0, 0, 0, 0, 0, 0, 10, 0]);
    placeStations(pos, 3, Int32Array.from([3, 3, 3]));
    const d = (a: number, b: number): number => Math.hypot((pos[2 * a] as number) - (pos[2 * b] as number), (pos[2 * a + 1] as number) - (pos[2 * b + 1] as number));
    expect(d(0, 1)).toBeGreaterThan(2);
    expect(d(1, 2)).toBeGreaterThan(2);
    expect(d(0, 2)).toBeGreaterThan(2);
  });
});

describe('graph: worker thread', () => {
  it('runs the analysis in a worker (TypeScript sources through the tsx bootstrap) with the same result', async () => {
    const { built } = reachFromData({ members: [K('A'), K('B')], followLists: [list('A', ['C', 'D']), list('B', ['D']), list('C', ['G'])] });
    const job = { type: 'analyze' as const, nodes: built.graph.keys.length, offsets: built.graph.offsets, targets: built.graph.targets, members: built.members };
    const here = runGraphJob(job).result as Analysis;
    const there = (await runInWorker(job)) as Analysis;
    expect([...there.distance]).toEqual([...here.distance]);
    expect([...there.followers]).toEqual([...here.followers]);
    expect([there.n1, there.n2, there.edges]).toEqual([2, 1, 4]);
  });

  it('runs the layout in a worker', async () => {
    const sel = selectSubgraph(source(), 2, 100);
    const xy = (await runInWorker({ type: 'layout', input: { ...sel.layout, iterations: 20 } })) as Float64Array;
    expect([...xy]).toEqual([...computeLayout({ ...sel.layout, iterations: 20 })]);
  });
});
