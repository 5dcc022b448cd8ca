/**
 * Reasons as codes: every reason below is produced by the engine's own functions — reading a hostile station
 * folder, judging peers, checking services that do not answer, refusing settings, deciding the schedule, and the
 * sync engine's: relay connections that fail every way a peer makes them fail, tunnels that cannot open, the
 * bounds a hostile peer meets, whole runs over peers kubo cannot reach, refusing, flooding, silent past their time
 * limit or the run's deadline — never copied by hand. Each must render in English (the text logs write, equal to the `reason` the engine wrote next
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
import { hex64, issueReason, type LogLine, type Peer } from '../../src/shared/schemas';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { IdList, RelayConnection, closeReason, reconcile, socketErrorReason } from '../../src/core/nostr';
import { relayRoundTrip, webSocketOpens } from '../../src/core/kubo/probe';
import { PeerBudget } from '../../src/core/sync/bounds';
import { DEFAULT_TIMEOUTS } from '../../src/core/config';
import { Tunnels } from '../../src/core/kubo/tunnels';
import { StrfryStore } from '../../src/core/store/strfry-store';
import { buildStation, freePort, KuboStandin, startRelays, stationOnlyContext, type TestRelay } from '../support';
import { fetchRelayInfo, probeNip77 } from '../../src/core/nostr';
import { KuboClient, parsePingStream } from '../../src/core/kubo/rpc';
import { acquireLock, judgeLock, lockPath } from '../../src/core/sync/lock';
import { loadKnown, knownPath } from '../../src/core/sync/known';
import { createHistoryStore } from '../../src/core/sync/history';
import { SeenBook, seenPath } from '../../src/core/live/seen';
import { spawn, spawnSync } from 'node:child_process';
import { endlessNegMessage } from '../support/faults';
import { chmod, chown } from 'node:fs/promises';
import type { LookupAddress } from 'node:dns';
import { NegentropyInitiator, NegentropyItems } from '../../src/core/nostr/negentropy-client';
import { guardedLookup, makeSystemResolver } from '../../src/core/util/net';
import { timeoutsFromEnv } from '../../src/core/config';
import { checkStrfryBinary } from '../../src/core/store/strfry-store';
import { sweepLeftovers } from '../../src/core/leftovers';
import { Logger } from '../../src/core/log';
import { EngineEvents } from '../../src/core/events';
import { sharedReason } from '../../src/core/sync/run';
import { installService, systemctl, uninstallService } from '../../src/cli/service';
import { appRoot } from '../../src/cli/root';
import { startWebHost } from '../../src/cli/webhost';

/**
 * Codes this file does not produce, and what produces them: conditions a unit test cannot make (root reads
 * everything, races, a full disk) or that need peers (the profile phase: its outcomes are checked the same way in
 * test/integration/profiles.test.ts). Their French entry is still guaranteed by the typecheck.
 */
