/**
 * Scale benchmark (not a test): `npx tsx bench/scale/index.ts [--full] [--cases 2x300,32x300]` — prints the
 * table and writes bench/results/scale.json.
 *
 * A run should cost what the difference costs, and grow gently with the constellation. For each case (N peers ×
 * M members; world.ts: ~2,000 events per peer, each event on 1–3 peers, every peer a devkit relay reached only
 * through the kubo stand-in's tunnels), on the same data and in the same run:
 *   - Constellation: `constellation sync --json` (a process of its own, as a station runs it; local store: the
 *     strfry CLI stand-in, so every local read is a `strfry scan` process), cold (empty local relay) then steady
 *     (nothing new, the second run);
 *   - the baseline: a MODEL of `strfry sync --dir down` run peer by peer on the same filters through the same
 *     tunnels (strfry-sync-model.ts says what it models), cold then steady, on a station database of its own.
 * Figures: wall time (Constellation: the whole command, start included; the model: its sync loop, no process
 * start), bytes on the wire (every TCP byte the PEER relays moved: the same meter for both), fetches per
 * imported event and the share fetched twice (Constellation's report), local-store reads (the sync step's, from
 * the report; and every `strfry scan` process the command started, profile index and graph included, counted by
 * a wrapper around the stand-in), the engine's peak RSS (VmHWM).
 * Default cases: 2 and 8 peers × 300 members (within the suite's budget); `--full`: 2, 8, 16, 32 peers × 300
 * members and 8 peers × 3,000 members.
 * Only 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStrfryStation, type StrfryStation } from '../../src/devkit';
import { buildFilters, mergeDeletions } from '../../src/core/sync/filters';
import { DEFAULT_LIMITS } from '../../src/core/nostr';
import { DEFAULT_KINDS } from '../../src/shared/kinds';
import { buildWorld, type World } from './world';
import { runConstellation } from '../engine-process';
import type { ModelJob, ModelResult } from './strfry-sync-model';

const REPO = join(import.meta.dirname, '..', '..');
const NOW = Math.floor(Date.now() / 1000);
const PER_PEER = Number(process.env.BENCH_SCALE_PER_PEER ?? 2000);
const args = process.argv.slice(2);
const FULL = args.includes('--full');
const casesArg = args[args.indexOf('--cases') + 1];

interface Case {
  peers: number;
  members: number;
}
const parseCases = (s: string): Case[] => s.split(',').map((c) => {
  const [p, m] = c.split('x').map(Number);
  return { peers: p ?? 2, members: m ?? 300 };
});
const CASES: Case[] = args.includes('--cases') && casesArg
  ? parseCases(casesArg)
  : FULL
    ? parseCases('2x300,8x300,16x300,32x300,8x3000')
    : parseCases('2x300,8x300');

interface EngineRun {
  ok: boolean;
  reason: string;
  wallMs: number;
  syncMs: number;
  imported: number;
  fetched: number;
  duplicates: number;
  /** ids fetched more than once in the run, when the report says */
  fetchedTwice: number | null;
  bytes: number;
  payload: number;
  /** local-store reads of the sync step (the report's) */
  localReads: number | null;
  /** every `strfry scan` the command started */
  scans: number;
  imports: number;
  peakRss: number;
}

interface ModelRun {
  ok: boolean;
  reason: string;
  ms: number;
  processMs: number;
  need: number;
  written: number;
  bytes: number;
}

interface Row {
  peers: number;
  members: number;
  events: number;
  copies: number;
  engine: { cold: EngineRun; steady: EngineRun };
  model: { cold: ModelRun; steady: ModelRun };
  completeness: number;
  modelCompleteness: number;
}

/** A `strfry` in front of the stand-in that notes each command it is run with (`scan`, `import`, …). */
async function countingStrfry(dir: string, real: string): Promise<{ bin: string; count: () => Promise<Record<string, number>> }> {
  const log = join(dir, 'strfry-calls.log');
  const bin = join(dir, 'strfry-counted');
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(bin, `#!/bin/sh\nprintf '%s\\n' "$*" >> ${q(log)}\nexec ${q(real)} "$@"\n`);
  await chmod(bin, 0o755);
  return {
    bin,
    count: async () => {
      const out: Record<string, number> = {};
      const text = await readFile(log, 'utf8').catch(() => '');
      // a line: --config=<conf> <command> [args…]
      for (const l of text.split('\n')) {
        const command = l.split(' ')[1];
        if (command) out[command] = (out[command] ?? 0) + 1;
      }
      return out;
    },
  };
}

