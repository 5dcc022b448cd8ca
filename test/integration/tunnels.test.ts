// Station discovery and tunnels end to end, on a station built by the harness, a real relay per peer and the
// kubo stand-in that really carries TCP. Only 127.0.0.1 is ever contacted:
// - the "public" peer's wss:// URL is never dialled (its endpoint is the URL itself);
// - the private-network peer's ws://10.45.0.7 URL is mapped by the tunnel manager's dialUrl hook onto
//   127.0.0.1:<closed port>, so the real direct attempt fails fast without a packet leaving the machine,
//   then the real tunnel is used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  KuboStandin, RawClient, buildStation, freePort, keyFromSeed, note, onCleanup, peerIdFromSeed, runCleanup, startRelays, tmpDir, watchDilation,
  type BuiltStation, type TestRelay,
} from '../support/index';
import { Engine } from '../../src/core/engine';
import { DEFAULT_TIMEOUTS, makeConfig } from '../../src/core/config';
import { createTunnelManager } from '../../src/core/kubo';
import { readRecords } from '../../src/core/kubo/records';
import { shortPeerId } from '../../src/shared/peer-id';
import type { ReasonError } from '../../src/shared/i18n';
import type { Peer, StationSnapshot, Tunnel } from '../../src/shared/schemas';
import type { TunnelManager } from '../../src/core/services';

const SELF = peerIdFromSeed('tunnels:self');
const PRIVATE_URL = 'ws://10.45.0.7:7777';
const roles = ['public', 'loopback', 'private', 'stale', 'invalid', 'picoport', 'self', 'fallback', 'refusing', 'unknown', 'silent'] as const;
type Role = (typeof roles)[number];

let station: BuiltStation;
let kubo: KuboStandin;
let relays: TestRelay[];
let engine: Engine;
let tunnels: TunnelManager;
let snap: StationSnapshot;
let closedPort: number;
let silentServer: Server;
const ids = {} as Record<Role, string>;
const tunnelEvents: Tunnel[] = [];

const peerOf = (role: Role): Peer => {
  const p = snap.peers.find((x) => x.id === ids[role]);
  if (!p) throw new Error(`no peer ${role}`);
  return p;
};
const forwards = () => kubo.listeners().filter((l) => l.Protocol !== `/x/strfry-${kubo.peerId}`);

beforeAll(async () => {
  relays = await startRelays(2);
  // The node answers with the station's own PeerID, like the station's kubo.
  kubo = await KuboStandin.start({ peerId: SELF });
  onCleanup(() => kubo.stop());
  closedPort = await freePort();
  // Accepts TCP, reads (so it sees the other end hang up) and never says a word: a relay that hangs.
  silentServer = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((r) => silentServer.listen(0, '127.0.0.1', () => r()));
  onCleanup(() => new Promise<void>((r) => silentServer.close(() => r())));
  const silentPort = (silentServer.address() as { port: number }).port;

  station = await buildStation({
    seed: 'tunnels',
    self: { peerId: SELF },
    peers: [
      { relayUrl: 'wss://relay.public.example', hostname: 'public.example' },
      { relayUrl: 'ws://127.0.0.1:7777', xStrfry: true, hostname: 'loopback.example', extra: { dragon_services: 'ssh' } },
      { relayUrl: PRIVATE_URL, hostname: 'lan.example' },
      { moats: 'stale' },
      { card: 'invalid' },
      { card: 'picoport' },
      { peerId: SELF },
      { card: 'fallback' },
      { relayUrl: 'ws://127.0.0.1:7777', hostname: 'refusing.example' },
      { relayUrl: 'ws://127.0.0.1:7777', hostname: 'unknown.example' },
      { relayUrl: 'ws://127.0.0.1:7777', hostname: 'silent.example' },
    ],
  });
  onCleanup(() => station.cleanup());
  station.peers.forEach((p, i) => (ids[roles[i] as Role] = p.id));

  const [relayB, relayC] = relays as [TestRelay, TestRelay];
  kubo.registerPeer(ids.loopback, { host: '127.0.0.1', port: relayB.port });
  kubo.registerPeer(ids.private, { host: '127.0.0.1', port: relayC.port });
  kubo.registerPeer(ids.refusing, { host: '127.0.0.1', port: closedPort });
  kubo.registerPeer(ids.silent, { host: '127.0.0.1', port: silentPort });
  // ids.unknown is not registered: kubo cannot find it.

  const dataDir = await tmpDir();
  engine = new Engine(
    makeConfig({
      dataDir,
      home: dataDir,
      overrides: { zenRoot: station.root, kuboApi: kubo.url, relayUrl: relayB.url, fallbackRelays: [] },
      timeouts: { ...DEFAULT_TIMEOUTS, connect: 1500, lanDirect: 1000 },
    }),
  );
  await engine.start();
  onCleanup(() => engine.stop());
  engine.on('tunnel.changed', (t) => tunnelEvents.push(t));
  tunnels = createTunnelManager(engine, {
    dialUrl: (url) => (url === PRIVATE_URL ? `ws://127.0.0.1:${closedPort}` : url),
  });
  onCleanup(() => tunnels.closeAll());
  snap = await engine.call('station.snapshot', undefined);
}, 60_000);

