/**
 * Live sync end to end on real relays: a station whose local store is the strfry stand-in (its CLI imports, a
 * devkit relay serves the same database and streams what any process writes, as strfry does), three peers —
 * two reached directly (one without NIP-77), one only through the kubo stand-in's tunnel. Checks the down path
 * (a peer's OK → readable locally), non-members, the catch-up of what was published before start and while a
 * peer was down or its tunnel cut, the up path (each peer gets a local event exactly once, never an echo), a
 * member added to amisOfAmis.txt, and that nothing is imported twice.
 */
import { appendFile, cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine';
import { IdList, RelayConnection, reconcile } from '../../src/core/nostr';
import { StrfryStore } from '../../src/core/store';
import { offerMissing } from '../../src/core/live';
import { DEFAULT_TIMEOUTS, makeConfig } from '../../src/core/config';
import type { LiveStatus, LogLine } from '../../src/shared/schemas';
import { renderReason, type Reason } from '../../src/shared/i18n';
import {
  KuboStandin,
  RawClient,
  TestRelay,
  buildStation,
  keyFromSeed,
  manyNotes,
  note,
  onCleanup,
  runCleanup,
  startStrfryStation,
  tmpDir,
  waitFor,
  type BuiltStation,
  type Keypair,
  type NostrEvent,
  type StrfryStation,
} from '../support';

const TIMEOUTS = { ...DEFAULT_TIMEOUTS, connect: 3000, nip11: 1500, negProbe: 2000, idle: 6000, kuboRpc: 4000 };
/** Short waits: reconnects within a second, keep-alives every 2 s, the station folder polled often. */
const LIVE = {
  backoffFirstMs: 150, backoffMaxMs: 800, stableMs: 2000, keepaliveMs: 2000, keepaliveTimeoutMs: 6000,
  membershipPollMs: 300, catchUpRetryMs: 800, refuseBackoffMs: 1000, seenSaveMs: 1000, emitMs: 50,
};

const sec = (): number => Math.floor(Date.now() / 1000);
/** The test's own publishes in the 500-event stream wait this long for their relay's OK (see there). */
const PUBLISH_OK_MS = 20_000;

async function publish(url: string, e: NostrEvent): Promise<number> {
  const c = await RawClient.connect(url);
  try {
    const ok = await c.publish(e);
    if (ok[2] !== true) throw new Error(`${url} refused ${e.id}: ${String(ok[3])}`);
    return Date.now();
  } finally {
    c.close();
  }
}

/** Arrival times of events on a relay, from a live subscription (what "readable on the local relay" means). */
async function watchArrivals(url: string): Promise<{ at: Map<string, number>; close: () => void }> {
  const c = await RawClient.connect(url);
  const at = new Map<string, number>();
  c.ws.on('message', (data) => {
    try {
      const m = JSON.parse(data.toString()) as unknown[];
      if (m[0] === 'EVENT' && m[1] === 'arrivals') at.set((m[2] as NostrEvent).id, Date.now());
    } catch {
      // not ours
    }
  });
  c.send(['REQ', 'arrivals', { since: sec() - 5 }]);
  return { at, close: () => c.close() };
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] ?? NaN;
}

afterAll(() => runCleanup());

describe('offerMissing: the share side of the hourly reconciliation', () => {
  it("sends a peer the members' events it lacks (NIP-77's have), and nothing else", async () => {
    const dir = await tmpDir('offer-');
    const local = await startStrfryStation(join(dir, 'strfry'));
    const peer = await TestRelay.start({ countEvents: true });
    onCleanup(() => Promise.all([local.stop(), peer.stop()]));
    const member = keyFromSeed('offer-member');
    const stranger = keyFromSeed('offer-stranger');
    const both = note(member, 'held by both', sec() - 300);
    const mine = [note(member, 'only here 1', sec() - 200), note(member, 'only here 2', sec() - 100)];
    const foreign = note(stranger, 'a stranger, here only', sec() - 50);
    await local.relay.seed([both, ...mine, foreign]);
    await peer.seed([both]);
    const store = new StrfryStore(local.strfryBin, local.strfryConf);
    const conn = await RelayConnection.connect(peer.url);
    onCleanup(() => conn.close());
    const items = IdList.fromItems(await local.relay.all({}));
    const r = await reconcile(conn, { since: 0 }, items);
    expect(r.have.length).toBe(3);
    const out = await offerMissing({ conn, store, ids: r.have, members: new Set([member.pk]) });
    expect(out).toMatchObject({ offered: 2, accepted: 2, duplicates: 0, refusing: null });
    expect(await peer.count({ ids: mine.map((e) => e.id) })).toBe(2);
    expect(peer.received(foreign.id)).toBe(0);
    expect(peer.received(both.id)).toBe(0);
  });
});

