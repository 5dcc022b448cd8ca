import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildStation,
  followList,
  keyFromSeed,
  note,
  onCleanup,
  profile,
  runCleanup,
  runCli,
  startRelays,
  tmpDir,
  type BuiltStation,
  type Keypair,
  type TestRelay,
} from '../support';
import { makeConfig } from '../../src/core/config';
import { Engine } from '../../src/core/engine';
import { createGraphService, GRAPH_FILE } from '../../src/core/graph';
import { nodeList, Reach, Subgraph } from '../../src/shared/schemas';

/*
 * The station: local users u0, u1; CAPTAIN; amisOfAmis.txt = f1, f2, x; one peer (captain pc, node pn).
 * Members (distance 0): u0 u1 captain f1 f2 x pc pn.
 *   u0 → f1 f2 f3     u1 → f1 g1 (an older list → old1 was replaced)     f1 → n1a     f2 → (empty)    pc → u0 n1b
 * N1: f3 g1 n1a n1b.     f3 → z1 z2     g1 → z2 z3     n1a → z1     (n1b has no list)
 * N2: z1 z2 z3.          z3 is the only one a single member (u1, through g1) brings.
 */
const k = (name: string): Keypair => keyFromSeed(`graph-it:${name}`);
const DAY = 86_400;

let relay: TestRelay;
let station: BuiltStation;
let dataDir: string;
const now = Math.floor(Date.now() / 1000);
const old = now - 10 * DAY;

beforeAll(async () => {
  [relay] = (await startRelays(1)) as [TestRelay];
  station = await buildStation({
    seed: 'graph-it',
    peers: 1,
    members: { emails: 2, captain: true, umaps: [], unode: false, sector: false, region: false },
    amisOfAmis: [k('f1').pk, k('f2').pk, k('x').pk],
  });
  onCleanup(() => station.cleanup());
  dataDir = await tmpDir('constellation-graph-');
  const [u0, u1] = Object.values(station.keys.users) as [Keypair, Keypair];
  const pc = (station.peers[0] as { captain: Keypair }).captain;
  const events = [
    followList(u0, [k('f1').pk, k('f2').pk, k('f3').pk], old),
    followList(u1, [k('old1').pk], old - DAY),
    followList(u1, [k('f1').pk, k('g1').pk], old),
    followList(k('f1'), [k('n1a').pk], old),
    followList(k('f2'), [], old),
    followList(pc, [u0.pk, k('n1b').pk], old),
    followList(k('f3'), [k('z1').pk, k('z2').pk], old),
    followList(k('g1'), [k('z2').pk, k('z3').pk], old),
    followList(k('n1a'), [k('z1').pk], old),
    // Not part of the reach: z1 is N2, its follows are not loaded.
    followList(k('z1'), [k('beyond').pk], old),
    profile(k('f3'), { name: 'Fred' }, old),
    profile(k('z1'), { name: 'Zoe' }, old),
    profile(u0, { name: 'User Zero' }, old),
    note(k('n1a'), 'fresh news', now - 3600),
    note(k('z3'), 'an old note', old),
  ];
  await relay.seed(events);
}, 60_000);

afterAll(async () => {
  await runCleanup();
});

function expectFigures(r: Reach): void {
  const [u0, u1] = Object.values(station.keys.users) as [Keypair, Keypair];
  expect([r.members, r.n1, r.n2, r.edges]).toEqual([8, 4, 3, 13]);
  expect(r.coverage.n1).toEqual({ total: 4, withProfile: 1, withEvent: 3, withRecentEvent: 1 });
  expect(r.coverage.n2).toEqual({ total: 3, withProfile: 1, withEvent: 2, withRecentEvent: 0 });
  expect(r.caps).toEqual({ followListCap: 5000, listsOverCap: 0 });
  const alone = Object.fromEntries(r.perMember.map((m) => [m.hex, m.n2Alone]));
  expect(alone[u1.pk]).toBe(1);
  expect(r.perMember[0]).toEqual({ hex: u1.pk, name: '', follows: 2, n2Alone: 1 });
  expect(r.perMember.find((m) => m.hex === u0.pk)).toEqual({ hex: u0.pk, name: 'User Zero', follows: 3, n2Alone: 0 });
  expect(r.perMember.reduce((n, m) => n + m.n2Alone, 0)).toBe(1);
  const twice = [k('f1').pk, k('z1').pk, k('z2').pk].sort();
  expect(r.connectors.slice(0, 3).map((c) => [c.hex, c.followers])).toEqual(twice.map((h) => [h, 2]));
  expect(r.connectors.find((c) => c.hex === k('z1').pk)?.name).toBe('Zoe');
  expect(r.amisOfAmis).toEqual({
    fileCount: 3,
    n1Count: 4,
    missing: [k('f3').pk, k('g1').pk].sort(),
    extra: [k('x').pk],
    missingCount: 2,
    extraCount: 1,
  });
}