afterAll(async () => {
  await runCleanup();
});

describe('the snapshot of a built station', () => {
  it('knows itself from kubo', () => {
    expect(snap.self.peerId).toBe(kubo.peerId);
  });

  it('has the right route, status and reason for each peer', () => {
    expect(peerOf('public')).toMatchObject({ route: 'direct', status: 'ok', syncable: true, reason: null });
    expect(peerOf('loopback')).toMatchObject({ route: 'tunnel', status: 'ok', syncable: true, servesStrfry: true });
    expect(peerOf('private')).toMatchObject({ route: 'lan', status: 'ok', syncable: true });
    expect(peerOf('stale')).toMatchObject({ route: 'none', status: 'stale', syncable: false });
    expect(peerOf('stale').reason).toMatch(/stale after 12 h/);
    expect(peerOf('invalid')).toMatchObject({ route: 'none', status: 'invalid', syncable: false });
    expect(peerOf('invalid').reason).toMatch(/invalid JSON/);
    expect(peerOf('picoport')).toMatchObject({ route: 'none', status: 'picoport', syncable: false });
    expect(peerOf('fallback')).toMatchObject({ route: 'none', status: 'fallback', syncable: false });
    expect(snap.peers.find((p) => p.id === SELF)).toMatchObject({ status: 'self', syncable: false });
    expect(snap.peers.filter((p) => p.syncable).map((p) => p.id).sort()).toEqual(
      [ids.public, ids.loopback, ids.private, ids.refusing, ids.unknown, ids.silent].sort(),
    );
  });

  it('reads freshness in both moats formats', () => {
    // The builder alternates unix / datetime formats by index; both give a 10-minute-old beacon.
    for (const role of ['public', 'loopback', 'private'] as const) {
      const age = peerOf(role).ageSeconds;
      expect(age, role).toBeGreaterThanOrEqual(590);
      expect(age, role).toBeLessThan(700);
    }
  });

  it('has the exact member set the builder wrote', async () => {
    const members = await engine.call('station.members', undefined);
    expect(new Set(members.members.map((m) => m.hex))).toEqual(new Set(Object.keys(station.members)));
  });
});

