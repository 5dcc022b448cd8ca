// Issue 10: a constellation of two healthy peers plus one hostile peer, for each fault. The run must finish
// within its timeouts, every healthy event must reach the local relay, the hostile peer must be reported with a
// reason a captain understands (or its bad events dropped with a named reason), nothing may be left behind
// (tunnel, socket, lock, timer) and memory must stay bounded while the fault lasts.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine';
import { DEFAULT_TIMEOUTS, makeConfig } from '../../src/core/config';
import type { PeerOutcome, RunReport } from '../../src/shared/schemas';
import {
  FAULTS,
  FAULT_DESCRIPTIONS,
  KuboStandin,
  REPO_ROOT,
  TestRelay,
  buildStation,
  manyNotes,
  onCleanup,
  runCleanup,
  startFaultyRelay,
  startRelays,
  tmpDir,
  waitFor,
  type BuiltStation,
  type Fault,
  type NostrEvent,
} from '../support';

const NOW = Math.floor(Date.now() / 1000);
const TIMEOUTS = { ...DEFAULT_TIMEOUTS, idle: 3000, connect: 3000, nip11: 2000, negProbe: 2000, peer: 20_000, peerAttempts: 2, retryBackoff: 500 };
/** every attempt of at most `peer` ms, plus backoff and the run's own work. */
const RUN_DEADLINE_MS = TIMEOUTS.peerAttempts * TIMEOUTS.peer + 10_000;
const MEMORY_BOUND_BYTES = 256 * 1024 * 1024;

/** Faults the engine can work around: the peer must succeed and its good events must all arrive. */
const SURVIVABLE = new Set<Fault>(['outside-filter', 'bad-id', 'bad-sig', 'drip', 'notice-flood', 'neg-blocked', 'neg-notice', 'neg-silent']);
/** Faults that usually make the peer unusable: when it fails, the reason must say what happened, in words. */
const REASONS: Partial<Record<Fault, RegExp>> = {
  'drop-mid-stream': /closed/i,
  'invalid-json': /JSON/i,
  'oversized-frame': /too (large|big)|oversized|larger than/i,
  'never-eose': /EOSE|no relay answer|within \d+ ?ms|timed out/i,
  'closed-auth-required': /auth-required/,
  'closed-rate-limited': /rate-limited/,
  silent: /no relay answer|did not answer|within \d+ ?ms|timed out/i,
  'tunnel-reset': /closed|reset/i,
};
/** Faults whose bad events must show up as named drops or rejections. */
const TAMPERED = new Set<Fault>(['outside-filter', 'bad-id', 'bad-sig']);

interface Row {
  fault: string;
  survived: boolean;
  lost: number;
  seconds: number;
  peerOk: boolean;
  reason: string;
  failures: string[];
}
const rows: Row[] = [];

/** Faults that hit a REQ answer: tried twice, on the first REQ (the reachability probe) and after it (mid-sync). */
const REQ_FAULTS = new Set<Fault>(['drop-mid-stream', 'invalid-json', 'oversized-frame', 'never-eose', 'tunnel-reset', 'closed-auth-required', 'closed-rate-limited']);

let built: BuiltStation;
let kubo: KuboStandin;

/** An engine on the faults station: its local relay at `localUrl`, no fallback relay, no profile phase. */
function stationEngine(dataDir: string, localUrl: string): Engine {
  return new Engine(
    makeConfig({
      dataDir,
      home: dataDir,
      overrides: { zenRoot: built.root, relayUrl: localUrl, kuboApi: kubo.url, fallbackRelays: [], profiles: false },
      timeouts: TIMEOUTS,
    }),
  );
}
let healthy: TestRelay[];
let healthyEvents: NostrEvent[];
let faultyEvents: NostrEvent[];
let faultyPeerId: string;

beforeAll(async () => {
  built = await buildStation({ seed: 'faults', peers: 3, members: { emails: 3 }, amisOfAmis: 3 });
  onCleanup(() => built.cleanup());
  kubo = await KuboStandin.start({ peerId: built.self.peerId });
  onCleanup(() => kubo.stop());
  healthy = await startRelays(2);
  const users = Object.values(built.keys.users);
  healthyEvents = await manyNotes(users, 20, { seed: 'faults-healthy', since: NOW - 20 * 3600, until: NOW - 60 });
  const half = healthyEvents.length / 2;
  await healthy[0]!.seed(healthyEvents.slice(0, half));
  await healthy[1]!.seed(healthyEvents.slice(half));
  built.peers.slice(0, 2).forEach((p, i) => kubo.registerPeer(p.peerId, { host: '127.0.0.1', port: healthy[i]!.port }));
  faultyPeerId = built.peers[2]!.peerId;
  faultyEvents = await manyNotes(built.keys.amis, 5, { seed: 'faults-faulty', since: NOW - 20 * 3600, until: NOW - 60 });
});

