/**
 * The embedded demo constellation: for a newcomer without an Astroport station (or with `--demo`), a whole
 * constellation on this machine, inside `<dataDir>/demo/`:
 *   relays/<peer>.sqlite                        the peers' relays
 *   relays/strfry/                              the station's own strfry: strfry.conf + strfry-db/, used through
 *                                               the devkit's strfry CLI stand-in (imports at CLI speed) and
 *                                               served over WebSocket by a relay on the same database
 *   zen/                                        the demo station root (cards, members, amisOfAmis)
 *   app/                                        the engine's data folder in demo mode (settings, history, …)
 *   generated.json                              generation marker (version, seed, time, counts)
 *   running.json                                which process serves the demo now, and how to reach it
 * Relays are the devkit's real relay (TestRelay, SQLite on disk so the demo persists); one peer is reachable
 * only through the kubo stand-in, so tunnels show. Everything listens on 127.0.0.1; nothing leaves the machine
 * (fallbackRelays is [] — never a public relay).
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SettingsPatch } from '../shared/schemas';
import { buildStation, KuboStandin, moatsText, peerIdFromSeed, startStrfryStation, strfryStandinPath, TestRelay } from '../devkit';
import { checkRelay } from '../core/info';
import type { Logger } from '../core/log';
import { writeFileAtomic } from '../core/util/fs';
import { pidAlive } from '../core/util/process';
import { generateEvents } from './generate';
import { DEMO_PEERS, DEMO_SEED, makePlan, SELF_HOSTNAME } from './plan';

export { DEMO_PEERS, DEMO_SEED, makePlan } from './plan';
export { demoWanted, demoAppDir } from './decide';
export { demoLaunch, type DemoLaunch } from './launch';

/** Bump when the generated constellation changes shape: older demo data is then regenerated. */
export const DEMO_VERSION = 3;
/** The notes span a week: after this long they would have left the sync window, so the demo is regenerated. */
const REGENERATE_AFTER_S = 6 * 86_400;
/** Peers' beacons go stale after 12 h: the demo keeps its own fresh while it runs. */
const MOATS_REFRESH_MS = 30 * 60_000;

export const demoDir = (dataDir: string): string => join(dataDir, 'demo');

export interface DemoMarker {
  version: number;
  seed: string;
  /** Unix seconds of the generation. */
  generatedAt: number;
  events: number;
  members: number;
}

export interface DemoHandle {
  /** Launch overrides that point the engine at the demo (never saved). */
  overrides: SettingsPatch;
  /** True when another live process already serves this demo and its relays are reused. */
  shared: boolean;
  /** What runs (for logs and tests). */
  relays: Array<{ name: string; url: string; route: 'direct' | 'tunnel' | 'local' }>;
  kuboUrl: string;
  stop(): Promise<void>;
}

