/**
 * Sync benchmark (not a test): `npx tsx bench/sync/index.ts` — prints a table and writes bench/results/sync.json.
 *
 * On the same generated data, a constellation of three peers seen from one station:
 *   - peer A, reached through the kubo stand-in's tunnel (max_limit 500): BENCH_EVENTS notes of the members;
 *   - peer B, also tunnelled, still holding what the station has moved past: an older profile, follow list and
 *     article per member (the station holds newer ones), notes a kind 5 the station holds deletes, an article
 *     the station deleted by its address (`a` tag), plus new notes and some of A's;
 *   - peer C, in the swarm folder but unreachable (kubo does not know it: every connection through its tunnel
 *     is closed at once);
 * the local store being a station's strfry as the engine meets it on a station: the strfry CLI stand-in
 * (`strfry import`/`scan` on the same database as a relay), so the engine's real StrfryStore import path runs:
 *   - this engine (`constellation sync --json`, a process of its own), cold (empty local relay) and steady state
 *     (nothing new, the second run), NIP-77 path;
 *   - the old script's method: per peer, a tunnel, one REQ per author batch (100 authors) with `since` one day
 *     back and `limit` 10000, no paging, then `strfry import`; one attempt on the unreachable peer (the script
 *     retried up to 9 times: this is kinder to it); cold and steady;
 * as events/s, bytes (counted by the PEER relays: every WebSocket payload they received and sent, tunnel probes
 * included, the same meter for both methods), wall time (the engine's whole process, start-up included) and
 * completeness (share of the events the station should hold afterwards that it holds: every live event of
 * A and B, none of the superseded or deleted ones); then a BENCH_BIG-event cold sync (default 100,000; one
 * peer) with the engine process's peak RSS (VmHWM of the `constellation sync` process: the engine alone).
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
  freePort,
  manyNotes,
  signMany,
  startStrfryStation,
  type BuiltStation,
  type EventTemplate,
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
  /** answered for by the local store without being held (older versions, deleted events) */
  superseded: number;
  completeness: number;
  /** events held that the station should not hold (superseded, deleted) */
  extra: number;
}

interface World {
  built: BuiltStation;
  /** the reachable peers' relays (A, and B when the world has it) */
  peers: TestRelay[];
  kubo: KuboStandin;
  authors: Keypair[];
  /** what the station should hold after a complete sync */
  ids: Set<string>;
  /** what it holds before (newer versions, deletions) */
  local: NostrEvent[];
  /** events of B the station must answer for without holding them */
  superseded: number;
  deleted: number;
  stop: () => Promise<void>;
}

/**
 * Peer B's events and the station's own: per member an older profile, follow list and article (the station
 * holds the newer ones), notes deleted by a kind 5 the station holds, an article deleted by its address, and
 * new notes; plus `shared` of A's events.
 */
async function staleWorld(authors: Keypair[], shared: NostrEvent[]): Promise<{ peer: NostrEvent[]; local: NostrEvent[]; live: NostrEvent[]; superseded: number; deleted: number }> {
  const older: Array<{ key: Keypair; template: EventTemplate }> = [];
  const newer: Array<{ key: Keypair; template: EventTemplate }> = [];
  for (const [i, key] of authors.entries()) {
    const t = NOW - 40_000 - i;
    const follows = authors.slice(0, 5).map((k) => ['p', k.pk]);
    older.push({ key, template: { kind: 0, created_at: t - 3600, tags: [], content: JSON.stringify({ name: `old ${i}` }) } });
    older.push({ key, template: { kind: 3, created_at: t - 3600, tags: follows.slice(0, 2), content: '' } });
    older.push({ key, template: { kind: 30023, created_at: t - 3600, tags: [['d', 'post'], ['title', 'old']], content: 'old body' } });
    older.push({ key, template: { kind: 30023, created_at: t - 3600, tags: [['d', 'gone'], ['title', 'gone']], content: 'deleted by address' } });
    newer.push({ key, template: { kind: 0, created_at: t, tags: [], content: JSON.stringify({ name: `new ${i}` }) } });
    newer.push({ key, template: { kind: 3, created_at: t, tags: follows, content: '' } });
    newer.push({ key, template: { kind: 30023, created_at: t, tags: [['d', 'post'], ['title', 'new']], content: 'new body' } });
    newer.push({ key, template: { kind: 5, created_at: t, tags: [['a', `30023:${key.pk}:gone`]], content: '' } });
  }
  const [stale, fresh] = await Promise.all([signMany(older), signMany(newer)]);
  const notes = await manyNotes(authors, 10, { seed: 'bench-stale', since: NOW - 60_000, until: NOW - 50_000 });
  const doomed = authors.map((k) => notes.filter((e) => e.pubkey === k.pk).slice(0, 2));
  const kills = await signMany(authors.map((key, i) => ({ key, template: { kind: 5, created_at: NOW - 45_000, tags: doomed[i]!.map((e) => ['e', e.id]), content: '' } })));
  const dead = new Set(doomed.flat().map((e) => e.id));
  return {
    peer: [...stale, ...notes, ...shared],
    local: [...fresh, ...kills],
    live: notes.filter((e) => !dead.has(e.id)),
    superseded: stale.length,
    deleted: dead.size,
  };
}

