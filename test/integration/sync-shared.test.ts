/**
 * What a run shares between its peers, end to end: peers synced at once through the kubo stand-in's tunnels, each
 * event held by several of them. Each missing event is fetched once per run; the local relay is read once per
 * run; a peer whose session fails while it was fetching events others needed loses nothing (the others fetch
 * them); the bytes on the wire are compressed.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine';
import { DEFAULT_TIMEOUTS, makeConfig } from '../../src/core/config';
import type { RunReport } from '../../src/shared/schemas';
import {
  FaultyRelay,
  KuboStandin,
  buildStation,
  manyNotes,
  onCleanup,
  runCleanup,
  startRelays,
  startStrfryStation,
  tmpDir,
  type StrfryStation,
  type BuiltStation,
  type NostrEvent,
  type TestRelay,
} from '../support';

const NOW = Math.floor(Date.now() / 1000);
const TIMEOUTS = { ...DEFAULT_TIMEOUTS, connect: 3000, nip11: 2000, negProbe: 2000, idle: 5000, lanDirect: 800, peerAttempts: 1, retryBackoff: 200 };

afterAll(() => runCleanup());

/** The station's strfry (the CLI stand-in: imports and scans are processes of their own, as on a station). */
async function localStrfry(): Promise<StrfryStation> {
  const st = await startStrfryStation(join(await tmpDir('sync-shared-strfry-'), 'strfry'));
  onCleanup(() => st.stop());
  return st;
}

async function engineFor(built: BuiltStation, local: StrfryStation, kubo: KuboStandin): Promise<Engine> {
  const dataDir = await tmpDir('sync-shared-');
  const engine = new Engine(
    makeConfig({
      dataDir,
      home: dataDir,
      overrides: {
        zenRoot: built.root, relayUrl: local.relayUrl, strfryBin: local.strfryBin, strfryConf: local.strfryConf,
        kuboApi: kubo.url, fallbackRelays: [], peerConcurrency: 3,
      },
      timeouts: TIMEOUTS,
    }),
  );
  await engine.start();
  onCleanup(() => engine.stop());
  return engine;
}

async function sync(engine: Engine): Promise<RunReport> {
  const { done } = await engine.sync.start({ noProfiles: true });
  return done;
}

/** Each event on `copies` of the relays (round robin), so every pair of peers shares about a third of it. */
async function spread(events: NostrEvent[], relays: Array<TestRelay | null>, copies: number): Promise<Array<NostrEvent[]>> {
  const per: NostrEvent[][] = relays.map(() => []);
  events.forEach((e, i) => {
    for (let c = 0; c < copies; c++) per[(i + c) % relays.length]!.push(e);
  });
  await Promise.all(relays.map((r, i) => r?.seed(per[i]!)));
  return per;
}

describe('peers synced at once share the local reads and the fetches', () => {
  it('three peers, each event on two: every event fetched once, the local relay read once per unit, then a quiet steady run', async () => {
    const built = await buildStation({ seed: 'shared-3', peers: 3, members: { emails: 3 }, amisOfAmis: 30 });
    onCleanup(() => built.cleanup());
    const local = await localStrfry();
    const peers = await startRelays(3, { maxLimit: 500 });
    const kubo = await KuboStandin.start();
    onCleanup(() => kubo.stop());
    built.peers.forEach((p, i) => kubo.registerPeer(p.peerId, { host: '127.0.0.1', port: peers[i]!.port }));
    const authors = [...Object.values(built.keys.users), ...built.keys.amis];
    const events = await manyNotes(authors, 100, { seed: 'shared', since: NOW - 80_000, until: NOW - 60 });
    await spread(events, peers, 2);
    const engine = await engineFor(built, local, kubo);

    const cold = await sync(engine);
    expect(cold.outcome).toBe('success');
    expect(await local.relay.count({})).toBe(events.length);
    expect(cold.imported).toBe(events.length);
    // every copy a peer sent is counted; without the run's ledger each of the 3 peers (synced at once) fetched
    // all it held: about 2 fetches per event
    expect(cold.fetches!.distinct).toBe(events.length);
    expect(cold.fetches!.events - cold.fetches!.distinct).toBeLessThanOrEqual(Math.ceil(events.length * 0.02));
    // one read per unit of the window (members, station pass) and one for the deletions, whatever the peers
    expect(cold.localReads).toBeLessThanOrEqual(3);
    // compressed on the wire: the peers' events cost fewer bytes than their JSON
    const payload = peers.reduce((a, p) => a + p.stats.bytesOut, 0);
    const wire = peers.reduce((a, p) => a + p.stats.wireOut, 0);
    expect(wire).toBeLessThan(payload * 0.75);

    for (const p of peers) p.resetStats();
    const steady = await sync(engine);
    expect(steady.outcome).toBe('success');
    expect(steady.imported).toBe(0);
    expect(steady.fetches!.events).toBe(0);
    expect(steady.localReads).toBeLessThanOrEqual(1);
    // a known set reconciled in one round trip per filter: a few kB per peer, tunnel proof and NIP-11 included
    for (const p of peers) expect(p.stats.wireIn + p.stats.wireOut).toBeLessThan(12_000);
  }, 120_000);

  it('a peer that fails while fetching what the others need: nothing is lost', async () => {
    const built = await buildStation({ seed: 'shared-fail', peers: 3, members: { emails: 3 }, amisOfAmis: 30 });
    onCleanup(() => built.cleanup());
    const local = await localStrfry();
    const [a, b] = await startRelays(2, { maxLimit: 500 });
    const kubo = await KuboStandin.start();
    onCleanup(() => kubo.stop());
    const authors = [...Object.values(built.keys.users), ...built.keys.amis];
    const events = await manyNotes(authors, 100, { seed: 'shared-fail', since: NOW - 80_000, until: NOW - 60 });
    // the faulty peer holds everything and closes the connection half-way through its first ids answer; the two
    // healthy ones hold everything between them, each event once
    const faulty = await FaultyRelay.start('drop-mid-stream', { events, maxLimit: 500 });
    onCleanup(() => faulty.stop());
    await spread(events, [a!, b!], 1);
    kubo.registerPeer(built.peers[0]!.peerId, { host: '127.0.0.1', port: faulty.port });
    kubo.registerPeer(built.peers[1]!.peerId, { host: '127.0.0.1', port: a!.port });
    kubo.registerPeer(built.peers[2]!.peerId, { host: '127.0.0.1', port: b!.port });
    const engine = await engineFor(built, local, kubo);

    const r = await sync(engine);
    expect(r.peers.find((p) => p.peer === built.peers[0]!.id)!.ok).toBe(false);
    // the healthy ones succeed (their reasons shown if not)
    expect(r.peers.filter((p) => p.peer !== built.peers[0]!.id && !p.ok).map((p) => p.reason)).toEqual([]);
    expect(await local.relay.count({})).toBe(events.length);
    expect(r.fetches!.distinct).toBe(events.length);
  }, 120_000);
});