const PRODUCED_ELSEWHERE: Record<string, string> = {
  'live.settingOff': 'the liveSync setting turned off in a host that runs live sync (engine.ts; the window, e2e)',
  'live.engineStopping': 'an engine stopping with live sync running (live.status of an engine that has stopped)',
  'live.restarting': 'live sync restarted on a new station root or local relay (engine.ts, settings.update)',
  'live.couldNotStart': 'live sync failing to start (an unreadable station folder at start)',
  'live.catchUpFailed': 'a catch-up cut by a peer while its stream runs (core/live/link.ts; test/unit/live.test.ts renders it)',
  'live.refusing': "a peer answering this station's EVENTs auth-required:/blocked: (test/integration/live.test.ts, p1's write policy)",
  'live.resubscribeFailed': 'a peer refusing the new REQs after the member set changed (core/live/link.ts)',
  'sync.shareRefused': "the hourly run's share side meeting a peer that refuses writes (core/sync/run.ts)",
  'live.importLost': 'an import failing three times (core/live/ingest.ts; test/unit/live.test.ts)',
  'live.streaming': "a peer's stream opened (test/integration/live.test.ts, the log)",
  'live.caughtUp': "a peer's gap caught up (test/integration/live.test.ts, the log)",
  'live.peerGone': 'a swarm card turning stale or changing route (test/integration/live.test.ts)',
  'live.following': 'a member added to amisOfAmis.txt (test/integration/live.test.ts)',
  'live.stillClosing': 'links still closing 1.5 s after a stop (a tunnel slow to close)',
  'live.cannotSave': 'the data folder refusing the per-peer marks (EACCES as non-root, a full disk)',
  'live.stationUnreadable': 'the station folder failing while live sync re-reads it',
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
  'profiles.dryRun': 'a dry run with missing profiles',
  'profiles.outsideRoot': 'tmp/coucou planted as a symlink out of the root',
  'profiles.exportFailed': 'the profiles export that cannot be written',
  'peer.willRetry': 'a peer whose connection drops after data flowed (retry.ts): test/faults/faults.test.ts, a peer that drops mid-answer',
  'tunnel.kuboNoWay': 'kubo taking longer than timeouts.kuboPing to give up on a peer: test/integration/tunnels.test.ts (the stand-in told to wait)',
  'tunnel.relaySilent': 'a tunnel kubo opens to a peer whose relay does not answer: test/integration/tunnels.test.ts',
  'tunnel.noFreePort': 'every loopback port taken between the choice and kubo\'s listen (a race)',
  'probe.failed': 'a socket error with neither a known code nor a message (kept for ws errors that carry only a code)',
  'relay.noConnection': 'the connect timer, when it fires before ws\'s own handshake timeout (then said as ws\'s text)',
  'import.failed': 'a local store failing mid-run (strfry killed, the disk full)',
  'import.shortAnswer': 'a local store that answers for fewer events than it was sent',
  'run.profilesFailed': 'a profile phase that throws (the local relay gone after the peers)',
  'profiles.noReachablePeer': 'a run whose every syncable peer was unreachable, then its profile phase: test/integration/sync.test.ts (a down peer said once)',
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
  'stats.counted': '`stats` on a station whose relay answers',
  'stats.cannotCount': 'a local store without COUNT (NIP-45)',
  'stats.noStore': 'a local store that cannot be opened',
  'url.noHost': 'a guard: the URL parser already refuses ws:// and wss:// URLs without a host (url.invalid)',
  'nip77.remembered': "a peer whose remembered NIP-77 answer is no (sync-state/peers.json): its text goes to that file only (core/sync/session.ts)",
  'kubo.noFreePort': 'the system giving port 0 back from a bind on 127.0.0.1 (never seen; a guard)',
  'tunnel.closeFailed': 'kubo refusing p2p/close for a tunnel of ours after it opened it (core/kubo/tunnels.ts)',
  'tunnel.releaseFailed': "a tunnel's release failing when its session is cancelled (core/kubo/tunnels.ts)",
  'run.memoryNotSaved': 'the data folder refusing sync-state/peers.json (EACCES as non-root, a full disk)',
  'run.profilesNotRefreshed': 'the profiles index failing after a run (its members unreadable meanwhile)',
  'run.graphNotRecomputed': 'the graph recompute throwing after a run',
  'known.notSaved': 'the data folder refusing sync-state/known/<peer> after a NIP-77 session (EACCES as non-root, a full disk)',
  'share.cannotRead': "the local relay failing the share side's read of its recent events (strfry gone mid-run)",
  'history.notSaved': 'the data folder refusing a run report (EACCES as non-root, a full disk)',
  'station.stampNotWritten': "the station's strfry folder refusing the last-run stamp (EACCES as non-root, a full disk)",
  'lock.cannotWrite': 'the strfry folder refusing the lock file (EACCES as non-root, a full disk)',
  'lock.cannotTakeOver': 'the strfry folder refusing the takeover guard file (EACCES as non-root)',
  'lock.keepsComingBack': 'fifty takeovers of a stale lock lost in a row to other runs (a race)',
  'tunnel.opened': 'a tunnel kubo opens to a peer whose relay answers through it: test/integration/tunnels.test.ts, the log',
  'tunnel.leftoverClosed': 'a tunnel a crashed run left open, closed at the next start: test/integration/tunnels.test.ts',
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
    const liveOff = await engine.call('live.status', undefined);
    keep('live.status in a host that does not run live sync', liveOff.why, liveOff.reason);
  } finally {
    await engine.stop();
  }

  // ---- live sync (`constellation live`): the local relay down, the setting turned off, the engine stopping
  const lines: LogLine[] = [];
  const live = new Engine(
    makeConfig({
      dataDir: join(base, 'live'), home: base, overrides: { zenRoot: root, relayUrl: 'ws://127.0.0.1:1', kuboApi: 'http://127.0.0.1:1' },
      live: { backoffFirstMs: 50, backoffMaxMs: 100, membershipPollMs: 100 },
    }),
    { live: 'always', echo: (l) => void lines.push(l) },
  );
  keep('live sync before it starts', live.live.status().why, live.live.status().reason);
  await live.start();
  try {
    for (let i = 0; i < 100 && !live.live.status().local.why; i++) await new Promise((r) => setTimeout(r, 50));
    const down = live.live.status().local;
    keep('live sync, the local relay down', down.why, down.reason);
    await live.live.stop();
    keep('live sync stopped', live.live.status().why, live.live.status().reason);
    for (const l of lines.filter((x) => x.why?.code.startsWith('live.'))) keep(`live sync's log (${l.level})`, l.why, l.msg);
  } finally {
    await live.stop();
  }
}, 60_000);

/** A WebSocket server on 127.0.0.1 doing one scripted thing with each message (the hostile peers of a sync). */
const scripts: WebSocketServer[] = [];
async function scripted(onMessage: (ws: WebSocket, msg: unknown[]) => void, onConnection?: (ws: WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  scripts.push(wss);
  wss.on('connection', (ws) => {
    onConnection?.(ws);
    ws.on('message', (raw) => onMessage(ws, JSON.parse(String(raw)) as unknown[]));
  });
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
}
const caught = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => e);
const fakeEvent = (created_at: number): Record<string, unknown> => ({
  id: randomBytes(32).toString('hex'), pubkey: '1'.repeat(64), created_at, kind: 1, tags: [], content: 'x', sig: '2'.repeat(128),
});

