// Issue 10, crash safety: `constellation sync --json` as a real process, killed with SIGKILL at seeded random
// moments of a large sync, ten times. The local store is the strfry CLI stand-in (imports through `strfry
// import`, a relay on the same database), three peers: two behind kubo stand-in tunnels (NIP-77) and one
// reached directly without NIP-77 (REQ paging). The peers start with 3.2k events (CRASH_INITIAL_PER_AUTHOR × 8: 2500 gives
// the 20k of a cold sync of several seconds) and receive 320 more before each later cycle (CRASH_CYCLE_PER_AUTHOR × 8).
//
// Each cycle: a run is killed (right after it takes the lock, mid-import at a random share of the new events,
// or just after the last import, while it saves its state), then the next run must exit 0; it must recover the
// stale lock, close at its start exactly the forwards the killed run left in the stand-in (never the station's
// own `p2p listen` entry, never `all=true`), leave no forward and no lock behind, and the local relay must then
// hold EVERY event of the peers that matches the filters (zero loss), whatever the killed run had written in
// its per-peer known-id sets (<dataDir>/sync-state) and tunnel records (<dataDir>/tunnels.json).
//
// Reproducible: the seed is printed; CRASH_SEED=<seed> replays the kill moments.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KuboStandin,
  buildStation,
  manyNotes,
  onCleanup,
  prng,
  runCleanup,
  spawnCli,
  startRelays,
  startStrfryStation,
  strfryStationEnv,
  tmpDir,
  type BuiltStation,
  type KuboCall,
  type NostrEvent,
  type SpawnedCli,
  type StrfryStation,
  type TestRelay,
} from '../support';
import { RunReport } from '../../src/shared/schemas';
import { LockHeld, acquireLock, lockPath } from '../../src/core/sync/lock';
import { recordsPath } from '../../src/core/kubo/records';

const SEED = process.env.CRASH_SEED ?? 'crash-1';
const CYCLES = Number(process.env.CRASH_CYCLES ?? 10);
const NOW = Math.floor(Date.now() / 1000);
const INITIAL_PER_AUTHOR = Number(process.env.CRASH_INITIAL_PER_AUTHOR ?? 400); // × 8 authors = 3.2k events at the start
const CYCLE_PER_AUTHOR = Number(process.env.CRASH_CYCLE_PER_AUTHOR ?? 40); // × 8 = 320 more before each later cycle
const RUN_TIMEOUT_MS = 60_000;

let built: BuiltStation;
let kubo: KuboStandin;
let station: StrfryStation;
let peers: TestRelay[];
let dataDir: string;
let env: Record<string, string | undefined>;
/** Every event some peer holds (all of them match the sync's filters: members' notes inside the window). */
const union = new Map<string, NostrEvent>();
const authors: Array<{ pk: string; sk: Uint8Array }> = [];
let rng: () => number;

const isForward = (l: { TargetAddress: string }): boolean => l.TargetAddress.startsWith('/p2p/');

/** Spreads a batch over the peers: every event on at least one, most on two, a few only on the REQ peer. */
async function feedPeers(events: NostrEvent[]): Promise<void> {
  const on: NostrEvent[][] = [[], [], []];
  for (const e of events) {
    const r = rng();
    const where = r < 0.45 ? [0, 1] : r < 0.7 ? [0] : r < 0.92 ? [1] : r < 0.97 ? [2] : [0, 2];
    for (const i of where) on[i]!.push(e);
    union.set(e.id, e);
  }
  await Promise.all(peers.map((p, i) => p.seed(on[i]!)));
}

