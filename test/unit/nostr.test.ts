// The Nostr client side against the devkit's real relay on 127.0.0.1: connection, NIP-11, paging, COUNT,
// publish, NIP-77 probe/reconcile/fetch, reason prefixes and the event checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRelay } from '../../src/devkit/relay';
import { keysFromSeed } from '../../src/devkit/keys';
import { manyNotes, note, withBadId, withBadSig } from '../../src/devkit/events';
import {
  RelayConnection,
  fetchRelayInfo,
  relayLimits,
  pageEvents,
  batchAuthors,
  probeNip77,
  reconcile,
  fetchByIds,
  parseReason,
  hasValidId,
  loadVerifier,
  isWellFormed,
  IdList,
  NegentropyInitiator,
  NegentropyItems,
} from '../../src/core/nostr';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import type { NostrEvent } from 'nostr-tools';
import { NegentropyStorage } from '@nostr-dev-kit/sync';
import { FastNegentropyStorage, StrfryNegentropy } from '../../src/devkit/negentropy-responder';

const NOW = Math.floor(Date.now() / 1000);
let relay: TestRelay;
let plain: TestRelay;
let events: NostrEvent[];

beforeAll(async () => {
  relay = await TestRelay.start({ maxLimit: 500 });
  plain = await TestRelay.start({ maxLimit: 300, nip77: false });
  events = await manyNotes(keysFromSeed('nostr-unit', 5), 500, { seed: 'n', since: NOW - 86400, until: NOW - 10 });
  await relay.seed(events);
  await plain.seed(events);
});
afterAll(async () => {
  await relay?.stop();
  await plain?.stop();
});

/** The extension a relay answered to a raw ws client's offer (undefined: none), and the first message it sent. */
async function negotiate(url: string, perMessageDeflate: WebSocket.ClientOptions['perMessageDeflate']): Promise<{ answer: string | undefined; message: string }> {
  const ws = new WebSocket(url, { perMessageDeflate });
  let answer: string | undefined;
  ws.once('upgrade', (res) => (answer = res.headers['sec-websocket-extensions']));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const message = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
  ws.send(JSON.stringify(['REQ', 'x', { kinds: [1], limit: 3 }]));
  const first = await message;
  ws.close();
  return { answer, message: first };
}

describe('permessage-deflate as strfry negotiates it (devkit relay) and as we offer it', () => {
  it('answers client_no_context_takeover, keeps its own context unless asked, ignores window sizes', async () => {
    const plainOffer = await negotiate(relay.url, {});
    expect(plainOffer.answer).toBe('permessage-deflate; client_no_context_takeover');
    expect(JSON.parse(plainOffer.message)[0]).toBe('EVENT');
    const strfrySync = await negotiate(relay.url, { serverNoContextTakeover: true, clientNoContextTakeover: true });
    expect(strfrySync.answer).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover');
    // strfry never answers window bits and deflates with 15: a client asking 10 still reads every message
    const windows = await negotiate(relay.url, { serverMaxWindowBits: 10, clientMaxWindowBits: 9 });
    expect(windows.answer).toBe('permessage-deflate; client_no_context_takeover');
    expect(JSON.parse(windows.message)[0]).toBe('EVENT');
  });

  it('without compression (strfry.conf relay.compression.enabled = false) no extension is answered', async () => {
    const off = await TestRelay.start({ compression: { enabled: false } });
    try {
      expect((await negotiate(off.url, {})).answer).toBeUndefined();
      const conn = await RelayConnection.connect(off.url);
      expect((await conn.count([{ kinds: [1] }])) ?? 0).toBe(0);
      expect(conn.bytesIn).toBeGreaterThan(conn.payloadIn);
      conn.close();
    } finally {
      await off.stop();
    }
  });

  it('our connection offers it and a stream of events crosses compressed', async () => {
    relay.resetStats();
    const conn = await RelayConnection.connect(relay.url);
    let n = 0;
    for await (const _ of conn.req([{ kinds: [1], limit: 500 }])) n++;
    expect(n).toBe(500);
    expect(relay.stats.bytesOut).toBeGreaterThan(conn.bytesIn * 1.5);
    conn.close();
    const raw = await RelayConnection.connect(relay.url, { deflate: false });
    relay.resetStats();
    for await (const _ of raw.req([{ kinds: [1], limit: 500 }])) n++;
    expect(raw.bytesIn).toBeGreaterThan(raw.payloadIn);
    expect(relay.stats.wireOut).toBeGreaterThan(relay.stats.bytesOut);
    raw.close();
  });
});

