/**
 * Graph bench: time and peak memory to compute the reach from N follow lists of 200 entries, fed to the pure
 * graph part (no relay), against a naive Map<string, Set<string>> implementation of the same BFS measured in
 * the same run. Each measure runs in its own child process so peak RSS (getrusage maxRSS) is that measure's.
 *
 *   npx tsx bench/graph/index.ts                   prints a table, writes bench/results/graph.json
 *   npx tsx bench/graph/index.ts --quick           the 1M-edge case only
 *   npx tsx bench/graph/index.ts --full-baseline   the naive baseline at 10M edges too (about 5 minutes more)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { reachFromData } from '../../src/core/graph/pure';
import { reverse, type FollowListEvent } from '../../src/core/graph/model';
import { selectSubgraph, withPositions } from '../../src/core/graph/subgraph';
import { computeLayout, layoutIterations } from '../../src/core/graph/layout';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENTRIES = 200;

// ---------------------------------------------------------------- data

/** mulberry32: the same data on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hexOf = (i: number): string => i.toString(16).padStart(64, '0');

/**
 * `lists` follow lists of ENTRIES keys: lists/100 members whose lists cover every N1 key, and N1 lists that
 * follow the wider world (N2: 40× lists keys), with 20% of follows going to 1% popular keys (connectors) and
 * 10% back into the constellation. Each event goes through JSON text and back, as it comes out of a relay
 * answer: every key in every tag is then its own string, as the service sees them.
 */
function generate(lists: number): { members: string[]; events: FollowListEvent[] } {
  const rand = prng(lists);
  const memberCount = Math.max(1, Math.floor(lists / 100));
  const n1Count = lists - memberCount;
  const world = 40 * lists;
  const keys = new Array<string>(lists + world);
  for (let i = 0; i < keys.length; i++) keys[i] = hexOf(i + 1);
  const members = keys.slice(0, memberCount);
  const n1 = (j: number): string => keys[memberCount + (j % n1Count)] as string;
  const events: FollowListEvent[] = [];
  let slot = 0;
  for (let m = 0; m < memberCount; m++) {
    const tags: string[][] = [];
    for (let e = 0; e < ENTRIES; e++) tags.push(['p', n1(slot++)]);
    events.push(JSON.parse(JSON.stringify({ id: hexOf(10 ** 9 + m), pubkey: members[m] as string, created_at: 1_700_000_000, tags })) as FollowListEvent);
  }
  const popular = Math.max(1, Math.floor(world / 100));
  for (let j = 0; j < n1Count; j++) {
    const tags: string[][] = [];
    for (let e = 0; e < ENTRIES; e++) {
      const r = rand();
      const target = r < 0.1 ? keys[Math.floor(rand() * lists)] : r < 0.3 ? keys[lists + Math.floor(rand() * popular)] : keys[lists + Math.floor(rand() * world)];
      tags.push(['p', target as string]);
    }
    events.push(JSON.parse(JSON.stringify({ id: hexOf(2 * 10 ** 9 + j), pubkey: n1(j), created_at: 1_700_000_000, tags })) as FollowListEvent);
  }
  return { members: JSON.parse(JSON.stringify(members)) as string[], events };
}

// ---------------------------------------------------------------- the naive baseline

