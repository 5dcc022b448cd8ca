/**
 * Live sync benchmark (not a test): `npx tsx bench/live/index.ts` — prints a table and writes
 * bench/results/live.json.
 *
 * A station with four peers — two reached directly ("LAN": their relays on this machine's loopback, listed as
 * direct), two only through the kubo stand-in's tunnels — and its local store as a station has it: the strfry
 * CLI stand-in (`strfry import`) on the database a relay serves. The engine is `constellation live --json`, a
 * process of its own (the built command), so its CPU and memory are the engine's alone. Measured:
 *   - idle: with the four links up and nothing happening, the engine's CPU over a minute (user + system,
 *     children included, from /proc) and its RSS — targets < 1 % of a core and < 150 MB;
 *   - down: a member's note published on a peer, from the peer's OK to the note readable on the local relay
 *     (seen by a live subscription there, which strfry — and the devkit relay — serve 100 ms after a write),
 *     p50/p95/max, direct and tunnel — target p95 ≤ 1 s;
 *   - up: a member's note written on the local relay, from its OK to the note readable on each peer;
 *   - sustained: a burst of member notes written into the four peers' databases at once (streamed by them as a
 *     relay streams an import), events/s until all are readable locally;
 *   - the baseline: the hourly backfill's average delay for an event (half its period: 30 min).
 * The strfry stand-in is a Node program: one `strfry import` costs a Node start-up (measured here too, as
 * "stand-in import"); the real strfry starts in milliseconds, so on a station the down figures are lower by
 * about that difference. BENCH_LIVE_IDLE_S (default 60), BENCH_LIVE_EVENTS (per route, default 20),
 * BENCH_LIVE_BURST (default 2000). Only 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { StrfryStore } from '../../src/core/store/strfry-store';
import {
  KuboStandin,
  TestRelay,
  buildStation,
  keyFromSeed,
  note,
  startStrfryStation,
  type BuiltStation,
  type Keypair,
  type NostrEvent,
  type StrfryStation,
} from '../../src/devkit';

const REPO = join(import.meta.dirname, '..', '..');
const IDLE_S = Number(process.env.BENCH_LIVE_IDLE_S ?? 60);
const PER_ROUTE = Number(process.env.BENCH_LIVE_EVENTS ?? 20);
const BURST = Number(process.env.BENCH_LIVE_BURST ?? 2000);
/** The hourly backfill's average wait for an event: published at a random moment, fetched at the next run. */
const HOURLY_AVERAGE_DELAY_MS = 30 * 60_000;
const CLK_TCK = 100;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const pct = (values: number[], p: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] ?? NaN;
};

/** A relay client that publishes (waiting for OK, or pipelined) and records when subscribed events arrive. */
class Client {
  private readonly oks = new Map<string, (ok: boolean, msg: string) => void>();
  readonly arrivals = new Map<string, number>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as unknown[];
      if (m[0] === 'OK') this.oks.get(String(m[1]))?.(m[2] === true, String(m[3] ?? ''));
      else if (m[0] === 'EVENT') this.arrivals.set((m[2] as NostrEvent).id, Date.now());
    });
  }
  static open(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
    });
  }
  /** Resolves with the time the OK came. */
  publish(e: NostrEvent): Promise<number> {
    return new Promise((resolve, reject) => {
      this.oks.set(e.id, (ok, msg) => {
        this.oks.delete(e.id);
        if (ok) resolve(Date.now());
        else reject(new Error(`refused ${e.id}: ${msg}`));
      });
      this.ws.send(JSON.stringify(['EVENT', e]));
    });
  }
  subscribeNew(): void {
    this.ws.send(JSON.stringify(['REQ', 'new', { limit: 0 }]));
  }
  close(): void {
    this.ws.close();
  }
}