describe('endpoints and tunnels', () => {
  it('gives a public peer its URL, without any tunnel', async () => {
    const before = kubo.calls.length;
    const ep = await tunnels.endpoint(peerOf('public'));
    expect(ep).toMatchObject({ url: 'wss://relay.public.example', via: 'direct' });
    await ep.release();
    expect(kubo.calls.length).toBe(before);
  });

  it('carries real relay traffic through the tunnel to a loopback peer, and closes it', async () => {
    const [relayB] = relays as [TestRelay];
    const author = keyFromSeed('tunnels:author');
    const ev = note(author, 'hello through the tunnel');
    await relayB.seed([ev]);
    const ep = await tunnels.endpoint(peerOf('loopback'));
    expect(ep.via).toBe('tunnel');
    expect(ep.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(forwards()).toHaveLength(1);
    expect(forwards()[0]?.Protocol).toBe(`/x/strfry-${ids.loopback}`);
    expect(tunnels.list()).toEqual([expect.objectContaining({ peerId: ids.loopback, state: 'open', reason: null })]);
    const client = await RawClient.connect(ep.url);
    const { events } = await client.req('t', [{ authors: [author.pk] }]);
    expect(events.map((e) => e.id)).toEqual([ev.id]);
    expect(kubo.liveConnections(ids.loopback)).toBeGreaterThan(0);
    // Releasing closes the forward AND the connections carried through it (kubo alone would leave them alive).
    await ep.release();
    expect(forwards()).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(client.closed).toBe(true);
    expect(kubo.liveConnections(ids.loopback)).toBe(0);
    expect(tunnels.list().find((t) => t.peerId === ids.loopback)?.state).toBe('closed');
    expect(tunnelEvents.filter((t) => t.peerId === ids.loopback).map((t) => t.state)).toEqual(['opening', 'open', 'closed']);
    // The log line names the peer as a captain reads it: short id and host name, not the 52-character PeerID.
    const opened = engine.log.recent(500).filter((l) => l.msg.includes('tunnel open on'));
    const host = peerOf('loopback').hostname;
    expect(opened.at(-1)?.msg).toBe(`peer ${shortPeerId(ids.loopback)}${host ? ` (${host})` : ''}: tunnel open on 127.0.0.1:${new URL(ep.url).port}`);
  });

  it('reuses a tunnel it already holds, and closes it after the last release', async () => {
    const a = await tunnels.endpoint(peerOf('loopback'));
    const forwardCalls = kubo.calls.filter((c) => c.path === '/api/v0/p2p/forward').length;
    const b = await tunnels.endpoint(peerOf('loopback'));
    expect(b.url).toBe(a.url);
    expect(kubo.calls.filter((c) => c.path === '/api/v0/p2p/forward').length).toBe(forwardCalls);
    await a.release();
    expect(forwards()).toHaveLength(1);
    await b.release();
    expect(forwards()).toEqual([]);
  });

  it('falls back to the tunnel when a private-network relay does not answer directly', async () => {
    const [, relayC] = relays as [TestRelay, TestRelay];
    const author = keyFromSeed('tunnels:lan-author');
    const ev = note(author, 'over the LAN fallback');
    await relayC.seed([ev]);
    const t0 = Date.now();
    const ep = await tunnels.endpoint(peerOf('private'));
    expect(ep.via).toBe('tunnel');
    expect(Date.now() - t0).toBeLessThan(5000);
    const client = await RawClient.connect(ep.url);
    const { events } = await client.req('l', [{ authors: [author.pk] }]);
    expect(events.map((e) => e.id)).toEqual([ev.id]);
    client.close();
    await ep.release();
    expect(forwards()).toEqual([]);
  });

  it('uses a private-network relay directly when it answers', async () => {
    const [, relayC] = relays as [TestRelay, TestRelay];
    const direct = createTunnelManager(engine, { dialUrl: (url) => (url === PRIVATE_URL ? relayC.url : url) });
    const ep = await direct.endpoint(peerOf('private'));
    expect(ep).toMatchObject({ via: 'direct', url: relayC.url });
    await ep.release();
    expect(forwards()).toEqual([]);
  });

  const failures: Array<[Role, RegExp]> = [
    ['refusing', /tunnel opened but the peer's relay did not answer through it: connection (closed|failed|reset)/],
    ['unknown', /not reachable over IPFS \(kubo ping: .*(not found|lookup)/],
    ['silent', /tunnel opened but the peer's relay did not answer through it: no relay answer within 1500 ms/],
  ];
  for (const [role, reason] of failures) {
    it(`fails with a reason naming the peer and leaves nothing open (${role})`, async () => {
      const err = (await tunnels.endpoint(peerOf(role)).then(
        () => null,
        (e: unknown) => e,
      )) as Error;
      expect(err).toBeInstanceOf(Error);
      const host = peerOf(role).hostname;
      expect(err.message).toContain(`peer ${shortPeerId(ids[role])}${host ? ` (${host})` : ''}: `);
      expect(err.message).not.toContain(ids[role]);
      // said short, carried whole (`--json`, the history)
      expect((err as ReasonError).reason.params?.id).toBe(ids[role]);
      expect(err.message).toMatch(reason);
      expect(forwards()).toEqual([]);
      expect(kubo.liveConnections()).toBe(0);
      expect(tunnels.list().find((t) => t.peerId === ids[role])).toMatchObject({ state: 'failed', reason: expect.stringMatching(reason) });
      expect(await readRecords(engine.config.dataDir)).toEqual([]);
    });
  }

  it('a peer kubo cannot reach costs at most tunnelCheck + kuboPing, even when kubo takes 20 s to give up', async () => {
    // Real kubo keeps a connection to a peer it cannot reach open while it looks for it (up to its 30 s dial
    // timeout), and its ping waits as long: the engine must not wait for either.
    const slowKubo = await KuboStandin.start({ peerId: SELF, unreachableDelayMs: 20_000 });
    onCleanup(() => slowKubo.stop());
    const dataDir = await tmpDir();
    const e = new Engine(
      makeConfig({
        dataDir,
        home: dataDir,
        overrides: { zenRoot: station.root, kuboApi: slowKubo.url, relayUrl: relays[0]!.url, fallbackRelays: [] },
        timeouts: { ...DEFAULT_TIMEOUTS, connect: 8000 },
      }),
    );
    await e.start();
    onCleanup(() => e.stop());
    const slowTunnels = createTunnelManager(e);
    for (const role of ['unknown', 'private'] as const) {
      if (role === 'private') slowKubo.registerPeer(ids.private, { host: '127.0.0.1', port: relays[1]!.port }, { reachable: false });
      // 2.3 s of this process's own time (the stand-in's 20 s are what must not be waited for): on a loaded
      // machine the event loop runs slower than the clock, and the bound follows (watchDilation)
      const clock = watchDilation();
      const t0 = Date.now();
      const err = (await slowTunnels.open(ids[role]).then(() => null, (x: unknown) => x)) as Error;
      const ms = Date.now() - t0;
      const dilation = clock.stop();
      expect(err?.message, role).toMatch(/not reachable over IPFS \(kubo found no way to the peer within 1400 ms\)/);
      expect(ms, `${role}: ${ms} ms, this process ran ${dilation.toFixed(2)}× slower than the clock`).toBeLessThan((2000 + 300) * dilation);
      expect(slowKubo.listeners().filter((l) => l.Protocol !== `/x/strfry-${SELF}`), role).toEqual([]);
    }
  });

  it('a slow relay behind a reachable peer keeps its full proof time', async () => {
    // answers the proof's REQ after 1.4 s: past tunnelCheck, so kubo is asked, says the peer is reachable, and the
    // tunnel is proven by the late answer
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    onCleanup(() => new Promise<void>((r) => wss.close(() => r())));
    wss.on('connection', (ws) =>
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as unknown[];
        if (msg[0] === 'REQ') setTimeout(() => ws.readyState === ws.OPEN && ws.send(JSON.stringify(['EOSE', msg[1]])), 1400);
      }),
    );
    kubo.registerPeer(ids.silent, { host: '127.0.0.1', port: (wss.address() as { port: number }).port });
    try {
      const pings = kubo.calls.filter((c) => c.path === '/api/v0/ping').length;
      const t = await tunnels.open(ids.silent);
      expect(t.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      expect(kubo.calls.filter((c) => c.path === '/api/v0/ping').length).toBe(pings + 1);
      await tunnels.close(ids.silent);
    } finally {
      kubo.registerPeer(ids.silent, { host: '127.0.0.1', port: (silentServer.address() as { port: number }).port });
      for (const c of wss.clients) c.terminate();
    }
  });

  it('asks kubo nothing when the relay answers through the tunnel at once', async () => {
    const pings = kubo.calls.filter((c) => c.path === '/api/v0/ping').length;
    const ep = await tunnels.endpoint(peerOf('loopback'));
    await ep.release();
    expect(kubo.calls.filter((c) => c.path === '/api/v0/ping').length).toBe(pings);
  });

  it('closes what it opened when cancelled mid-way', async () => {
    const ac = new AbortController();
    const pending = tunnels.endpoint(peerOf('silent'), ac.signal);
    // Cancel while the proof through the forward is waiting for the silent relay.
    await new Promise((r) => setTimeout(r, 300));
    expect(forwards()).toHaveLength(1);
    ac.abort();
    await expect(pending).rejects.toThrow(/cancelled/);
    expect(forwards()).toEqual([]);
    expect(tunnels.list().find((t) => t.peerId === ids.silent)).toMatchObject({ state: 'closed', reason: 'cancelled' });
  });

  it('closes an open tunnel when the session is cancelled after it was handed out', async () => {
    const ac = new AbortController();
    const ep = await tunnels.endpoint(peerOf('loopback'), ac.signal);
    expect(forwards()).toHaveLength(1);
    ac.abort();
    await new Promise((r) => setTimeout(r, 200));
    expect(forwards()).toEqual([]);
    await ep.release(); // still safe to call
  });

  it('refuses peers that are not syncable, with their reason', async () => {
    await expect(tunnels.endpoint(peerOf('stale'))).rejects.toThrow(new RegExp(`peer ${shortPeerId(ids.stale)}.*not syncable: beacon not refreshed`));
    await expect(tunnels.endpoint(peerOf('picoport'))).rejects.toThrow(/picoport/);
  });

  it('never executes the peer-published x_strfry.sh and never closes with all=true', () => {
    const marker = station.peers[1]?.markerFile;
    expect(marker).toBeDefined();
    expect(existsSync(marker as string)).toBe(false);
    expect(kubo.calls.filter((c) => c.path === '/api/v0/p2p/close').length).toBeGreaterThan(0);
    expect(kubo.calls.some((c) => 'all' in c.query)).toBe(false);
    // The station's own `p2p listen` entry survived every close.
    expect(kubo.listeners()).toEqual([expect.objectContaining({ Protocol: `/x/strfry-${kubo.peerId}` })]);
  });
});

describe('leftovers of a crashed run', () => {
  it('are closed at the next start, and only they', async () => {
    const dataDir = await tmpDir();
    const [relayB] = relays as [TestRelay];
    const config = makeConfig({ dataDir, home: dataDir, overrides: { zenRoot: station.root, kuboApi: kubo.url, relayUrl: relayB.url, fallbackRelays: [] } });
    // A run that "crashes": it opens a tunnel and is never stopped.
    const crashed = new Engine(config);
    await crashed.start();
    const crashedTunnels = createTunnelManager(crashed);
    await crashedTunnels.open(ids.loopback);
    // Someone else's forward (e.g. the station's own scripts) on the same protocol must survive.
    const foreignPort = await freePort();
    const res = await fetch(
      `${kubo.url}/api/v0/p2p/forward?arg=/x/strfry-${ids.loopback}&arg=/ip4/127.0.0.1/tcp/${foreignPort}&arg=/p2p/${ids.loopback}`,
      { method: 'POST' },
    );
    expect(res.status).toBe(200);
    expect(forwards()).toHaveLength(2);
    const records = await readRecords(dataDir);
    expect(records).toHaveLength(1);
    // Pretend the crashed run's process is gone.
    const { writeRecords } = await import('../../src/core/kubo/records');
    await writeRecords(dataDir, records.map((r) => ({ ...r, pid: 2 ** 22 + 4321 })));
    const next = new Engine(config);
    await next.start(); // runs cleanupLeftovers
    expect(forwards().map((f) => f.ListenAddress)).toEqual([`/ip4/127.0.0.1/tcp/${foreignPort}`]);
    expect(await readRecords(dataDir)).toEqual([]);
    await next.stop();
    await fetch(`${kubo.url}/api/v0/p2p/close?listen-address=/ip4/127.0.0.1/tcp/${foreignPort}`, { method: 'POST' });
    expect(forwards()).toEqual([]);
    await crashedTunnels.closeAll().catch(() => undefined);
    await crashed.stop();
    expect(existsSync(join(dataDir, 'tunnels.json'))).toBe(true);
  });
});
