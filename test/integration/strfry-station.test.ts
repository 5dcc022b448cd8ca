/**
 * A station whose local store is strfry (the CLI stand-in on its database, a devkit relay serving it), syncing
 * with a peer reached only through its kubo tunnel that still holds what the station has moved past: older
 * versions of a profile and an article, notes a kind 5 held locally deletes, an article deleted by an `a`-tag
 * kind 5 held locally. `constellation sync` runs as a captain runs it (real processes).
 *
 * Checked: both runs succeed, those events are answered for (superseded, or dropped as deleted), the second
 * run asks for none of them again and moves < 5 % of the first's bytes; and what the run leaves for the
 * station's own scheduler and report (station.md): the `lastrun` stamp, the start/end lines and one totals
 * `SYNC_STATS` line per run with every key sync_report.sh reads, no line its failure count matches unless
 * something failed — also after a run that fails.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KuboStandin,
  article,
  buildStation,
  deletion,
  manyNotes,
  note,
  onCleanup,
  profile,
  runCleanup,
  runCli,
  sign,
  startRelays,
  startStrfryStation,
  strfryStationEnv,
  tmpDir,
  type BuiltStation,
  type CliResult,
  type StrfryStation,
} from '../support';
import { RunReport } from '../../src/shared/schemas';
import { STATION_STAT_KEYS } from '../../src/shared/kinds';
import { END_LINE, START_LINE, STATION_FAILURE_PATTERN, lastRunStampPath, stationLogPath } from '../../src/core/sync/station-record';

const NOW = Math.floor(Date.now() / 1000);

let built: BuiltStation;
let station: StrfryStation;
let env: Record<string, string | undefined>;
let first: CliResult;
let second: CliResult;
let afterFirst: { log: string; stamp: number };
let expected: { superseded: string[]; deletedNotes: string[]; kept: string[] };

const sync = (): Promise<CliResult> => runCli(['sync', '--json', '--no-profiles', '--days', '1', '--fallback-relays', ''], env, { timeoutMs: 120_000 });
const readStamp = async (): Promise<number> => Number((await readFile(lastRunStampPath(built.root), 'utf8')).trim());
const failureCount = (text: string): number => text.split('\n').filter((l) => STATION_FAILURE_PATTERN.test(l)).length;

beforeAll(async () => {
  built = await buildStation({ seed: 'strfry-station', peers: 1, members: { emails: 2 }, amisOfAmis: 2 });
  onCleanup(() => built.cleanup());
  station = await startStrfryStation(join(built.root, 'strfry'));
  onCleanup(() => station.stop());
  const [peer] = await startRelays(1, { maxLimit: 500 });
  const kubo = await KuboStandin.start({ peerId: built.self.peerId });
  onCleanup(() => kubo.stop());
  kubo.registerPeer(built.peers[0]!.peerId, { host: '127.0.0.1', port: peer!.port });

  const [a, b] = Object.values(built.keys.users) as [NonNullable<(typeof built.keys.users)[string]>, NonNullable<(typeof built.keys.users)[string]>];
  // what the station already holds: the newer versions, a deletion of two notes, an `a`-tag deletion
  const profileV2 = profile(a, { name: 'v2' }, NOW - 3600);
  const articleV2 = article(a, 'post', 'v2', NOW - 3600);
  const doomed = [note(a, 'deleted 1', NOW - 7200), note(a, 'deleted 2', NOW - 7100)];
  const kill = deletion(a, doomed.map((e) => e.id), NOW - 3000);
  const gone = article(b, 'gone', 'deleted by address', NOW - 7200);
  const killAddress = sign(b, { kind: 5, created_at: NOW - 3000, tags: [['a', `30023:${b.pk}:gone`]], content: '' });
  await station.relay.seed([profileV2, articleV2, kill, killAddress]);
  // what the peer holds (it never saw those): older versions, the deleted notes and article, and new notes
  const profileV1 = profile(a, { name: 'v1' }, NOW - 7200);
  const articleV1 = article(a, 'post', 'v1', NOW - 7200);
  const members = [...Object.values(built.keys.users), ...built.keys.amis];
  const fresh = await manyNotes(members, 80, { seed: 'strfry-station', since: NOW - 20 * 3600, until: NOW - 60 });
  await peer!.seed([profileV1, articleV1, ...doomed, gone, ...fresh]);
  expected = { superseded: [profileV1.id, articleV1.id, gone.id], deletedNotes: doomed.map((e) => e.id), kept: fresh.map((e) => e.id) };

  env = strfryStationEnv(built.root, station, kubo.url, await tmpDir('strfry-station-data-'));
  first = await sync();
  afterFirst = { log: await readFile(stationLogPath(built.root), 'utf8'), stamp: await readStamp() };
  second = await sync();
}, 300_000);

afterAll(() => runCleanup());

describe('a tunnelled peer holding superseded and deleted events (strfry stand-in as the local store)', () => {
  it('the first run succeeds and answers for every such event without importing it', async () => {
    expect(first.code, first.stderr).toBe(0);
    const r = RunReport.parse(JSON.parse(first.stdout));
    expect(r.outcome).toBe('success');
    expect(r.peers).toHaveLength(1);
    expect(r.peers[0]!.route).toBe('tunnel');
    expect(r.peers[0]!.ok, r.peers[0]!.reason ?? '').toBe(true);
    expect(r.peers[0]!.method).toBe('nip77');
    // the two older versions and the article deleted by address reach strfry, which counts them in none of
    // added/rejected/dups; the deleted notes are dropped before (the local kind 5 is known to the sieve)
    expect(r.superseded).toBe(expected.superseded.length);
    expect(r.peers[0]!.superseded).toBe(expected.superseded.length);
    expect(r.dropped.deleted).toBe(expected.deletedNotes.length);
    expect(r.imported).toBe(expected.kept.length);
    expect(r.rejected).toBe(0);
    expect(await station.relay.count({ ids: [...expected.superseded, ...expected.deletedNotes] })).toBe(0);
    expect(await station.relay.count({ ids: expected.kept })).toBe(expected.kept.length);
  });

  it('the second run succeeds, asks for none of them again and moves < 5 % of the first run\'s bytes', () => {
    expect(second.code, second.stderr).toBe(0);
    const r1 = RunReport.parse(JSON.parse(first.stdout));
    const r2 = RunReport.parse(JSON.parse(second.stdout));
    expect(r2.outcome).toBe('success');
    expect(r2.peers[0]!.ok, r2.peers[0]!.reason ?? '').toBe(true);
    expect(r2.peers[0]!.fetched).toBe(0);
    expect(r2.imported + r2.superseded + r2.duplicates).toBe(0);
    const bytes = (r: RunReport): number => r.bytesIn + r.bytesOut;
    console.log(`strfry station: first run ${bytes(r1)} bytes, second ${bytes(r2)} bytes (${((100 * bytes(r2)) / bytes(r1)).toFixed(1)} %)`);
    expect(bytes(r2)).toBeLessThan(0.05 * bytes(r1));
  });

  it('each run leaves the lastrun stamp and its lines for the station, none of them a failure', async () => {
    expect(afterFirst.stamp).toBeGreaterThanOrEqual(NOW);
    expect(afterFirst.stamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const stamp = await readStamp();
    expect(stamp).toBeGreaterThanOrEqual(afterFirst.stamp);
    expect(await readFile(lastRunStampPath(built.root), 'utf8')).toMatch(/^\d{10}\n$/);
    const log = await readFile(stationLogPath(built.root), 'utf8');
    const lines = log.trim().split('\n');
    const all = (what: string | RegExp): string[] => lines.filter((l) => (typeof what === 'string' ? l.includes(what) : what.test(l)));
    expect(all(START_LINE)).toHaveLength(2);
    expect(all(END_LINE)).toHaveLength(2);
    expect(all('SYNC_STATS: ')).toHaveLength(2);
    // start, then the run's lines, then the end, per run; every line in the station's format
    expect(lines.every((l) => /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[INFO\] /.test(l))).toBe(true);
    expect(lines[0]).toContain(START_LINE);
    expect(lines.at(-1)).toContain(END_LINE);
    // the totals line: every key sync_report.sh reads, key=N
    const stats = all('SYNC_STATS: ')[0]!.split('SYNC_STATS: ')[1]!;
    const values = new Map(stats.split(' ').map((kv) => kv.split('=') as [string, string]));
    for (const k of STATION_STAT_KEYS) expect(values.get(k), k).toMatch(/^\d+$/);
    expect(Number(values.get('events'))).toBe(expected.kept.length + expected.superseded.length);
    expect(failureCount(log)).toBe(0);
    expect(afterFirst.log.split('\n').filter((l) => l.includes(START_LINE))).toHaveLength(1);
  });

  it('a run that fails still writes the stamp, a totals line and the end line, and counts as a failure', async () => {
    const before = await readFile(stationLogPath(built.root), 'utf8');
    const stampBefore = await stat(lastRunStampPath(built.root));
    // strfry cannot open its database: the run fails when it reads the local store
    const broken = join(await tmpDir('strfry-broken-'), 'strfry.conf');
    await writeFile(broken, 'db = "./no-such-db/"\n');
    await new Promise((r) => setTimeout(r, 1100)); // a new second for the stamp
    const r = await runCli(['sync', '--json', '--no-profiles', '--fallback-relays', ''], { ...env, CONSTELLATION_STRFRY_CONF: broken }, { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    const report = RunReport.parse(JSON.parse(r.stdout));
    expect(report.outcome).toBe('failed');
    expect(report.reason).toMatch(/mdb_env_open: No such file or directory/);
    const added = (await readFile(stationLogPath(built.root), 'utf8')).slice(before.length).trim().split('\n');
    expect(added[0]).toContain(START_LINE);
    expect(added.filter((l) => l.includes('SYNC_STATS: '))).toHaveLength(1);
    expect(added.at(-1)).toContain(END_LINE);
    expect(failureCount(added.join('\n'))).toBe(1);
    expect((await stat(lastRunStampPath(built.root))).mtimeMs).toBeGreaterThan(stampBefore.mtimeMs);
    expect(await readStamp()).toBeGreaterThan(afterFirst.stamp);
  });
});