/** `total` notes on peer A; with `stale`, peer B and the unreachable peer C too. */
async function world(total: number, opts: { stale: boolean }): Promise<World> {
  const built = await buildStation({ seed: `bench-${total}`, peers: opts.stale ? 3 : 1, members: { emails: 20 }, amisOfAmis: 30 });
  const authors = [...Object.values(built.keys.users), ...built.keys.amis];
  const a = await TestRelay.start({ maxLimit: 500, nip77: !process.env.BENCH_NO77 });
  const per = Math.ceil(total / authors.length);
  const events = (await manyNotes(authors, per, { seed: 'bench', since: NOW - 80_000, until: NOW - 60 })).slice(0, total);
  await a.seed(events);
  const kubo = await KuboStandin.start({ peerId: built.self.peerId });
  kubo.registerPeer(built.peers[0]!.peerId, { host: '127.0.0.1', port: a.port });
  const peers = [a];
  const ids = new Set(events.map((e) => e.id));
  let local: NostrEvent[] = [];
  let superseded = 0;
  let deleted = 0;
  if (opts.stale) {
    const b = await TestRelay.start({ maxLimit: 500, nip77: !process.env.BENCH_NO77 });
    const w = await staleWorld(authors, events.slice(0, Math.min(1000, events.length)));
    await b.seed(w.peer);
    kubo.registerPeer(built.peers[1]!.peerId, { host: '127.0.0.1', port: b.port });
    // peers[2] is left unknown to kubo: unreachable
    peers.push(b);
    for (const e of [...w.live, ...w.local]) ids.add(e.id);
    local = w.local;
    superseded = w.superseded;
    deleted = w.deleted;
  }
  return {
    built, peers, kubo, authors, ids, local, superseded, deleted,
    stop: async () => {
      await kubo.stop();
      for (const p of peers) await p.stop();
      await built.cleanup();
    },
  };
}

/** A station's strfry holding what the world says it holds before the first run. */
async function stationFor(w: World, dir: string): Promise<StrfryStation> {
  const st = await startStrfryStation(dir);
  if (w.local.length > 0) await new StrfryStore(st.strfryBin, st.strfryConf).import(w.local, { verify: false });
  return st;
}

/** Share of the events the station should hold that it holds, and how many it holds that it should not. */
async function holdings(w: World, st: StrfryStation): Promise<{ share: number; extra: number }> {
  const held = (await st.relay.all({})).map((e) => e.id);
  const have = held.filter((id) => w.ids.has(id)).length;
  return { share: have / w.ids.size, extra: held.length - have };
}

const peerBytes = (w: World): number => w.peers.reduce((n, p) => n + p.stats.bytesIn + p.stats.bytesOut, 0);

/** `constellation sync --json` as a station runs it; the report, the wall time and the process's peak RSS. */
async function engineRun(
  w: World,
  st: StrfryStation,
  dataDir: string,
): Promise<{ wallMs: number; syncMs: number; imported: number; superseded: number; fetched: number; peak: number; ok: boolean; reason: string; peers: string }> {
  const args = [
    'sync', '--json', '--no-profiles', '--days', '1',
    '--zen-root', w.built.root, '--data-dir', dataDir, '--kubo-api', w.kubo.url,
    '--relay-url', st.relayUrl, '--strfry-bin', st.strfryBin, '--strfry-conf', st.strfryConf,
  ];
  const { code, stdout: out, stderr: err, wallMs, peakRss: peak } = await runConstellation(args, 100);
  let report: {
    durationMs: number;
    imported: number;
    superseded?: number;
    outcome: string;
    reason: string | null;
    peers: Array<{ fetched: number; ok: boolean; reason: string | null; durationMs: number; hostname: string | null }>;
  };
  try {
    report = JSON.parse(out) as typeof report;
  } catch {
    throw new Error(`constellation sync exited ${code} without a JSON report: ${err.slice(-2000)}`);
  }
  return {
    wallMs, syncMs: report.durationMs, imported: report.imported, superseded: report.superseded ?? 0, peak,
    fetched: report.peers.reduce((a, p) => a + p.fetched, 0),
    ok: report.outcome === 'success', reason: report.reason ?? report.peers.map((p) => p.reason).filter(Boolean).join('; '),
    peers: report.peers.map((p) => `${p.hostname ?? '?'} ${p.ok ? 'ok' : 'failed'} ${(p.durationMs / 1000).toFixed(1)} s`).join(', '),
  };
}

