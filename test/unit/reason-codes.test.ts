/**
 * Reasons as codes: every reason below is produced by the engine's own functions — reading a hostile station
 * folder, judging peers, checking services that do not answer, refusing settings, deciding the schedule — never
 * copied by hand. Each must render in English (the text logs write, equal to the `reason` the engine wrote next
 * to it) and in French (through the French catalogue, not left in English). The most frequent reasons a captain
 * sees come first: peers' status, station files, services, settings.
 *
 * Every code of the catalogue is produced here, or is named below with what produces it: a new code that is
 * neither fails this file.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/shared/i18n/reasons-en';
import { fr } from '../../src/shared/i18n/reasons-fr';
import { reason, reasonOf, reasonText, renderReason, ReasonError, type Reason } from '../../src/shared/i18n';
import { parseInput, ContractError } from '../../src/shared/api';
import { readStation } from '../../src/core/station/snapshot';
import { judgePeer } from '../../src/core/station/peers';
import { parseCard } from '../../src/core/station/card';
import { classifyRelayUrl } from '../../src/core/station/route';
import { parseMoats } from '../../src/core/station/moats';
import { notAStation } from '../../src/core/station/found';
import { readBoundedFile, StationReader } from '../../src/core/station/read';
import { checkKubo, checkRelay } from '../../src/core/info';
import { SettingsStore } from '../../src/core/settings';
import { decide, readStationLock } from '../../src/core/sync/scheduler';
import { makeConfig } from '../../src/core/config';
import { Engine } from '../../src/core/engine';
import { hex64, issueReason, type Peer } from '../../src/shared/schemas';
import { freePort } from '../support';

/**
 * Codes this file does not produce, and what produces them: conditions a unit test cannot make (root reads
 * everything, races, a full disk) or that need peers (the profile phase: its outcomes are checked the same way in
 * test/integration/profiles.test.ts). Their French entry is still guaranteed by the typecheck.
 */