async function engineRun(w: World, st: StrfryStation, strfryBin: string, dataDir: string, calls: () => Promise<Record<string, number>>): Promise<EngineRun> {
  const cmd = [
    'sync', '--json', '--no-profiles', '--days', '1',
    '--zen-root', w.built.root, '--data-dir', dataDir, '--kubo-api', w.kubo.url,
    '--relay-url', st.relayUrl, '--strfry-bin', strfryBin, '--strfry-conf', st.strfryConf,
  ];
  const callsBefore = await calls();
  const wire0 = w.wireBytes();
  const pay0 = w.payloadBytes();
  const { code, stdout: out, stderr: err, wallMs, peakRss: peak } = await runConstellation(cmd);
  const callsAfter = await calls();
  const delta = (k: string): number => (callsAfter[k] ?? 0) - (callsBefore[k] ?? 0);
  let report: {
    durationMs: number; imported: number; duplicates: number; outcome: string; reason: string | null; localReads?: number;
    fetches?: { events: number; distinct: number };
    peers: Array<{ fetched: number; ok: boolean; reason: string | null }>;
  };
  try {
    report = JSON.parse(out) as typeof report;
  } catch {
    throw new Error(`constellation sync exited ${code} without a JSON report: ${err.slice(-2000)}`);
  }
  return {
    ok: report.outcome === 'success',
    reason: report.reason ?? report.peers.map((p) => p.reason).filter(Boolean).join('; '),
    wallMs,
    syncMs: report.durationMs,
    imported: report.imported,
    fetched: report.peers.reduce((a, p) => a + p.fetched, 0),
    duplicates: report.duplicates,
    fetchedTwice: report.fetches ? report.fetches.events - report.fetches.distinct : null,
    bytes: w.wireBytes() - wire0,
    payload: w.payloadBytes() - pay0,
    localReads: report.localReads ?? null,
    scans: delta('scan'),
    imports: delta('import'),
    peakRss: peak,
  };
}