afterAll(async () => {
  await runCleanup();
  if (rows.length === 0) return;
  const dir = join(REPO_ROOT, '.tmp');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'faults-summary.json'), JSON.stringify(rows, null, 2));
});

const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('a hostile peer loses nothing (issue 10)', () => {
  const cases = FAULTS.flatMap((fault) =>
    REQ_FAULTS.has(fault) ? [{ fault, healthyReqs: 0 }, { fault, healthyReqs: 1 }] : [{ fault, healthyReqs: 0 }],
  );
  for (const { fault, healthyReqs } of cases) {
    const label = healthyReqs ? `${fault} (after the probe)` : fault;
    it(`${label}: ${FAULT_DESCRIPTIONS[fault]}`, async () => {
      const failures: string[] = [];
      const check = (ok: boolean, what: string): void => {
        if (!ok) failures.push(what);
      };
      const [local] = await startRelays(1);
      const bad = await startFaultyRelay(fault, { events: faultyEvents, kubo, peerId: faultyPeerId, healthyReqs });
      const dataDir = await tmpDir('faults-data-');
      const timersBefore = timeouts();
      const engine = stationEngine(dataDir, local!.url);
      await engine.start();

      // Memory while the fault lasts.
      const heap0 = process.memoryUsage().heapUsed;
      let heapPeak = heap0;
      const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 50);
      const t0 = Date.now();
      let report: RunReport;
      try {
        const { done } = await engine.sync.start({ noProfiles: true, days: 1 });
        report = await done;
      } finally {
        clearInterval(sampler);
      }
      const ms = Date.now() - t0;
      check(ms < RUN_DEADLINE_MS, `run took ${ms} ms (deadline ${RUN_DEADLINE_MS} ms)`);
      check(heapPeak - heap0 < MEMORY_BOUND_BYTES, `heap grew by ${Math.round((heapPeak - heap0) / 1e6)} MB`);

      // Nothing healthy lost.
      const present = new Set((await local!.all({ ids: healthyEvents.map((e) => e.id) })).map((e) => e.id));
      const lost = healthyEvents.filter((e) => !present.has(e.id)).length;
      check(lost === 0, `${lost} healthy event(s) missing from the local relay`);
      for (const p of built.peers.slice(0, 2)) {
        const o = report.peers.find((x) => x.peer === p.peerId);
        check(o?.ok === true, `healthy peer ${p.peerId} not ok: ${o?.reason ?? 'absent from the report'}`);
      }

      // The hostile peer, reported.
      const o = report.peers.find((x) => x.peer === faultyPeerId) as PeerOutcome | undefined;
      check(o !== undefined, 'the hostile peer is absent from the report');
      const reason = o?.reason ?? '';
      if (SURVIVABLE.has(fault)) {
        check(o?.ok === true, `peer should survive ${fault} but failed: ${reason}`);
        const got = new Set((await local!.all({ ids: faultyEvents.map((e) => e.id) })).map((e) => e.id));
        if (!TAMPERED.has(fault)) check(got.size === faultyEvents.length, `only ${got.size}/${faultyEvents.length} of the peer's good events arrived`);
        else check(got.size > 0, 'none of the peer\'s untampered events arrived');
      } else if (o?.ok) {
        // Working around a fault is fine (e.g. skipping non-JSON frames), as long as nothing was lost.
        const got = new Set((await local!.all({ ids: faultyEvents.map((e) => e.id) })).map((e) => e.id));
        check(got.size === faultyEvents.length, `peer reported ok but only ${got.size}/${faultyEvents.length} of its events arrived`);
      } else {
        check(reason.includes(faultyPeerId.slice(0, 8)) && reason.includes(faultyPeerId.slice(-4)), `reason does not name the peer: ${reason}`);
        check((REASONS[fault] as RegExp).test(reason), `reason not understandable (${REASONS[fault]}): ${reason}`);
      }
      if (TAMPERED.has(fault) && o) {
        const named = Object.values(o.dropped).reduce((a, b) => a + b, 0) + o.rejected;
        check(named > 0, 'tampered events were neither dropped nor rejected with a reason');
      }

      // Nothing left behind: tunnels, carried connections, sockets to peers, the lock.
      const settled = await waitFor(
        () => kubo.liveConnections() === 0 && bad.openSockets === 0 && healthy.every((h) => h.openSockets === 0),
        'sockets to close',
        3000,
      ).catch(() => false);
      check(settled === true, `sockets left: carried ${kubo.liveConnections()}, hostile ${bad.openSockets}, healthy ${healthy.map((h) => h.openSockets).join('/')}`);
      const forwards = kubo.listeners().filter((l) => !l.ListenAddress.startsWith('/p2p/'));
      check(forwards.length === 0, `tunnels left: ${JSON.stringify(forwards)}`);
      check(kubo.listeners().some((l) => l.Protocol === `/x/strfry-${built.self.peerId}`), "the station's own p2p listen entry was removed");
      check(!existsSync(join(built.root, 'strfry', 'constellation-backfill.lock')), 'the lock file was left behind');

      await engine.stop();
      await bad.stop();
      await local!.stop();
      await new Promise((r) => setTimeout(r, 50));
      const timersAfter = timeouts();
      check(timersAfter <= timersBefore, `timers left: ${timersAfter - timersBefore}`);

      rows.push({ fault: label, survived: failures.length === 0, lost, seconds: ms / 1000, peerOk: o?.ok ?? false, reason: o?.ok ? `dropped ${JSON.stringify(o.dropped)}` : reason, failures });
      expect(failures).toEqual([]);
    }, RUN_DEADLINE_MS + 30_000);
  }
});

