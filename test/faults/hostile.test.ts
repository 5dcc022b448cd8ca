// Issue 15: attacks a hostile peer (or a local client) tried, each as a real relay or client on 127.0.0.1 — forged
// signatures (1), a hostile NIP-11 document (5), a relay name that resolves to this machine (7), a web client
// that calls and never reads (9). Every case: nothing lost from the honest peers, the attacker's cost bounded
// (the peak memory of the process that ran the engine), the attacker said in words a captain understands.
// The rows join the `npm run test:faults` table (test/support/faults-summary.mjs).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Engine } from '../../src/core/engine';
import { DEFAULT_TIMEOUTS, makeConfig } from '../../src/core/config';
import { StrfryStore } from '../../src/core/store';
import type { Resolver } from '../../src/core/util/net';
import type { RunReport } from '../../src/shared/schemas';
import {
  KuboStandin,
  REPO_ROOT,
  buildStation,
  deletion,
  manyNotes,
  note,
  onCleanup,
  profile,
  runCleanup,
  spawnCli,
  startRelays,
  startStrfryStation,
  strfryStationEnv,
  tmpDir,
  waitFor,
  withBadSig,
  type BuiltStation,
  type NostrEvent,
  type TestRelay,
} from '../support';
import { noVerifyStrfry, startCanary, startNip11Trap, watchPeakRss } from '../support/hostile';

const NOW = Math.floor(Date.now() / 1000);
/** The bound on the engine's memory under each attack. */
const RSS_BOUND = 300 * 1024 * 1024;
const MB = (b: number): string => `${Math.round(b / 1048576)} MB`;

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

afterAll(async () => {
  await runCleanup();
  if (rows.length === 0) return;
  const dir = join(REPO_ROOT, '.tmp');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'faults-summary-hostile.json'), JSON.stringify(rows, null, 2));
});

/**
 * Collects the case's failed checks (each said in words), so the table shows all of them; `record` adds the
 * case's row and fails the test when a check failed.
 */
function checker(): { check(ok: boolean, what: string): void; record(row: Omit<Row, 'survived' | 'failures'>): void } {
  const failures: string[] = [];
  return {
    check: (ok, what) => void (ok ? undefined : failures.push(what)),
    record: (row) => {
      rows.push({ ...row, survived: failures.length === 0, failures });
      expect(failures).toEqual([]);
    },
  };
}

async function kuboFor(st: BuiltStation): Promise<KuboStandin> {
  const kubo = await KuboStandin.start({ peerId: st.self.peerId });
  onCleanup(() => kubo.stop());
  return kubo;
}

/** `constellation sync --json` on a station whose local store is `strfry`; its report and peak memory. */
async function cliSync(
  st: BuiltStation,
  strfry: { relayUrl: string; strfryBin: string; strfryConf: string },
  kubo: KuboStandin,
  extra: string[] = [],
): Promise<{ report: RunReport; peak: number; seconds: number; stderr: string }> {
  const dataDir = await tmpDir('hostile-data-');
  const t0 = Date.now();
  const run = spawnCli(['sync', '--json', '--fallback-relays', '', ...extra], strfryStationEnv(st.root, strfry, kubo.url, dataDir), { timeoutMs: 170_000 });
  const mem = watchPeakRss(run.child.pid!);
  const res = await run.done;
  const peak = mem.stop();
  if (!res.stdout.trim().startsWith('{')) throw new Error(`sync printed no report (exit ${res.code}): ${res.stderr.slice(-2000)}`);
  return { report: JSON.parse(res.stdout) as RunReport, peak, seconds: (Date.now() - t0) / 1000, stderr: res.stderr };
}