// ---- the sync engine (the reasons a captain sees most once the peers are judged: why a peer failed in a run)
beforeAll(async () => {
  // a relay connection's failures, as a peer's session meets them
  const closed = await freePort();
  keep('connect, nothing listens', reasonOf(await caught(RelayConnection.connect(`ws://127.0.0.1:${closed}`, { timeoutMs: 2000 }))));
  const http = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  servers.push(http);
  keep('connect, an HTTP server', reasonOf(await caught(RelayConnection.connect(`ws://127.0.0.1:${(http.address() as { port: number }).port}`))));
  keep('webSocketOpens, an HTTP server', reasonOf(await caught(webSocketOpens(`ws://127.0.0.1:${(http.address() as { port: number }).port}`, 2000))));
  keep('webSocketOpens, a bad URL', reasonOf(await caught(webSocketOpens('ws://[bad', 2000))));
  // a relay that does what the REQ's `#t` tag says: close with a code (`c1008`), cut the connection (`cut`)…
  const closer = await scripted((ws, [type, sub, f]) => {
    if (type !== 'REQ') return;
    const what = ((f as { '#t'?: string[] })['#t'] ?? [])[0] ?? '';
    if (what === 'cut') ws.terminate();
    else if (what === 'bad-utf8') ws.send(Buffer.from([0x5b, 0xff, 0xfe, 0x5d]), { binary: false });
    else if (what === 'big') ws.send(JSON.stringify(['EVENT', sub, { ...fakeEvent(1), content: 'x'.repeat(5000) }]));
    else if (what.startsWith('c')) ws.close(Number(what.slice(1)), 'bye');
  });
  const req = async (what: string, opts: Parameters<typeof RelayConnection.connect>[1] = {}): Promise<unknown> => {
    const conn = await RelayConnection.connect(closer, opts);
    const err = await caught((async () => { for await (const _ of conn.req([{ kinds: [1], '#t': [what] }], { idleMs: 300 })); })());
    conn.close();
    return err;
  };
  for (const sub of ['c1000', 'c1001', 'c1008', 'c1009', 'c1011', 'c4000', 'cut', 'bad-utf8']) keep(`relay ${sub}`, reasonOf(await req(sub)));
  keep('relay, a frame over our maxPayload', reasonOf(await req('big', { maxPayload: 1000 })));
  keep('relay, past peerMaxMegabytes', reasonOf(await req('big', { maxBytesIn: 1000, bytesBoundName: 'peerMaxMegabytes' })));
  keep('relay, silent', reasonOf(await req('silent')));
  // a relay's own refusal of our subscription
  {
    const conn = await RelayConnection.connect(await scripted((ws, [type, sub]) => type === 'REQ' && ws.send(JSON.stringify(['CLOSED', sub, 'blocked: not you'])))) ;
    keep('relay CLOSED', reasonOf(await caught((async () => { for await (const _ of conn.req([{ kinds: [1] }], { idleMs: 1000 })); })())));
    keep('publish, no OK', reasonOf(await caught(conn.publish(fakeEvent(1) as never, { timeoutMs: 200 }))));
    const small = await RelayConnection.connect(closer, { maxMessageLength: 10 });
    keep('send over max_message_length', reasonOf(await caught((async () => { for await (const _ of small.req([{ kinds: [1] }])); })())));
    small.close();
    const pending = caught((async () => { for await (const _ of conn.req([{ kinds: [2] }], { idleMs: 5000 })); })());
    conn.close();
    keep('closed by us', reasonOf(await pending));
  }
  // socket errors said in words (the codes Node and ws give; a unit test cannot make a relay break them all)
  for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'WS_ERR_INVALID_OPCODE']) keep(`socket ${code}`, socketErrorReason(Object.assign(new Error('Invalid WebSocket frame: invalid opcode 3'), { code }), 1000));
  keep('close 1006', closeReason(1006, ''));
  // a proof through a tunnel that gets no answer, a closed one, one that is not Nostr
  const silentWs = await scripted(() => undefined);
  keep('relayRoundTrip, silent', reasonOf(await caught(relayRoundTrip(silentWs, 300))));
  const chatty = await scripted((ws) => ws.send('not json'));
  keep('relayRoundTrip, not Nostr', reasonOf(await caught(relayRoundTrip(chatty, 2000))));
  const hangUp = await scripted(() => undefined, (ws) => ws.close(1000, ''));
  keep('relayRoundTrip, closed before the answer', reasonOf(await caught(relayRoundTrip(hangUp, 2000))));
  // NIP-77 partners that never converge, or go silent; a peer past its events
  let round = 0;
  const endless = (ids: number): Promise<string> =>
    scripted((ws, [type, sub]) => (type === 'NEG-OPEN' || type === 'NEG-MSG') && ws.send(JSON.stringify(['NEG-MSG', sub, endlessNegMessage(++round, ids).toString('hex')])));
  for (const [ids, bound] of [[3, { maxRounds: 3 }], [1000, { maxNeed: 2500 }]] as const) {
    const conn = await RelayConnection.connect(await endless(ids));
    keep('reconcile, endless', reasonOf(await caught(reconcile(conn, { kinds: [1] }, new IdList(true), bound))));
    conn.close();
  }
  {
    const garbled = await RelayConnection.connect(await scripted((ws, [type, sub]) => type === 'NEG-OPEN' && ws.send(JSON.stringify(['NEG-MSG', sub, 'zz']))));
    keep('reconcile, a NEG-MSG that is not hex', reasonOf(await caught(reconcile(garbled, { kinds: [1] }, new IdList(true), {}))));
    garbled.close();
    const conn = await RelayConnection.connect(silentWs);
    keep('reconcile, silent', reasonOf(await caught(reconcile(conn, { kinds: [1] }, new IdList(true), { idleMs: 300 }))));
    conn.close();
  }
  const budget = new PeerBudget({ maxEvents: 1, maxBytes: 1, negMaxRounds: 1, negMaxNeed: 1, maxEventSize: 1 });
  budget.event();
  try {
    budget.event();
  } catch (err) {
    keep('PeerBudget', reasonOf(err));
  }

  // the way to a peer that has none: kubo down, not a PeerID, not syncable, a relay on its loopback or a private
  // network without a strfry tunnel
  const tunnelCtx = stationOnlyContext(join(base, '.zen'));
  const tunnels = new Tunnels(tunnelCtx);
  keep('tunnels.open, not a PeerID', reasonOf(await caught(tunnels.open('../etc'))));
  keep('tunnels.open, kubo down', reasonOf(await caught(tunnels.open(pid('K')))));
  for (const t of tunnels.list()) keep('tunnels.list', t.why, t.reason);
  const lanUrl = `ws://127.0.0.1:${await freePort()}`;
  for (const p of [
    peerOf({ route: 'none', relayUrl: null, reason: 'the card has no myRELAY', why: reason('peer.noRelay') }),
    peerOf({ route: 'tunnel', relayUrl: 'ws://127.0.0.1:7777', servesStrfry: false }),
    peerOf({ route: 'lan', relayUrl: lanUrl, servesStrfry: false }),
    peerOf({ route: 'lan', relayUrl: lanUrl, servesStrfry: true }),
  ]) keep(`tunnels.endpoint ${p.route}`, reasonOf(await caught(tunnels.endpoint(p))));
  for (const l of tunnelCtx.log.recent()) keep(`tunnels log ${l.level}`, l.why, l.msg);

  // a local strfry that cannot run, or fails (its own words kept)
  const conf = join(base, 'strfry.conf');
  await writeFile(conf, 'db = "./strfry-db/"\n');
  const failing = join(base, 'strfry-failing');
  await writeFile(failing, '#!/bin/sh\necho "strfry error: mdb_env_open: No such file or directory" >&2\nexit 1\n', { mode: 0o755 });
  const notExec = join(base, 'strfry-noexec');
  await writeFile(notExec, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
  for (const bin of [failing, notExec, join(base, 'strfry-nope')]) keep(`strfry ${bin}`, reasonOf(await caught(new StrfryStore(bin, conf).count({}))));

  // whole runs: a swarm whose peers kubo cannot reach or refuse the connection (then the profile phase finds no
  // peer to ask), then a peer flooding the same second (a note on a peer that did not fail), then the same peer
  // past peerMaxEvents
  const refusingUrl = `ws://127.0.0.1:${await freePort()}`;
  const now = Math.floor(Date.now() / 1000);
  let negRound = 0;
  const flood = await scripted((ws, [type, sub, f]) => {
    // it speaks NIP-77 without end (cut at negMaxRounds, its window then paged), and floods one second
    if (type === 'NEG-OPEN' || type === 'NEG-MSG') ws.send(JSON.stringify(['NEG-MSG', sub, endlessNegMessage(++negRound, 3).toString('hex')]));
    if (type !== 'REQ') return;
    const filter = f as { until?: number; limit?: number };
    for (let i = 0; i < Math.min(filter.limit ?? 10, 200); i++) ws.send(JSON.stringify(['EVENT', sub, fakeEvent(filter.until ?? now - 100)]));
    ws.send(JSON.stringify(['EOSE', sub]));
  });
  const built = await buildStation({
    seed: 'reason-codes-sync',
    peers: [
      { hostname: 'lost.example' },
      { relayUrl: refusingUrl, hostname: 'refusing.example' },
      { relayUrl: flood, hostname: 'flood.example' },
      { relayUrl: silentWs, hostname: 'silent-a.example' },
      { relayUrl: silentWs, hostname: 'silent-b.example' },
      // not syncable: a dry run's plan says why it is skipped
      { hostname: 'stale.example', moats: 'stale' },
    ],
    members: { emails: 2 },
    amisOfAmis: 1,
  });
  const [local] = (await startRelays(1)) as [TestRelay];
  const kubo = await KuboStandin.start();
  const data = join(base, 'sync-engine');
  const syncing = new Engine(
    makeConfig({
      dataDir: data,
      home: data,
      overrides: { zenRoot: built.root, relayUrl: local.url, kuboApi: kubo.url, fallbackRelays: [], directRelays: [refusingUrl, flood, silentWs], negMaxRounds: 3 },
      // a silent peer meets its session's time limit (timeouts.peer) before its relay's silence (timeouts.idle)
      timeouts: { ...DEFAULT_TIMEOUTS, connect: 2000, nip11: 500, negProbe: 300, idle: 6000, peer: 2500, kuboPing: 1000, tunnelCheck: 300, peerAttempts: 1 },
    }),
  );
  await syncing.start();
  try {
    const [lost, refusing, flooder, silentA, silentB] = built.peers.map((p) => p.id) as [string, string, string, string, string];
    const run = async (opts: Parameters<Engine['sync']['start']>[0]) => (await syncing.sync.start(opts)).done;
    // a stale lock left by a process gone (removed, said in the log), then a lock a live run holds (a dry run
    // says a real run would be refused; a real run is refused)
    await mkdir(dirname(lockPath(built.root)), { recursive: true });
    await writeFile(lockPath(built.root), '999999999\n');
    const first = await run({ peers: [lost, refusing], days: 1 });
    keep('run outcome', first.why, first.reason);
    for (const o of first.peers) keep(`outcome ${o.hostname}`, o.why, o.reason);
    for (const o of first.profiles?.outcomes ?? []) keep(`profile ${o.hex.slice(0, 8)}`, o.why, o.reason);
    for (const t of await syncing.call('tunnels.list', undefined)) keep(`tunnel ${t.peerId.slice(-4)}`, t.why, t.reason);
    const second = await run({ peers: [flooder], days: 1, noProfiles: true });
    for (const o of second.peers) (o.noteWhys ?? []).forEach((n, i) => keep(`note ${o.hostname}`, n, o.notes?.[i]));
    await syncing.call('settings.set', { peerMaxEvents: 5 });
    const third = await run({ peers: [flooder], days: 1, noProfiles: true });
    keep('run outcome, one peer', third.why, third.reason);
    for (const o of third.peers) keep(`outcome ${o.hostname}`, o.why, o.reason);
    const limited = await run({ peers: [silentA], noProfiles: true });
    for (const o of limited.peers) keep(`outcome ${o.hostname}`, o.why, o.reason);
    // the run's deadline: one silent peer at a time, the first cut, the second never started, the profile phase skipped
    await syncing.call('settings.set', { peerConcurrency: 1, runDeadlineSeconds: 1 });
    const late = await run({ peers: [silentA, silentB] });
    keep('run outcome, the deadline', late.why, late.reason);
    for (const o of late.peers) keep(`outcome late ${o.hostname}`, o.why, o.reason);
    await syncing.call('settings.set', { runDeadlineSeconds: 3000 });
    // a cancel while a peer waits its turn
    const busy = await syncing.sync.start({ peers: [silentA, silentB], noProfiles: true });
    await new Promise<void>((ok) => {
      const off = syncing.on('sync.progress', (p) => {
        if (p.peers.some((x) => x.phase !== 'queued')) {
          off();
          ok();
        }
      });
    });
    const second2 = await caught(syncing.sync.start({ peers: [silentA], noProfiles: true }));
    keep('sync.start while a run goes on', reasonOf(second2), (second2 as Error).message);
    await syncing.sync.cancel();
    for (const o of (await busy.done).peers) keep(`outcome cancelled ${o.hostname}`, o.why, o.reason);
    await writeFile(lockPath(built.root), `${process.pid}\n`);
    await run({ peers: [], noProfiles: true, dryRun: true });
    // a dry run's plan: the window, the store, each peer and filter, the peers skipped (its lines and their reasons)
    const dry = await run({ peers: [flooder], noProfiles: true, dryRun: true });
    expect(dry.planWhy?.length).toBe(dry.plan.length);
    (dry.planWhy ?? []).forEach((w, i) => keep('dry run plan', w, dry.plan[i]));
    const refusedRun = await run({ peers: [], noProfiles: true });
    keep('run outcome, the lock held', refusedRun.why, refusedRun.reason);
    await rm(lockPath(built.root));
    const none = await run({ peers: [], noProfiles: true });
    keep('run outcome, no peer', none.why, none.reason);
    const started = await syncing.sync.start({ peers: [lost], noProfiles: true });
    await syncing.sync.cancel();
    const cancelled = await started.done;
    keep('run outcome, cancelled', cancelled.why, cancelled.reason);
    for (const o of cancelled.peers) keep(`outcome cancelled ${o.hostname}`, o.why, o.reason);
    // what the log said along the way (the Log screen and the command's warnings say it in the captain's language)
    for (const l of await syncing.call('log.tail', { limit: 2000 })) keep(`log ${l.level}`, l.why, l.msg);
  } finally {
    await syncing.stop();
    await kubo.stop();
    await local.stop();
    await built.cleanup();
  }
}, 90_000);

