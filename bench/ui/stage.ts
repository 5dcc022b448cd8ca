/**
 * The UI bench's stage, shared by the bench (index.ts) and its profiler (profile.ts): the 20,000-node subgraph
 * made by the engine's own graph code, the contract endpoint answering the window's start-up calls, the built
 * renderer and the Chromium to run it in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOutput, type CallName, type EventName } from '../../src/shared/api';
import { defaultSettings, type Subgraph } from '../../src/shared/schemas';
import { reachFromData } from '../../src/core/graph/pure';
import { reverse, type FollowListEvent } from '../../src/core/graph/model';
import { selectSubgraph, withPositions } from '../../src/core/graph/subgraph';
import { computeLayout, layoutIterations } from '../../src/core/graph/layout';
import type { ContractEndpoint } from '../../src/cli/webhost';
import { hexOf, World } from '../graph/data';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NODES = 20_000;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `lists` follow lists from the graph bench's world (1% members covering N1, N1 lists reaching into N2). */
function followLists(lists: number): { members: string[]; events: FollowListEvent[] } {
  const world = new World(lists);
  const events = Array.from({ length: lists }, (_, i): FollowListEvent => ({
    id: hexOf(10 ** 10 + i),
    pubkey: hexOf(i + 1),
    created_at: 1_700_000_000,
    tags: Array.from(world.follows(i), (k) => ['p', hexOf(k + 1)]),
  }));
  return { members: world.members(), events };
}

export function makeSubgraph(): { sub: Subgraph; layoutMs: number } {
  const { members, events } = followLists(1500);
  const t0 = performance.now();
  const r = reachFromData({ members, followLists: events, computedAt: 0 });
  const stations = Array.from({ length: 12 }, (_, i) => ({ id: `12D3KooWBench${String(i).padStart(40, '0')}`, label: `station-${i}.bench`, links: members.slice(i, i + 3) }));
  const src = {
    graph: r.built.graph,
    reverse: reverse(r.built.graph),
    analysis: r.analysis,
    names: new Map(members.map((m, i) => [m, `member ${i}`] as const)),
    stations,
    indexOf: (hex: string) => r.built.index.get(hex),
  };
  const sel = selectSubgraph(src, 2, NODES);
  const iterations = layoutIterations(sel.nodes.length, sel.layout.edges.length / 2);
  const sub = withPositions(sel, computeLayout({ ...sel.layout, iterations }), 0);
  return { sub: parseOutput('graph.subgraph', sub), layoutMs: performance.now() - t0 };
}

/** Answers the calls the window makes when it opens on the Constellation screen; anything else is refused. */
export function benchEndpoint(sub: Subgraph): ContractEndpoint {
  const settings = { ...defaultSettings('/bench-home'), fallbackRelays: [], scheduleEnabled: false, language: 'en' as const };
  const now = Date.now();
  const answers: Partial<Record<CallName, unknown>> = {
    'app.info': {
      name: 'Constellation', version: 'bench', platform: process.platform, arch: process.arch, nodeVersion: process.versions.node,
      host: 'web', stationRoot: settings.zenRoot, stationFound: false, demo: true, dataDir: '/bench-data', peerId: null, peerIdSource: null,
      services: {
        relay: { url: settings.relayUrl, reachable: false, error: 'not started by the UI bench' },
        kubo: { url: settings.kuboApi, reachable: false, error: 'not started by the UI bench' },
        strfry: { bin: settings.strfryBin, binFound: false, conf: settings.strfryConf, confFound: false },
      },
    },
    'settings.get': settings,
    'station.snapshot': {
      root: settings.zenRoot, found: false, takenAt: now,
      self: { peerId: null, source: null, hostname: null, captain: null, captainHex: null, uplanet: null },
      peers: [], members: { count: 0, bySource: { game: 0, amisOfAmis: 0, swarm: 0, flashmem: 0 } }, blacklistCount: 0, problems: [],
    },
    'tunnels.list': [],
    'sync.status': { running: false, progress: null, lastRun: null },
    'schedule.status': { enabled: false, paused: false, intervalMinutes: 60, nextRunAt: null, lastDecision: null },
    'log.tail': [],
    'history.list': [],
    'graph.subgraph': sub,
    // Live sync off, as on a station where the captain has not turned it on (the window asks at start-up).
    'live.status': {
      running: false, reason: 'not started by the UI bench', startedAt: null, share: false,
      local: { connected: false, reason: null }, members: 0, peers: [],
      totals: { imported: 0, duplicates: 0, rejected: 0, dropped: {}, sent: 0 },
    },
  };
  for (const [name, value] of Object.entries(answers)) answers[name as CallName] = parseOutput(name as CallName, value);
  return {
    async call(name: CallName) {
      if (!(name in answers)) throw new Error(`${name}: not served by the UI bench`);
      return answers[name];
    },
    events: { onAny: (_l: (event: EventName, payload: unknown) => void) => () => undefined },
  };
}

/**
 * The built renderer to serve: out/renderer, built when missing. `UI_RENDERER_DIR` serves another build instead
 * (e.g. main's, copied aside), so two builds can be measured alternately under the same load.
 */
export function ensureRenderer(): string {
  const other = process.env.UI_RENDERER_DIR;
  if (other) {
    if (!existsSync(join(other, 'index.html'))) throw new Error(`UI_RENDERER_DIR=${other}: no index.html there`);
    return resolve(other);
  }
  const dir = join(ROOT, 'out', 'renderer');
  if (!existsSync(join(dir, 'index.html'))) {
    console.log('building the renderer (out/renderer is missing)…');
    execFileSync(join(ROOT, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: ROOT, stdio: 'inherit' });
  }
  return dir;
}

export function chromiumVersion(): string {
  const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').trim();
}

/** Headless Chromium as the bench runs it: software GL, nothing in the background. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];