describe('attack 1: a peer serves events with forged signatures; the local store does not verify by itself', () => {
  /** One station (fixed seed: the same members and peers each time), its local strfry that stores what it gets. */
  async function station(root?: string) {
    const st = await buildStation({ seed: 'hostile-forged', peers: 2, members: { emails: 2 }, amisOfAmis: 2, ...(root ? { root } : {}) });
    onCleanup(() => st.cleanup());
    const strfry = await startStrfryStation(join(st.root, 'strfry'));
    onCleanup(() => strfry.stop());
    const bin = await noVerifyStrfry(join(st.root, 'strfry'), strfry.strfryBin);
    return { st, strfry, local: { relayUrl: strfry.relayUrl, strfryBin: bin, strfryConf: strfry.strfryConf } };
  }

  it('nothing forged is stored: not the note, not the deletion of a real note, not the profile (nor in _NIP101.profiles.json)', async () => {
    const { check, record } = checker();
    const { st, strfry, local } = await station();
    const kubo = await kuboFor(st);
    const [alice, bob] = Object.values(st.keys.users) as [NonNullable<BuiltStation['keys']['users'][string]>, NonNullable<BuiltStation['keys']['users'][string]>];
    const realNote = note(alice, 'a real note by Alice', NOW - 3 * 3600);
    const realProfile = profile(alice, { name: 'alice', display_name: 'Alice Réelle' }, NOW - 5 * 3600);
    const honestEvents = [realNote, realProfile, ...(await manyNotes([alice, bob, ...st.keys.amis], 8, { seed: 'hostile-forged', since: NOW - 20 * 3600, until: NOW - 60 }))];
    const forged = {
      note: withBadSig(note(alice, 'forged: Alice never wrote this', NOW - 1800)),
      deletion: withBadSig(deletion(alice, [realNote.id], NOW - 1700)),
      profile: withBadSig(profile(alice, { name: 'pwned', display_name: 'Alice (forged)' }, NOW - 600)),
      bobProfile: withBadSig(profile(bob, { name: 'pwned-bob' }, NOW - 600)),
    };
    const [honest, hostile] = (await startRelays(2)) as [TestRelay, TestRelay];
    await honest.seed(honestEvents);
    // seeded bulk, like `strfry import --no-verify`: the hostile relay serves them as they are
    await hostile.seed(Object.values(forged));
    kubo.registerPeer(st.peers[0]!.peerId, { host: '127.0.0.1', port: honest.port });
    kubo.registerPeer(st.peers[1]!.peerId, { host: '127.0.0.1', port: hostile.port });

    // The local store already holds Alice's real note and profile: the forged kind 5 and kind 0 aim at them.
    await new StrfryStore(local.strfryBin, local.strfryConf).import([realNote, realProfile], { verify: true });

    const { report, peak, seconds } = await cliSync(st, local, kubo);
    const held = new Map((await strfry.relay.all({})).map((e) => [e.id, e]));
    const forgedHeld = Object.entries(forged).filter(([, e]) => held.has(e.id)).map(([k]) => k);
    check(report.options.verify === true, `signatures not verified by default (options ${JSON.stringify(report.options)})`);
    check(forgedHeld.length === 0, `forged events stored: ${forgedHeld.join(', ')}`);
    check(held.has(realNote.id), "Alice's real note was deleted");
    const aliceProfiles = [...held.values()].filter((e) => e.kind === 0 && e.pubkey === alice.pk);
    check(aliceProfiles.length === 1 && aliceProfiles[0]!.id === realProfile.id, `Alice's profile is not her real one: ${aliceProfiles.map((e) => e.content).join(' | ')}`);
    const lost = honestEvents.filter((e) => !held.has(e.id)).length;
    check(lost === 0, `${lost} honest event(s) missing`);
    const exported = JSON.parse(await readFile(join(st.root, 'tmp', 'coucou', '_NIP101.profiles.json'), 'utf8')) as Array<{ hex: string; profile: Record<string, unknown> }>;
    const aliceRow = exported.find((r) => r.hex === alice.pk);
    check(aliceRow?.profile.name === 'alice', `_NIP101.profiles.json holds for Alice: ${JSON.stringify(aliceRow?.profile)}`);
    check(!JSON.stringify(exported).includes('pwned'), '_NIP101.profiles.json holds a forged profile');
    const bad = report.peers.find((p) => p.peer === st.peers[1]!.id);
    const droppedForged = bad?.dropped['bad-signature'] ?? 0;
    check(droppedForged >= 4, `the hostile peer's forged events were not all dropped as bad-signature: ${JSON.stringify(bad?.dropped)}`);
    check(report.peers.every((p) => p.ok), `a peer failed: ${report.peers.map((p) => p.reason).join('; ')}`);
    check(peak < RSS_BOUND, `engine peak memory ${MB(peak)}`);
    record({
      fault: 'forged signatures (note, kind 5, kind 0), store not verifying',
      lost,
      seconds,
      peerOk: bad?.ok ?? false,
      reason: `${droppedForged} events with forged signatures dropped by the sieve (bad-signature); the real note and profile kept; engine peak ${MB(peak)}`,
    });
  }, 180_000);

  it('with --no-verify (the old behaviour, said in the report) the same peer does forge them: the store really does not verify', async () => {
    const { st, strfry, local } = await station();
    const kubo = await kuboFor(st);
    const alice = Object.values(st.keys.users)[0]!;
    const realNote = note(alice, 'a real note by Alice', NOW - 3 * 3600);
    const realProfile = profile(alice, { name: 'alice' }, NOW - 5 * 3600);
    const forgedDeletion = withBadSig(deletion(alice, [realNote.id], NOW - 1700));
    const forgedProfile = withBadSig(profile(alice, { name: 'pwned' }, NOW - 600));
    const [honest, hostile] = (await startRelays(2)) as [TestRelay, TestRelay];
    await honest.seed([realNote, realProfile]);
    await hostile.seed([forgedDeletion, forgedProfile]);
    kubo.registerPeer(st.peers[0]!.peerId, { host: '127.0.0.1', port: honest.port });
    kubo.registerPeer(st.peers[1]!.peerId, { host: '127.0.0.1', port: hostile.port });
    await new StrfryStore(local.strfryBin, local.strfryConf).import([realNote, realProfile], { verify: true });

    const { report } = await cliSync(st, local, kubo, ['--no-verify', '--no-profiles']);
    expect(report.options.verify).toBe(false);
    expect(report.plan[0]).toMatch(/signatures NOT verified \(--no-verify/);
    const held = new Set((await strfry.relay.all({})).map((e) => e.id));
    expect(held.has(forgedProfile.id)).toBe(true);
    expect(held.has(forgedDeletion.id)).toBe(true);
    expect(held.has(realNote.id)).toBe(false);
    expect(held.has(realProfile.id)).toBe(false);
  }, 180_000);
});

describe('attack 5: a peer answers NIP-11 with a redirect to another local service, or with an endless document', () => {
  it('no redirect followed, the body read no further than 64 KiB, the peers synced with default limits', async () => {
    const { check, record } = checker();
    const st = await buildStation({ seed: 'hostile-nip11', peers: 3, members: { emails: 2 }, amisOfAmis: 2 });
    onCleanup(() => st.cleanup());
    const kubo = await kuboFor(st);
    const strfry = await startStrfryStation(join(st.root, 'strfry'));
    onCleanup(() => strfry.stop());
    const authors = [...Object.values(st.keys.users), ...st.keys.amis];
    const relays = (await startRelays(3)) as TestRelay[];
    const events: NostrEvent[][] = [];
    for (let i = 0; i < 3; i++) {
      events.push(await manyNotes(authors, 6, { seed: `hostile-nip11-${i}`, since: NOW - 20 * 3600, until: NOW - 60 }));
      await relays[i]!.seed(events[i]!);
    }
    const canary = await startCanary();
    onCleanup(() => canary.stop());
    const redirect = await startNip11Trap('redirect', relays[1]!, { redirectTo: `http://127.0.0.1:${canary.port}/admin?reboot=1` });
    const endless = await startNip11Trap('endless', relays[2]!);
    onCleanup(() => redirect.stop());
    onCleanup(() => endless.stop());
    kubo.registerPeer(st.peers[0]!.peerId, { host: '127.0.0.1', port: relays[0]!.port });
    kubo.registerPeer(st.peers[1]!.peerId, { host: '127.0.0.1', port: redirect.port });
    kubo.registerPeer(st.peers[2]!.peerId, { host: '127.0.0.1', port: endless.port });

    const { report, peak, seconds } = await cliSync(st, strfry, kubo);
    const held = new Set((await strfry.relay.all({})).map((e) => e.id));
    const lost = events.flat().filter((e) => !held.has(e.id)).length;
    check(lost === 0, `${lost} event(s) missing`);
    check(report.peers.length === 3 && report.peers.every((p) => p.ok), `a peer failed: ${report.peers.map((p) => p.reason).join('; ')}`);
    check(redirect.stats.nip11Requests > 0 && endless.stats.nip11Requests > 0, 'the NIP-11 traps were never asked');
    check(canary.connections() === 0, `the redirect reached the other local service ${canary.connections()} time(s)`);
    check(endless.stats.nip11Bytes < 32 * 1048576, `the endless document pushed ${MB(endless.stats.nip11Bytes)} into the station`);
    check(peak < RSS_BOUND, `engine peak memory ${MB(peak)}`);
    record({
      fault: 'NIP-11 redirect to a local service / 263 MB document',
      lost,
      seconds,
      peerOk: report.peers.every((p) => p.ok),
      reason: `redirect not followed (the other service got ${canary.connections()} request), document cut at 64 KiB (the peer pushed ${MB(endless.stats.nip11Bytes)}, socket buffers); engine peak ${MB(peak)}`,
    });
  }, 180_000);
});

describe('attack 7: relay URLs routed by what they resolve to, not by their text', () => {
  it("a public name resolving to 127.0.0.1 goes only through the peer's tunnel; a LAN URL with a peer-chosen path and query is refused", async () => {
    const { check, record } = checker();
    const canary = await startCanary();
    onCleanup(() => canary.stop());
    const st = await buildStation({
      seed: 'hostile-route',
      peers: [{ relayUrl: `ws://127.0.0.1.nip.io:${canary.port}/` }, { relayUrl: 'ws://192.168.1.10:7777/cgi-bin/reboot?now=1' }, {}],
      members: { emails: 2 },
      amisOfAmis: 2,
    });
    onCleanup(() => st.cleanup());
    const kubo = await kuboFor(st);
    const [local, r0, r2] = (await startRelays(3)) as [TestRelay, TestRelay, TestRelay];
    const authors = [...Object.values(st.keys.users), ...st.keys.amis];
    const e0 = await manyNotes(authors, 5, { seed: 'hostile-route-0', since: NOW - 20 * 3600, until: NOW - 60 });
    const e2 = await manyNotes(authors, 5, { seed: 'hostile-route-2', since: NOW - 20 * 3600, until: NOW - 60 });
    await r0.seed(e0);
    await r2.seed(e2);
    // the peer behind the name is real, and reachable through its IPFS tunnel
    kubo.registerPeer(st.peers[0]!.peerId, { host: '127.0.0.1', port: r0.port });
    kubo.registerPeer(st.peers[2]!.peerId, { host: '127.0.0.1', port: r2.port });
    // the system resolver is not asked in tests: this one answers what nip.io would
    const asked: string[] = [];
    const resolve: Resolver = async (host) => {
      asked.push(host);
      if (host === '127.0.0.1.nip.io') return ['127.0.0.1'];
      throw new Error(`${host} does not resolve`);
    };
    const dataDir = await tmpDir('hostile-route-');
    const engine = new Engine(
      makeConfig({
        dataDir,
        home: dataDir,
        resolve,
        overrides: { zenRoot: st.root, relayUrl: local.url, kuboApi: kubo.url, fallbackRelays: [], profiles: false },
        timeouts: { ...DEFAULT_TIMEOUTS, idle: 3000, connect: 3000, nip11: 2000, negProbe: 2000, peer: 20_000, peerAttempts: 2, retryBackoff: 500 },
      }),
    );
    await engine.start();
    onCleanup(() => engine.stop());
    const rss0 = process.memoryUsage().rss;
    const t0 = Date.now();
    const snap = await engine.station.snapshot();
    const named = snap.peers.find((p) => p.id === st.peers[0]!.id);
    const lan = snap.peers.find((p) => p.id === st.peers[1]!.id);
    const { done } = await engine.sync.start({ days: 1 });
    const report = await done;
    const seconds = (Date.now() - t0) / 1000;
    const growth = process.memoryUsage().rss - rss0;
    const held = new Set((await local.all({})).map((e) => e.id));
    const lost = [...e0, ...e2].filter((e) => !held.has(e.id)).length;
    check(asked.includes('127.0.0.1.nip.io'), 'the name was never resolved');
    check(named?.route === 'tunnel' && named.syncable, `the name resolving to loopback was routed ${named?.route} (${named?.reason})`);
    check(canary.connections() === 0, `the service behind 127.0.0.1:${canary.port} was dialled ${canary.connections()} time(s)`);
    check(lan?.status === 'bad-url' && !lan.syncable, `the LAN URL with a path was not refused: ${JSON.stringify(lan)}`);
    check(/carries a query string, refused/.test(lan?.reason ?? ''), `the refusal does not say why: ${lan?.reason}`);
    check(report.plan.some((l) => l.startsWith(`skipped ${st.peers[1]!.id}: relay URL`)), 'the run plan does not name the refused peer');
    check(lost === 0, `${lost} event(s) missing`);
    check(report.peers.every((p) => p.ok), `a peer failed: ${report.peers.map((p) => p.reason).join('; ')}`);
    check(growth < RSS_BOUND, `memory grew by ${MB(growth)}`);
    record({
      fault: 'relay name resolving to loopback; LAN URL with path and query',
      lost,
      seconds,
      peerOk: report.peers.find((p) => p.peer === st.peers[0]!.id)?.ok ?? false,
      reason: `ws://127.0.0.1.nip.io resolves to 127.0.0.1: synced through its tunnel only (the local service got ${canary.connections()} connection); ${lan?.reason ?? '?'}`,
    });
  }, 180_000);
});

describe('attack 9: a web client that calls and never reads', () => {
  it('is cut off once its unread replies pass the bound; the web host keeps its memory and serves the others', async () => {
    const { check, record } = checker();
    const st = await buildStation({ seed: 'hostile-web', peers: 40, members: { emails: 3 } });
    onCleanup(() => st.cleanup());
    const dataDir = await tmpDir('hostile-web-');
    const serve = spawnCli(
      ['serve', '--port', '0', '--zen-root', st.root, '--data-dir', dataDir, '--relay-url', 'ws://127.0.0.1:9', '--kubo-api', 'http://127.0.0.1:9'],
      {},
      { timeoutMs: 170_000 },
    );
    onCleanup(() => {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    });
    let out = '';
    let err = '';
    serve.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    serve.child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const url = new URL((await waitFor(() => /Constellation is served at (\S+)/.exec(out)?.[1], 'the web host', 60_000))!);
    const api = `ws://${url.host}/api?token=${url.searchParams.get('token')}`;
    const mem = watchPeakRss(serve.child.pid!);
    const call = (ws: WebSocket, id: number, name: string): void => ws.send(JSON.stringify({ id, call: name, input: undefined }));
    // a first call, so the engine has read the station before the attack starts
    const warm = new WebSocket(api);
    await new Promise((ok, ko) => (warm.once('open', ok), warm.once('error', ko)));
    const snapshotBytes = await new Promise<number>((ok) => {
      warm.once('message', (d: Buffer) => ok(d.length));
      call(warm, 1, 'station.snapshot');
    });
    warm.close();
    const before = mem.stop();
    const watch = watchPeakRss(serve.child.pid!);

    const t0 = Date.now();
    const attacker = new WebSocket(api);
    await new Promise((ok, ko) => (attacker.once('open', ok), attacker.once('error', ko)));
    let closed = false;
    attacker.on('close', () => (closed = true));
    attacker.on('error', () => (closed = true));
    // it never reads again: what the host sends piles up in the host
    (attacker as unknown as { _socket: { pause(): void } })._socket.pause();
    let id = 10;
    // ~900 bursts of 30 snapshots would make the host hold more than 400 MB of replies
    for (let burst = 0; burst < 900 && !closed && attacker.readyState === WebSocket.OPEN; burst++) {
      for (let i = 0; i < 30; i++) call(attacker, id++, 'station.snapshot');
      await new Promise((r) => setTimeout(r, 15));
    }
    const cut = await waitFor(() => /an API client stopped reading \(\d+ bytes waiting, at most \d+\): disconnected/.test(err), 'the host to cut the client', 30_000).catch(() => false);
    const peak = watch.stop();
    check(cut === true, `the client that never reads was not cut off (${id - 10} calls sent)`);
    check(peak < RSS_BOUND, `web host peak memory ${MB(peak)}`);
    check(peak - before < 100 * 1048576, `web host memory grew by ${MB(peak - before)} (from ${MB(before)})`);
    // the host still serves a client that reads
    const other = new WebSocket(api);
    await new Promise((ok, ko) => (other.once('open', ok), other.once('error', ko)));
    const answer = await new Promise<{ ok: boolean }>((ok) => {
      other.once('message', (d: Buffer) => ok(JSON.parse(d.toString()) as { ok: boolean }));
      call(other, 1, 'app.info');
    });
    other.close();
    check(answer.ok, 'the web host no longer answers other clients');
    serve.child.kill('SIGTERM');
    await serve.done;
    record({
      fault: 'web client that calls and never reads',
      lost: 0,
      seconds: (Date.now() - t0) / 1000,
      peerOk: false,
      reason: `cut off after ${id - 10} calls (${Math.round(snapshotBytes / 1024)} KiB replies) once 8 MiB waited unread; web host peak ${MB(peak)} (${MB(before)} before)`,
    });
  }, 180_000);
});
