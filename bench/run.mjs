#!/usr/bin/env node
// `npm run bench`: runs every benchmark `bench/<name>/index.ts` one after the other (each on its own, so they
// do not fight over the 2 cores), collects `bench/results/<name>.json`, prints ONE table
// (benchmark, figure, value, baseline, ratio, target, met?) and writes `bench/results/summary.json`.
//
//   node bench/run.mjs [--only a,b] [--no-run] [--budget-min 9.5]
//     --only     run only these benchmarks (others are summarised from their last results, marked as such)
//     --no-run   only summarise the results already on disk
//
// A benchmark that fails, times out or writes no result shows as "not run" with the reason: never dropped.
// Each result file may carry `summary: [{ figure, value, unit, baseline, ratio, target, met }]`; for the
// benchmarks that predate that convention the figures are read from their own shapes below.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const RESULTS = join(BENCH, 'results');

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = value('--only')?.split(',').filter(Boolean) ?? null;
const budgetMs = Number(value('--budget-min') ?? '9.5') * 60_000;
/** One benchmark may not take more than this, so the whole suite stays under 10 minutes on 2 cores. */
const PER_BENCH_MS = { graph: 240_000, sync: 240_000, ui: 150_000, profiles: 150_000, verify: 150_000, memory: 180_000, scale: 180_000, live: 240_000 };
const DEFAULT_PER_BENCH_MS = 150_000;
// Order: quick and independent first; the heavy ones last so a tight budget still reports most figures.
const ORDER = ['verify', 'profiles', 'ui', 'live', 'sync', 'scale', 'memory', 'graph'];

const benches = readdirSync(BENCH)
  .filter((d) => d !== 'results' && existsSync(join(BENCH, d, 'index.ts')) && statSync(join(BENCH, d)).isDirectory())
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b));

const tsxCli = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** Runs one benchmark in its own process group; resolves with its exit status and the tail of its output. */
function runBench(name, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [tsxCli, join('bench', name, 'index.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, CONSTELLATION_BENCH: '1' },
    });
    let tail = '';
    const keep = (d) => {
      process.stdout.write(d);
      tail = (tail + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, ms: Date.now() - started, tail });
    });
  });
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
};
const round = (n, d = 0) => (typeof n === 'number' && Number.isFinite(n) ? Number(n.toFixed(d)) : null);
// A ratio reads as "how many times better than the baseline": rates and shares are better high, times and
// sizes better low.
const higherIsBetter = (unit) => /\/s\b|%|fps|×/.test(unit ?? '');
const autoRatio = (value, baseline, unit) => {
  if (typeof value !== 'number' || typeof baseline !== 'number' || value <= 0 || baseline <= 0) return null;
  return round(higherIsBetter(unit) ? value / baseline : baseline / value, 2);
};
const row = (figure, value, unit, baseline = null, target = null, met = null, ratio = undefined) => ({
  figure,
  value,
  unit,
  baseline,
  ratio: ratio !== undefined ? ratio : autoRatio(value, baseline, unit),
  target,
  met,
});

/** Finds the first number under a key matching `re`, depth first (for result shapes still settling). */
function findNumber(obj, re, depth = 0) {
  if (!obj || typeof obj !== 'object' || depth > 6) return null;
  for (const [k, v] of Object.entries(obj)) if (re.test(k) && typeof v === 'number') return v;
  for (const v of Object.values(obj)) {
    const n = findNumber(v, re, depth + 1);
    if (n !== null) return n;
  }
  return null;
}