async function modelRun(w: World, job: ModelJob, jobFile: string): Promise<ModelRun> {
  await writeFile(jobFile, JSON.stringify(job));
  const wire0 = w.wireBytes();
  const t0 = performance.now();
  const tsx = join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child = spawn(join(REPO, 'node_modules', '.bin', 'node'), [tsx, join(REPO, 'bench', 'scale', 'strfry-sync-model.ts'), jobFile], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const processMs = performance.now() - t0;
  let r: ModelResult;
  try {
    r = JSON.parse(out.trim().split('\n').pop() ?? '') as ModelResult;
  } catch {
    throw new Error(`the strfry sync model exited ${code} without a result: ${err.slice(-2000)}`);
  }
  const failed = r.peers.filter((p) => !p.ok);
  return {
    ok: failed.length === 0,
    reason: failed.map((p) => `${p.peer.slice(0, 8)}: ${p.reason}`).join('; '),
    ms: r.ms,
    processMs,
    need: r.peers.reduce((a, p) => a + p.need, 0),
    written: r.written,
    bytes: w.wireBytes() - wire0,
  };
}

async function runCase(c: Case, tmp: string, notes: string[]): Promise<Row> {
  const label = `${c.peers}x${c.members}`;
  const w = await buildWorld({ peers: c.peers, members: c.members, perPeer: PER_PEER, seed: `scale-${label}`, nowSec: NOW });
  const dir = join(tmp, label);
  await mkdir(dir, { recursive: true });
  try {
    const st = await startStrfryStation(join(dir, 'strfry'));
    const counted = await countingStrfry(dir, st.strfryBin);
    const cold = await engineRun(w, st, counted.bin, join(dir, 'engine'), counted.count);
    const completeness = (await st.relay.count({})) / w.events;
    const steady = await engineRun(w, st, counted.bin, join(dir, 'engine'), counted.count);
    await st.stop();
    for (const [phase, r] of [['cold', cold], ['steady', steady]] as const) if (!r.ok) notes.push(`${label}: engine ${phase} run not a success: ${r.reason}`);

    const filters = mergeDeletions(buildFilters({ kinds: DEFAULT_KINDS, noDms: false, days: 1, members: w.members, nowSec: NOW, maxFilterElements: DEFAULT_LIMITS.maxFilterElements })).map((p) => p.filter);
    const job: ModelJob = { kuboUrl: w.kubo.url, peers: w.built.peers.map((p) => p.peerId), filters, dbPath: join(dir, 'model.sqlite') };
    const mCold = await modelRun(w, job, join(dir, 'model-job.json'));
    const mSteady = await modelRun(w, job, join(dir, 'model-job.json'));
    for (const [phase, r] of [['cold', mCold], ['steady', mSteady]] as const) if (!r.ok) notes.push(`${label}: strfry sync model ${phase} run failed: ${r.reason}`);
    return {
      peers: c.peers, members: w.members.length, events: w.events, copies: w.copies,
      engine: { cold, steady }, model: { cold: mCold, steady: mSteady },
      completeness, modelCompleteness: mCold.written / w.events,
    };
  } finally {
    await w.stop();
  }
}

const s1 = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;
const kb = (b: number): string => `${(b / 1e3).toFixed(1)} kB`;

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'bench-scale-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  const started = performance.now();
  try {
    for (const c of CASES) {
      console.log(`case ${c.peers} peers × ${c.members} members …`);
      rows.push(await runCase(c, tmp, notes));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`\nscale benchmark: ~${PER_PEER} events per peer, each on 1–3 peers, peers through kubo-stand-in tunnels; local store: strfry CLI stand-in; load ${load}`);
  console.log('baseline: a MODEL of `strfry sync --dir down` run peer by peer on the same filters (bench/scale/strfry-sync-model.ts)');
  const head = ['peers', 'members', 'events', 'Constellation cold / steady', 'strfry sync (model) cold / steady', 'steady bytes C / S', 'cold bytes C / S', 'fetches per imported (twice)', 'local reads cold / steady (all scans)', 'engine peak RSS'];
  const lines = rows.map((r) => {
    const e = r.engine;
    const twice = e.cold.fetchedTwice !== null ? `${((100 * e.cold.fetchedTwice) / Math.max(1, e.cold.imported)).toFixed(1)} %` : 'n/a';
    return [
      String(r.peers), String(r.members), String(r.events),
      `${s1(e.cold.wallMs)} / ${s1(e.steady.wallMs)}`,
      `${s1(r.model.cold.ms)} / ${s1(r.model.steady.ms)}`,
      `${kb(e.steady.bytes)} / ${kb(r.model.steady.bytes)}`,
      `${mb(e.cold.bytes)} / ${mb(r.model.cold.bytes)}`,
      `${(e.cold.fetched / Math.max(1, e.cold.imported)).toFixed(2)} (${twice})`,
      `${e.cold.localReads ?? '?'} / ${e.steady.localReads ?? '?'} (${e.cold.scans} / ${e.steady.scans})`,
      `${Math.round(Math.max(e.cold.peakRss, e.steady.peakRss) / 1048576)} MB`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(fmt(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(fmt(l));
  for (const r of rows) {
    console.log(`${r.peers}x${r.members}: completeness engine ${(100 * r.completeness).toFixed(1)} %, model ${(100 * r.modelCompleteness).toFixed(1)} %; engine sync step (report) ${s1(r.engine.cold.syncMs)} / ${s1(r.engine.steady.syncMs)}, ${r.engine.cold.imports} imports; model process ${s1(r.model.cold.processMs)} / ${s1(r.model.steady.processMs)}; engine payload cold ${mb(r.engine.cold.payload)} (wire ${mb(r.engine.cold.bytes)}), steady ${kb(r.engine.steady.payload)} (wire ${kb(r.engine.steady.bytes)})`);
  }
  for (const n of notes) console.log(`NOTE: ${n}`);
  console.log(`(${s1(performance.now() - started)} in all)`);

  // the issue's targets are set at 32 tunnelled peers: checked there, shown for the other cases
  const summary = rows.flatMap((r) => {
    const at32 = r.peers === 32 && r.members < 1000;
    const label = `${r.peers} peers × ${r.members}`;
    const peak = Math.max(r.engine.cold.peakRss, r.engine.steady.peakRss);
    const perImported = r.engine.cold.fetched / Math.max(1, r.engine.cold.imported);
    return [
      { figure: `${label}: cold wall time`, value: Math.round(r.engine.cold.wallMs), unit: 'ms', baseline: Math.round(r.model.cold.ms), target: at32 ? '≤ strfry sync' : null, met: at32 ? r.engine.cold.wallMs <= r.model.cold.ms : null },
      { figure: `${label}: steady wall time`, value: Math.round(r.engine.steady.wallMs), unit: 'ms', baseline: Math.round(r.model.steady.ms), target: at32 ? '≤ 5000 ms' : null, met: at32 ? r.engine.steady.wallMs <= 5000 : null },
      { figure: `${label}: steady bytes`, value: Math.round(r.engine.steady.bytes), unit: 'B', baseline: Math.round(r.model.steady.bytes), target: null, met: null },
      { figure: `${label}: fetches per imported event`, value: Number(perImported.toFixed(3)), unit: '', baseline: null, target: at32 ? '≤ 1.02' : null, met: at32 ? perImported <= 1.02 : null, ratio: null },
      { figure: `${label}: engine peak RSS`, value: Math.round(peak / 1048576), unit: 'MB', baseline: null, target: at32 ? '< 300 MB' : null, met: at32 ? peak < 300 * 1048576 : null },
    ];
  });
  await mkdir(join(REPO, 'bench', 'results'), { recursive: true });
  await writeFile(join(REPO, 'bench', 'results', 'scale.json'), JSON.stringify({ at: new Date().toISOString(), load: loadavg(), perPeer: PER_PEER, summary, rows, notes }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