const PRODUCED_ELSEWHERE: Record<string, string> = {
  'station.rereadFailed': 'a station folder that fails while being re-read after a change (station/index.ts)',
  'watch.polling': 'fs.watch refused on a folder (station/watch.ts): inotify limits, not reproducible here',
  'file.permission': 'EACCES: these tests run as root, who reads everything',
  'file.cannotResolve': 'realpath failing with another code than ENOENT/ENOTDIR/ELOOP (EIO, EACCES as non-root)',
  'file.cannotList': 'readdir failing with another code than ENOTDIR (EACCES as non-root)',
  'file.cannotOpen': 'open failing with another code (EMFILE, EIO)',
  'file.becameLink': 'a file replaced by a symlink between realpath and open (a race)',
  'file.tooLargeOver': 'a file growing past the limit while it is read (a race)',
  'swarm.tooMany': 'more than 2,000 beacon folders',
  'settings.fileUnreadable': 'settings.json unreadable for another reason than absence (EACCES as non-root)',
  'contract.invalidOutput': 'an engine answer that breaks its schema',
  'contract.invalidEvent': 'an event payload that breaks its schema (the renderer transports)',
  'profiles.noPeerHolds': 'profile recovery',
  'profiles.noFallback': 'profile recovery without fallback relays (the demo)',
  'profiles.noSyncablePeer': 'profile recovery without syncable peers',
  'profiles.notFound': 'profile recovery, a member without any note of why',
  'profiles.fullSync': 'profile recovery from a peer',
  'profiles.fallbackFound': 'profile recovery from a fallback relay',
  'profiles.fallbackNone': 'profile recovery, a fallback relay without the kind 0',
  'profiles.fallbackFailed': 'profile recovery, a fallback relay that fails',
  'profiles.noAnswer': 'profile recovery, timeouts.profile ran out',
  'profiles.noWay': 'profile recovery, no tunnel to a peer',
  'profiles.cannotConnect': 'profile recovery, a peer relay that refuses the connection',
  'profiles.gone': 'profile recovery, a profile deleted between probe and full sync',
  'profiles.fullSyncTimeout': 'profile recovery, a full sync past timeouts.profile',
  'profiles.profileOnly': 'profile recovery, a full sync that failed after the probe brought the profile',
  'profiles.importFailed': 'profile recovery, the local relay refusing the import',
  'profiles.still': 'profile recovery: each missing member',
  'profiles.dryRun': 'a dry run with missing profiles',
  'profiles.outsideRoot': 'tmp/coucou planted as a symlink out of the root',
  'profiles.exportFailed': 'the profiles export that cannot be written',
  'profiles.stillMissing': 'the profile phase summary (the demo: `sync --demo` prints it)',
  'graph.notHex': 'graph.neighbors with a bad key',
  'graph.workerMissing': 'a broken install without the graph worker',
  'graph.workerFailed': 'a graph job that throws in its worker',
  'graph.workerCrashed': 'a graph worker that crashes',
  'graph.workerExited': 'a graph worker that exits without answering',
  'graph.noResult': 'a graph computation that ends without a result',
  'graph.savedOld': 'a saved reach of another version (after an upgrade)',
  'graph.cannotRead': 'a saved reach that cannot be read',
  'graph.unreadable': 'a saved reach that is not JSON',
  'graph.cannotSave': 'a reach that cannot be saved (full disk)',
  'graph.subgraphFailed': 'the subgraph drawing failing after a computation',
  'profiles.refused': 'profile recovery, the local relay refusing some of the events',
  'engine.leftoverTunnels': 'kubo refusing to list or close the tunnels left by a crash',
  'engine.demoStop': 'the demo failing to stop',
  'files.notSwept': 'the data folder unreadable at start',
  'graph.recomputeFailed': 'the recompute after a sync failing',
  'schedule.note': 'every schedule decision',
  'schedule.log': 'every schedule decision, in the log',
  'schedule.skipped': 'a skipped slot',
  'schedule.started': 'a started scheduled run',
  'schedule.cannotStart': 'a scheduled run refused by the sync service',
  'schedule.paused': 'pause',
  'schedule.resumed': 'resume',
  'schedule.woke': 'the machine waking up',
  'schedule.clockJumped': 'the wall clock jumping',
  'schedule.interval': 'the interval changed in Settings',
  'schedule.planned': 'the schedule starting',
  'schedule.historyUnreadable': 'a run history that cannot be read',
  'lock.cannotCheck': 'a lock check that throws',
  'lock.unreadable': 'a lock file unreadable for another reason than absence (EACCES as non-root)',
  'settings.tightened': 'the engine starting on a settings.json readable by others',
  'lock.notRunning': 'a lock whose PID is gone, when lock.ts gives no reason of its own',
  'stats.counted': '`stats` on a station whose relay answers',
  'stats.cannotCount': 'a local store without COUNT (NIP-45)',
  'stats.noStore': 'a local store that cannot be opened',
  'peer.label': 'names peers inside the profile reasons (profiles.*)',
  'url.noHost': 'a guard: the URL parser already refuses ws:// and wss:// URLs without a host (url.invalid)',
  at: 'joins a name and a reason (station watch, profiles)',
  cancelled: 'a cancelled profile phase',
};

const NOW = Date.UTC(2026, 5, 30, 12, 0, 0);
const pid = (c: string): string => `12D3KooW${c.repeat(44)}`;

/** What the engine produced: the reason, and the English text it wrote next to it (when it wrote one). */
const produced: Array<{ where: string; why: Reason; text?: string | null }> = [];
const keep = (where: string, why: Reason | null | undefined, text?: string | null): void => {
  if (why) produced.push({ where, why, text });
};
/** The codes inside a reason, nested ones included. */
function codesOf(r: Reason, out = new Set<string>()): Set<string> {
  out.add(r.code);
  for (const v of Object.values(r.params ?? {})) {
    for (const x of Array.isArray(v) ? v : [v]) if (x && typeof x === 'object' && 'code' in x) codesOf(x as Reason, out);
  }
  return out;
}

let base: string;
let servers: Server[] = [];