async function until(check: () => boolean, what: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** CPU seconds (user + system, waited-for children included) and RSS of a process, from /proc. */
async function procFigures(pid: number): Promise<{ cpuS: number; rssBytes: number; hwmBytes: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "(comm) ": state is field 3 → index 0; utime 14, stime 15, cutime 16, cstime 17 → indexes 11..14
  const ticks = [11, 12, 13, 14].reduce((a, i) => a + Number(fields[i] ?? 0), 0);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { cpuS: ticks / CLK_TCK, rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

interface World {
  built: BuiltStation;
  local: StrfryStation;
  peers: TestRelay[];
  /** which peers are reached through a tunnel */
  tunnel: boolean[];
  kubo: KuboStandin;
  members: Keypair[];
  dataDir: string;
  stop(): Promise<void>;
}

async function world(): Promise<World> {
  const peers = await Promise.all([0, 1, 2, 3].map((i) => TestRelay.start({ name: `peer ${i}` })));
  const tunnel = [false, false, true, true];
  const built = await buildStation({
    seed: 'bench-live',
    peers: peers.map((p, i) => (tunnel[i] ? { hostname: `tunnel-${i}` } : { hostname: `lan-${i}`, relayUrl: p.url })),
    members: { emails: 20 },
    amisOfAmis: 200,
  });
  const kubo = await KuboStandin.start({ peerId: built.self.peerId });
  built.peers.forEach((p, i) => {
    if (tunnel[i]) kubo.registerPeer(p.peerId, { host: '127.0.0.1', port: peers[i]!.port });
  });
  const dir = await mkdtemp(join(tmpdir(), 'bench-live-'));
  const local = await startStrfryStation(join(dir, 'strfry'));
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ directRelays: peers.filter((_, i) => !tunnel[i]).map((p) => p.url), fallbackRelays: [], verify: false }));
  return {
    built, local, peers, tunnel, kubo, dataDir,
    members: [...Object.values(built.keys.users), ...built.keys.amis],
    stop: async () => {
      await kubo.stop();
      await local.stop();
      await Promise.all(peers.map((p) => p.stop()));
      await built.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `constellation live --json` on the world; resolves once all four links are connected. */
async function startEngine(w: World): Promise<{ child: ChildProcess; stderr: () => string }> {
  const extra = process.env.BENCH_LIVE_NOSHARE ? ['--no-share'] : [];
  const child = spawn(join(REPO, 'node_modules', '.bin', 'node'), [join(REPO, 'bin', 'constellation.mjs'), 'live', '--json', ...extra], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, NO_COLOR: '1', CONSTELLATION_DEMO: undefined,
      CONSTELLATION_ZEN_ROOT: w.built.root, CONSTELLATION_DATA_DIR: w.dataDir, CONSTELLATION_KUBO_API: w.kubo.url,
      CONSTELLATION_RELAY_URL: w.local.relayUrl, CONSTELLATION_STRFRY_BIN: w.local.strfryBin, CONSTELLATION_STRFRY_CONF: w.local.strfryConf,
    },
  });
  let err = '';
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const connected = (): Set<string> => {
    const up = new Set<string>();
    for (const l of err.split('\n')) {
      if (!l.startsWith('{')) continue;
      const j = JSON.parse(l) as { type?: string; peer?: string; state?: string };
      if (j.type === 'peer' && j.peer) {
        if (j.state === 'connected') up.add(j.peer);
        else up.delete(j.peer);
      }
    }
    return up;
  };
  await until(() => out.includes('"ready"') || child.exitCode !== null, 'the ready line', 90_000);
  if (child.exitCode !== null) throw new Error(`constellation live exited: ${err.slice(-2000)}`);
  await until(() => connected().size === 4, 'the four links', 60_000);
  return { child, stderr: () => err };
}

async function stopEngine(child: ChildProcess): Promise<number> {
  const t0 = Date.now();
  const done = new Promise<void>((r) => child.once('close', () => r()));
  child.kill('SIGTERM');
  await done;
  return Date.now() - t0;
}

/** A strfry stand-in import of one event, the cost of a process start (median of 5). */
async function standinImportMs(local: StrfryStation): Promise<number> {
  const store = new StrfryStore(local.strfryBin, local.strfryConf);
  const k = keyFromSeed('bench-live-standin');
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await store.import([note(k, `standin ${i} ${Date.now()}`)], { verify: false });
    times.push(performance.now() - t0);
  }
  return pct(times, 0.5);
}