describe('graph: reach of a station built by the harness', () => {
  it('`constellation reach --json` prints the expected figures and the amisOfAmis difference', async () => {
    const args = ['--zen-root', station.root, '--relay-url', relay.url, '--data-dir', dataDir, '--kubo-api', 'http://127.0.0.1:9'];
    const res = await runCli(['reach', '--json', ...args]);
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.code).toBe(0);
    const reach = Reach.parse(JSON.parse(res.stdout));
    expectFigures(reach);
    // The result is kept for the window (a reach before the first sync).
    const saved = JSON.parse(await readFile(join(dataDir, 'graph.json'), 'utf8')) as { reach: unknown; subgraph: unknown };
    expect(Reach.parse(saved.reach)).toEqual(reach);
    // The one-shot CLI does not wait for a layout: the window draws its subgraph when it asks.
    expect(saved.subgraph).toBeNull();

    const text = await runCli(['reach', ...args]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/N2: friends of friends\s+3/);
    expect(text.stdout).toMatch(/missing from the file\s+2\s/);
    const f3 = k('f3').pk;
    expect(text.stdout).toContain(`${f3.slice(0, 8)}...${f3.slice(-8)}`);
    expect(text.stdout).toMatch(/extra in the file\s+1\s/);
  });

  it('the engine: coalesced recomputes, graph.changed, subgraph with stations, neighbors', async () => {
    const dir = await tmpDir('constellation-graph-engine-');
    const engine = new Engine(
      makeConfig({ dataDir: dir, overrides: { zenRoot: station.root, relayUrl: relay.url, kuboApi: 'http://127.0.0.1:9' }, host: 'cli' }),
    );
    await engine.start();
    onCleanup(() => engine.stop());
    expect(await engine.call('graph.reach', undefined)).toBeNull();
    const changed: number[] = [];
    engine.on('graph.changed', (p) => changed.push(p.computedAt));
    const steps: string[] = [];
    engine.on('graph.progress', (p) => {
      if (steps.at(-1) !== p.step) steps.push(p.step);
    });
    const [a, b, c] = await Promise.all([engine.graph.recompute(), engine.graph.recompute(), engine.graph.recompute()]);
    // The window shows where a computation is: each step in order (the CLI draws no subgraph: done after coverage).
    expect(steps.slice(0, 4)).toEqual(['lists', 'analysis', 'coverage', 'done']);
    // The first call runs; the two made during it share one follow-up run.
    expect(b).toBe(c);
    expect(a).not.toBe(b);
    expect(changed).toHaveLength(2);
    expectFigures(b);
    expect(await engine.call('graph.reach', undefined)).toEqual(b);

    const sub = await engine.call('graph.subgraph', { depth: 2, limit: 1000 });
    expect(sub.totalNodes).toBe(2 + 8 + 4 + 3);
    expect(sub.sampled).toBe(false);
    const pc = (station.peers[0] as { captain: Keypair; peerId: string }).captain.pk;
    const stationId = `station:${station.peers[0]!.peerId}`;
    const nodes = nodeList(sub.nodes);
    expect(nodes.find((n) => n.id === stationId)?.kind).toBe('station');
    const pairs: Array<[string, string]> = [];
    for (let e = 0; e + 1 < sub.edges.length; e += 2) pairs.push([nodes[sub.edges[e]!]!.id, nodes[sub.edges[e + 1]!]!.id]);
    expect(pairs).toContainEqual([stationId, pc]);
    expect(sub.computedAt).toBe(b.computedAt);
    expect(nodes.find((n) => n.id === k('f3').pk)).toMatchObject({ label: 'Fred', kind: 'n1', distance: 1 });
    const small = await engine.call('graph.subgraph', { depth: 2, limit: 12 });
    expect(small.nodes.id).toHaveLength(12);
    expect(small.sampled).toBe(true);

    const n = await engine.call('graph.neighbors', { hex: k('z2').pk });
    expect(n.follows).toEqual([]);
    expect(n.followers.sort()).toEqual([k('f3').pk, k('g1').pk].sort());
    const f1 = await engine.call('graph.neighbors', { hex: k('f1').pk });
    expect(f1.follows).toEqual([k('n1a').pk]);
  });

  it('worker threads for the analysis and the layout give the same figures; a new service reads graph.json first', async () => {
    const dir = await tmpDir('constellation-graph-worker-');
    const engine = new Engine(
      makeConfig({ dataDir: dir, overrides: { zenRoot: station.root, relayUrl: relay.url, kuboApi: 'http://127.0.0.1:9' }, host: 'cli' }),
    );
    await engine.start();
    onCleanup(() => engine.stop());
    const inWorkers = createGraphService(engine, { analyzeInWorkerAbove: 0, layoutInWorkerAbove: 0, drawAfterCompute: true, defaultLimit: 100 });
    const reach = await inWorkers.recompute();
    expectFigures(reach);
    // The default subgraph is drawn in the background and saved with the reach.
    const sub = await inWorkers.subgraph(2, 100);
    const nodes = nodeList(sub.nodes);
    expect(nodes.every((n) => Number.isFinite(n.x) && Number.isFinite(n.y))).toBe(true);
    expect(new Set(nodes.map((n) => `${n.x},${n.y}`)).size).toBe(nodes.length);

    // A service started later (the app's next launch) answers from graph.json before any computation.
    const saved = JSON.parse(await readFile(join(dir, GRAPH_FILE), 'utf8')) as { version: number; subgraph: unknown };
    expect(saved.version).toBe(1);
    expect(Subgraph.parse(saved.subgraph)).toEqual(sub);
    const later = createGraphService(engine, { defaultLimit: 100 });
    expect(await later.reach()).toEqual(reach);
    expect(await later.subgraph(2, 100)).toEqual(sub);
  });
});