describe('silence on a compressed connection', () => {
  it('a relay that only pings is silent: its control frames are not taken for bytes still being decoded', async () => {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => {
      const t = setInterval(() => ws.ping(), 100);
      ws.on('close', () => clearInterval(t));
    });
    try {
      const port = (wss.address() as { port: number }).port;
      const conn = await RelayConnection.connect(`ws://127.0.0.1:${port}`);
      const t0 = Date.now();
      const run = async (): Promise<number> => {
        let n = 0;
        for await (const _ of conn.req([{ kinds: [1] }], { idleMs: 600 })) n++;
        return n;
      };
      await expect(run()).rejects.toThrow(/went silent/);
      expect(Date.now() - t0).toBeLessThan(3000);
      conn.close();
    } finally {
      for (const c of wss.clients) c.terminate();
      wss.close();
    }
  });

  it('a relay that begins a frame and never finishes it is silent once the decode grace has passed', async () => {
    const { createServer } = await import('node:http');
    const { createHash } = await import('node:crypto');
    // a relay by hand: the WebSocket handshake, then the head of a 1,000-byte text frame and 3 of its bytes
    const server = createServer();
    const sockets: import('node:net').Socket[] = [];
    server.on('upgrade', (req, socket) => {
      sockets.push(socket as import('node:net').Socket);
      const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.once('data', () => socket.write(Buffer.from([0x81, 0x7e, 0x03, 0xe8, 0x5b, 0x22, 0x45])));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const conn = await RelayConnection.connect(`ws://127.0.0.1:${port}`, { decodeGraceMs: 500 });
      const t0 = Date.now();
      const run = async (): Promise<number> => {
        let n = 0;
        for await (const _ of conn.req([{ kinds: [1] }], { idleMs: 400 })) n++;
        return n;
      };
      await expect(run()).rejects.toThrow(/went silent/);
      expect(Date.now() - t0).toBeLessThan(3000);
      conn.close();
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});

describe('relay connection', () => {
  it('reads NIP-11 and its limits', async () => {
    const info = await fetchRelayInfo(relay.url);
    const l = relayLimits(info);
    expect(l.maxLimit).toBe(500);
    expect(l.claimsNip77).toBe(true);
    expect(relayLimits(await fetchRelayInfo(plain.url)).claimsNip77).toBe(false);
  });

  it('fails to connect with a reason naming the URL', async () => {
    await expect(RelayConnection.connect('ws://127.0.0.1:1', { timeoutMs: 2000 })).rejects.toThrow(/127\.0\.0\.1:1/);
  });

  it('pages past max_limit: all 2,500 events, no duplicates, and counts bytes (messages and wire)', async () => {
    plain.resetStats();
    const conn = await RelayConnection.connect(plain.url);
    const ids = new Set<string>();
    let n = 0;
    for await (const e of pageEvents(conn, { kinds: [1] }, { pageSize: 300 })) {
      ids.add(e.id);
      n++;
    }
    expect(ids.size).toBe(2500);
    expect(n).toBe(2500);
    expect(conn.payloadIn).toBeGreaterThan(2500 * 200);
    expect(conn.payloadOut).toBeGreaterThan(0);
    // permessage-deflate is negotiated (the devkit relay answers as strfry does): fewer bytes on the wire than in
    // the messages, and both ends count the same wire bytes
    expect(conn.bytesIn).toBeGreaterThan(0);
    expect(conn.bytesIn).toBeLessThan(conn.payloadIn * 0.8);
    expect(conn.bytesIn).toBe(plain.stats.wireOut);
    // (our CLOSE of the last page may still be on its way)
    expect(Math.abs(conn.bytesOut - plain.stats.wireIn)).toBeLessThan(100);
    conn.close();
  });

  it('respects since/until when paging', async () => {
    const conn = await RelayConnection.connect(relay.url);
    const since = NOW - 43200;
    const until = NOW - 3600;
    const want = events.filter((e) => e.created_at >= since && e.created_at <= until).length;
    let n = 0;
    for await (const e of pageEvents(conn, { kinds: [1], since, until }, { pageSize: 100 })) {
      expect(e.created_at).toBeGreaterThanOrEqual(since);
      expect(e.created_at).toBeLessThanOrEqual(until);
      n++;
    }
    expect(n).toBe(want);
    conn.close();
  });

  it('COUNT and publish with OK answers (new, duplicate, bad)', async () => {
    const conn = await RelayConnection.connect(relay.url);
    expect(await conn.count([{ kinds: [1] }])).toBe(2500);
    const [k] = keysFromSeed('nostr-unit-pub', 1);
    const e = note(k!, 'hello');
    expect((await conn.publish(e)).ok).toBe(true);
    const dup = await conn.publish(e);
    expect(dup.ok).toBe(true);
    expect(dup.message).toMatch(/^duplicate:/);
    const bad = await conn.publish(withBadSig(note(k!, 'bad')));
    expect(bad.ok).toBe(false);
    conn.close();
  });

  it('closes pending waits when aborted', async () => {
    const ac = new AbortController();
    const conn = await RelayConnection.connect(relay.url, { signal: ac.signal });
    const it = conn.req([{ kinds: [1] }], { signal: ac.signal });
    await it.next();
    ac.abort(new Error('stop'));
    await expect(it.next()).rejects.toThrow();
    expect(conn.closed).toBe(true);
  });

  it('keeps subscriptions within its budget', async () => {
    const conn = await RelayConnection.connect(relay.url, { maxSubscriptions: 2 });
    const runs = Array.from({ length: 6 }, async () => {
      let n = 0;
      for await (const _ of conn.req([{ kinds: [1], limit: 10 }])) n++;
      return n;
    });
    expect(await Promise.all(runs)).toEqual([10, 10, 10, 10, 10, 10]);
    conn.close();
  });
});

describe('NIP-77', () => {
  it('probe: yes on a negentropy relay, no on a plain one', async () => {
    const a = await RelayConnection.connect(relay.url);
    expect((await probeNip77(a, { timeoutMs: 2000 })).ok).toBe(true);
    a.close();
    const b = await RelayConnection.connect(plain.url);
    const r = await probeNip77(b, { timeoutMs: 1500 });
    expect(r.ok).toBe(false);
    expect(r.reason.length).toBeGreaterThan(0);
    b.close();
  });

  it('reconciles: need = what the peer has and we lack, have = what only we hold; fetches the needed ids', async () => {
    const conn = await RelayConnection.connect(relay.url);
    const local = events.slice(0, 1000).map((e) => ({ id: e.id, created_at: e.created_at }));
    const [k] = keysFromSeed('nostr-unit-local-only', 1);
    const mine = note(k!, 'only here', NOW - 100);
    local.push({ id: mine.id, created_at: mine.created_at });
    const r = await reconcile(conn, { kinds: [1], authors: [...new Set(events.map((e) => e.pubkey))] }, IdList.fromItems(local));
    expect(r.need.length).toBe(1500);
    expect([...r.have]).toEqual([mine.id]);
    expect(new Set(r.need)).toEqual(new Set(events.slice(1000).map((e) => e.id)));
    const got = new Set<string>();
    for await (const e of fetchByIds(conn, r.need, { chunk: 200, inFlight: 4 })) got.add(e.id);
    expect(got.size).toBe(1500);
    conn.close();
  });

  it('splits the time range when the peer answers blocked', async () => {
    const small = await TestRelay.start({ maxSyncEvents: 600 });
    try {
      await small.seed(events);
      const conn = await RelayConnection.connect(small.url);
      const r = await reconcile(conn, { kinds: [1], since: NOW - 86400, until: NOW }, new IdList(true));
      expect(r.splits).toBeGreaterThan(0);
      expect(new Set(r.need).size).toBe(2500);
      conn.close();
    } finally {
      await small.stop();
    }
  });
});

describe('reasons and checks', () => {
  it('parses machine-readable prefixes after ERROR:', () => {
    expect(parseReason('ERROR: auth-required: requested filter requires authentication')).toEqual({ prefix: 'auth-required', text: 'requested filter requires authentication' });
    expect(parseReason('blocked: too many')).toEqual({ prefix: 'blocked', text: 'too many' });
    expect(parseReason('ERROR: too many concurrent REQs').prefix).toBe('error');
  });

  it('batches authors', () => {
    const a = Array.from({ length: 450 }, (_, i) => i.toString(16).padStart(64, '0'));
    expect(batchAuthors(a, 200).map((b) => b.length)).toEqual([200, 200, 50]);
  });

  it('checks ids and signatures', async () => {
    const [k] = keysFromSeed('nostr-unit-check', 1);
    const e = note(k!, 'x');
    expect(isWellFormed(e)).toBe(true);
    expect(isWellFormed({ ...e, id: 'nope' })).toBe(false);
    expect(hasValidId(e)).toBe(true);
    expect(hasValidId(withBadId(e))).toBe(false);
    const v = await loadVerifier();
    expect(v.name).toBe('nostr-wasm');
    expect(v.verify(e)).toBe(true);
    expect(v.verify(withBadSig(e))).toBe(false);
  });
});

/** A scripted relay: `onMessage` answers each client message (raw ws, so the test controls every frame). */
async function scripted(onMessage: (ws: import('ws').WebSocket, msg: unknown[]) => void): Promise<{ url: string; stop: () => Promise<void> }> {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => ws.on('message', (raw) => onMessage(ws, JSON.parse(raw.toString()) as unknown[])));
  return {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    stop: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

describe('peer silence, NOTICE attribution and readable socket errors', () => {
  it('the idle timeout measures the relay\'s silence, not a slow consumer', async () => {
    const few = events.slice(0, 30);
    const conn = await RelayConnection.connect(relay.url);
    let n = 0;
    // 400 ms idle; the consumer spends ~1.2 s on the batch: the relay answered at once, so no timeout
    for await (const _ of conn.req([{ ids: few.map((e) => e.id) }], { idleMs: 400 })) {
      n++;
      if (n % 10 === 0) await new Promise((r) => setTimeout(r, 400));
    }
    expect(n).toBe(30);
    conn.close();
  });

  it('a relay that really goes silent is given up with a reason that says so', async () => {
    const s = await scripted(() => undefined);
    const conn = await RelayConnection.connect(s.url);
    const t0 = Date.now();
    await expect((async () => {
      for await (const _ of conn.req([{ kinds: [1] }], { idleMs: 300 })) void _;
    })()).rejects.toThrow(/went silent: no answer to a REQ for 300 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
    conn.close();
    await s.stop();
  });

  it('a NOTICE about NEG-CLOSE (relay without NIP-77) does not fail a REQ waiting for its answer', async () => {
    const s = await scripted((ws, msg) => {
      if (msg[0] === 'REQ') {
        ws.send(JSON.stringify(['NOTICE', 'ERROR: bad msg: unknown cmd: NEG-CLOSE']));
        ws.send(JSON.stringify(['NOTICE', 'flood: nothing to see']));
        setTimeout(() => {
          ws.send(JSON.stringify(['EVENT', msg[1], events[0]]));
          ws.send(JSON.stringify(['EOSE', msg[1]]));
        }, 50);
      }
    });
    const conn = await RelayConnection.connect(s.url);
    const got: string[] = [];
    for await (const e of conn.req([{ kinds: [1] }], { idleMs: 2000 })) got.push(e.id);
    expect(got).toEqual([events[0]!.id]);
    conn.close();
    await s.stop();
  });

  it('a NOTICE refusing the REQ fails it with the relay\'s words', async () => {
    const s = await scripted((ws, msg) => {
      if (msg[0] === 'REQ') ws.send(JSON.stringify(['NOTICE', 'ERROR: too many concurrent REQs']));
    });
    const conn = await RelayConnection.connect(s.url);
    await expect((async () => {
      for await (const _ of conn.req([{ kinds: [1] }], { idleMs: 2000 })) void _;
    })()).rejects.toThrow(/too many concurrent REQs/);
    conn.close();
    await s.stop();
  });

  it('an oversized frame is reported in words, not as a ws error code', async () => {
    const s = await scripted((ws, msg) => {
      if (msg[0] === 'REQ') ws.send(JSON.stringify(['EVENT', msg[1], { ...events[0], content: 'x'.repeat(200_000) }]));
    });
    const conn = await RelayConnection.connect(s.url, { maxPayload: 100_000 });
    const err = await (async () => {
      for await (const _ of conn.req([{ kinds: [1] }], { idleMs: 2000 })) void _;
    })().catch((e: Error) => e);
    expect((err as Error).message).toMatch(/relay sent a message larger than 100000 bytes \(our limit\), connection dropped/);
    expect((err as Error).message).not.toMatch(/WS_ERR/);
    await s.stop();
  });

  it('frames that are not JSON are skipped and counted', async () => {
    const s = await scripted((ws, msg) => {
      if (msg[0] === 'REQ') {
        ws.send('}{ not json');
        ws.send(JSON.stringify(['EVENT', msg[1], events[1]]));
        ws.send(JSON.stringify(['EOSE', msg[1]]));
      }
    });
    const conn = await RelayConnection.connect(s.url);
    const got: string[] = [];
    for await (const e of conn.req([{ kinds: [1] }], { idleMs: 2000 })) got.push(e.id);
    expect(got).toEqual([events[1]!.id]);
    expect(conn.garbage).toBe(1);
    conn.close();
    await s.stop();
  });
});

describe('mergeConcurrent', () => {
  it('never loses a wake-up when many sources wait on a full queue (no deadlock)', async () => {
    const { mergeConcurrent } = await import('../../src/core/nostr');
    // 12 sources of 300 items each: far past the merge's queue bound while the consumer is slow
    const sources = Array.from({ length: 12 }, (_, k) => async function* () {
      for (let i = 0; i < 300; i++) yield k * 1000 + i;
    });
    let n = 0;
    const run = (async () => {
      for await (const _ of mergeConcurrent(sources, 12)) {
        if (++n % 500 === 0) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await Promise.race([run, new Promise((_, reject) => setTimeout(() => reject(new Error('merge stalled')), 5000))]);
    expect(n).toBe(3600);
  });
});

describe('devkit NIP-77 responder (strfry-faithful frame size limit)', () => {
  /** Runs an initiator (the engine's own, as it drives it) against the devkit responder in memory. */
  async function converse(local: string[], remote: string[], frameLimit: number, fast = true): Promise<{ need: Set<string>; have: Set<string>; rounds: number }> {
    const ts = (id: string): number => 1_700_000_000 + (parseInt(id.slice(0, 6), 16) % 5000);
    const mine = new IdList(true);
    for (const id of local) mine.pushHex(id, ts(id));
    const theirs = fast ? new FastNegentropyStorage() : new NegentropyStorage();
    for (const id of remote) theirs.insert(ts(id), id);
    theirs.seal();
    const client = new NegentropyInitiator(NegentropyItems.from(mine), 60_000);
    const server = new StrfryNegentropy(theirs, frameLimit);
    const need = new IdList();
    const have = new IdList();
    let msg: Buffer | null = client.initiate();
    let rounds = 0;
    while (msg) {
      const answer = await server.reconcile(msg);
      rounds++;
      msg = client.reconcile(answer.nextMessage!, have, need);
    }
    return { need: new Set(need), have: new Set(have), rounds };
  }
  const ids = (n: number, seed: string): string[] =>
    Array.from({ length: n }, (_, i) => createHash('sha256').update(`${seed}:${i}`).digest('hex'));

  it('an answer cut at the frame size is continued in later rounds: every id arrives (500 kB frames, 40,000 ids)', async () => {
    const remote = ids(40_000, 'r');
    const r = await converse([], remote, 500_000);
    expect(r.rounds).toBeGreaterThan(2); // 40,000 ids do not fit one 500 kB frame
    expect(r.need.size).toBe(40_000);
    expect(r.have.size).toBe(0);
  });

  it('small frames, overlapping sets: need and have are exact (fast storage and the library\'s)', async () => {
    for (const fast of [true, false]) {
      const scale = fast ? 1 : 0.2; // the library's storage is slow: a smaller set says the same
      const shared = ids(3000 * scale, 's');
      const onlyThere = ids(2500 * scale, 't');
      const onlyHere = ids(700 * scale, 'h');
      const r = await converse([...shared, ...onlyHere], [...shared, ...onlyThere], 4096, fast);
      expect(r.rounds).toBeGreaterThan(3);
      expect([...r.need].sort()).toEqual([...onlyThere].sort());
      expect([...r.have].sort()).toEqual([...onlyHere].sort());
    }
  });

  it('fast storage: the same range fingerprints as the library\'s storage', async () => {
    const all = ids(3000, 'fp');
    const slow = new NegentropyStorage();
    const fast = new FastNegentropyStorage();
    for (const id of all) {
      const t = 1_700_000_000 + (parseInt(id.slice(0, 4), 16) % 300);
      slow.insert(t, id);
      fast.insert(t, id);
    }
    slow.seal();
    fast.seal();
    for (const [a, b] of [[0, 3000], [0, 0], [17, 18], [5, 2999], [1000, 2100], [2999, 3000]] as const) {
      expect(Buffer.from(await fast.fingerprint(a, b)).toString('hex')).toBe(Buffer.from(await slow.fingerprint(a, b)).toString('hex'));
    }
  });

  it('the relay over a socket: a cold reconciliation of more ids than one frame holds needs them all', async () => {
    const big = await TestRelay.start();
    try {
      const [k] = keysFromSeed('nostr-unit-frame', 1);
      // unsigned-but-well-formed rows are enough for NIP-77 (it reconciles ids only)
      const rows = ids(20_000, 'f').map((id, i) => ({ id, pubkey: k!.pk, created_at: NOW - 1000 - (i % 900), kind: 1, tags: [], content: '', sig: '0'.repeat(128) }));
      await big.seed(rows);
      const conn = await RelayConnection.connect(big.url);
      const r = await reconcile(conn, { kinds: [1] }, new IdList(true));
      expect(r.rounds).toBeGreaterThan(1);
      expect(new Set(r.need).size).toBe(20_000);
      conn.close();
    } finally {
      await big.stop();
    }
  });
});
