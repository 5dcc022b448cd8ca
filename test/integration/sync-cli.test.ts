// `constellation sync` as a captain runs it: real processes (bin/constellation.mjs) on a station built by the
// harness, peers reached through the kubo stand-in's tunnels (one without NIP-77, so the REQ path and the
// NOTICE a relay without NIP-77 sends are exercised), and a local relay. Only 127.0.0.1 is contacted.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KuboStandin,
  buildStation,
  manyNotes,
  onCleanup,
  runCleanup,
  runCli,
  startRelays,
  tmpDir,
  type BuiltStation,
  type CliResult,
  type NostrEvent,
  type TestRelay,
} from '../support';
import { RunReport } from '../../src/shared/schemas';

const NOW = Math.floor(Date.now() / 1000);
let built: BuiltStation;
let kubo: KuboStandin;
let local: TestRelay;
let events: NostrEvent[];
let dataDir: string;
let dry: CliResult;
let badDays: CliResult;
let real: CliResult;
let heldAfterDry = -1;
let leftByDry: string[] = [];

// Keep the engine off any real strfry binary: the local store is the relay at --relay-url.
const env = { CONSTELLATION_STRFRY_BIN: '/nonexistent/strfry' };
const args = (): string[] => ['--zen-root', built.root, '--kubo-api', kubo.url, '--data-dir', dataDir, '--relay-url', local.url];

beforeAll(async () => {
  built = await buildStation({ seed: 'sync-cli', peers: 2, members: { emails: 2 }, amisOfAmis: 2 });
  onCleanup(() => built.cleanup());
  kubo = await KuboStandin.start({ peerId: built.self.peerId });
  onCleanup(() => kubo.stop());
  [local] = (await startRelays(1)) as [TestRelay];
  const [withNeg] = await startRelays(1, { maxLimit: 100 });
  const [noNeg] = await startRelays(1, { maxLimit: 100, nip77: false });
  const members = [...Object.values(built.keys.users), ...built.keys.amis];
  events = await manyNotes(members, 60, { seed: 'sync-cli', since: NOW - 20 * 3600, until: NOW - 60 });
  await withNeg!.seed(events.slice(0, 150));
  await noNeg!.seed(events.slice(100));
  kubo.registerPeer(built.peers[0]!.peerId, { host: '127.0.0.1', port: withNeg!.port });
  kubo.registerPeer(built.peers[1]!.peerId, { host: '127.0.0.1', port: noNeg!.port });
  dataDir = await tmpDir('sync-cli-');
  // the dry run and the bad usage side by side (each process needs ~3 s to start), then the real run
  [dry, badDays] = await Promise.all([
    runCli(['sync', '--dry-run', '--json', '--no-profiles', ...args()], env, { timeoutMs: 60_000 }),
    runCli(['sync', '--days', '-1', ...args()], env, { timeoutMs: 60_000 }),
  ]);
  heldAfterDry = await local.count({});
  const strfry = join(built.root, 'strfry');
  leftByDry = [
    join(strfry, 'constellation-backfill.log'),
    join(strfry, 'constellation-backfill.lock'),
    join(built.root, 'tmp', 'backfill_constellation.lastrun'),
    join(dataDir, 'sync-state'),
  ].filter((p) => existsSync(p));
  leftByDry.push(...kubo.listeners().filter((l) => l.TargetAddress.startsWith('/p2p/')).map((l) => `tunnel ${l.ListenAddress}`));
  real = await runCli(['sync', '--json', '--no-profiles', '--days', '1', ...args()], env, { timeoutMs: 90_000 });
}, 150_000);

afterAll(() => runCleanup());

describe('constellation sync (process)', () => {
  it('--json exits 0 and prints a valid run report; every peer ok, the one without NIP-77 on the REQ path', async () => {
    expect(real.stderr).not.toMatch(/unhandled|TypeError|at .*\.ts:\d+/);
    expect(real.code, real.stderr).toBe(0);
    const report = RunReport.parse(JSON.parse(real.stdout));
    expect(report.outcome).toBe('success');
    expect(report.peers).toHaveLength(2);
    for (const p of report.peers) expect(p.ok, p.reason ?? '').toBe(true);
    const byPeer = (i: number) => report.peers.find((p) => p.peer === built.peers[i]!.id)!;
    expect(byPeer(0).method).toBe('nip77');
    expect(byPeer(1).method).toBe('req');
    expect(report.imported).toBe(events.length);
    expect(await local.count({})).toBe(events.length);
    expect(existsSync(join(built.root, 'strfry', 'constellation-backfill.lock'))).toBe(false);
    expect(kubo.listeners().filter((l) => l.TargetAddress.startsWith('/p2p/'))).toEqual([]);
  });

  it('--days -1 exits 2 with a message saying what is wrong', () => {
    expect(badDays.code).toBe(2);
    expect(badDays.stderr).toMatch(/--days/);
    expect(badDays.stderr).toMatch(/whole number/);
  });

  it('--dry-run shows the plan and changes nothing', () => {
    expect(dry.code, dry.stderr).toBe(0);
    const report = RunReport.parse(JSON.parse(dry.stdout));
    expect(report.outcome).toBe('dry-run');
    expect(report.plan.join('\n')).toContain(built.peers[0]!.id);
    expect(heldAfterDry).toBe(0);
    // the dry run ran before the real one: no station log line, no lock, no peer state, no tunnel left by it
    expect(leftByDry).toEqual([]);
  });
});

describe('a down peer in the command (issue 17, item 11)', () => {
  it('its reason is printed once (the summary), by its host name, in the captain\'s language; never its whole PeerID', async () => {
    const station = await buildStation({ seed: 'sync-cli-down', peers: [{}, { hostname: 'lost.example' }], members: { emails: 2 }, amisOfAmis: 1 });
    onCleanup(() => station.cleanup());
    const k = await KuboStandin.start({ peerId: station.self.peerId });
    onCleanup(() => k.stop());
    const [here] = (await startRelays(1)) as [TestRelay];
    const [peer] = await startRelays(1);
    k.registerPeer(station.peers[0]!.peerId, { host: '127.0.0.1', port: peer!.port });
    // the second peer is unknown to kubo: not reachable over IPFS
    const lost = station.peers[1]!.peerId;
    const run = async (lang: string): Promise<string[]> => {
      const dir = await tmpDir('sync-cli-down-');
      const out = await runCli(
        ['sync', '--days', '1', '--fallback-relays', '', '--zen-root', station.root, '--kubo-api', k.url, '--data-dir', dir, '--relay-url', here.url],
        { ...env, LANG: lang, LC_ALL: '', LC_MESSAGES: '' },
        { timeoutMs: 90_000 },
      );
      expect(out.code).toBe(1);
      return `${out.stdout}\n${out.stderr}`.split('\n');
    };
    // one after the other: the station lock admits one run at a time
    const en = await run('C.UTF-8');
    const fr = await run('fr_FR.UTF-8');
    expect(en.filter((l) => l.includes('not reachable over IPFS')), en.join('\n')).toHaveLength(1);
    expect(en.find((l) => l.includes('not reachable over IPFS'))).toMatch(/^ +lost\.example +tunnel .*FAILED +not reachable over IPFS \(kubo ping: /);
    expect(fr.filter((l) => l.includes('injoignable par IPFS')), fr.join('\n')).toHaveLength(1);
    expect(fr.filter((l) => l.includes('not reachable'))).toEqual([]);
    for (const lines of [en, fr]) expect(lines.filter((l) => l.includes(lost))).toEqual([]);
  }, 120_000);
});