/** The same figures with string maps and sets: what a straightforward implementation would do. */
function naiveReach(members: string[], events: FollowListEvent[]): { n1: number; n2: number; edges: number; connectorTop: number } {
  const newest = new Map<string, FollowListEvent>();
  for (const ev of events) {
    const cur = newest.get(ev.pubkey);
    if (!cur || ev.created_at > cur.created_at || (ev.created_at === cur.created_at && ev.id < cur.id)) newest.set(ev.pubkey, ev);
  }
  const follows = new Map<string, Set<string>>();
  const listOf = (a: string): Set<string> | undefined => {
    let s = follows.get(a);
    if (!s) {
      const ev = newest.get(a);
      if (!ev) return undefined;
      s = new Set(ev.tags.filter((t) => t[0] === 'p' && /^[0-9a-f]{64}$/.test(t[1] ?? '') && t[1] !== a).map((t) => t[1] as string));
      if (s.size > 5000) s = new Set();
      follows.set(a, s);
    }
    return s;
  };
  const dist = new Map<string, number>();
  let queue: string[] = [];
  for (const m of members) {
    dist.set(m, 0);
    queue.push(m);
  }
  for (let d = 1; d <= 2; d++) {
    const next: string[] = [];
    for (const u of queue) {
      for (const v of listOf(u) ?? []) {
        if (dist.has(v)) continue;
        dist.set(v, d);
        next.push(v);
      }
    }
    queue = next;
  }
  let n1 = 0;
  let n2 = 0;
  for (const d of dist.values()) if (d === 1) n1++;
  else if (d === 2) n2++;
  const followers = new Map<string, number>();
  let edges = 0;
  for (const [u, d] of dist) {
    if (d > 1) continue;
    for (const v of listOf(u) ?? []) {
      edges++;
      followers.set(v, (followers.get(v) ?? 0) + 1);
    }
  }
  // n2Alone: the one member behind each N1, then each N2.
  const owner = new Map<string, string | null>();
  for (const level of [0, 1]) {
    for (const [u, d] of dist) {
      if (d !== level) continue;
      const who = level === 0 ? u : owner.get(u);
      if (who === undefined) continue;
      for (const v of listOf(u) ?? []) {
        if (dist.get(v) !== level + 1) continue;
        const cur = owner.get(v);
        owner.set(v, cur === undefined ? who : cur === who ? who : null);
      }
    }
  }
  const alone = new Map<string, number>();
  for (const [v, who] of owner) if (dist.get(v) === 2 && who) alone.set(who, (alone.get(who) ?? 0) + 1);
  const top = [...followers].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
  const connectorTop = top[0]?.[1] ?? 0;
  return { n1, n2, edges, connectorTop };
}

// ---------------------------------------------------------------- one measure (child process)

interface Measure {
  lists: number;
  impl: 'constellation' | 'naive' | 'subgraph+layout';
  ms: number;
  /** CPU time of the process (user + system, GC threads included): less sensitive to a busy machine */
  cpuMs: number;
  rssBeforeMB: number;
  peakRssMB: number;
  /** peak RSS above the RSS before the computation: what the computation itself needed */
  computeMB: number;
  heapAfterMB: number;
  n1: number;
  n2: number;
  edges: number;
  note: string;
}

const MB = (bytes: number): number => Math.round(bytes / 1048576);

