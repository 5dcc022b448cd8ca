/**
 * Sync benchmark (not a test): `npx tsx bench/sync/index.ts` — prints a table and writes bench/results/sync.json.
 *
 * On the same generated data (one peer relay with max_limit 500, reached through the kubo stand-in's tunnel),
 * the local store being a station's strfry as the engine meets it on a station: the strfry CLI stand-in
 * (`strfry import`/`scan` on the same database as a relay), so the engine's real StrfryStore import path runs:
 *   - this engine (`constellation sync --json`, a process of its own), cold (empty local relay) and steady state
 *     (nothing new, the second run), NIP-77 path;
 *   - the old script's method: one REQ per author batch (100 authors) with `since` one day back and
 *     `limit` 10000, no paging, then `strfry import`; cold and steady;
 * as events/s, bytes (counted by the PEER relay: every WebSocket payload it received and sent, tunnel probe
 * included, the same meter for both methods), wall time and completeness (share of the matching events held by
 * the local relay afterwards); then a BENCH_BIG-event cold sync (default 100,000) with the engine process's
 * peak RSS (VmHWM of the `constellation sync` process: the engine alone, not the relays of the bench).
 * Sizes: BENCH_EVENTS (default 20,000), BENCH_BIG. BENCH_NO77=1: the peer without NIP-77 (the REQ paging path).
 * BENCH_NODE_ARGS: extra node flags for the engine process. Only 127.0.0.1.
 */
import { mkdir, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RelayConnection } from '../../src/core/nostr';
import { StrfryStore } from '../../src/core/store/strfry-store';
import {
  KuboStandin,
  TestRelay,
  buildStation,
  manyNotes,
  startStrfryStation,
  type BuiltStation,
  type Keypair,
  type NostrEvent,
  type StrfryStation,
} from '../../src/devkit';
import { DEFAULT_KINDS } from '../../src/shared/kinds';
import { runConstellation } from '../engine-process';