interface RunningFile {
  pid: number;
  startedAt: number;
  overrides: SettingsPatch;
  relays: DemoHandle['relays'];
  kuboUrl: string;
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** A demo another live process serves (e.g. `serve --demo` while `sync --demo` runs): reuse its relays. */
async function liveDemo(dir: string, log: Logger): Promise<DemoHandle | null> {
  const running = await readJson<RunningFile>(join(dir, 'running.json'));
  if (!running || running.pid === process.pid || !pidAlive(running.pid) || !running.overrides.relayUrl) return null;
  const check = await checkRelay(running.overrides.relayUrl, 2_000);
  if (!check.reachable) return null;
  log.info(`demo: reusing the demo constellation served by process ${running.pid}`);
  return { overrides: running.overrides, shared: true, relays: running.relays, kuboUrl: running.kuboUrl, stop: async () => undefined };
}

/** Empties the demo engine's state (history, per-peer sync memory, tunnel records) after a regeneration. */
async function resetAppState(dir: string): Promise<void> {
  const app = join(dir, 'app');
  let names: string[] = [];
  try {
    names = await readdir(app);
  } catch {
    return;
  }
  // The demo's own settings stay: the captain may have changed some while trying the app.
  await Promise.all(names.filter((n) => n !== 'settings.json').map((n) => rm(join(app, n), { recursive: true, force: true })));
}

/**
 * The demo station's own relay. With the strfry CLI stand-in on disk (sources, CLI through tsx, tests), the
 * engine imports through it like on a real station, and a relay on the same database serves it; without it (an
 * app bundle without sources) the engine publishes to a plain relay over WebSocket: strfry paths that do not
 * exist make it choose that.
 */
async function startLocalRelay(dir: string): Promise<{ relay: TestRelay; strfryBin: string; strfryConf: string; how: string }> {
  const name = 'demo station relay';
  if (strfryStandinPath()) {
    // The demo's hub accounts follow ~900 people: their kind 3 lists pass strfry's default maxEventSize (64 KiB),
    // so the demo station's strfry.conf raises it like the peers' relays (which hold those lists) must have.
    const station = await startStrfryStation(join(dir, 'relays', 'strfry'), { maxEventSize: 131_072, relay: { name: `${name} (strfry stand-in)` } });
    return { relay: station.relay, strfryBin: station.strfryBin, strfryConf: station.strfryConf, how: `strfry CLI stand-in, ${station.strfryConf}` };
  }
  const relay = await TestRelay.start({ dbPath: join(dir, 'relays', 'local.sqlite'), name: `${name} (in place of strfry)` });
  return { relay, strfryBin: join(dir, 'no-strfry', 'strfry'), strfryConf: join(dir, 'no-strfry', 'strfry.conf'), how: 'WebSocket only' };
}

export async function startDemo(opts: { dataDir: string; log: Logger; clock?: () => number }): Promise<DemoHandle> {
  const clock = opts.clock ?? Date.now;
  const log = opts.log;
  const dir = demoDir(opts.dataDir);
  await mkdir(join(dir, 'relays'), { recursive: true });
  const shared = await liveDemo(dir, log);
  if (shared) return shared;

  const nowSec = Math.floor(clock() / 1000);
  const marker = await readJson<DemoMarker>(join(dir, 'generated.json'));
  const upToDate = marker !== null && marker.version === DEMO_VERSION && marker.seed === DEMO_SEED && nowSec - marker.generatedAt < REGENERATE_AFTER_S;
  if (!upToDate) {
    await rm(join(dir, 'generated.json'), { force: true });
    await rm(join(dir, 'relays'), { recursive: true, force: true });
    await mkdir(join(dir, 'relays'), { recursive: true });
    await resetAppState(dir);
  }

  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stoppers.splice(0).reverse()) await s().catch((err: unknown) => log.warn(`demo: stopping: ${(err as Error).message}`));
  };
  try {
    const local = await startLocalRelay(dir);
    stoppers.push(() => local.relay.stop());
    const peerRelays: TestRelay[] = [];
    for (const p of DEMO_PEERS) {
      const relay = await TestRelay.start({ dbPath: join(dir, 'relays', `${p.name}.sqlite`), nip77: p.nip77, name: `${p.name} (demo peer relay)` });
      stoppers.push(() => relay.stop());
      peerRelays.push(relay);
    }

    const selfPeerId = peerIdFromSeed(`${DEMO_SEED}:self`);
    const plan = makePlan(DEMO_SEED, selfPeerId);
    // The station folder is rewritten at every start: relay ports are new, beacons fresh.
    const station = await buildStation({
      root: join(dir, 'zen'),
      seed: DEMO_SEED,
      now: nowSec,
      self: { hostname: SELF_HOSTNAME, relayUrl: 'ws://127.0.0.1:7777' },
      peers: DEMO_PEERS.map((p, i) => ({
        // The tunnel-only peer advertises its own loopback, like a station behind a NAT.
        relayUrl: p.tunnelOnly ? 'ws://127.0.0.1:7777' : (peerRelays[i] as TestRelay).url,
        hostname: p.hostname,
        extra: { IPCity: p.city, STATION_LAT: p.lat, STATION_LON: p.lon },
      })),
      members: { emails: plan.emails, secrets: false, hidden: false },
      amisOfAmis: plan.amisOfAmis,
    });
    if (station.self.peerId !== selfPeerId) throw new Error('demo: the station builder derived another PeerID than the plan');

    const kubo = await KuboStandin.start({ peerId: selfPeerId, ownTarget: `/ip4/127.0.0.1/tcp/${local.relay.port}` });
    stoppers.push(() => kubo.stop());
    DEMO_PEERS.forEach((p, i) => {
      if (p.tunnelOnly) kubo.registerPeer((station.peers[i] as { peerId: string }).peerId, { host: '127.0.0.1', port: (peerRelays[i] as TestRelay).port });
    });

    if (!upToDate) {
      const started = clock();
      const events = await generateEvents(plan, nowSec);
      for (const [i, relay] of peerRelays.entries()) await relay.seed(events.peers[i] ?? []);
      await local.relay.seed(events.local);
      await mkdir(join(dir, 'app'), { recursive: true });
      // A week of notes: the demo's window is a week (saved, so the captain can change it in Settings).
      const settingsPath = join(dir, 'app', 'settings.json');
      if ((await readJson(settingsPath)) === null) await writeFileAtomic(settingsPath, `${JSON.stringify({ days: 7 }, null, 2)}\n`);
      const m: DemoMarker = { version: DEMO_VERSION, seed: DEMO_SEED, generatedAt: nowSec, events: events.total, members: plan.people.length };
      await writeFileAtomic(join(dir, 'generated.json'), `${JSON.stringify(m, null, 2)}\n`);
      log.info(`demo: generated ${events.total} events of ${plan.people.length} people in ${Math.round(clock() - started)} ms`);
    }

    const refresh = setInterval(() => {
      const t = Math.floor(clock() / 1000) - 60;
      for (const p of station.peers) void writeFile(join(p.dir, '_MySwarm.moats'), moatsText(t, 'unix')).catch(() => undefined);
    }, MOATS_REFRESH_MS);
    refresh.unref();
    stoppers.push(async () => clearInterval(refresh));

    const direct = DEMO_PEERS.flatMap((p, i) => (p.tunnelOnly ? [] : [(peerRelays[i] as TestRelay).url]));
    const overrides: SettingsPatch = {
      zenRoot: station.root,
      relayUrl: local.relay.url,
      kuboApi: kubo.url,
      fallbackRelays: [],
      directRelays: direct,
      strfryBin: local.strfryBin,
      strfryConf: local.strfryConf,
    };
    const relays: DemoHandle['relays'] = [
      { name: 'local', url: local.relay.url, route: 'local' },
      ...DEMO_PEERS.map((p, i) => ({ name: p.name, url: (peerRelays[i] as TestRelay).url, route: p.tunnelOnly ? ('tunnel' as const) : ('direct' as const) })),
    ];
    const running: RunningFile = { pid: process.pid, startedAt: clock(), overrides, relays, kuboUrl: kubo.url };
    await writeFileAtomic(join(dir, 'running.json'), `${JSON.stringify(running, null, 2)}\n`);
    stoppers.unshift(async () => {
      const now = await readJson<RunningFile>(join(dir, 'running.json'));
      if (now?.pid === process.pid) await rm(join(dir, 'running.json'), { force: true });
    });
    log.info(`demo: ${DEMO_PEERS.length} peer relays, the station relay ${local.relay.url} (${local.how}) and kubo ${kubo.url} on 127.0.0.1`);
    let stopped: Promise<void> | null = null;
    return { overrides, shared: false, relays, kuboUrl: kubo.url, stop: () => (stopped ??= stopAll()) };
  } catch (err) {
    await stopAll();
    throw new Error(`demo constellation in ${dir} could not start: ${(err as Error).message}`, { cause: err });
  }
}