/** Figures of each benchmark, from its own result shape. */
const extractors = {
  graph(r) {
    const out = [];
    for (const lists of [...new Set((r.rows ?? []).map((x) => x.lists))]) {
      const mine = r.rows.find((x) => x.lists === lists && x.impl === 'constellation');
      const naive = r.rows.find((x) => x.lists === lists && x.impl === 'naive');
      if (!mine) continue;
      const edges = mine.edges >= 1e6 * 0.9 ? `${Math.round(mine.edges / 1e6)}M` : `${Math.round(mine.edges / 1e3)}k`;
      const first = lists === Math.min(...r.rows.map((x) => x.lists));
      const tTarget = first && r.target?.timeMs ? `< ${r.target.timeMs} ms` : null;
      const mTarget = first && r.target?.memoryMB ? `< ${r.target.memoryMB} MB` : null;
      out.push(row(`reach, ${edges} edges: time`, mine.ms, 'ms', naive?.ms ?? null, tTarget, tTarget ? mine.ms < r.target.timeMs : null));
      const mem = mine.computeMB ?? mine.peakRssMB;
      out.push(row(`reach, ${edges} edges: memory`, mem, 'MB', naive ? (naive.computeMB ?? naive.peakRssMB) : null, mTarget, mTarget ? mem < r.target.memoryMB : null));
    }
    return out;
  },
  ui(r) {
    // Issue 17's targets: the first frame of 20,000 nodes within 1.5 s, dragging at ≥ 0.8× the empty stage's rate.
    const median = r.firstFrameMs?.median ?? null;
    const out = [row(`first frame, ${r.nodes ?? '?'} nodes (median of ${r.runs?.length ?? '?'} loads)`, median, 'ms', null, '≤ 1500 ms', median === null ? null : median <= 1500)];
    if (r.firstFrameMs?.best !== undefined) out.push(row(`first frame, ${r.nodes ?? '?'} nodes (best)`, r.firstFrameMs.best, 'ms'));
    if (typeof r.edgesDrawnMs?.median === 'number') out.push(row(`${r.edges ?? '?'} edges on screen, after the draw starts`, r.edgesDrawnMs.median, 'ms'));
    // The baseline is the same drag on the empty stage (what the harness allows at best): the ratio is the share.
    if (r.drag && r.ceiling) {
      const share = r.dragShareOfCeiling ?? null;
      out.push(row('drag: camera updates taken', r.drag.movesPerSecond, '/s', r.ceiling.movesPerSecond, '≥ 0.8× empty stage', share === null ? null : share >= 0.8, share));
    }
    if (r.animate) out.push(row('animated zoom', r.animate.fps, 'frames/s'));
    return out;
  },
  profiles(r) {
    return [
      row(`recover ${r.missing ?? '?'} profiles over ${r.peers ?? '?'} peers`, round(r.engine?.ms), 'ms', round(r.old?.ms), null, null, round(r.speedup ?? (r.old?.ms && r.engine?.ms ? r.old.ms / r.engine.ms : null), 2)),
      row('profiles recovered', r.engine?.recovered ?? null, '', r.old?.recovered ?? null, r.missing ? `${r.missing}` : null, r.missing ? r.engine?.recovered === r.missing : null, null),
    ];
  },
  sync(r) {
    // bench/sync's own shape; the figures the issue names, found by key.
    const out = [];
    const rate = findNumber(r, /cold.*(events?per|eventsPerS|evPerS|rate)/i) ?? findNumber(r, /eventsPerSecond/i);
    if (rate !== null) out.push(row('cold sync, end to end', round(rate), 'ev/s', null, '≥ 5000 ev/s', rate >= 5000));
    const bytesRatio = findNumber(r, /steady.*ratio|bytesRatio/i);
    if (bytesRatio !== null) out.push(row('steady state: bytes, old method ÷ engine', round(bytesRatio, 1), '×', null, '≥ 20×', bytesRatio >= 20, null));
    const completeness = findNumber(r, /completeness/i);
    if (completeness !== null) out.push(row('completeness', completeness, completeness <= 1 ? '(1 = 100%)' : '%', null, '100%', completeness === 1 || completeness === 100));
    const mem = findNumber(r, /peak.*(rss|mem)/i);
    if (mem !== null) out.push(row('engine peak memory, 100k-event sync', round(mem), 'MB', null, '< 300 MB', mem < 300));
    return out;
  },
  memory(r) {
    const mem = findNumber(r, /peak.*(rss|mem)/i);
    return [row('engine peak memory, 100k-event sync', round(mem), 'MB', null, '< 300 MB', mem !== null ? mem < 300 : null)];
  },
};

function figures(name, result) {
  if (Array.isArray(result.summary)) {
    return result.summary.map((s) => row(s.figure, s.value, s.unit ?? '', s.baseline ?? null, s.target ?? null, s.met ?? null, s.ratio ?? undefined));
  }
  const extract = extractors[name];
  if (!extract) return [row('(no summary in the result file)', null, '')];
  const rows = extract(result);
  return rows.length ? rows : [row('(no figure found in the result file)', null, '')];
}

/** The benchmarks the issues ask for: one missing shows as "not run", never silently absent. */
const EXPECTED = ['sync', 'scale', 'verify', 'profiles', 'graph', 'ui', 'live'];