function peerOf(extra: Partial<Peer> = {}): Peer {
  return {
    id: pid('A'), peerId: pid('A'), hostname: 'a.example', captain: null, captainHex: null, nodeHex: null, relayUrl: null, city: null,
    lat: null, lon: null, uplanet: null, services: [], servesStrfry: false, cardVersion: '12345.0.2', updatedAt: null, ageSeconds: 60,
    status: 'invalid', reason: null, route: 'none', syncable: false, ...extra,
  };
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'reason-codes-'));
  const root = join(base, '.zen');
  const put = async (rel: string, content: string | Buffer): Promise<void> => {
    await mkdir(dirname(join(root, rel)), { recursive: true });
    await writeFile(join(root, rel), content);
  };
  const card = (id: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ version: '12345.0.2', ipfsnodeid: id, hostname: 'x.example', dragon_services: 'ssh', ...extra });

  // ---- peers, as judged (the reasons a captain sees most: one per peer kept out of the sync)
  const own = parseCard(card(pid('S'), { myRELAY: 'wss://self.example' }));
  const judge = (cardText: string, peer: Partial<Peer> = {}, staleHours = 12): void => {
    const c = parseCard(cardText);
    if (!c.ok) throw new Error('the test card does not parse');
    keep('judgePeer', judgePeer(peerOf(peer), c.card, { selfId: pid('S'), staleHours, now: NOW / 1000 }).why);
  };
  if (own.ok) keep('judgePeer self', judgePeer(peerOf({ id: pid('S'), peerId: pid('S') }), own.card, { selfId: pid('S'), staleHours: 12, now: 0 }).why);
  judge(card(pid('A'), { myRELAY: 'wss://a.example' }), { ageSeconds: 13 * 3600 });
  judge(card(pid('A'), { myRELAY: 'wss://a.example' }), { ageSeconds: 5 * 86400 });
  judge(card(pid('A'), { myRELAY: 'ws://127.0.0.1:7777' }));
  judge(card(pid('A')));
  judge(card(pid('A'), { status: 'booting' }));
  judge(JSON.stringify({ version: 'picoport-12345-v2', ipfsnodeid: pid('A') }));
  const named = card(pid('A'), { myRELAY: 'ws://relay.name.example:7777' });
  const namedCard = parseCard(named);
  if (namedCard.ok) keep('judgePeer, a name resolving to loopback', judgePeer(peerOf(), namedCard.card, { selfId: null, staleHours: 12, now: NOW / 1000 }, classifyRelayUrl('ws://relay.name.example:7777', ['127.0.0.1'])).why);
  for (const url of ['', 'relay.example', 'http://relay.example', 'ws://', 'wss://user:pw@relay.example', `wss://${'a'.repeat(2100)}.example`, 'ws://10.0.0.1/?x', 'ws://10.0.0.1/#x', 'ws://10.0.0.1/cgi-bin']) {
    const v = classifyRelayUrl(url);
    if (!v.ok) keep(`classifyRelayUrl ${url.slice(0, 30)}`, v.why);
  }
  for (const text of ['', 'yesterday', '20261330120501', '12345']) {
    const m = parseMoats(text);
    if (!m.ok) keep(`parseMoats ${text}`, m.why);
  }

  // ---- a station folder with the usual damage: its snapshot's peers and problems
  await put(`tmp/swarm/${pid('B')}/12345.json`, '{"version" : "12345.0.2", "myRELAY" : ');
  await put(`tmp/swarm/${pid('C')}/12345.json`, '[1, 2]');
  await put(`tmp/swarm/${pid('D')}/12345.json`, card(pid('X'), { myRELAY: 'wss://d.example', captainHEX: 'nope' }));
  await put(`tmp/swarm/${pid('D')}/_MySwarm.moats`, 'garbage');
  await put(`tmp/swarm/${pid('E')}/12345.json`, Buffer.from([0x7b, 0x00, 0x7d]));
  await put(`tmp/swarm/${pid('F')}/12345.json`, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  await put(`tmp/swarm/${pid('G')}/12345.json`, 'x'.repeat(2 * 1024 * 1024));
  await mkdir(join(root, 'tmp/swarm', pid('H'), '12345.json'), { recursive: true });
  await mkdir(join(root, 'tmp/swarm', pid('I')), { recursive: true });
  execFileSync('mkfifo', [join(root, 'tmp/swarm', pid('I'), '12345.json')]);
  await mkdir(join(root, 'tmp/swarm/no-card'), { recursive: true });
  await put('tmp/swarm/a-file', 'x');
  await symlink('/etc', join(root, 'tmp/swarm/out'));
  await symlink(join(root, 'nowhere'), join(root, 'tmp/swarm/dangling'));
  await symlink(join(root, 'tmp/swarm/loop-b'), join(root, 'tmp/swarm/loop-a'));
  await symlink(join(root, 'tmp/swarm/loop-a'), join(root, 'tmp/swarm/loop-b'));
  await put('game/nostr/alice@example.org/HEX', 'not a key\n' + 'b'.repeat(64) + '\n\u0000\n');
  await put('game/nostr/empty@example.org/HEX', '\n');
  await put('game/nostr/a-file', 'x');
  await put('game/nostr/carol@example.org/.secret.nostr', 'c'.repeat(64));
  await symlink('.secret.nostr', join(root, 'game/nostr/carol@example.org/HEX'));
  await put('strfry/amisOfAmis.txt', 'junk\n'.repeat(12));
  await put('flashmem', 'a file where a folder is expected');
  await mkdir(join(root, 'tmp', pid('S')), { recursive: true });
  await mkdir(join(root, 'tmp', pid('T')), { recursive: true });
  await writeFile(join(base, 'ipfs-config'), '{"Identity": {"PeerID": "nope"}}');
  await writeFile(join(base, 'ipfs-config-bad'), '{');
  const read = async (ipfsConfig: string) =>
    readStation(root, { staleHours: 12, now: NOW, kuboId: () => Promise.reject(new Error('no kubo')), ipfsConfig });
  for (const cfg of [join(base, 'ipfs-config'), join(base, 'ipfs-config-bad')]) {
    const st = await read(cfg);
    for (const p of st.snapshot.peers) keep(`peer ${p.id}`, p.why, p.reason);
    for (const p of st.snapshot.problems) keep(`problem ${p.path}`, p.why, p.reason);
  }
  const secret = await readBoundedFile(join(base, '.secret.nostr'), 10).catch((err: unknown) => err);
  keep('readBoundedFile .secret.nostr', reasonOf(secret));
  const missing = await readBoundedFile(join(base, 'absent.json'), 10);
  if (!missing.ok) keep('readBoundedFile absent', missing.why);
  const unopened = await new StationReader(root).readText('strfry/amisOfAmis.txt', 10);
  if (!unopened.ok) keep('StationReader before init', unopened.why);
  const reader = new StationReader(root);
  await reader.init();
  const through = await reader.readText('strfry/amisOfAmis.txt/x', 10);
  if (!through.ok) keep('StationReader through a file', through.why);
  for (const r of [join(base, 'missing'), join(root, 'tmp', pid('S'))]) keep(`notAStation ${r}`, await notAStation(r));
  keep('notAStation base', await notAStation(base));

  // ---- services that do not answer (the Overview's service lines)
  const http500 = createServer((_req, res) => res.writeHead(500).end());
  await new Promise<void>((ok) => http500.listen(0, '127.0.0.1', ok));
  servers.push(http500);
  const port = (http500.address() as { port: number }).port;
  const closed = await freePort();
  for (const c of [
    await checkRelay(`ws://127.0.0.1:${closed}`, 2000),
    await checkRelay('not a url', 2000),
    await checkRelay(`ws://127.0.0.1:${port}`, 2000),
    await checkKubo(`http://127.0.0.1:${closed}`, '', 2000),
    await checkKubo(`http://127.0.0.1:${port}`, '', 2000),
  ]) keep(`service ${c.url}`, c.why, c.error);
  const silent = createServer(() => undefined);
  await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
  servers.push(silent);
  const c = await checkKubo(`http://127.0.0.1:${(silent.address() as { port: number }).port}`, '', 300);
  keep('checkKubo silent', c.why, c.error);

  // ---- settings refused (the Settings screen), the contract's input checks
  const store = new SettingsStore(join(base, 'data'), base, {});
  await store.load();
  for (const patch of [{ relayUrl: 'http://x', kuboApi: 'ws://x', days: -1, kinds: [], zenRoot: '', peerConcurrency: 99 }, { language: 'de', theme: 3, extra: 1 }, { strfryBin: '/tmp/evil.sh' }]) {
    await store.set(patch).catch((err: unknown) => keep('SettingsStore.set', reasonOf(err), (err as Error).message));
  }
  try {
    parseInput('settings.set', { relayUrl: 'http://x', days: 'many', bogus: true });
  } catch (err) {
    keep('parseInput', (err as ContractError).reason, (err as Error).message);
  }
  const key = hex64.safeParse('not a key');
  if (!key.success) keep('hex64', issueReason(key.error.issues[0]!));
  for (const text of ['{', '{"days": -3, "fallbackRelays": ["x"]}']) {
    await mkdir(join(base, 'bad'), { recursive: true });
    await writeFile(join(base, 'bad', 'settings.json'), text);
    const s = new SettingsStore(join(base, 'bad'), base, {});
    await s.load();
    keep('SettingsStore.load', s.loadProblem);
  }

  // ---- the schedule (the Overview's last decision) and the station lock
  const inputs = { now: NOW, enabled: true, paused: false, intervalMinutes: 60, dueAt: NOW - 1, running: false, lock: { held: false, detail: null }, lastRun: null };
  for (const d of [
    decide({ ...inputs, enabled: false }),
    decide({ ...inputs, paused: true }),
    decide({ ...inputs, dueAt: NOW + 1000 }),
    decide({ ...inputs, running: true }),
    decide({ ...inputs, lock: { held: true, detail: reason('lock.pid', { pid: 4242 }) } }),
    decide({ ...inputs, lastRun: { startedAt: NOW - 10 * 60_000, outcome: 'success' } }),
    decide({ ...inputs, lastRun: { startedAt: NOW - 10_000, outcome: 'success' } }),
    decide(inputs),
  ]) keep('decide', d.why);
  await put('strfry/constellation-backfill.lock', 'not a pid');
  keep('readStationLock', (await readStationLock(root)).detail);
  await put('strfry/constellation-backfill.lock', '999999999');
  keep('readStationLock', (await readStationLock(root)).detail);
  await rm(join(root, 'strfry/constellation-backfill.lock'));
  await symlink('/etc/hostname', join(root, 'strfry/constellation-backfill.lock'));
  keep('readStationLock', (await readStationLock(root)).detail);

  // ---- the engine's facade
  const engine = new Engine(makeConfig({ dataDir: join(base, 'engine'), home: base, overrides: { zenRoot: root, relayUrl: 'ws://127.0.0.1:1', kuboApi: 'http://127.0.0.1:1' } }));
  try {
    engine.settings();
  } catch (err) {
    keep('engine.settings before start', reasonOf(err), (err as Error).message);
  }
  await engine.start();
  try {
    for (const [name, input] of [['no.such.call', undefined], ['history.exportHtml', { id: 'nope' }]] as const) {
      await engine.call(name as never, input).catch((err: unknown) => keep(`engine.call ${name}`, reasonOf(err), (err as Error).message));
    }
    keep('schedule without a host', (await engine.call('schedule.status', undefined)).lastDecisionWhy);
    const stats = await engine.call('station.stats', undefined);
    keep('station.stats, the local relay down', stats.why, stats.method);
  } finally {
    await engine.stop();
  }
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.close();
  servers = [];
  await rm(base, { recursive: true, force: true });
});