function measure(lists: number, impl: Measure['impl']): Measure {
  const { members, events } = generate(lists);
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let figures = { n1: 0, n2: 0, edges: 0 };
  let note = '';
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let t1 = t0;
  if (impl === 'naive') {
    const r = naiveReach(members, events);
    t1 = performance.now();
    figures = r;
  } else {
    const r = reachFromData({ members, followLists: events, computedAt: 0 });
    t1 = performance.now();
    figures = { n1: r.reach.n1, n2: r.reach.n2, edges: r.reach.edges };
    if (impl === 'subgraph+layout') {
      const src = {
        graph: r.built.graph,
        reverse: reverse(r.built.graph),
        analysis: r.analysis,
        names: new Map<string, string>(),
        stations: [],
        indexOf: (hex: string) => r.built.index.get(hex),
      };
      const t2 = performance.now();
      const sel = selectSubgraph(src, 2, 20_000);
      const iterations = layoutIterations(sel.nodes.length, sel.layout.edges.length / 2);
      const sub = withPositions(sel, computeLayout({ ...sel.layout, iterations }));
      t1 = performance.now();
      note = `${sub.nodes.length} nodes, ${sub.edges.length} edges, ${iterations} FA2 iterations (reach before it: ${Math.round(t2 - t0)} ms)`;
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const peak = process.resourceUsage().maxRSS * 1024;
  (globalThis as { gc?: () => void }).gc?.();
  return {
    lists,
    impl,
    ms: Math.round(t1 - t0),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssBeforeMB: MB(rssBefore),
    peakRssMB: MB(peak),
    computeMB: Math.max(0, MB(peak - rssBefore)),
    heapAfterMB: MB(getHeapStatistics().used_heap_size),
    ...figures,
    note,
  };
}

// ---------------------------------------------------------------- the run

function child(lists: number, impl: Measure['impl']): Measure {
  const node = join(ROOT, 'node_modules', '.bin', 'node');
  const res = spawnSync(node, ['--expose-gc', '--max-old-space-size=8192', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(lists), impl], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (res.status !== 0) throw new Error(`bench child ${lists} ${impl} failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop() as string) as Measure;
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    process.stdout.write(JSON.stringify(measure(Number(argv[1]), argv[2] as Measure['impl'])) + '\n');
    return;
  }
  const cases = argv.includes('--quick') ? [5_000] : [5_000, 50_000];
  const rows: Measure[] = [];
  for (const lists of cases) {
    for (const impl of ['constellation', 'naive', 'subgraph+layout'] as const) {
      if (impl === 'subgraph+layout' && lists !== 5_000) continue;
      if (impl === 'naive' && lists !== 5_000 && !argv.includes('--full-baseline')) continue;
      process.stderr.write(`measuring ${lists} lists × ${ENTRIES} (${impl})…`);
      const started = Date.now();
      rows.push(child(lists, impl));
      process.stderr.write(` ${Math.round((Date.now() - started) / 1000)} s with the data generation\n`);
    }
  }
  const head = ['lists', 'edges', 'impl', 'time ms', 'CPU ms', 'compute MB', 'peak RSS MB', 'RSS before MB', 'N1', 'N2'];
  const table = rows.map((r) => [r.lists, r.edges, r.impl, r.ms, r.cpuMs, r.computeMB, r.peakRssMB, r.rssBeforeMB, r.n1, r.n2].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  console.log(line(head));
  for (const t of table) console.log(line(t));
  const ratios = cases.flatMap((lists) => {
    const ours = rows.find((r) => r.lists === lists && r.impl === 'constellation') as Measure;
    const naive = rows.find((r) => r.lists === lists && r.impl === 'naive');
    if (!naive) return [];
    if (ours.n1 !== naive.n1 || ours.n2 !== naive.n2 || ours.edges !== naive.edges) {
      throw new Error(`the two implementations disagree at ${lists} lists: ${JSON.stringify({ ours, naive })}`);
    }
    return [{ lists, edges: ours.edges, timeRatio: +(naive.ms / Math.max(1, ours.ms)).toFixed(2), memoryRatio: +(naive.computeMB / Math.max(1, ours.computeMB)).toFixed(2) }];
  });
  for (const r of ratios) console.log(`baseline ratio at ${r.edges} edges: naive/ours time ×${r.timeRatio}, compute memory ×${r.memoryRatio}`);
  for (const r of rows.filter((x) => x.note)) console.log(`${r.impl} (${r.lists} lists): ${r.ms} ms — ${r.note}`);
  const first = rows.find((r) => r.lists === 5_000 && r.impl === 'constellation') as Measure;
  const target = { timeMs: 1000, memoryMB: 300, met: first.ms < 1000 && first.computeMB < 300, cpuMet: first.cpuMs < 1000 && first.computeMB < 300 };
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(
    `target for 1M edges (< 1000 ms, < 300 MB computing): wall ${target.met ? 'met' : 'NOT met'} (${first.ms} ms), CPU ${target.cpuMet ? 'met' : 'NOT met'} (${first.cpuMs} ms), ${first.computeMB} MB; machine load ${load} on ${cpus().length} cores`,
  );
  const out = join(ROOT, 'bench', 'results', 'graph.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), node: process.version, load: loadavg(), cores: cpus().length, entries: ENTRIES, rows, ratios, target }, null, 2) + '\n');
  console.log(`written ${out}`);
}

main();