function spawnSync(): SpawnedCli {
  const run = spawnCli(['sync', '--json', '--no-profiles', '--days', '1'], env, { timeoutMs: RUN_TIMEOUT_MS });
  onCleanup(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  return run;
}

async function lockPid(): Promise<number | null> {
  try {
    const n = Number.parseInt((await readFile(lockPath(built.root), 'utf8')).trim(), 10);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Moment = 'at-lock' | 'mid-import' | 'random-time' | 'after-last-import';

/**
 * Kills the run at the chosen moment. Returns what was reached: the share of the new events imported when
 * the kill landed, or null when the run had finished first.
 */
async function killAt(run: SpawnedCli, moment: Moment, share: number, before: number, newCount: number, runMs: number): Promise<{ killed: boolean; imported: number }> {
  let exited = false;
  void run.done.then(() => (exited = true));
  const pid = run.child.pid!;
  // The run has begun once its PID is in the lock (taken before the plan, tunnels and imports).
  while (!exited && (await lockPid()) !== pid) await sleep(5);
  if (moment === 'random-time') {
    // Anywhere in the run as the last one lasted: reconciliation, fetches, imports, saving state, the graph.
    const until = Date.now() + share * runMs;
    while (!exited && Date.now() < until) await sleep(5);
  } else if (moment !== 'at-lock') {
    const target = before + (moment === 'after-last-import' ? newCount : Math.max(1, Math.floor(newCount * share)));
    while (!exited && (await station.relay.count({})) < target) await sleep(5);
  }
  const imported = (await station.relay.count({})) - before;
  if (exited) return { killed: false, imported };
  run.child.kill('SIGKILL');
  await run.done;
  return { killed: true, imported };
}

interface Row {
  cycle: number;
  moment: string;
  killed: boolean;
  importedAtKill: number;
  staleLock: boolean;
  leftForwards: number;
  closedAtStart: number;
  exit: number | null;
  seconds: number;
  held: number;
  expected: number;
  lost: number;
}
const rows: Row[] = [];

beforeAll(async () => {
  built = await buildStation({ seed: `crash-${SEED}`, peers: 3, members: { emails: 4 }, amisOfAmis: 4 });
  onCleanup(() => built.cleanup());
  kubo = await KuboStandin.start({ peerId: built.self.peerId });
  onCleanup(() => kubo.stop());
  station = await startStrfryStation(join(built.root, 'strfry'));
  onCleanup(() => station.stop());
  const [a, b] = await startRelays(2, { maxLimit: 500 });
  const [c] = await startRelays(1, { maxLimit: 500, nip77: false });
  peers = [a!, b!, c!];
  kubo.registerPeer(built.peers[0]!.peerId, { host: '127.0.0.1', port: a!.port });
  kubo.registerPeer(built.peers[1]!.peerId, { host: '127.0.0.1', port: b!.port });
  // Peer 2 is reached directly: its card names its relay, listed in directRelays (one machine, no tunnel).
  const cardPath = join(built.peers[2]!.dir, '12345.json');
  const card = JSON.parse(await readFile(cardPath, 'utf8')) as Record<string, unknown>;
  await writeFile(cardPath, JSON.stringify({ ...card, myRELAY: c!.url }, null, 4));
  dataDir = await tmpDir('crash-data-');
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ directRelays: [c!.url], fallbackRelays: [] }));
  env = strfryStationEnv(built.root, station, kubo.url, dataDir);
  authors.push(...Object.values(built.keys.users), ...built.keys.amis);
  rng = prng(SEED);
  await feedPeers(await manyNotes(authors as never, INITIAL_PER_AUTHOR, { seed: `${SEED}:initial`, since: NOW - 20 * 3600, until: NOW - 120 }));
}, 120_000);

afterAll(() => runCleanup());