describe('live sync on real relays (direct and through a tunnel)', () => {
  let built: BuiltStation;
  let local: StrfryStation;
  let p0: TestRelay; // direct, NIP-77, restartable (its database is a file)
  let p1: TestRelay; // direct, REQ only
  let p2: TestRelay; // only through the tunnel
  let p0Db: string;
  let kubo: KuboStandin;
  let engine: Engine;
  let members: Keypair[];
  let before: { onP0: NostrEvent; onP1: NostrEvent; local: NostrEvent };
  const status = (): LiveStatus => engine.live.status();
  const linkOf = (i: number) => status().peers.find((p) => p.peer === built.peers[i]!.id);
  const allConnected = (): boolean => [0, 1, 2].every((i) => linkOf(i)?.state === 'connected');

  /** What the engine logged, as the command and the window receive it. */
  const logged: LogLine[] = [];

  beforeAll(async () => {
    const dir = await tmpDir('live-it-');
    p0Db = join(dir, 'p0.sqlite');
    p0 = await TestRelay.start({ dbPath: p0Db, countEvents: true });
    // p1's write policy refuses some events, as a station's strfry plugin may refuse other stations' writes
    p1 = await TestRelay.start({
      nip77: false, countEvents: true,
      writePolicy: (e) => (e.content.startsWith('refused:') ? 'blocked: this relay takes no events from other stations' : null),
    });
    p2 = await TestRelay.start({ countEvents: true });
    onCleanup(() => Promise.all([p0.stop(), p1.stop(), p2.stop()]));
    built = await buildStation({
      seed: 'live-it',
      peers: [{ relayUrl: p0.url, hostname: 'p0' }, { relayUrl: p1.url, hostname: 'p1' }, { hostname: 'p2' }],
      members: { emails: 3 },
      amisOfAmis: 3,
    });
    onCleanup(() => built.cleanup());
    kubo = await KuboStandin.start();
    onCleanup(() => kubo.stop());
    kubo.registerPeer(built.peers[2]!.peerId, { host: '127.0.0.1', port: p2.port });
    local = await startStrfryStation(join(dir, 'strfry'));
    onCleanup(() => local.stop());
    members = [...Object.values(built.keys.users), ...built.keys.amis];

    // Before live sync starts: a member's note on p0 and on p1 (the catch-up brings them), one written locally
    // (the catch-up sends it to the peers that lack it).
    before = {
      onP0: note(members[0]!, 'before start, on p0', sec() - 600),
      onP1: note(members[1]!, 'before start, on p1', sec() - 500),
      local: note(members[2]!, 'before start, written here', sec() - 400),
    };
    await p0.seed([before.onP0]);
    await p1.seed([before.onP1]);
    await local.relay.seed([before.local]);

    const dataDir = await tmpDir('live-data-');
    engine = new Engine(
      makeConfig({
        dataDir,
        home: dataDir,
        overrides: {
          zenRoot: built.root, relayUrl: local.relayUrl, strfryBin: local.strfryBin, strfryConf: local.strfryConf, kuboApi: kubo.url,
          directRelays: [p0.url, p1.url], fallbackRelays: [], verify: false,
        },
        timeouts: TIMEOUTS,
        live: LIVE,
      }),
      {
        live: 'always',
        echo: (l) => {
          logged.push(l);
          if (process.env.LIVE_DEBUG) console.log(new Date().toISOString().slice(11, 23), l.level, l.msg);
        },
      },
    );
    await engine.start();
    onCleanup(() => engine.stop());
    await waitFor(allConnected, 'the three links connected', 20_000);
  }, 60_000);

  it('follows every syncable peer, each by its route', () => {
    const s = status();
    expect(s.running).toBe(true);
    expect(s.peers.map((p) => [p.hostname, p.via]).sort()).toEqual([['p0', 'direct'], ['p1', 'direct'], ['p2', 'tunnel']]);
    expect(s.local.connected).toBe(true);
  });

  it('catches up on connect: what peers held before start arrives, what only this station held goes up', async () => {
    await waitFor(async () => (await local.relay.count({ ids: [before.onP0.id, before.onP1.id] })) === 2, 'the notes published before start', 15_000);
    for (const p of [p0, p1, p2]) await waitFor(async () => (await p.count({ ids: [before.local.id] })) === 1, `the local note on ${p.url}`, 15_000);
    // p0 also got p1's note and p2 both (through this station), each exactly once
    await waitFor(async () => (await p2.count({ ids: [before.onP0.id, before.onP1.id] })) === 2, 'p2 holds both peers\' notes', 15_000);
    expect(p0.received(before.onP0.id)).toBe(0); // seeded there: never sent back
    expect(p1.received(before.onP1.id)).toBe(0);
  });

  it("a member's note on a peer is readable locally soon after the peer's OK, directly and through the tunnel", async () => {
    const arrivals = await watchArrivals(local.relayUrl);
    onCleanup(() => arrivals.close());
    const sent: Array<{ id: string; at: number; via: string }> = [];
    for (let i = 0; i < 12; i++) {
      for (const [relay, via] of [[p0, 'direct'], [p2, 'tunnel']] as const) {
        const e = note(members[i % members.length]!, `latency ${via} ${i}`);
        sent.push({ id: e.id, at: await publish(relay.url, e), via });
      }
      await new Promise((r) => setTimeout(r, 60));
    }
    await waitFor(() => sent.every((s) => arrivals.at.has(s.id)), 'every note readable locally', 20_000);
    for (const via of ['direct', 'tunnel']) {
      const lat = sent.filter((s) => s.via === via).map((s) => (arrivals.at.get(s.id) as number) - s.at);
      // The 1 s target is measured by bench/live (on a quiet machine); here: it works, without a long wait.
      console.log(`live down latency ${via}: p50 ${percentile(lat, 0.5)} ms, p95 ${percentile(lat, 0.95)} ms, max ${Math.max(...lat)} ms`);
      expect(Math.max(...lat)).toBeLessThan(8000);
    }
    // each of those went up to the two other peers, once
    for (const s of sent) {
      const others = s.via === 'direct' ? [p1, p2] : [p0, p1];
      for (const p of others) await waitFor(async () => (await p.count({ ids: [s.id] })) === 1, `${s.id} on ${p.url}`, 10_000);
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const s of sent) {
      const origin = s.via === 'direct' ? p0 : p2;
      expect(origin.received(s.id)).toBe(1); // the test's own publish: never echoed back
      for (const p of [p0, p1, p2].filter((x) => x !== origin)) expect(p.received(s.id)).toBe(1);
    }
  });

  it('never brings a non-member\'s event', async () => {
    const stranger = keyFromSeed('live-it-stranger');
    const foreign = note(stranger, 'not a member');
    const marker = note(members[0]!, 'published after the stranger');
    await publish(p0.url, foreign);
    await publish(p0.url, marker);
    await waitFor(async () => (await local.relay.count({ ids: [marker.id] })) === 1, 'the member note after the stranger', 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await local.relay.count({ ids: [foreign.id] })).toBe(0);
    expect(p1.received(foreign.id) + p2.received(foreign.id)).toBe(0);
  });

  it("sends a local user's note to each peer exactly once", async () => {
    const mine = note(members[1]!, 'written on this station');
    await publish(local.relayUrl, mine);
    for (const p of [p0, p1, p2]) await waitFor(async () => (await p.count({ ids: [mine.id] })) === 1, `the local note on ${p.url}`, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect([p0, p1, p2].map((p) => p.received(mine.id))).toEqual([1, 1, 1]);
    expect(status().peers.every((p) => p.sent > 0 && p.writes === 'ok')).toBe(true);
  });

  it('shares nothing while the share setting is off', async () => {
    await engine.call('settings.set', { liveShare: false });
    await waitFor(() => status().peers.every((p) => p.writes === 'off'), 'writes off', 5000);
    const quiet = note(members[0]!, 'not shared');
    await publish(local.relayUrl, quiet);
    const marker = note(members[0]!, 'from a peer, after');
    await publish(p0.url, marker);
    await waitFor(async () => (await local.relay.count({ ids: [marker.id] })) === 1, 'the marker', 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect([p0, p1, p2].map((p) => p.received(quiet.id))).toEqual([0, 0, 0]);
    expect(p1.received(marker.id)).toBe(0);
    await engine.call('settings.set', { liveShare: true });
    await waitFor(() => status().peers.every((p) => p.writes === 'ok'), 'writes back on', 5000);
  });

  it('a member added to amisOfAmis.txt streams without a restart', async () => {
    const newcomer = keyFromSeed('live-it-newcomer');
    const early = note(newcomer, 'before being a member');
    await publish(p1.url, early);
    const membersBefore = status().members;
    await appendFile(join(built.root, 'strfry', 'amisOfAmis.txt'), `${newcomer.pk}\n`);
    await waitFor(() => status().members === membersBefore + 1, 'the new member followed', 10_000);
    const hello = note(newcomer, 'now a member');
    await publish(p1.url, hello);
    await waitFor(async () => (await local.relay.count({ ids: [hello.id] })) === 1, "the newcomer's note", 10_000);
    // what the newcomer published just before being followed (no subscription asked for it: REQs take new events
    // only) comes with the catch-up that follows a change of members
    await waitFor(async () => (await local.relay.count({ ids: [early.id] })) === 1, "the newcomer's note from before", 10_000);
  });

  it('a peer relay killed and restarted and a tunnel cut under a stream of 500 events: all arrive, none twice', async () => {
    // the last test's import may still be finishing (the relay serves an import before strfry's process ends)
    let last = -1;
    await waitFor(() => {
      const now = status().totals.imported;
      const quiet = now === last;
      last = now;
      return quiet;
    }, 'live imports settled', 15_000, 1000);
    const t0 = status().totals;
    const heldBefore = new Set((await local.relay.all({})).map((e) => e.id));
    const events = await manyNotes(members.slice(0, 5), 100, { seed: 'stream', since: sec() - 120, until: sec() });
    expect(events).toHaveLength(500);
    const toP0 = events.slice(0, 250);
    const toP2 = events.slice(250);
    let c0 = await RawClient.connect(p0.url);
    const c2 = await RawClient.connect(p2.url);
    const port0 = p0.port;
    let writer: TestRelay | null = null;
    const inFlight: Array<Promise<unknown>> = [];
    const mark = Date.now();
    for (let i = 0; i < 250; i++) {
      if (i === 80) {
        // p0 goes down: what it receives now (through another process on its database) comes back by catch-up
        c0.close();
        await p0.stop();
        writer = await TestRelay.start({ dbPath: p0Db });
      }
      if (i === 160) {
        await writer!.stop();
        p0 = await TestRelay.start({ dbPath: p0Db, port: port0, countEvents: true });
        c0 = await RawClient.connect(p0.url);
      }
      if (i === 120) kubo.resetConnections(built.peers[2]!.peerId); // the tunnel drops (TCP reset)
      const e0 = toP0[i]!;
      // sent without waiting for each OK (a client publishing fast), answered by 25; the OKs come from relays in
      // this busy test process (which also runs the engine and the tunnels): on a loaded machine (load 10 on 2
      // cores) 25 of them once took more than RawClient's 5 s, failing the test before the engine was judged
      if (i >= 80 && i < 160) await writer!.seed([e0]);
      else inFlight.push(c0.publish(e0, PUBLISH_OK_MS));
      inFlight.push(c2.publish(toP2[i]!, PUBLISH_OK_MS));
      if (i % 25 === 24 || i === 79 || i === 159) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight.splice(0));
    c0.close();
    c2.close();
    console.log(`500 events published in ${Date.now() - mark} ms`);
    const ids = events.map((e) => e.id);
    await waitFor(async () => (await local.relay.count({ ids })) === 500, 'all 500 events on the local relay', 45_000, 100).catch(async (err: Error) => {
      const held = new Set((await local.relay.all({ ids })).map((e) => e.id));
      const missing = events.filter((e) => !held.has(e.id));
      const where = async (r: TestRelay, e: NostrEvent): Promise<number> => r.count({ ids: [e.id] });
      const onP0 = await Promise.all(missing.map((e) => where(p0, e)));
      console.log(`missing ${missing.length}: indexes ${missing.map((e) => events.indexOf(e)).join(',')}; on p0 ${onP0.join('')}`, JSON.stringify(status(), null, 1));
      throw err;
    });
    console.log(`all 500 on the local relay after ${Date.now() - mark} ms`);
    await waitFor(() => allConnected(), 'links back', 20_000);
    // the relay serves an import as soon as strfry commits; its count comes when the process has ended
    await waitFor(() => status().totals.imported - t0.imported >= 500, 'the imports counted', 10_000).catch(() => undefined);
    const t1 = status().totals;
    const fresh = (await local.relay.all({})).filter((e) => !heldBefore.has(e.id));
    const others = fresh.filter((e) => !ids.includes(e.id));
    expect(others.map((e) => e.content)).toEqual([]);
    expect(t1.imported - t0.imported).toBe(500);
    // a repeat never reached the store: the store saw each event once
    expect(t1.duplicates - t0.duplicates).toBe(0);
    expect(linkOf(0)!.catchUps).toBeGreaterThan(1);
    expect(linkOf(2)!.catchUps).toBeGreaterThan(1);
  });

  it('a peer refusing this station\'s events is shown as refusing, with its reason, and left alone meanwhile', async () => {
    const refused = note(members[3]!, 'refused: p1 does not take this');
    await publish(local.relayUrl, refused);
    await waitFor(() => linkOf(1)?.writes === 'refused', 'p1 shown as refusing', 10_000, 10);
    const l = linkOf(1)!;
    expect(l.writesReason).toBe('blocked: this relay takes no events from other stations');
    expect(l.refused['blocked: this relay takes no events from other stations']).toBe(1);
    expect(l.writesRetryAt).toBeGreaterThan(Date.now() - 100);
    // the others took it
    for (const p of [p0, p2]) await waitFor(async () => (await p.count({ ids: [refused.id] })) === 1, `the note on ${p.url}`, 10_000);
    expect(p1.received(refused.id)).toBe(1);
  });

  it('a new swarm card gets a link (through its tunnel) without a restart; a card turning stale drops it and its tunnel', async () => {
    const p3 = await TestRelay.start({ countEvents: true });
    onCleanup(() => p3.stop());
    const other = await buildStation({ seed: 'live-it-newcard', root: await tmpDir('live-newcard-'), peers: [{ hostname: 'p3' }], members: { emails: 1 } });
    const card = other.peers[0]!;
    kubo.registerPeer(card.peerId, { host: '127.0.0.1', port: p3.port });
    await cp(card.dir, join(built.root, 'tmp', 'swarm', card.id), { recursive: true });
    await waitFor(() => status().peers.find((p) => p.peer === card.id)?.state === 'connected', 'a link to the new peer', 40_000).catch((err: Error) => {
      throw new Error(`${err.message}; its link: ${JSON.stringify(status().peers.find((p) => p.peer === card.id) ?? 'none')}`);
    });
    expect(status().peers.find((p) => p.peer === card.id)?.via).toBe('tunnel');
    const hello = note(members[0]!, 'to the new peer too');
    await publish(p3.url, hello);
    await waitFor(async () => (await local.relay.count({ ids: [hello.id] })) === 1, "the new peer's note", 10_000);
    // its card turns stale (13 h old): no link, no forward left open
    await writeFile(join(built.root, 'tmp', 'swarm', card.id, '_MySwarm.moats'), `${sec() - 13 * 3600}\n`);
    await waitFor(() => !status().peers.some((p) => p.peer === card.id), 'the stale peer dropped', 20_000);
    await waitFor(() => !kubo.listeners().some((l) => l.TargetAddress === `/p2p/${card.peerId}`), 'its tunnel closed', 5_000);
  });

  it("names each peer in its log lines by its station's host name, in the captain's language (never 'peer 12D3…' in French)", () => {
    const inner = (l: LogLine): Reason | undefined => (l.why?.code === 'live.log' ? (l.why.params?.why as Reason | undefined) : undefined);
    const about = logged.filter((l) => ['live.streaming', 'live.caughtUp', 'live.refusing', 'live.peerGone'].includes(inner(l)?.code ?? ''));
    const codes = new Set(about.map((l) => inner(l)!.code));
    expect([...codes].sort()).toEqual(['live.caughtUp', 'live.peerGone', 'live.refusing', 'live.streaming']);
    for (const l of about) {
      const fr = renderReason(l.why!, 'fr');
      expect(fr, fr).toMatch(/^synchro en direct\u00a0: pair \S+ \((p0|p1|p2|p3)\)/);
      expect(fr, fr).not.toMatch(/\bpeer\b/);
      expect(l.msg, l.msg).toMatch(/^live sync: peer \S+ \((p0|p1|p2|p3)\)/);
    }
  });
});