async function main(): Promise<void> {
  const load0 = loadavg();
  const w = await world();
  const localSub = await Client.open(w.local.relayUrl);
  localSub.subscribeNew();
  const peerSubs = await Promise.all(w.peers.map((p) => Client.open(p.url)));
  for (const s of peerSubs) s.subscribeNew();
  const pubs = await Promise.all(w.peers.map((p) => Client.open(p.url)));
  const localPub = await Client.open(w.local.relayUrl);
  const eng = await startEngine(w);
  const pid = eng.child.pid!;
  let seq = 0;
  const fresh = (k: Keypair, what: string): NostrEvent => note(k, `${what} ${seq++} ${Date.now()}`);
  try {
    // ---- idle: the four links up, nothing happening (after the first catch-ups settled)
    await sleep(5000);
    const a = await procFigures(pid);
    const t0 = Date.now();
    await sleep(IDLE_S * 1000);
    const b = await procFigures(pid);
    const idleCpuPct = (100 * (b.cpuS - a.cpuS)) / ((Date.now() - t0) / 1000);
    console.log(`idle ${IDLE_S} s: CPU ${idleCpuPct.toFixed(2)} % of a core, RSS ${(b.rssBytes / 1048576).toFixed(0)} MB (peak ${(b.hwmBytes / 1048576).toFixed(0)} MB)`);

    // ---- down: a peer's OK → readable on the local relay, direct and tunnel
    const down: Record<'lan' | 'tunnel', number[]> = { lan: [], tunnel: [] };
    for (let i = 0; i < PER_ROUTE; i++) {
      for (const route of ['lan', 'tunnel'] as const) {
        const idx = w.tunnel.map((t, j) => (t === (route === 'tunnel') ? j : -1)).filter((j) => j >= 0)[i % 2]!;
        const e = fresh(w.members[i % w.members.length]!, `down ${route}`);
        const okAt = await pubs[idx]!.publish(e);
        await until(() => localSub.arrivals.has(e.id), `down ${route} ${i}`, 30_000);
        down[route].push(localSub.arrivals.get(e.id)! - okAt);
      }
      await sleep(150);
    }
    console.log(`down: lan p50 ${pct(down.lan, 0.5)} ms p95 ${pct(down.lan, 0.95)} ms; tunnel p50 ${pct(down.tunnel, 0.5)} ms p95 ${pct(down.tunnel, 0.95)} ms`);

    // ---- up: a member's note written locally → readable on each peer
    const up: Record<'lan' | 'tunnel', number[]> = { lan: [], tunnel: [] };
    for (let i = 0; i < (process.env.BENCH_LIVE_NOSHARE ? 0 : Math.max(5, Math.floor(PER_ROUTE / 2))); i++) {
      const e = fresh(w.members[i % w.members.length]!, 'up');
      const okAt = await localPub.publish(e);
      await until(() => peerSubs.every((s) => s.arrivals.has(e.id)), `up ${i}`, 30_000);
      peerSubs.forEach((s, j) => up[w.tunnel[j] ? 'tunnel' : 'lan'].push(s.arrivals.get(e.id)! - okAt));
      await sleep(150);
    }
    console.log(`up: lan p50 ${pct(up.lan, 0.5)} ms p95 ${pct(up.lan, 0.95)} ms; tunnel p50 ${pct(up.tunnel, 0.5)} ms p95 ${pct(up.tunnel, 0.95)} ms`);

    // ---- sustained: a burst written into the four peers' databases at once (as their own `strfry import` or
    // router would: the bench's relays then stream it without checking each EVENT's signature in JavaScript,
    // which would measure them, not the engine), until all of it is readable locally
    const burst = Array.from({ length: BURST }, (_, i) => fresh(w.members[i % w.members.length]!, 'burst'));
    const b0 = Date.now();
    await Promise.all(w.peers.map((p, j) => p.seed(burst.filter((_, i) => i % 4 === j))));
    await until(() => burst.every((e) => localSub.arrivals.has(e.id)), 'the burst', 120_000);
    const burstMs = Math.max(...burst.map((e) => localSub.arrivals.get(e.id)!)) - b0;
    const sustained = BURST / (burstMs / 1000);
    const after = await procFigures(pid);
    console.log(`sustained: ${BURST} events in ${burstMs} ms = ${sustained.toFixed(0)} events/s; RSS after ${(after.rssBytes / 1048576).toFixed(0)} MB`);

    const stopMs = await stopEngine(eng.child);
    const spawnMs = await standinImportMs(w.local);
    const round = (n: number, d = 0): number => Number(n.toFixed(d));
    const ratio = (v: number): number => round(HOURLY_AVERAGE_DELAY_MS / Math.max(1, v), 0);
    const row = (figure: string, value: number, unit: string, extra: Record<string, unknown> = {}) => ({ figure, value, unit, baseline: null, ratio: null, target: null, met: null, ...extra });
    const latency = (label: string, values: number[], withTarget: boolean) => [
      row(`${label} p50`, pct(values, 0.5), 'ms', { baseline: HOURLY_AVERAGE_DELAY_MS, ratio: ratio(pct(values, 0.5)) }),
      row(`${label} p95`, pct(values, 0.95), 'ms', withTarget ? { target: '≤ 1000 ms', met: pct(values, 0.95) <= 1000 } : {}),
      row(`${label} max`, Math.max(...values), 'ms'),
    ];
    const summary = [
      ...latency('down, direct (LAN): peer OK → readable locally', down.lan, true),
      ...latency('down, tunnel: peer OK → readable locally', down.tunnel, true),
      ...latency('up, direct (LAN): local OK → readable on the peer', up.lan, false),
      ...latency('up, tunnel: local OK → readable on the peer', up.tunnel, false),
      row(`sustained, ${BURST} events over 4 peers`, round(sustained), 'ev/s'),
      row(`idle, 4 peers, ${IDLE_S} s: engine CPU`, round(idleCpuPct, 2), '% of a core', { target: '< 1 %', met: idleCpuPct < 1 }),
      row('idle: engine RSS', round(b.rssBytes / 1048576), 'MB', { target: '< 150 MB', met: b.rssBytes / 1048576 < 150 }),
      row('hourly backfill: average delay of an event (baseline)', HOURLY_AVERAGE_DELAY_MS, 'ms'),
      row('stop on SIGTERM', stopMs, 'ms', { target: '< 2000 ms', met: stopMs < 2000 }),
      row('stand-in `strfry import` of one event (a Node start-up; strfry: milliseconds)', round(spawnMs), 'ms'),
    ];
    const result = {
      at: new Date().toISOString(), cores: cpus().length, loadBefore: load0, loadAfter: loadavg(),
      idle: { seconds: IDLE_S, cpuPct: idleCpuPct, rssBytes: b.rssBytes, hwmBytes: b.hwmBytes },
      down, up, burst: { events: BURST, ms: burstMs, eventsPerSec: sustained, rssAfterBytes: after.rssBytes }, stopMs, standinImportMs: spawnMs,
      baselineHourlyDelayMs: HOURLY_AVERAGE_DELAY_MS, summary,
    };
    await mkdir(join(REPO, 'bench', 'results'), { recursive: true });
    await writeFile(join(REPO, 'bench', 'results', 'live.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nlive sync — ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const r of summary) {
      const base = r.baseline === null ? '' : `  (hourly backfill ${r.baseline} ms: ${r.ratio}× sooner)`;
      const tgt = r.target ? `  target ${r.target}: ${r.met ? 'met' : 'NOT met'}` : '';
      console.log(`${r.figure.padEnd(74)} ${String(r.value).padStart(9)} ${r.unit}${base}${tgt}`);
    }
    console.log('wrote bench/results/live.json');
  } finally {
    if (eng.child.exitCode === null) eng.child.kill('SIGKILL');
    for (const c of [localSub, localPub, ...peerSubs, ...pubs]) c.close();
    await w.stop();
  }
}

await main();
