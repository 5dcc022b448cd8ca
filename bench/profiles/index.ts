/**
 * Profile recovery benchmark: 100 members without a profile in the local relay, their profiles (and NOTES notes
 * each) spread over 3 peers (real relays on 127.0.0.1, reached through the kubo stand-in's tunnels).
 *
 *   engine : the profile phase (`ProfileService.recover`): one probe per peer, then a full sync of each member
 *            from the peer holding its profile, `profileConcurrency` (3) at once, one connection per peer.
 *   old    : the old script's method, one member at a time: for each member, ask each peer in turn
 *            (a new connection per request, `{"kinds":[…],"authors":[hex],"since":0,"limit":10000}`), stop at the
 *            first that gives a kind 0, import what came.
 * Every byte to and from a peer goes through a proxy adding DELAY_MS each way (a tunnel between stations),
 * the same for both methods. Every relay (peers and the local ones) runs in its own process, as on real stations.
 *
 * Run: `npx tsx bench/profiles/index.ts`. Prints a table and writes bench/results/profiles.json.
 * Never contacts anything but 127.0.0.1 (fallback relays are disabled).
 */
import { spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KINDS } from '../../src/shared/kinds';
import { Engine } from '../../src/core/engine';
import { makeConfig } from '../../src/core/config';
import { RelayConnection, pageEvents } from '../../src/core/nostr';
import { RelayStore } from '../../src/core/store';
import type { NostrEvent } from '../../src/core/services';
import { KuboStandin, buildStation, signMany, type Keypair } from '../../src/devkit';

const MISSING = 100;
const NOTES = 5;
const PEERS = 3;
/** One-way delay added to every byte to and from a peer (a p2p tunnel between stations is rarely faster). */
const DELAY_MS = 20;
/** `--verbose`: print the engine's log lines (per-member timings). */
const VERBOSE = process.argv.includes('--verbose');
const HERE = dirname(fileURLToPath(import.meta.url));

interface Row {
  method: string;
  ms: number;
  recovered: number;
  imported: number;
  requests: number;
}

/**
 * A TCP proxy on 127.0.0.1 that delays each chunk by DELAY_MS in both directions, so a round trip to a peer costs
 * what it costs between stations. Both methods go through it.
 */
async function delayProxy(targetPort: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const pipe = (from: Socket, to: Socket): void => {
      from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), DELAY_MS));
      from.on('end', () => setTimeout(() => to.end(), DELAY_MS));
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        setTimeout(() => to.destroy(), DELAY_MS + 5);
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const seedDirs: string[] = [];

/** A relay in a child process (see relay-process.ts); `count` asks it over the wire. */
async function childRelay(seed: readonly NostrEvent[] = []): Promise<{ url: string; port: number; stop: () => Promise<void> }> {
  const node = resolve(HERE, '..', '..', 'node_modules', '.bin', 'node');
  const args = ['--import', 'tsx', join(HERE, 'relay-process.ts')];
  if (seed.length > 0) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-seed-'));
    seedDirs.push(dir);
    const file = join(dir, 'events.jsonl');
    await writeFile(file, seed.map((e) => JSON.stringify(e)).join('\n') + '\n');
    args.push(file);
  }
  const child = spawn(node, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const [url, port] = await new Promise<[string, number]>((ok, fail) => {
    let out = '';
    child.once('exit', (code) => fail(new Error(`bench relay process exited (${code}) before it was ready`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+) (\d+)/.exec(out);
      if (m) ok([m[1] as string, Number(m[2])]);
    });
  });
  return {
    url,
    port,
    stop: () =>
      new Promise<void>((ok) => {
        child.once('exit', () => ok());
        child.stdin.end();
      }),
  };
}

/** Events of these authors held by the relay at `url`. */
async function countAt(url: string, authors: readonly string[]): Promise<number> {
  const conn = await RelayConnection.connect(url);
  try {
    let n = 0;
    for await (const _ of pageEvents(conn, { authors: [...authors] }, { pageSize: 500 })) n++;
    return n;
  } finally {
    conn.close();
  }
}

async function peerEvents(keys: readonly Keypair[], now: number): Promise<NostrEvent[][]> {
  const items: Array<{ key: Keypair; template: { kind: number; created_at: number; tags: string[][]; content: string } }> = [];
  for (const key of keys) {
    items.push({ key, template: { kind: 0, created_at: now - 1000, tags: [], content: JSON.stringify({ name: `member-${key.pk.slice(0, 6)}`, about: 'bench' }) } });
    for (let n = 0; n < NOTES; n++) items.push({ key, template: { kind: 1, created_at: now - 2000 - n * 3600, tags: [], content: `note ${n}` } });
  }
  const events = await signMany(items);
  // Member i lives on peer i % 3 (so the old method asks 2 peers on average).
  return Array.from({ length: PEERS }, (_, i) => events.filter((e) => keys.findIndex((k) => k.pk === e.pubkey) % PEERS === i));
}