// ---- the rest of the engine's reasons: a relay's NIP-11 document, the NIP-77 probe, kubo's API, the station
// lock, a local strfry's output, the files a run and live sync keep
beforeAll(async () => {
  const http = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
    const srv = createServer(handler);
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
    servers.push(srv);
    return `127.0.0.1:${(srv.address() as { port: number }).port}`;
  };
  // NIP-11: every way a relay's document is refused
  const nip11 = async (where: string, url: string, opts: Parameters<typeof fetchRelayInfo>[1] = {}): Promise<void> =>
    keep(`fetchRelayInfo ${where}`, reasonOf(await caught(fetchRelayInfo(url, { timeoutMs: 2000, ...opts }))));
  await nip11('nothing listens', `ws://127.0.0.1:${await freePort()}`);
  await nip11('silent', `ws://${await http(() => undefined)}`, { timeoutMs: 300 });
  await nip11('a redirect', `ws://${await http((_q, r) => r.writeHead(302, { Location: 'http://127.0.0.1:22/' }).end())}`);
  await nip11('HTTP 500', `ws://${await http((_q, r) => r.writeHead(500).end())}`);
  await nip11('too large, declared', `ws://${await http((_q, r) => r.writeHead(200, { 'Content-Length': 100 }).end('x'.repeat(100)))}`, { maxBytes: 10 });
  await nip11('too large, streamed', `ws://${await http((_q, r) => { r.writeHead(200); r.write('x'.repeat(50)); r.end('x'.repeat(50)); })}`, { maxBytes: 10 });
  await nip11('not JSON', `ws://${await http((_q, r) => r.writeHead(200).end('<html>'))}`);
  await nip11('not an object', `ws://${await http((_q, r) => r.writeHead(200).end('[77]'))}`);
  await nip11('cut short', `ws://${await http((_q, r) => { r.writeHead(200, { 'Content-Length': 100 }); r.write('{"name"'); setTimeout(() => r.socket?.destroy(), 20); })}`);
  await nip11('a bad URL', 'ws://[bad');
  // the NIP-77 probe: a relay that answers, one that says nothing, one that refuses
  for (const [where, answer] of [['answers', 'NEG-MSG'], ['silent', null], ['refuses', 'NEG-ERR']] as const) {
    const url = await scripted((ws, [type, sub]) => {
      if (type === 'NEG-OPEN' && answer === 'NEG-MSG') ws.send(JSON.stringify(['NEG-MSG', sub, '61']));
      if (type === 'NEG-OPEN' && answer === 'NEG-ERR') ws.send(JSON.stringify(['NEG-ERR', sub, 'blocked: negentropy disabled']));
    });
    const conn = await RelayConnection.connect(url);
    const r = await probeNip77(conn, { timeoutMs: 300 });
    keep(`probeNip77 ${where}`, r.why, r.reason);
    conn.close();
  }
  // kubo's API: down, silent, refusing the authorization, failing, answering what is not its answer; a ping that
  // finds nothing (kubo's streamed lines as it prints them)
  const kubo = async (where: string, handler: Parameters<typeof createServer>[1] | null, call: (k: KuboClient) => Promise<unknown>, ms = 2000): Promise<void> => {
    const url = handler ? `http://${await http(handler)}` : `http://127.0.0.1:${await freePort()}`;
    keep(`kubo ${where}`, reasonOf(await caught(call(new KuboClient(url, '', ms)))));
  };
  await kubo('down', null, (k) => k.id());
  await kubo('silent', () => undefined, (k) => k.id(), 300);
  await kubo('401', (_q, r) => r.writeHead(401).end('basic auth required'), (k) => k.id());
  await kubo('500', (_q, r) => r.writeHead(500).end(JSON.stringify({ Message: 'routing: not found', Code: 0, Type: 'error' })), (k) => k.ping(pid('K'), 1));
  await kubo('not JSON', (_q, r) => r.writeHead(200).end('<html>'), (k) => k.id());
  await kubo('no ID', (_q, r) => r.writeHead(200).end('{}'), (k) => k.id());
  await kubo('Listeners', (_q, r) => r.writeHead(200).end('{"Listeners": 5}'), (k) => k.ls());
  await kubo('close without a target', (_q, r) => r.writeHead(200).end(), (k) => k.close({ listenAddress: ' ' }));
  await kubo('cancelled', () => undefined, (k) => k.id(AbortSignal.abort()));
  for (const body of [`{"Success":false,"Time":0,"Text":"Looking up peer ${pid('K')}"}\n`, '']) {
    const ping = parsePingStream(body, null);
    keep('parsePingStream', ping.why, ping.reason);
  }

  // the station lock: held by a live run, empty, left by a process gone before this boot or by a reused PID
  const root = await mkdtemp(join(base, 'lock-'));
  await mkdir(join(root, 'strfry'), { recursive: true });
  const held = await acquireLock(root);
  keep('acquireLock, held', reasonOf(await caught(acquireLock(root))), ((await caught(acquireLock(root))) as Error).message);
  await held.release();
  keep('judgeLock, no PID', judgeLock('garbage', Date.now()).why);
  const child = spawn('sleep', ['30']);
  try {
    await new Promise((r) => setTimeout(r, 100));
    keep('judgeLock, written before this boot', judgeLock(String(child.pid), 1000).why);
    keep('judgeLock, a PID reused since', judgeLock(String(child.pid), Date.now() - 10 * 60_000).why);
  } finally {
    child.kill();
  }

  // a local strfry whose output this reader does not understand (scan, scan --count, import's log)
  const conf = join(base, 'strfry-odd.conf');
  await writeFile(conf, 'db = "./strfry-db/"\n');
  const strfry = async (name: string, script: string): Promise<StrfryStore> => {
    const bin = join(base, `strfry-${name}`);
    await writeFile(bin, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return new StrfryStore(bin, conf);
  };
  const importLog = (lines: string[]): string => `cat >/dev/null\nprintf '%s\\n' ${lines.map((l) => `'${l}'`).join(' ')} >&2\nexit 0`;
  const scan = await strfry('scan', 'echo "not an event"');
  keep('strfry scan, not JSON', reasonOf(await caught(scan.ids({ kinds: [1] }))));
  const count = await strfry('count', 'echo "oops"');
  keep('strfry scan --count, no number', reasonOf(await caught(count.count({ kinds: [1] }))));
  const events = (n: number) => Array.from({ length: n }, (_, i) => fakeEvent(1_700_000_000 + i) as never);
  for (const [name, lines, sent] of [
    ['no Done', ['Committed 1. Processed 1 lines. 1 added, 0 rejected, 0 dups', 'Writer: added: 1 dups: 0 replaced: 0 deleted: 0'], 1],
    ['short read', ['Writer: added: 0 dups: 0 replaced: 0 deleted: 0', 'Done. Processed 1 lines. 0 added, 0 rejected, 1 dups'], 3],
    ['over', ['Committed 1. Processed 1 lines. 1 added, 0 rejected, 0 dups', 'Writer: added: 1 dups: 0 replaced: 0 deleted: 0', 'Done. Processed 1 lines. 2 added, 0 rejected, 0 dups'], 1],
    ['rest', ['Writer: added: 0 dups: 0 replaced: 0 deleted: 0', 'Done. Processed 2 lines. 0 added, 0 rejected, 0 dups'], 2],
  ] as const) {
    const store = await strfry(`import-${name.replace(' ', '-')}`, importLog([...lines]));
    keep(`strfry import, ${name}`, reasonOf(await caught(store.import(events(sent), { verify: true }))));
  }

  // the files a run and live sync keep: damaged, or where a folder should be a file
  const data = await mkdtemp(join(base, 'data-'));
  await mkdir(dirname(knownPath(data, pid('Q'))), { recursive: true });
  await writeFile(knownPath(data, pid('Q')), 'not a known set');
  keep('loadKnown, damaged', (await loadKnown(data, pid('Q'))).problem);
  // the right magic, one section announced, nothing after it
  const cut = Buffer.alloc(12);
  cut.write('CKS1', 0, 'ascii');
  cut.writeUInt32LE(1, 8);
  await writeFile(knownPath(data, pid('Q')), cut);
  keep('loadKnown, truncated', (await loadKnown(data, pid('Q'))).problem);
  for (const [where, index] of [['damaged', '[{"id": 1}]'], ['a folder', null]] as const) {
    const ctx = stationOnlyContext(join(await mkdtemp(join(base, 'history-')), '.zen'));
    const path = join(ctx.config.dataDir, 'history', 'index.json');
    await mkdir(index === null ? path : dirname(path), { recursive: true });
    if (index !== null) await writeFile(path, index);
    await createHistoryStore(ctx).list(10);
    for (const l of ctx.log.recent()) keep(`history, ${where}`, l.why, l.msg);
  }
  for (const text of ['{}', '{']) {
    const dir = await mkdtemp(join(base, 'seen-'));
    await mkdir(dirname(seenPath(dir)), { recursive: true });
    await writeFile(seenPath(dir), text);
    keep(`SeenBook ${text}`, await new SeenBook(dir).load());
  }
}, 60_000);