const suiteStart = Date.now();
const report = [];
// The benchmarks measure the product as it ships: the built renderer and the built `constellation` command
// (bin/constellation.mjs runs out/main/cli.js when it is newer than the sources, else tsx: more memory, slower).
if (!flag('--no-run')) {
  console.log('building (electron-vite build) so the benchmarks run the current build…');
  const built = await new Promise((resolve) => {
    const p = spawn(join(ROOT, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => resolve(code === 0));
    p.on('error', () => resolve(false));
  });
  if (!built) console.log('the build failed: the benchmarks that start the command run it from the sources (tsx)');
}
for (const name of EXPECTED.filter((n) => !benches.includes(n))) {
  report.push({ benchmark: name, status: 'not run', reason: `bench/${name}/index.ts does not exist`, figures: [] });
}
for (const name of benches) {
  const path = join(RESULTS, `${name}.json`);
  const selected = !flag('--no-run') && (only === null || only.includes(name));
  let status = 'ran';
  let reason = null;
  if (selected) {
    const left = budgetMs - (Date.now() - suiteStart);
    if (left < 20_000) {
      status = 'not run';
      reason = 'the suite ran out of its 10-minute budget';
    } else {
      const before = mtime(path);
      console.log(`\n=== bench/${name} ===`);
      const r = await runBench(name, Math.min(PER_BENCH_MS[name] ?? DEFAULT_PER_BENCH_MS, left));
      const wrote = mtime(path) > before;
      if (r.timedOut) [status, reason] = ['not run', `timed out after ${Math.round(r.ms / 1000)} s`];
      else if (r.code !== 0) [status, reason] = ['not run', `exited with ${r.code ?? r.signal}: ${r.tail.trim().split('\n').slice(-1)[0] ?? ''}`.slice(0, 200)];
      else if (!wrote) [status, reason] = ['not run', `wrote no bench/results/${name}.json`];
      else reason = `${Math.round(r.ms / 1000)} s`;
    }
  } else {
    status = existsSync(path) ? 'earlier run' : 'not run';
    reason = existsSync(path) ? `results from ${new Date(mtime(path)).toISOString()}` : 'not selected and no earlier results';
  }
  const result = status === 'not run' ? null : readJson(path);
  if (status !== 'not run' && !result) [status, reason] = ['not run', `bench/results/${name}.json is not valid JSON`];
  report.push({ benchmark: name, status, reason, figures: result ? figures(name, result) : [] });
}
// The engine's peak memory during a 100,000-event sync is measured by bench/sync (no separate bench/memory).
if (!benches.includes('memory') && !report.some((b) => b.figures.some((f) => /peak memory/.test(f.figure)))) {
  report.push({ benchmark: 'memory', status: 'not run', reason: 'bench/sync wrote no peak memory figure for a 100k-event sync', figures: [] });
}

// ---- the one table
const fmt = (v) => (v === null || v === undefined ? '' : typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(v));
const lines = [];
for (const b of report) {
  if (b.status === 'not run' || b.figures.length === 0) {
    lines.push([b.benchmark, b.reason ?? '', 'not run', '', '', '', '']);
    continue;
  }
  for (const f of b.figures) {
    const met = f.met === null || f.met === undefined ? '' : f.met ? 'yes' : 'NO';
    const ratio = f.ratio === null || f.ratio === undefined ? '' : `${fmt(f.ratio)}×`;
    lines.push([b.status === 'earlier run' ? `${b.benchmark} (earlier)` : b.benchmark, f.figure, `${fmt(f.value)} ${f.unit ?? ''}`.trim(), fmt(f.baseline), ratio, f.target ?? '', met]);
  }
}
const head = ['benchmark', 'figure', 'value', 'baseline', 'ratio', 'target', 'met?'];
const widths = head.map((h, i) => Math.min(i === 1 ? 64 : 40, Math.max(h.length, ...lines.map((l) => String(l[i]).length))));
const line = (cells) => cells.map((c, i) => String(c).slice(0, widths[i]).padEnd(widths[i])).join('  ');
console.log(`\nConstellation benchmarks — ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${Math.round((Date.now() - suiteStart) / 1000)} s`);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const l of lines) console.log(line(l));
const notRun = report.filter((b) => b.status === 'not run');
for (const b of notRun) console.log(`not run: ${b.benchmark}: ${b.reason}`);

mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  join(RESULTS, 'summary.json'),
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, cores: cpus().length, load: loadavg(), seconds: Math.round((Date.now() - suiteStart) / 1000), benchmarks: report }, null, 2)}\n`,
);
console.log(`\nwrote bench/results/summary.json`);