/** The old script's way: sequential, one connection per (member, peer) request, stop at the first kind 0. */
async function oldMethod(keys: readonly Keypair[], peerUrls: readonly string[], store: RelayStore): Promise<Row> {
  const started = performance.now();
  let recovered = 0;
  let imported = 0;
  let requests = 0;
  const kinds = [...DEFAULT_KINDS];
  for (const key of keys) {
    for (const url of peerUrls) {
      requests++;
      const conn = await RelayConnection.connect(url, { timeoutMs: 5000 });
      const got: NostrEvent[] = [];
      try {
        for await (const e of conn.req([{ kinds, authors: [key.pk], since: 0, limit: 10000 }], { idleMs: 10_000 })) got.push(e);
      } finally {
        conn.close();
      }
      if (got.length > 0) imported += (await store.import(got, { verify: false })).added;
      if (got.some((e) => e.kind === 0)) {
        recovered++;
        break;
      }
    }
  }
  return { method: 'old script (sequential)', ms: performance.now() - started, recovered, imported, requests };
}

async function main(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const built = await buildStation({
    peers: PEERS,
    members: { emails: 2, captain: false, umaps: [], unode: false, sector: false, region: false },
    amisOfAmis: MISSING,
  });
  const kubo = await KuboStandin.start();
  const locals: Array<{ stop: () => Promise<void> }> = [];
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-profiles-'));
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const missing = built.keys.amis;
    const peers = await Promise.all((await peerEvents(missing, now)).map((events) => childRelay(events)));
    locals.push(...peers);
    const proxies = await Promise.all(peers.map((p) => delayProxy(p.port)));
    cleanups.push(() => Promise.all(proxies.map((p) => p.close())));
    built.peers.forEach((p, i) => kubo.registerPeer(p.peerId, { host: '127.0.0.1', port: (proxies[i] as { port: number }).port }));

    // Engine: a fresh local relay holding nothing for the missing members.
    const localEngine = await childRelay();
    locals.push(localEngine);
    const engine = new Engine(
      makeConfig({
        dataDir,
        home: dataDir,
        overrides: { zenRoot: built.root, relayUrl: localEngine.url, kuboApi: kubo.url, fallbackRelays: [], profileConcurrency: 3 },
      }),
      VERBOSE ? { echo: (l) => console.log(`  [${l.level}] ${l.msg}`) } : {},
    );
    await engine.start();
    let engineRow: Row;
    try {
      const state = await engine.station.state();
      const started = performance.now();
      const report = await engine.profiles.recover({ state, signal: new AbortController().signal, dryRun: false, onProgress: () => undefined });
      const ms = performance.now() - started;
      const imported = await countAt(localEngine.url, missing.map((k) => k.pk));
      const forwards = kubo.calls.filter((c) => c.path.endsWith('/p2p/forward')).length;
      engineRow = { method: 'engine (probe + 3 at once)', ms, recovered: report.recovered, imported, requests: forwards };
    } finally {
      await engine.stop();
    }

    // Old method: another fresh local relay; peers reached at their proxies without kubo (an advantage for it).
    const localOld = await childRelay();
    locals.push(localOld);
    const store = new RelayStore(localOld.url, makeConfig().timeouts);
    let oldRow: Row;
    try {
      oldRow = await oldMethod(missing, proxies.map((p) => `ws://127.0.0.1:${p.port}`), store);
    } finally {
      await store.close();
    }

    const ratio = oldRow.ms / engineRow.ms;
    const fmt = (r: Row): string =>
      `${r.method.padEnd(28)} ${r.ms.toFixed(0).padStart(8)} ms ${String(r.recovered).padStart(10)} ${String(r.imported).padStart(9)} ${String(r.requests).padStart(9)}`;
    console.log(`\nProfile recovery: ${MISSING} missing members, ${NOTES} notes each, spread over ${PEERS} peers, ${DELAY_MS} ms each way to a peer\n`);
    console.log(`${'method'.padEnd(28)} ${'wall time'.padStart(11)} ${'recovered'.padStart(10)} ${'events'.padStart(9)} ${'conns*'.padStart(9)}`);
    console.log(fmt(engineRow));
    console.log(fmt(oldRow));
    console.log(`\nspeed-up: ${ratio.toFixed(1)}× (old / engine)`);
    console.log('* engine: tunnels opened (one per peer, shared by every member); old: connections opened (one per request)\n');
    const out = resolve(HERE, '..', 'results', 'profiles.json');
    await mkdir(dirname(out), { recursive: true });
    await writeFile(
      out,
      JSON.stringify({ date: new Date().toISOString(), delayMsEachWay: DELAY_MS, missing: MISSING, notesEach: NOTES, peers: PEERS, engine: engineRow, old: oldRow, speedup: ratio }, null, 2) + '\n',
    );
    console.log(`written: ${out}`);
    if (engineRow.recovered !== MISSING || oldRow.recovered !== MISSING) {
      throw new Error(`incomplete recovery: engine ${engineRow.recovered}, old ${oldRow.recovered} of ${MISSING}`);
    }
  } finally {
    for (const c of cleanups) await c();
    await Promise.all(locals.map((r) => r.stop()));
    await kubo.stop();
    await built.cleanup();
    await rm(dataDir, { recursive: true, force: true });
    for (const d of seedDirs) await rm(d, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
