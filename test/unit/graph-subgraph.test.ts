import { describe, expect, it } from 'vitest';
import { reachFromData } from '../../src/core/graph';
import { computeLayout, layoutIterations, radialPositions } from '../../src/core/graph/layout';
import { reverse, type FollowListEvent } from '../../src/core/graph/model';
import { runGraphJob } from '../../src/core/graph/jobs';
import { runInWorker } from '../../src/core/graph/runner';
import { selectSubgraph, withPositions, type SubgraphSource } from '../../src/core/graph/subgraph';
import type { Analysis } from '../../src/core/graph/analyze';
import { Subgraph } from '../../src/shared/schemas';

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
    expect(sel.edges).toContainEqual(['station:12D3KooWpeer', K('A')]);
    expect(sel.edges.some((e) => e[1] === K('Z'))).toBe(false);
    expect(sel.edges).toContainEqual([K('D'), K('I')]);
    expect(sel.edges.length).toBe(1 + 7);
  });

  it('samples N2 deterministically up to the limit, most followed first', () => {
    const sel = selectSubgraph(source(), 2, 6);
    expect(sel.sampled).toBe(true);
    expect(sel.totalNodes).toBe(8);
    const n2 = sel.nodes.filter((n) => n.kind === 'n2').map((n) => n.id);
    expect(n2).toEqual([K('G')]);
    expect(selectSubgraph(source(), 2, 6)).toEqual(sel);
    // Every drawn node other than members and stations has a parent edge.
    for (const node of sel.nodes.filter((n) => n.distance > 0)) expect(sel.edges.some((e) => e[1] === node.id)).toBe(true);
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
    const sub = withPositions(sel, a);
    expect(Subgraph.parse(sub).nodes).toHaveLength(8);
  });

  it('bounds the layout work as the graph grows', () => {
    expect(layoutIterations(100, 200)).toBe(100);
    expect(layoutIterations(20_000, 60_000)).toBe(30);
    expect(layoutIterations(1_000_000, 3_000_000)).toBe(10);
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
