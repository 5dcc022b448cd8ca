// The station commands as a captain runs them: real processes (`bin/constellation.mjs`) on a station built by
// the harness, the kubo stand-in and a local relay. Nothing but 127.0.0.1 is contacted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  KuboStandin, buildStation, type CliResult, keyFromSeed, note, onCleanup, peerIdFromSeed, runCleanup, runCli, startRelays, tmpDir,
  type BuiltStation, type TestRelay,
} from '../support/index';
import { StationSnapshot, StoreStats } from '../../src/shared/schemas';

const SELF = peerIdFromSeed('cli:self');
let station: BuiltStation;
let kubo: KuboStandin;
let relay: TestRelay;
let dataDir: string;

beforeAll(async () => {
  [relay] = (await startRelays(1)) as [TestRelay];
  kubo = await KuboStandin.start({ peerId: SELF });
  onCleanup(() => kubo.stop());
  station = await buildStation({
    seed: 'cli',
    self: { peerId: SELF },
    peers: [
      { relayUrl: 'wss://relay.public.example', hostname: 'public.example' },
      { relayUrl: 'ws://127.0.0.1:7777', hostname: 'loopback.example' },
      { relayUrl: 'ws://192.168.1.20:7777', hostname: 'lan.example', moatsFormat: 'datetime' },
      { moats: 'stale', hostname: 'stale.example' },
      { card: 'invalid' },
      { card: 'picoport', hostname: 'pico.example' },
      { peerId: SELF },
    ],
    amisOfAmis: 4,
    flashmem: 1,
  });
  onCleanup(() => station.cleanup());
  // The relay database folder, to be measured by `stats`.
  await mkdir(join(station.root, 'strfry', 'strfry-db'), { recursive: true });
  await writeFile(join(station.root, 'strfry', 'strfry-db', 'data.mdb'), Buffer.alloc(4096));
  const author = keyFromSeed('cli:author');
  await relay.seed([note(author, 'one', 1_700_000_000), note(author, 'two', 1_700_000_001), note(author, 'three', 1_700_000_002)]);
  dataDir = await tmpDir();
  // Every command is a separate process (~3 s of start-up each): run them side by side, then look at them.
  const down = ['--kubo-api', 'http://127.0.0.1:9', '--data-dir', dataDir];
  const list: Array<[string, string[]]> = [
    ['peers', ['peers', ...base()]],
    ['peers-json', ['peers', '--json', ...base()]],
    ['peers-no-kubo', ['peers', '--zen-root', station.root, ...down]],
    ['peers-no-station', ['peers', '--zen-root', join(dataDir, 'no-station-here'), ...down]],
    ['show-hex', ['show-hex', ...base()]],
    ['stats-json', ['stats', '--json', ...base()]],
    ['stats', ['stats', ...base()]],
    ['stats-relay-down', ['stats', '--json', '--zen-root', station.root, '--kubo-api', kubo.url, '--data-dir', dataDir, '--relay-url', 'ws://127.0.0.1:9']],
  ];
  const results = await Promise.all(list.map(([, args]) => runCli(args, env, { timeoutMs: 90_000 })));
  list.forEach(([name], i) => (runs[name] = results[i] as CliResult));
}, 120_000);

const runs: Record<string, CliResult> = {};
const run = (name: string): CliResult => {
  const r = runs[name];
  if (!r) throw new Error(`no run ${name}`);
  return r;
};

afterAll(async () => {
  await runCleanup();
});

const base = (): string[] => ['--zen-root', station.root, '--kubo-api', kubo.url, '--data-dir', dataDir, '--relay-url', relay.url];
// Keep the engine off any public fallback relay and any real strfry binary.
// Eight processes start side by side: on a two-core machine kubo's answer may take longer than the 2 s a window
// waits before it reads the PeerID from the ipfs config instead; these runs check what is printed, not how fast.
const env = { CONSTELLATION_STRFRY_BIN: '/nonexistent/strfry', CONSTELLATION_TIMEOUTS: JSON.stringify({ serviceCheck: 20_000 }) };