const NOW = Math.floor(Date.now() / 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const REPO = join(import.meta.dirname, '..', '..');

interface Row {
  method: string;
  phase: string;
  events: number;
  bytes: number;
  /** the sync itself (engine: the report's duration, lock to last peer; old: fetch + import) */
  syncMs: number;
  /** whole process or procedure, start-up and the after-sync phases included */
  wallMs: number;
  eventsPerSec: number;
  completeness: number;
}

interface World {
  built: BuiltStation;
  peer: TestRelay;
  kubo: KuboStandin;
  authors: Keypair[];
  ids: Set<string>;
  stop: () => Promise<void>;
}

async function world(total: number): Promise<World> {
  const built = await buildStation({ seed: `bench-${total}`, peers: 1, members: { emails: 20 }, amisOfAmis: 30 });
  const authors = [...Object.values(built.keys.users), ...built.keys.amis];
  const peer = await TestRelay.start({ maxLimit: 500, nip77: !process.env.BENCH_NO77 });
  const per = Math.ceil(total / authors.length);
  const events = (await manyNotes(authors, per, { seed: 'bench', since: NOW - 80_000, until: NOW - 60 })).slice(0, total);
  await peer.seed(events);
  const kubo = await KuboStandin.start({ peerId: built.self.peerId });
  kubo.registerPeer(built.peers[0]!.peerId, { host: '127.0.0.1', port: peer.port });
  return {
    built, peer, kubo, authors, ids: new Set(events.map((e) => e.id)),
    stop: async () => {
      await kubo.stop();
      await peer.stop();
      await built.cleanup();
    },
  };
}

const peerBytes = (w: World): number => w.peer.stats.bytesIn + w.peer.stats.bytesOut;

/** `constellation sync --json` as a station runs it; the report, the wall time and the process's peak RSS. */
async function engineRun(w: World, st: StrfryStation, dataDir: string): Promise<{ wallMs: number; syncMs: number; imported: number; fetched: number; peak: number; ok: boolean; reason: string }> {
  const args = [
    'sync', '--json', '--no-profiles', '--days', '1',
    '--zen-root', w.built.root, '--data-dir', dataDir, '--kubo-api', w.kubo.url,
    '--relay-url', st.relayUrl, '--strfry-bin', st.strfryBin, '--strfry-conf', st.strfryConf,
  ];
  const { code, stdout: out, stderr: err, wallMs, peakRss: peak } = await runConstellation(args, 100);
  let report: { durationMs: number; imported: number; outcome: string; reason: string | null; peers: Array<{ fetched: number; ok: boolean; reason: string | null }> };
  try {
    report = JSON.parse(out) as typeof report;
  } catch {
    throw new Error(`constellation sync exited ${code} without a JSON report: ${err.slice(-2000)}`);
  }
  return {
    wallMs, syncMs: report.durationMs, imported: report.imported, peak,
    fetched: report.peers.reduce((a, p) => a + p.fetched, 0),
    ok: report.outcome === 'success', reason: report.reason ?? report.peers.map((p) => p.reason).filter(Boolean).join('; '),
  };
}

/** The old script: one REQ per batch of 100 authors, since one day back, limit 10000, no paging; then strfry import. */
async function oldRun(w: World, st: StrfryStation): Promise<{ ms: number; got: Set<string> }> {
  const t0 = performance.now();
  const peerId = w.built.peers[0]!.peerId;
  const res = await fetch(`${w.kubo.url}/api/v0/p2p/forward?arg=/x/strfry-${peerId}&arg=/ip4/127.0.0.1/tcp/0&arg=/p2p/${peerId}`, { method: 'POST' });
  const listen = (await res.json().catch(() => ({}))) as { ListenAddress?: string };
  const port = listen.ListenAddress?.split('/').pop();
  const url = res.ok && port && port !== '0' ? `ws://127.0.0.1:${port}` : w.peer.url;
  const conn = await RelayConnection.connect(url);
  const got = new Set<string>();
  const events: NostrEvent[] = [];
  const authors = w.authors.map((k) => k.pk);
  for (let i = 0; i < authors.length; i += 100) {
    for await (const e of conn.req([{ kinds: [...DEFAULT_KINDS], since: NOW - 86400, limit: 10000, authors: authors.slice(i, i + 100) }])) {
      got.add(e.id);
      events.push(e);
    }
  }
  conn.close();
  if (listen.ListenAddress) await fetch(`${w.kubo.url}/api/v0/p2p/close?listen-address=${listen.ListenAddress}`, { method: 'POST' });
  await new StrfryStore(st.strfryBin, st.strfryConf).import(events, { verify: false });
  return { ms: performance.now() - t0, got };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const tmp = await mkdtemp(join(tmpdir(), 'bench-sync-'));
  const w = await world(EVENTS);
  try {
    const st = await startStrfryStation(join(tmp, 'strfry-engine'));
    let before = peerBytes(w);
    const cold = await engineRun(w, st, join(tmp, 'engine'));
    const coldBytes = peerBytes(w) - before;
    if (!cold.ok) notes.push(`engine cold run not a success: ${cold.reason}`);
    rows.push({ method: 'engine', phase: 'cold', events: cold.imported, bytes: coldBytes, syncMs: cold.syncMs, wallMs: cold.wallMs, eventsPerSec: cold.imported / (cold.syncMs / 1000), completeness: (await st.relay.count({})) / w.ids.size });
    before = peerBytes(w);
    const steady = await engineRun(w, st, join(tmp, 'engine'));
    const steadyBytes = peerBytes(w) - before;
    if (!steady.ok) notes.push(`engine steady run not a success: ${steady.reason}`);
    rows.push({ method: 'engine', phase: 'steady', events: steady.imported, bytes: steadyBytes, syncMs: steady.syncMs, wallMs: steady.wallMs, eventsPerSec: 0, completeness: (await st.relay.count({})) / w.ids.size });
    await st.stop();

    const st2 = await startStrfryStation(join(tmp, 'strfry-old'));
    before = peerBytes(w);
    const oc = await oldRun(w, st2);
    rows.push({ method: 'old script', phase: 'cold', events: oc.got.size, bytes: peerBytes(w) - before, syncMs: oc.ms, wallMs: oc.ms, eventsPerSec: oc.got.size / (oc.ms / 1000), completeness: (await st2.relay.count({})) / w.ids.size });
    before = peerBytes(w);
    const os = await oldRun(w, st2);
    rows.push({ method: 'old script', phase: 'steady', events: 0, bytes: peerBytes(w) - before, syncMs: os.ms, wallMs: os.ms, eventsPerSec: 0, completeness: (await st2.relay.count({})) / w.ids.size });
    await st2.stop();
  } finally {
    await w.stop();
  }

  // a big cold sync: speed at scale and the engine process's peak memory
  let big: { syncMs: number; wallMs: number; imported: number; completeness: number; peakRssBytes: number } | null = null;
  if (BIG > 0) {
    const wb = await world(BIG);
    const st = await startStrfryStation(join(tmp, 'strfry-big'));
    try {
      const r = await engineRun(wb, st, join(tmp, 'big'));
      if (!r.ok) notes.push(`engine big run not a success: ${r.reason}`);
      big = { syncMs: r.syncMs, wallMs: r.wallMs, imported: r.imported, completeness: (await st.relay.count({})) / wb.ids.size, peakRssBytes: r.peak };
    } finally {
      await st.stop();
      await wb.stop();
    }
  }
  await rm(tmp, { recursive: true, force: true });

  const f = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d });
  console.log(`sync benchmark: ${f(EVENTS)} matching events on one peer (max_limit 500), through a tunnel; local store: strfry (CLI stand-in)`);
  console.log('method      phase   events    bytes (peer)   sync ms   wall ms   events/s  complete');
  for (const r of rows) {
    console.log(`${r.method.padEnd(11)} ${r.phase.padEnd(7)} ${f(r.events).padStart(8)} ${f(r.bytes).padStart(14)} ${f(r.syncMs).padStart(9)} ${f(r.wallMs).padStart(9)} ${f(r.eventsPerSec).padStart(9)} ${(100 * r.completeness).toFixed(1).padStart(7)}%`);
  }
  const e = (m: string, p: string): Row => rows.find((r) => r.method === m && r.phase === p)!;
  const steadyRatio = e('old script', 'steady').bytes / Math.max(1, e('engine', 'steady').bytes);
  const coldSpeed = e('engine', 'cold').eventsPerSec;
  console.log(`steady-state bytes: old / engine = ${steadyRatio.toFixed(1)}x (target >= 20x)`);
  console.log(`cold speed: engine ${f(coldSpeed)} events/s (target >= 5,000), ${(coldSpeed / Math.max(1, e('old script', 'cold').eventsPerSec)).toFixed(1)}x the old method's; completeness engine ${(100 * e('engine', 'cold').completeness).toFixed(1)}% vs old ${(100 * e('old script', 'cold').completeness).toFixed(1)}% (target 100%)`);
  if (big) {
    console.log(`big sync: ${f(big.imported)} events in ${f(big.syncMs)} ms (${f(big.imported / (big.syncMs / 1000))} events/s; process ${f(big.wallMs)} ms), completeness ${(100 * big.completeness).toFixed(1)}%, engine peak RSS ${(big.peakRssBytes / 1048576).toFixed(0)} MB (target < 300 MB)`);
  }
  for (const n of notes) console.log(`NOTE: ${n}`);
  await mkdir(join(REPO, 'bench', 'results'), { recursive: true });
  // the figures the issue names, in bench/run.mjs's summary shape
  const completeness = Math.min(e('engine', 'cold').completeness, big ? big.completeness : 1);
  const summary = [
    { figure: `cold sync, end to end (${f(EVENTS)} events)`, value: Math.round(coldSpeed), unit: 'ev/s', baseline: Math.round(e('old script', 'cold').eventsPerSec), target: '≥ 5000 ev/s', met: coldSpeed >= 5000 },
    { figure: 'steady state: bytes, old method ÷ engine', value: Math.round(steadyRatio * 10) / 10, unit: '×', baseline: null, target: '≥ 20×', met: steadyRatio >= 20 },
    { figure: 'completeness (engine, every run)', value: Math.round(completeness * 1000) / 10, unit: '%', baseline: Math.round(e('old script', 'cold').completeness * 1000) / 10, target: '100%', met: completeness === 1 },
    ...(big ? [
      { figure: `cold sync, end to end (${f(BIG)} events)`, value: Math.round(big.imported / (big.syncMs / 1000)), unit: 'ev/s', baseline: null, target: '≥ 5000 ev/s', met: big.imported / (big.syncMs / 1000) >= 5000 },
      { figure: `engine peak memory, ${f(BIG)}-event sync`, value: Math.round(big.peakRssBytes / 1048576), unit: 'MB', baseline: null, target: '< 300 MB', met: big.peakRssBytes < 300 * 1048576 },
    ] : []),
  ];
  await writeFile(join(REPO, 'bench', 'results', 'sync.json'), JSON.stringify({ at: new Date().toISOString(), events: EVENTS, localStore: 'strfry CLI stand-in', summary, rows, steadyRatio, coldEventsPerSec: coldSpeed, big: big ? { ...big, events: BIG } : null, notes }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