describe('a failing peer never hides events another peer serves', () => {
  it('a hostile peer holding the healthy events drops mid-answer: the healthy copies are still imported', async () => {
    const [local] = await startRelays(1);
    // the hostile peer serves the SAME events as the healthy ones, then cuts its answer: what it sent before
    // the cut was sieved but never imported; the healthy peers' copies must not be taken for duplicates
    const bad = await startFaultyRelay('drop-mid-stream', { events: healthyEvents, kubo, peerId: faultyPeerId, healthyReqs: 1 });
    // the healthy peers answer slowly (otherwise healthy), so the hostile peer's copies reach the sieve first
    const half = healthyEvents.length / 2;
    const slow = await Promise.all([
      startFaultyRelay('drip', { events: healthyEvents.slice(0, half), dripMs: 10 }),
      startFaultyRelay('drip', { events: healthyEvents.slice(half), dripMs: 10 }),
    ]);
    built.peers.slice(0, 2).forEach((p, i) => kubo.registerPeer(p.peerId, { host: '127.0.0.1', port: slow[i]!.port }));
    const dataDir = await tmpDir('faults-shared-');
    const engine = stationEngine(dataDir, local!.url);
    await engine.start();
    try {
      const { done } = await engine.sync.start({ noProfiles: true, days: 1 });
      const report = await done;
      const present = new Set((await local!.all({ ids: healthyEvents.map((e) => e.id) })).map((e) => e.id));
      const lost = healthyEvents.filter((e) => !present.has(e.id)).length;
      for (const p of built.peers.slice(0, 2)) expect(report.peers.find((x) => x.peer === p.peerId)?.ok).toBe(true);
      expect(bad.stats.cuts).toBeGreaterThan(0);
      rows.push({ fault: 'drop-mid-stream, same events as the healthy peers', survived: lost === 0, lost, seconds: report.durationMs / 1000, peerOk: report.peers.find((x) => x.peer === faultyPeerId)?.ok ?? false, reason: report.peers.find((x) => x.peer === faultyPeerId)?.reason ?? '', failures: lost ? [`${lost} lost`] : [] });
      expect(lost).toBe(0);
    } finally {
      await engine.stop();
      await bad.stop();
      for (const r of slow) await r.stop();
      built.peers.slice(0, 2).forEach((p, i) => kubo.registerPeer(p.peerId, { host: '127.0.0.1', port: healthy[i]!.port }));
      await local!.stop();
    }
  }, RUN_DEADLINE_MS + 30_000);
});