describe('constellation peers', () => {
  it('prints every peer with route, status, reason and freshness', () => {
    const r = run('peers');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`self    ${SELF}  (from kubo)`);
    const line = (id: string): string => out.split('\n').find((l) => l.startsWith(id)) ?? '';
    const [pub, loop, lan, stale, invalid, pico] = station.peers;
    expect(line(pub?.id ?? '?')).toMatch(/public\.example\s+direct\s+ok\s+1\d min\s+wss:\/\/relay\.public\.example/);
    expect(line(loop?.id ?? '?')).toMatch(/loopback\.example\s+tunnel\s+ok\s+1\d min\s+ws:\/\/127\.0\.0\.1:7777/);
    expect(line(lan?.id ?? '?')).toMatch(/lan\.example\s+lan\s+ok\s+1\d min/);
    expect(line(stale?.id ?? '?')).toMatch(/stale\.example\s+none\s+stale\s+13\.0 h.*stale after 12 h/);
    expect(line(invalid?.id ?? '?')).toMatch(/none\s+invalid.*invalid JSON/);
    expect(line(pico?.id ?? '?')).toMatch(/pico\.example\s+none\s+picoport.*picoport card/);
    expect(line(SELF)).toMatch(/none\s+self.*this station itself/);
    expect(out).toMatch(/peers {3}7 \(3 syncable\)/);
    expect(out).toMatch(/\d+ problems? in the station files:[\s\S]*12345\.json: invalid JSON/);
  });

  it('prints the snapshot as JSON with --json', () => {
    const r = run('peers-json');
    expect(r.code).toBe(0);
    const snap = StationSnapshot.parse(JSON.parse(r.stdout));
    expect(snap.peers).toHaveLength(7);
    expect(snap.self).toMatchObject({ peerId: SELF, source: 'kubo' });
  });

  it('falls back to the IPFS config next to the station when kubo is down, and fails clearly without a station', () => {
    const r = run('peers-no-kubo');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`self    ${SELF}  (from ipfs-config)`);
    const missing = join(dataDir, 'no-station-here');
    const none = run('peers-no-station');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no station at ${missing}: the folder does not exist`);
  });
});

describe('constellation show-hex and stats', () => {
  it('show-hex prints every member as first8...last8 and the count per source', () => {
    const r = run('show-hex');
    expect(r.code).toBe(0);
    const keys = Object.keys(station.members);
    const lines = r.stdout.split('\n').filter((l) => /^[0-9a-f]{8}\.\.\.[0-9a-f]{8}$/.test(l));
    expect(lines.sort()).toEqual(keys.map((k) => `${k.slice(0, 8)}...${k.slice(-8)}`).sort());
    const count = (pred: (s: string) => boolean): number => new Set(Object.entries(station.members).filter(([, s]) => s.some(pred)).map(([k]) => k)).size;
    expect(r.stdout).toContain(
      `members: ${keys.length} (game/nostr: ${count((s) => s.startsWith('game/'))}, amisOfAmis: ${count((s) => s === 'amisOfAmis')}, ` +
        `swarm cards: ${count((s) => s.startsWith('swarm:'))}, flashmem: ${count((s) => s.startsWith('flashmem/'))})`,
    );
  });

  it('stats counts the events in the local relay, measures the database and counts members', () => {
    const r = run('stats-json');
    expect(r.code).toBe(0);
    const stats = StoreStats.parse(JSON.parse(r.stdout));
    expect(stats.events).toBe(3);
    expect(stats.dbBytes).toBe(4096);
    expect(stats.members.total).toBe(Object.keys(station.members).length);
    const text = run('stats');
    expect(text.stdout).toMatch(/events {5}3 /);
    // Sizes in powers of 1000, as the window and the report write them.
    expect(text.stdout).toMatch(/database {3}4\.1\u00a0kB/);
  });

  it('stats says why events are unknown when the local relay is down', () => {
    const r = run('stats-relay-down');
    expect(r.code).toBe(0);
    const stats = StoreStats.parse(JSON.parse(r.stdout));
    expect(stats.events).toBeNull();
    expect(stats.method).toMatch(/ws:\/\/127\.0\.0\.1:9/);
  });
});