// ---- the rest (issue 17's last English): a peer's negentropy messages that cannot be read, relay names that do
// not resolve or resolve to this machine, CONSTELLATION_TIMEOUTS, a strfry binary others could have replaced,
// the start's sweep of temporary files, the share side's line, and the command's own errors and lines
beforeAll(async () => {
  // negentropy: what a hostile peer's NEG-MSG can be (the initiator reads it, nostr-negentropy.test.ts checks each)
  const neg = (where: string, bytes: number[]): void => {
    try {
      new NegentropyInitiator(NegentropyItems.empty()).reconcile(Buffer.from(bytes), new IdList(true), new IdList(true));
    } catch (err) {
      keep(`negentropy, ${where}`, reasonOf(err), (err as Error).message);
    }
  };
  neg('empty', []);
  neg('version 2', [0x62]);
  neg('not a version byte', [0x20]);
  neg('mode 7', [0x61, 0x00, 0x00, 0x07]);
  neg('a bound key of 33 bytes', [0x61, 0x00, 0x21]);
  neg('a varint past 2^53', [0x61, ...new Array<number>(9).fill(0xff), 0x01]);
  {
    // the same through a relay connection: the reconciliation fails with the peer's fault as a code
    const conn = await RelayConnection.connect(await scripted((ws, [type, sub]) => type === 'NEG-OPEN' && ws.send(JSON.stringify(['NEG-MSG', sub, '62']))));
    keep('reconcile, an unsupported version', reasonOf(await caught(reconcile(conn, { kinds: [1] }, new IdList(true), {}))));
    conn.close();
  }

  // relay names: resolved by the system's resolver (bounded, reserved names never asked) and checked at the dial
  type Lookup = Parameters<typeof makeSystemResolver>[1];
  const fakeLookup = (answer: 'never' | 'ENOTFOUND' | LookupAddress[]): Lookup =>
    ((_host: string, _opts: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
      if (answer === 'never') return;
      if (answer === 'ENOTFOUND') return cb(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), []);
      cb(null, answer);
    }) as never;
  keep('resolver, silent', reasonOf(await caught(makeSystemResolver(100, fakeLookup('never'))('relay.slow.example.org'))));
  keep('resolver, not found', reasonOf(await caught(makeSystemResolver(1000, fakeLookup('ENOTFOUND'))('relay.gone.example.org'))));
  keep('resolver, a reserved name', reasonOf(await caught(makeSystemResolver(1000, fakeLookup('never'))('relay.invalid'))));
  for (const [where, answer] of [['a loopback address', [{ address: '127.0.0.1', family: 4 }]], ['no address', []]] as const) {
    const lookup = guardedLookup(fakeLookup([...answer]) as never);
    const err = await new Promise<unknown>((ok) => lookup('relay.attacker.example', { all: true }, (e) => ok(e)));
    keep(`guardedLookup, ${where}`, reasonOf(err), (err as Error).message);
    const port = await freePort();
    keep(`connect, ${where}`, reasonOf(await caught(RelayConnection.connect(`ws://relay.attacker.example:${port}`, { timeoutMs: 2000, lookup }))));
  }

  // CONSTELLATION_TIMEOUTS as a captain may mistype it
  for (const text of ['kuboPing=3000', '[3000]', '{"kuboPong":3000}', '{"kuboPing":-1}']) {
    try {
      timeoutsFromEnv(text);
    } catch (err) {
      keep(`CONSTELLATION_TIMEOUTS ${text}`, reasonOf(err), (err as Error).message);
    }
  }

  // a strfry binary in the swarm folder, writable by everyone, by a shared group, owned by another user, or in a
  // folder everyone may write (these tests run as root: root owns what they write, and may give it away)
  const zen = join(base, 'binaries', '.zen');
  const swarmBin = join(zen, 'tmp', 'swarm', pid('S'), 'strfry');
  await mkdir(dirname(swarmBin), { recursive: true });
  await writeFile(swarmBin, '#!/bin/sh\n', { mode: 0o755 });
  const bins = await mkdtemp(join(base, 'bins-'));
  const binary = async (name: string, mode: number, owner?: number): Promise<string> => {
    const path = join(bins, name);
    await writeFile(path, '#!/bin/sh\n');
    await chmod(path, mode);
    if (owner !== undefined) await chown(path, owner, owner);
    return path;
  };
  const open = join(await mkdtemp(join(base, 'open-')), 'strfry');
  await writeFile(open, '#!/bin/sh\n', { mode: 0o755 });
  await chmod(dirname(open), 0o777);
  for (const [where, bin] of [
    ['in the swarm', swarmBin],
    ['writable by all', await binary('all', 0o777)],
    ['writable by a shared group', await binary('group', 0o775)],
    ["another user's", await binary('theirs', 0o755, 1001)],
    ['in a folder all may write', open],
  ] as const) {
    try {
      checkStrfryBinary(bin, zen, { privateGroup: () => false });
      keep(`checkStrfryBinary ${where}`, reason('text', { text: `${bin} was accepted` }));
    } catch (err) {
      keep(`checkStrfryBinary ${where}`, reasonOf(err), (err as Error).message);
    }
  }

  // the start's sweep of what an interrupted write left
  const data = await mkdtemp(join(base, 'leftovers-'));
  const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
  await writeFile(join(data, `.settings.json.${dead}.01234567.tmp`), 'x');
  const swept = new Logger(new EngineEvents(), Date.now, (l) => keep('sweepLeftovers', l.why, l.msg));
  await sweepLeftovers(data, join(base, 'leftovers-zen'), swept);

  // the hourly run's share side: what it sent a peer and how the peer answered
  keep('sharedReason', sharedReason({ offered: 5, accepted: 2, duplicates: 1, rejected: { 'invalid: too old': 1 }, refusing: null, unanswered: 1 }));

  // the command's own: systemctl missing or failing, the unit template missing, the package and the built
  // renderer not found; and the lines of a service installed then removed (a systemctl of our own)
  keep('systemctl, no such program', reasonOf(await caught(systemctl(join(base, 'no-systemctl'), ['daemon-reload']))));
  const units = await mkdtemp(join(base, 'units-'));
  const fake = async (name: string, script: string): Promise<string> => {
    const path = join(units, name);
    await writeFile(path, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return path;
  };
  const said: Array<string | Reason> = [];
  const ok = { unitDir: join(units, 'user'), systemctl: await fake('systemctl-ok', 'exit 0'), say: (l: string | Reason) => void said.push(l) };
  const unit = { node: process.execPath, script: '/opt/constellation/bin/constellation.mjs', port: 8377, env: {} };
  const template = join(units, 'constellation.service');
  await writeFile(template, '[Service]\nExecStart=@EXEC_START@\n@ENVIRONMENT@\n');
  keep('installService, no template', reasonOf(await caught(installService(join(units, 'missing.service'), unit, ok))));
  await installService(template, unit, ok);
  await uninstallService(ok);
  for (const l of said) if (typeof l !== 'string') keep('service lines', l);
  const failing = { ...ok, systemctl: await fake('systemctl-failing', 'echo "Failed to connect to bus: No medium found" >&2; exit 1') };
  keep('installService, systemctl failing', reasonOf(await caught(installService(template, unit, failing))));
  keep('appRoot, no package above', reasonOf(await caught((async () => appRoot('/'))())));
  keep('startWebHost, no built renderer', reasonOf(await caught(startWebHost({ engine: {} as never, rendererDir: join(base, 'no-renderer'), port: 0 }))));
}, 60_000);

afterAll(async () => {
  for (const s of servers) s.close();
  servers = [];
  for (const s of scripts.splice(0)) {
    for (const c of s.clients) c.terminate();
    s.close();
  }
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
