/**
 * Graph bench: time and peak memory to compute the reach from N follow lists of 200 entries, fed to the pure
 * graph part (no relay) the way the service feeds it: members' lists first, then N1's, each list made on
 * demand from JSON text (as a relay answer) and dropped once added (bench/graph/data.ts), so the process holds
 * the engine's memory, not 2 GB of generated input. "time" is the engine's (the lists' JSON parsing, the
 * relay's share, is timed apart as "feed"); peak RSS is the whole process's (getrusage maxRSS), each measure in
 * its own child process. Also the subgraph (20,000 nodes) and its layout, as the window gets them.
 *
 *   npx tsx bench/graph/index.ts              prints a table, writes bench/results/graph.json (1M and 10M)
 *   npx tsx bench/graph/index.ts --quick      the 1M-edge case only
 *   npx tsx bench/graph/index.ts --baseline   also a naive Map<string, Set<string>> implementation at 1M
 *                                             (about a minute; it holds every list, as such code would)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { reachFromLookup } from '../../src/core/graph/pure';
import { reverse, type FollowListEvent } from '../../src/core/graph/model';
import { selectSubgraph, withPositions } from '../../src/core/graph/subgraph';
import { computeLayout, layoutIterations } from '../../src/core/graph/layout';

import { ENTRIES, hexOf, World } from './data';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------- data (bench/graph/data.ts)

/** Every list at once, for the naive baseline only (it keeps them all, as a straightforward program would). */
function allLists(world: World): { members: string[]; events: FollowListEvent[] } {
  const events: FollowListEvent[] = [];
  for (let i = 0; i < world.lists; i++) events.push(world.list(hexOf(i + 1)) as FollowListEvent);
  return { members: world.members(), events };
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
  /** the engine's wall time (feed excluded) */
  ms: number;
  /** time spent making the lists (JSON text → objects): the relay's share */
  feedMs: number;
  /** CPU time of the process (user + system, GC threads included, feed included) */
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
  const world = new World(lists);
  const naiveInput = impl === 'naive' ? allLists(world) : null;
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let figures = { n1: 0, n2: 0, edges: 0 };
  let note = '';
  const feedBefore = world.feedMs;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let t1 = t0;
  if (naiveInput) {
    const r = naiveReach(naiveInput.members, naiveInput.events);
    t1 = performance.now();
    figures = r;
  } else {
    const r = reachFromLookup({ members: world.members(), list: (a) => world.list(a), computedAt: 0 });
    t1 = performance.now();
    figures = { n1: r.reach.n1, n2: r.reach.n2, edges: r.reach.edges };
    if (impl === 'subgraph+layout') {
      const t2 = performance.now();
      const src = {
        graph: r.built.graph,
        reverse: reverse(r.built.graph),
        analysis: r.analysis,
        names: new Map<string, string>(),
        stations: [],
        indexOf: (hex: string) => r.built.index.get(hex),
      };
      const sel = selectSubgraph(src, 2, 20_000);
      const t3 = performance.now();
      const iterations = layoutIterations(sel.nodes.length, sel.layout.edges.length / 2);
      const sub = withPositions(sel, computeLayout({ ...sel.layout, iterations }), 0);
      t1 = performance.now();
      note = `${sub.nodes.id.length} nodes, ${sub.edges.length / 2} edges: selection ${Math.round(t3 - t2)} ms, layout (${iterations} iterations) ${Math.round(t1 - t3)} ms`;
      // Only the subgraph's own time: the reach before it is the row above.
      world.feedMs = feedBefore + (t2 - t0);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  const peak = process.resourceUsage().maxRSS * 1024;
  const feedMs = world.feedMs - feedBefore;
  (globalThis as { gc?: () => void }).gc?.();
  return {
    lists,
    impl,
    ms: Math.round(t1 - t0 - feedMs),
    feedMs: Math.round(feedMs),
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
  const baseline = argv.includes('--baseline');
  const rows: Measure[] = [];
  for (const lists of cases) {
    for (const impl of ['constellation', 'naive', 'subgraph+layout'] as const) {
      if (impl === 'subgraph+layout' && lists !== 5_000) continue;
      if (impl === 'naive' && (lists !== 5_000 || !baseline)) continue;
      process.stderr.write(`measuring ${lists} lists × ${ENTRIES} (${impl})…`);
      const started = Date.now();
      rows.push(child(lists, impl));
      process.stderr.write(` ${Math.round((Date.now() - started) / 1000)} s in all\n`);
    }
  }
  const head = ['lists', 'edges', 'impl', 'time ms', 'feed ms', 'CPU ms', 'compute MB', 'peak RSS MB', 'RSS before MB', 'N1', 'N2'];
  const table = rows.map((r) => [r.lists, r.edges, r.impl, r.ms, r.feedMs, r.cpuMs, r.computeMB, r.peakRssMB, r.rssBeforeMB, r.n1, r.n2].map(String));
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
  // Memory judged on the whole process's peak RSS (Node and tsx included), not only what the computation added.
  const target = { timeMs: 1000, memoryMB: 300, met: first.ms < 1000 && first.peakRssMB < 300 };
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(
    `target for 1M edges (< 1000 ms, < 300 MB peak RSS): ${target.met ? 'met' : 'NOT met'} (${first.ms} ms, ${first.peakRssMB} MB); machine load ${load} on ${cpus().length} cores`,
  );
  const summary = rows.flatMap((r) => {
    const edges = r.edges >= 900_000 ? `${Math.round(r.edges / 1e6)}M` : `${Math.round(r.edges / 1e3)}k`;
    const naive = rows.find((x) => x.lists === r.lists && x.impl === 'naive');
    const isFirst = r === first;
    if (r.impl === 'naive') return [];
    if (r.impl === 'subgraph+layout') return [{ figure: `subgraph 20k nodes + layout (${edges}-edge graph)`, value: r.ms, unit: 'ms', baseline: null, target: null, met: null }];
    return [
      { figure: `reach, ${edges} edges: time`, value: r.ms, unit: 'ms', baseline: naive?.ms ?? null, target: isFirst ? '< 1000 ms' : null, met: isFirst ? r.ms < 1000 : null },
      { figure: `reach, ${edges} edges: peak RSS`, value: r.peakRssMB, unit: 'MB', baseline: naive?.peakRssMB ?? null, target: isFirst ? '< 300 MB' : null, met: isFirst ? r.peakRssMB < 300 : null },
    ];
  });
  const out = join(ROOT, 'bench', 'results', 'graph.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), node: process.version, load: loadavg(), cores: cpus().length, entries: ENTRIES, rows, ratios, target, summary }, null, 2) + '\n');
  console.log(`written ${out}`);
}

main();
