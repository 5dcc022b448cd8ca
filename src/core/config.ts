import { homedir } from 'node:os';
import { join } from 'node:path';
import { reason, ReasonError } from '../shared/i18n';
import type { SettingsPatch } from '../shared/schemas';
import type { LiveTiming } from './live/timing';
import type { Logger } from './log';
import { systemResolver, type Resolver } from './util/net';

/** Timeouts, all in milliseconds, named so a captain's error message can say which one ran out. */
export interface Timeouts {
  /** a service check (relay, kubo) for app.info */
  serviceCheck: number;
  /** one kubo RPC call */
  kuboRpc: number;
  /** opening a WebSocket to a relay */
  connect: number;
  /** a direct try at a private-LAN relay before falling back to a tunnel */
  lanDirect: number;
  /** a new tunnel whose relay has not answered after this long: kubo is asked in parallel whether it can reach the peer */
  tunnelCheck: number;
  /** that question to kubo (one `ping`): no answer within it means kubo has no way to the peer */
  kuboPing: number;
  /** NIP-11 document fetch */
  nip11: number;
  /** NIP-77 probe (NEG-OPEN answered or not) */
  negProbe: number;
  /** silence on a subscription before it is given up */
  idle: number;
  /** one peer's whole session */
  peer: number;
  /** one member's profile recovery */
  profile: number;
  /** tries per peer in a sync run (a count, not ms: kept here so tests shorten it with the timeouts) */
  peerAttempts: number;
  /** wait before a peer's second try; later tries wait three times longer each */
  retryBackoff: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  serviceCheck: 2_000,
  kuboRpc: 10_000,
  connect: 8_000,
  lanDirect: 2_500,
  tunnelCheck: 500,
  kuboPing: 1_400,
  nip11: 5_000,
  negProbe: 4_000,
  idle: 20_000,
  peer: 15 * 60_000,
  profile: 30_000,
  peerAttempts: 3,
  retryBackoff: 1_000,
};

/** Everything external comes in through this object (DESIGN.md): tests point each part at their own. */
export interface EngineConfig {
  /** The app's own data folder: settings, history, tunnel records, per-peer sync state. */
  dataDir: string;
  /** Launch-level overrides (CLI flags, environment): they win over the saved settings and are not saved. */
  overrides: SettingsPatch;
  /** 'electron' | 'web' | 'cli' */
  host: string;
  clock: () => number;
  /** Resolves peers' relay host names (routes follow what a name resolves to). Tests pass their own. */
  resolve: Resolver;
  timeouts: Timeouts;
  /** Home folder used for defaults (~/.zen). */
  home: string;
  /**
   * Run the embedded demo constellation: asked by the host (`--demo`). The demo itself is not the engine's: the
   * host decides and hands the engine a DemoLauncher (src/demo/launch.ts); the engine then says `demo: true`.
   */
  demo: boolean;
  version: string;
  /** Live sync's tuning (tests shorten its waits); defaults in live/timing.ts. */
  live?: Partial<LiveTiming>;
}

export function defaultDataDir(home = homedir()): string {
  const xdg = process.env.XDG_CONFIG_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(home, '.config'), 'constellation');
}

/**
 * Timeouts from the environment, `CONSTELLATION_TIMEOUTS='{"kuboPing":3000}'` (ms, names as in Timeouts): for a
 * slow machine, or a test running the command. A wrong name or value is refused with the reason.
 */
export function timeoutsFromEnv(text: string | undefined): Partial<Timeouts> {
  if (text === undefined || text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ReasonError(reason('timeouts.notJson', { text: text.slice(0, 80) }));
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ReasonError(reason('timeouts.notObject'));
  const out: Partial<Timeouts> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!(k in DEFAULT_TIMEOUTS)) throw new ReasonError(reason('timeouts.unknown', { name: k, known: Object.keys(DEFAULT_TIMEOUTS) }));
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) throw new ReasonError(reason('timeouts.notPositive', { name: k }));
    out[k as keyof Timeouts] = x;
  }
  return out;
}

export function makeConfig(partial: Partial<EngineConfig> = {}): EngineConfig {
  const home = partial.home ?? homedir();
  return {
    dataDir: partial.dataDir ?? defaultDataDir(home),
    overrides: partial.overrides ?? {},
    host: partial.host ?? 'cli',
    clock: partial.clock ?? Date.now,
    resolve: partial.resolve ?? systemResolver,
    timeouts: { ...DEFAULT_TIMEOUTS, ...timeoutsFromEnv(process.env.CONSTELLATION_TIMEOUTS), ...(partial.timeouts ?? {}) },
    home,
    demo: partial.demo ?? false,
    version: partial.version ?? '0.0.0',
    ...(partial.live ? { live: partial.live } : {}),
  };
}

/** A demo constellation the engine is pointed at: its launch overrides (never saved) and how to stop it. */
export interface RunningDemo {
  overrides: SettingsPatch;
  stop(): Promise<void>;
}

/**
 * How a host starts the demo for the engine. The engine calls it in `start()` (so the demo logs into the
 * engine's log and the window's Log) and stops what it returns in `stop()`, after its own parts, so no run or
 * tunnel outlives the relays it uses. Injected rather than imported: the demo is built from the devkit's
 * stand-ins, which the engine must never import (DESIGN.md).
 */
export interface DemoLauncher {
  start(ctx: { log: Logger; clock: () => number }): Promise<RunningDemo>;
}