describe(`crash safety: constellation sync killed with SIGKILL (seed ${SEED})`, () => {
  it(`recovers lock and tunnels and loses no event over ${CYCLES} kills`, async () => {
    console.log(`crash test: seed ${JSON.stringify(SEED)} (replay with CRASH_SEED=${SEED}); ${union.size} events on the peers at the start`);
    const problems: string[] = [];
    const ownListen = kubo.listeners().filter((l) => !isForward(l));
    /** How long the last completed run lasted from its lock to its end (the span random-time kills fall in). */
    let lastRunMs = 10_000;
    expect(ownListen).toHaveLength(1);
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      if (cycle > 1) {
        const batch = await manyNotes(authors as never, CYCLE_PER_AUTHOR, { seed: `${SEED}:cycle${cycle}`, since: NOW - 20 * 3600, until: NOW - 120 });
        await feedPeers(batch);
      }
      const cycleStart = Date.now();
      const before = await station.relay.count({});
      const newCount = union.size - before;
      const r = rng();
      // The first (cold) sync is cut in the middle of its imports; later ones anywhere.
      const moment: Moment = cycle === 1 ? 'mid-import' : r < 0.15 ? 'at-lock' : r < 0.5 ? 'mid-import' : r < 0.8 ? 'random-time' : 'after-last-import';
      const share = 0.05 + rng() * 0.9;

      // ---------------------------------------------------------------- the killed run
      const victim = spawnSync();
      const kill = await killAt(victim, moment, share, before, newCount, lastRunMs);
      const deadPid = victim.child.pid!;
      const staleLock = (await lockPid()) === deadPid;
      const left = kubo.listeners().filter(isForward);
      const recorded = JSON.parse(await readFile(recordsPath(dataDir), 'utf8').catch(() => '{"forwards":[]}')) as { forwards: Array<{ listenAddress: string; pid: number }> };
      // What the crashed run left must be on record, or it could never be closed.
      for (const l of left) {
        if (!recorded.forwards.some((f) => f.listenAddress === l.ListenAddress)) problems.push(`cycle ${cycle}: forward ${l.ListenAddress} left open but not in tunnels.json`);
      }

      // ---------------------------------------------------------------- the next run
      const callsBefore = kubo.calls.length;
      const started = Date.now();
      const nextRun = spawnSync();
      let runEnded = false;
      void nextRun.done.then(() => (runEnded = true));
      // When the lock is taken (engine started) and when the last event is in: the rest is the run's tail.
      let lockedAt = NaN;
      let completeAt = NaN;
      while (!runEnded) {
        if (Number.isNaN(lockedAt) && (await lockPid()) === nextRun.child.pid) lockedAt = (Date.now() - started) / 1000;
        if (Number.isNaN(completeAt) && (await station.relay.count({})) >= union.size) completeAt = (Date.now() - started) / 1000;
        await sleep(20);
      }
      const next = await nextRun.done;
      const seconds = (Date.now() - started) / 1000;
      if (!Number.isNaN(lockedAt)) lastRunMs = (seconds - lockedAt) * 1000;
      const calls: KuboCall[] = kubo.calls.slice(callsBefore);
      const closes = calls.map((c, i) => ({ c, i })).filter(({ c }) => c.path === '/api/v0/p2p/close');
      const firstForward = calls.findIndex((c) => c.path === '/api/v0/p2p/forward');
      const opened = new Set(calls.filter((c) => c.path === '/api/v0/p2p/forward').map((c) => c.args[1]));
      let closedAtStart = 0;
      for (const l of left) {
        const close = closes.find(({ c }) => c.query['listen-address'] === l.ListenAddress);
        if (!close) problems.push(`cycle ${cycle}: the leftover forward ${l.Protocol} on ${l.ListenAddress} was not closed by the next run`);
        else if (firstForward !== -1 && close.i > firstForward) problems.push(`cycle ${cycle}: the leftover ${l.ListenAddress} was closed after the run opened its own forwards, not at its start`);
        else closedAtStart++;
      }
      for (const { c } of closes) {
        if (c.query.all !== undefined) problems.push(`cycle ${cycle}: p2p/close all=${c.query.all} (would cut the station's own listeners)`);
        const la = c.query['listen-address'];
        if (!la || (!left.some((l) => l.ListenAddress === la) && !opened.has(la))) problems.push(`cycle ${cycle}: closed ${JSON.stringify(c.query)}, which is neither a leftover nor its own forward`);
      }
      if (next.code !== 0) problems.push(`cycle ${cycle}: the run after the kill exited ${next.code} (${next.signal ?? ''}): ${next.stderr.slice(-800)}`);
      let report: RunReport | null = null;
      try {
        report = RunReport.parse(JSON.parse(next.stdout));
      } catch (err) {
        problems.push(`cycle ${cycle}: no valid run report on stdout (${(err as Error).message}): ${next.stdout.slice(0, 300)} ${next.stderr.slice(-500)}`);
      }
      if (report && report.outcome !== 'success') problems.push(`cycle ${cycle}: outcome ${report.outcome} (${report.reason}); peers: ${report.peers.map((p) => `${p.peer.slice(-6)} ${p.ok ? 'ok' : p.reason}`).join('; ')}`);
      if (existsSync(lockPath(built.root))) problems.push(`cycle ${cycle}: the lock is still there after the run (${await lockPid()})`);
      const forwardsAfter = kubo.listeners().filter(isForward);
      if (forwardsAfter.length > 0) problems.push(`cycle ${cycle}: forwards left open after a completed run: ${forwardsAfter.map((l) => l.ListenAddress).join(', ')}`);
      const own = kubo.listeners().filter((l) => !isForward(l));
      if (JSON.stringify(own) !== JSON.stringify(ownListen)) problems.push(`cycle ${cycle}: the station's own p2p listen entry changed: ${JSON.stringify(own)}`);

      // ---------------------------------------------------------------- zero loss
      const held = new Set((await station.relay.all({})).map((e) => e.id));
      const missing = [...union.keys()].filter((id) => !held.has(id));
      if (missing.length > 0) {
        const byPeer = peers.map((_, i) => i);
        problems.push(`cycle ${cycle}: ${missing.length} event(s) lost after a completed run (e.g. ${missing.slice(0, 3).join(', ')}); peers ${byPeer.join('/')}; the killed run was stopped ${moment}`);
      }
      console.log(`cycle ${cycle}: killed ${kill.killed ? `${moment} after ${kill.imported}/${newCount} new events (${((Date.now() - cycleStart) / 1000 - seconds).toFixed(1)} s)` : 'too late (the run had ended)'}; next run exit ${next.code} in ${seconds.toFixed(1)} s (lock at ${lockedAt.toFixed(1)} s, all events in at ${completeAt.toFixed(1)} s); lost ${missing.length}`);
      if (process.env.CRASH_DEBUG) console.log(next.stderr.split('\n').slice(-40).join('\n'), (await readFile(join(built.root, 'strfry', 'constellation-backfill.log'), 'utf8').catch(() => '')).split('\n').slice(-12).join('\n'));
      rows.push({
        cycle, moment: moment === 'mid-import' || moment === 'random-time' ? `${moment} ${(share * 100).toFixed(0)}%` : moment, killed: kill.killed, importedAtKill: kill.imported,
        staleLock, leftForwards: left.length, closedAtStart, exit: next.code, seconds, held: held.size, expected: union.size, lost: missing.length,
      });
    }

    const tmpLeft = (await readdir(dataDir)).filter((n) => n.endsWith('.tmp'));
    const stateTmp = existsSync(join(dataDir, 'sync-state')) ? (await readdir(join(dataDir, 'sync-state'))).filter((n) => n.endsWith('.tmp')) : [];
    console.log(
      [
        `crash test summary (seed ${SEED}): ${rows.filter((r) => r.killed).length} runs killed, ${rows.filter((r) => r.exit === 0).length}/${rows.length} next runs exited 0, events lost ${rows.reduce((a, r) => a + r.lost, 0)}`,
        'cycle  killed at              killed  imported-before-kill  stale-lock  left-forwards  closed-at-start  exit  next-run-s  held/expected  lost',
        ...rows.map((r) =>
          [
            String(r.cycle).padStart(5), r.moment.padEnd(21), String(r.killed).padEnd(6), String(r.importedAtKill).padStart(20), String(r.staleLock).padStart(10),
            String(r.leftForwards).padStart(13), String(r.closedAtStart).padStart(15), String(r.exit).padStart(4), r.seconds.toFixed(1).padStart(10),
            `${r.held}/${r.expected}`.padStart(14), String(r.lost).padStart(4),
          ].join('  '),
        ),
        `temporary files left by killed writes: ${tmpLeft.length} in the data folder, ${stateTmp.length} in sync-state`,
        ...problems.slice(0, 30),
      ].join('\n'),
    );
    expect(rows.filter((r) => r.killed).length, 'most kills must land before the run ends').toBeGreaterThanOrEqual(CYCLES - 2);
    expect(problems, problems.slice(0, 10).join('\n')).toEqual([]);
  }, 400_000);

  it('a stale lock found by several runs at once goes to exactly one of them', async () => {
    // Three live PIDs (this process, its parent, init) race for a lock left by a dead one, 200 times. Clearing
    // a stale lock without a guard lets a late run remove the lock another has just taken: two holders.
    const zen = await tmpDir('crash-lock-');
    await mkdir(join(zen, 'strfry'), { recursive: true });
    const deadPid = 2 ** 22 + 12345; // above the default pid_max: never alive
    // The losers of a round wait for the guard's holder 10 ms rather than a run's 50 before they look again: the
    // same race, its 200 rounds in a few seconds instead of over ten (most of a round was that wait).
    const guardWaitMs = 10;
    let doubleHolders = 0;
    for (let round = 0; round < 200; round++) {
      await writeFile(lockPath(zen), `${deadPid}\n`);
      const results = await Promise.allSettled([process.pid, process.ppid, 1].map((pid) => acquireLock(zen, pid, { guardWaitMs })));
      const won = results.filter((r) => r.status === 'fulfilled');
      for (const r of results) if (r.status === 'rejected' && !(r.reason instanceof LockHeld)) throw r.reason;
      if (won.length !== 1) doubleHolders++;
      for (const r of won) await (r as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
      await import('node:fs/promises').then((f) => f.rm(lockPath(zen), { force: true }));
    }
    console.log(`stale lock race: 200 rounds of 3 runs, ${doubleHolders} round(s) with more or fewer than one holder`);
    expect(doubleHolders).toBe(0);
  });
});
