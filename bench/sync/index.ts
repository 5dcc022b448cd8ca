/**
 * Sync benchmark (not a test): `npx tsx bench/sync/index.ts` — prints a table and writes bench/results/sync.json.
 *
 * On the same generated data (a peer relay with max_limit 500, reached through the kubo stand-in's tunnel):
 *   - this engine, cold (empty local relay) and steady state (nothing new), NIP-77 path;
 *   - the old script's method: one REQ per author batch (100 authors) with `since` one day back and
 *     `limit` 10000, no paging, cold and steady;
 * as events/s, bytes, wall time and completeness; then the engine's peak RSS during a BENCH_BIG-event sync
 * (default 100,000). Sizes: BENCH_EVENTS (default 20,000), BENCH_BIG. Only 127.0.0.1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../../src/core/engine';
import { DEFAULT_TIMEOUTS, makeConfig } from '../../src/core/config';
import { RelayConnection } from '../../src/core/nostr';
import { KuboStandin, TestRelay, buildStation, manyNotes, type BuiltStation, type Keypair, type NostrEvent } from '../../src/devkit';
import { DEFAULT_KINDS } from '../../src/shared/kinds';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

const NOW = Math.floor(Date.now() / 1000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const BIG = Number(process.env.BENCH_BIG ?? 100_000);

interface Row { method: string; phase: string; events: number; bytes: number; wallMs: number; eventsPerSec: number; completeness: number }

async function world(total: number): Promise<{ built: BuiltStation; peer: TestRelay; kubo: KuboStandin; authors: Keypair[]; ids: Set<string>; stop: () => Promise<void> }> {
  const built = await buildStation({ seed: `bench-${total}`, peers: 1, members: { emails: 20 }, amisOfAmis: 30 });
  const authors = [...Object.values(built.keys.users), ...built.keys.amis];
  const peer = await TestRelay.start({ maxLimit: 500 });
  const per = Math.ceil(total / authors.length);
  const events = (await manyNotes(authors, per, { seed: 'bench', since: NOW - 80_000, until: NOW - 60 })).slice(0, total);
  await peer.seed(events);
  const kubo = await KuboStandin.start();
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

async function engineRun(w: Awaited<ReturnType<typeof world>>, local: TestRelay, dataDir: string): Promise<{ ms: number; bytes: number; imported: number; fetched: number }> {
  const engine = new Engine(makeConfig({
    dataDir, home: dataDir,
    overrides: { zenRoot: w.built.root, relayUrl: local.url, kuboApi: w.kubo.url, fallbackRelays: [] },
    timeouts: { ...DEFAULT_TIMEOUTS, idle: 10_000 },
  }));
  await engine.start();
  try {
    const t0 = performance.now();
    const { done } = await engine.sync.start({ noProfiles: true, days: 1 });
    const r = await done;
    return { ms: performance.now() - t0, bytes: r.bytesIn + r.bytesOut, imported: r.imported, fetched: r.peers.reduce((a, p) => a + p.fetched, 0) };
  } finally {
    await engine.stop();
  }
}

/** The old script: one REQ per batch of 100 authors, since one day back, limit 10000, no paging; then import. */
async function oldRun(w: Awaited<ReturnType<typeof world>>, local: TestRelay): Promise<{ ms: number; bytes: number; got: Set<string> }> {
  const t0 = performance.now();
  const forward = await fetch(`${w.kubo.url}/api/v0/p2p/forward?arg=/x/strfry-${w.built.peers[0]!.peerId}&arg=/ip4/127.0.0.1/tcp/39999&arg=/p2p/${w.built.peers[0]!.peerId}`, { method: 'POST' });
  const url = forward.ok ? 'ws://127.0.0.1:39999' : w.peer.url;
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
  const bytes = conn.bytesIn + conn.bytesOut;
  conn.close();
  await fetch(`${w.kubo.url}/api/v0/p2p/close?listen-address=/ip4/127.0.0.1/tcp/39999`, { method: 'POST' });
  const pub = await RelayConnection.connect(local.url);
  await Promise.all(Array.from({ length: 64 }, async (_, k) => {
    for (let i = k; i < events.length; i += 64) await pub.publish(events[i]!);
  }));
  pub.close();
  return { ms: performance.now() - t0, bytes, got };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const w = await world(EVENTS);
  const tmp = await mkdtemp(join(tmpdir(), 'bench-sync-'));
  try {
    const local = await TestRelay.start();
    const cold = await engineRun(w, local, join(tmp, 'engine'));
    const heldCold = await local.count({});
    rows.push({ method: 'engine', phase: 'cold', events: cold.imported, bytes: cold.bytes, wallMs: cold.ms, eventsPerSec: cold.imported / (cold.ms / 1000), completeness: heldCold / w.ids.size });
    const steady = await engineRun(w, local, join(tmp, 'engine'));
    rows.push({ method: 'engine', phase: 'steady', events: steady.imported, bytes: steady.bytes, wallMs: steady.ms, eventsPerSec: 0, completeness: (await local.count({})) / w.ids.size });
    await local.stop();
    const local2 = await TestRelay.start();
    const oc = await oldRun(w, local2);
    rows.push({ method: 'old script', phase: 'cold', events: oc.got.size, bytes: oc.bytes, wallMs: oc.ms, eventsPerSec: oc.got.size / (oc.ms / 1000), completeness: oc.got.size / w.ids.size });
    const os = await oldRun(w, local2);
    rows.push({ method: 'old script', phase: 'steady', events: 0, bytes: os.bytes, wallMs: os.ms, eventsPerSec: 0, completeness: os.got.size / w.ids.size });
    await local2.stop();
  } finally {
    await w.stop();
  }

  // memory during a big cold sync
  let peakRss = 0;
  let big: { ms: number; imported: number } | null = null;
  if (BIG > 0) {
    const wb = await world(BIG);
    const local = await TestRelay.start();
    const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    try {
      const r = await engineRun(wb, local, join(tmp, 'big'));
      big = { ms: r.ms, imported: r.imported };
    } finally {
      clearInterval(timer);
      await local.stop();
      await wb.stop();
    }
  }
  await rm(tmp, { recursive: true, force: true });

  const f = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d });
  console.log(`sync benchmark: ${f(EVENTS)} matching events on one peer (max_limit 500), through a tunnel`);
  console.log('method      phase   events    bytes         wall ms   events/s  complete');
  for (const r of rows) console.log(`${r.method.padEnd(11)} ${r.phase.padEnd(7)} ${f(r.events).padStart(8)} ${f(r.bytes).padStart(13)} ${f(r.wallMs).padStart(9)} ${f(r.eventsPerSec).padStart(9)} ${(100 * r.completeness).toFixed(1).padStart(7)}%`);
  const e = (m: string, p: string): Row => rows.find((r) => r.method === m && r.phase === p)!;
  const steadyRatio = e('old script', 'steady').bytes / Math.max(1, e('engine', 'steady').bytes);
  console.log(`steady-state bytes: old / engine = ${steadyRatio.toFixed(1)}x (target >= 20x)`);
  console.log(`cold speed: engine ${f(e('engine', 'cold').eventsPerSec)} events/s (target >= 5,000); completeness engine ${(100 * e('engine', 'cold').completeness).toFixed(1)}% vs old ${(100 * e('old script', 'cold').completeness).toFixed(1)}%`);
  if (big) console.log(`big sync: ${f(big.imported)} events in ${f(big.ms)} ms, peak RSS ${(peakRss / 1048576).toFixed(0)} MB (process, incl. relays; target < 300 MB)`);
  await mkdir(join('bench', 'results'), { recursive: true });
  await writeFile(join('bench', 'results', 'sync.json'), JSON.stringify({ at: new Date().toISOString(), events: EVENTS, rows, steadyRatio, big: big ? { ...big, peakRssBytes: peakRss, events: BIG } : null }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