/**
 * The old script: per peer, a tunnel, then one REQ per batch of 100 authors, since one day back, limit 10000,
 * no paging; one attempt per peer (it retried up to 9 times); then strfry import of everything received.
 */
async function oldRun(w: World, st: StrfryStation): Promise<{ ms: number; got: Set<string>; superseded: number }> {
  const t0 = performance.now();
  const got = new Set<string>();
  const events: NostrEvent[] = [];
  const authors = w.authors.map((k) => k.pk);
  for (const p of w.built.peers) {
    // kubo's p2p/forward answers an empty body: the script picks the local port itself
    const port = await freePort();
    const listen = `/ip4/127.0.0.1/tcp/${port}`;
    const res = await fetch(`${w.kubo.url}/api/v0/p2p/forward?arg=/x/strfry-${p.peerId}&arg=${listen}&arg=/p2p/${p.peerId}`, { method: 'POST' });
    try {
      if (!res.ok) continue;
      const conn = await RelayConnection.connect(`ws://127.0.0.1:${port}`, { timeoutMs: 5000 }).catch(() => null);
      if (!conn) continue;
      for (let i = 0; i < authors.length; i += 100) {
        for await (const e of conn.req([{ kinds: [...DEFAULT_KINDS], since: NOW - 86400, limit: 10000, authors: authors.slice(i, i + 100) }])) {
          got.add(e.id);
          events.push(e);
        }
      }
      conn.close();
    } finally {
      await fetch(`${w.kubo.url}/api/v0/p2p/close?listen-address=${listen}`, { method: 'POST' });
    }
  }
  const imported = await new StrfryStore(st.strfryBin, st.strfryConf).import(events, { verify: false });
  return { ms: performance.now() - t0, got, superseded: imported.superseded };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const tmp = await mkdtemp(join(tmpdir(), 'bench-sync-'));
  const w = await world(EVENTS, { stale: true });
  const held = async (st: StrfryStation): Promise<Pick<Row, 'completeness' | 'extra'>> => {
    const c = await holdings(w, st);
    return { completeness: c.share, extra: c.extra };
  };
  try {
    const st = await stationFor(w, join(tmp, 'strfry-engine'));
    for (const phase of ['cold', 'steady'] as const) {
      const before = peerBytes(w);
      const r = await engineRun(w, st, join(tmp, 'engine'));
      const bytes = peerBytes(w) - before;
      // the unreachable peer fails by design; any other failure is worth a note
      if (!r.ok) notes.push(`engine ${phase} run: ${r.reason} (peers: ${r.peers})`);
      rows.push({
        method: 'engine', phase, events: r.imported, superseded: r.superseded, bytes, syncMs: r.syncMs, wallMs: r.wallMs,
        eventsPerSec: phase === 'cold' ? r.imported / (r.syncMs / 1000) : 0, ...(await held(st)),
      });
    }
    await st.stop();

    const st2 = await stationFor(w, join(tmp, 'strfry-old'));
    for (const phase of ['cold', 'steady'] as const) {
      const before = peerBytes(w);
      const o = await oldRun(w, st2);
      rows.push({
        method: 'old script', phase, events: phase === 'cold' ? o.got.size : 0, superseded: o.superseded, bytes: peerBytes(w) - before, syncMs: o.ms, wallMs: o.ms,
        eventsPerSec: phase === 'cold' ? o.got.size / (o.ms / 1000) : 0, ...(await held(st2)),
      });
    }
    await st2.stop();
  } finally {
    await w.stop();
  }

  // a big cold sync: speed at scale and the engine process's peak memory
  let big: { syncMs: number; wallMs: number; imported: number; completeness: number; peakRssBytes: number } | null = null;
  if (BIG > 0) {
    const wb = await world(BIG, { stale: false });
    const st = await startStrfryStation(join(tmp, 'strfry-big'));
    try {
      const r = await engineRun(wb, st, join(tmp, 'big'));
      if (!r.ok) notes.push(`engine big run not a success: ${r.reason}`);
      big = { syncMs: r.syncMs, wallMs: r.wallMs, imported: r.imported, completeness: (await holdings(wb, st)).share, peakRssBytes: r.peak };
    } finally {
      await st.stop();
      await wb.stop();
    }
  }
  await rm(tmp, { recursive: true, force: true });

  const f = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d });
  const s1 = (ms: number): string => (ms / 1000).toFixed(1);
  console.log(
    `sync benchmark: peer A ${f(EVENTS)} notes (max_limit 500), peer B ${f(w.superseded)} older versions and ${f(w.deleted)} deleted notes among its events, ` +
      `both through kubo tunnels; peer C unreachable; local store: strfry (CLI stand-in)`,
  );
  console.log('method      phase   events  supersed.   bytes (peers)   sync s   wall s   events/s  complete  extra');
  for (const r of rows) {
    console.log(
      `${r.method.padEnd(11)} ${r.phase.padEnd(7)} ${f(r.events).padStart(6)} ${f(r.superseded).padStart(10)} ${f(r.bytes).padStart(15)} ${s1(r.syncMs).padStart(8)} ${s1(r.wallMs).padStart(8)} ` +
        `${f(r.eventsPerSec).padStart(10)} ${(100 * r.completeness).toFixed(1).padStart(8)}% ${f(r.extra).padStart(6)}`,
    );
  }
  const e = (m: string, p: string): Row => rows.find((r) => r.method === m && r.phase === p)!;
  const steadyRatio = e('old script', 'steady').bytes / Math.max(1, e('engine', 'steady').bytes);
  const coldSpeed = e('engine', 'cold').eventsPerSec;
  console.log(`steady-state bytes: old / engine = ${steadyRatio.toFixed(1)}x (target >= 20x); engine ${f(e('engine', 'steady').bytes)} bytes (target <= 45,000)`);
  console.log(
    `wall time: engine cold ${s1(e('engine', 'cold').wallMs)} s, steady ${s1(e('engine', 'steady').wallMs)} s (target <= 3 s); ` +
      `old method cold ${s1(e('old script', 'cold').wallMs)} s, steady ${s1(e('old script', 'steady').wallMs)} s`,
  );
  console.log(`cold speed: engine ${f(coldSpeed)} events/s (target >= 5,000), ${(coldSpeed / Math.max(1, e('old script', 'cold').eventsPerSec)).toFixed(1)}x the old method's; completeness engine ${(100 * e('engine', 'cold').completeness).toFixed(1)}% vs old ${(100 * e('old script', 'cold').completeness).toFixed(1)}% (target 100%)`);
  if (big) {
    console.log(`big sync: ${f(big.imported)} events in ${f(big.syncMs)} ms (${f(big.imported / (big.syncMs / 1000))} events/s; process ${f(big.wallMs)} ms), completeness ${(100 * big.completeness).toFixed(1)}%, engine peak RSS ${(big.peakRssBytes / 1048576).toFixed(0)} MB (target < 300 MB)`);
  }
  for (const n of notes) console.log(`NOTE: ${n}`);
  await mkdir(join(REPO, 'bench', 'results'), { recursive: true });
  // the figures the issue names, in bench/run.mjs's summary shape
  const completeness = Math.min(...rows.filter((r) => r.method === 'engine').map((r) => (r.extra > 0 ? 0 : r.completeness)), big ? big.completeness : 1);
  const summary = [
    { figure: `cold sync, end to end (${f(EVENTS)} events)`, value: Math.round(coldSpeed), unit: 'ev/s', baseline: Math.round(e('old script', 'cold').eventsPerSec), target: '≥ 5000 ev/s', met: coldSpeed >= 5000 },
    { figure: 'steady state: bytes, old method ÷ engine', value: Math.round(steadyRatio * 10) / 10, unit: '×', baseline: null, target: '≥ 20×', met: steadyRatio >= 20 },
    { figure: 'completeness (engine, every run)', value: Math.round(completeness * 1000) / 10, unit: '%', baseline: Math.round(e('old script', 'cold').completeness * 1000) / 10, target: '100%', met: completeness === 1 },
    { figure: 'steady state: bytes (2 tunnelled peers, 1 unreachable)', value: e('engine', 'steady').bytes, unit: 'B', baseline: e('old script', 'steady').bytes, target: '≤ 45000 B', met: e('engine', 'steady').bytes <= 45_000 },
    { figure: 'steady state: wall time, command start included', value: Math.round(e('engine', 'steady').wallMs / 100) / 10, unit: 's', baseline: Math.round(e('old script', 'steady').wallMs / 100) / 10, target: '≤ 3 s', met: e('engine', 'steady').wallMs <= 3000 },
    { figure: 'cold: wall time, command start included', value: Math.round(e('engine', 'cold').wallMs / 100) / 10, unit: 's', baseline: Math.round(e('old script', 'cold').wallMs / 100) / 10, target: null, met: null },
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