describe('reasons produced by the engine', () => {
  it('are many, and each renders in English (the text the engine wrote) and in French', () => {
    expect(produced.length).toBeGreaterThan(60);
    const bad: string[] = [];
    for (const { where, why, text } of produced) {
      const english = renderReason(why, 'en');
      const french = renderReason(why, 'fr');
      if (!english.trim()) bad.push(`${where}: ${why.code}: empty English`);
      if (text !== undefined && text !== null && text !== english) bad.push(`${where}: ${why.code}: the engine wrote ${JSON.stringify(text)}, the catalogue says ${JSON.stringify(english)}`);
      if (!french.trim()) bad.push(`${where}: ${why.code}: empty French`);
      // French differs from English, except reasons made only of technical tokens (a PID, an error code).
      if (french === english && !/^(PID \d+|[A-Z_]+)$/.test(english)) bad.push(`${where}: ${why.code}: French is the English ${JSON.stringify(english)}`);
      for (const c of codesOf(why)) if (!(c in en) || !(c in fr)) bad.push(`${where}: ${c}: not in both catalogues`);
    }
    expect(bad).toEqual([]);
  });

  it('a thrown ReasonError carries its reason through reasonOf; other errors become text, said through the fragments', () => {
    const r = reason('station.missing', { root: '/srv/zen' });
    expect(reasonOf(new ReasonError(r))).toEqual(r);
    const plain = reasonOf(new Error('connect ECONNREFUSED 127.0.0.1:7777'));
    expect(plain).toEqual({ code: 'text', params: { text: 'connect ECONNREFUSED 127.0.0.1:7777' } });
    expect(renderReason(plain, 'fr')).toContain('connexion refusée (ECONNREFUSED)');
    expect(reasonText(plain)).toBe('connect ECONNREFUSED 127.0.0.1:7777');
  });

  it('cover every code of the catalogue, or the code is named with where it is produced', () => {
    const seen = new Set<string>();
    for (const { why } of produced) codesOf(why, seen);
    const missing = Object.keys(en).filter((c) => c !== 'text' && !seen.has(c) && !(c in PRODUCED_ELSEWHERE));
    expect(missing, 'codes no test produces: produce them above, or name where they come from').toEqual([]);
    const stale = Object.keys(PRODUCED_ELSEWHERE).filter((c) => !(c in en) || seen.has(c));
    expect(stale, 'listed as produced elsewhere but unknown or produced here').toEqual([]);
    console.log(`reason codes: ${Object.keys(en).length} in the catalogue, ${seen.size} produced here from ${produced.length} reasons`);
  });
});
