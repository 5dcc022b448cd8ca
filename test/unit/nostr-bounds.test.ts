// What a relay can make the client side cost (issue 15): paging, frame sizes, bytes, NIP-77 rounds and needs,
// events per peer. Each against a scripted WebSocket server on 127.0.0.1 that does one hostile thing.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Filter } from 'nostr-tools';
import {
  ConnectionLost,
  IdList,
  MAX_PAGE,
  RelayConnection,
  ReconcileCapped,
  eventFrameLimit,
  fetchByIds,
  maxPayloadFor,
  pageEvents,
  reconcile,
} from '../../src/core/nostr';
import { PeerBudget, PeerCut } from '../../src/core/sync/bounds';
import { endlessNegMessage } from '../support/faults';

type Handler = (ws: WebSocket, msg: unknown[]) => void;
const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

async function scripted(onMessage: Handler): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 4 << 20 });
  await new Promise((r) => wss.once('listening', r));
  servers.push(wss);
  wss.on('connection', (ws) => ws.on('message', (raw) => onMessage(ws, JSON.parse(String(raw)) as unknown[])));
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
}

const fakeEvent = (created_at: number, content = 'x'): Record<string, unknown> => ({
  id: randomBytes(32).toString('hex'), pubkey: '1'.repeat(64), created_at, kind: 1, tags: [], content, sig: '2'.repeat(128),
});

describe('paging a hostile relay', () => {
  it('stops when a page brings new events but nothing older (the same-second flood), and says so', async () => {
    let pages = 0;
    const url = await scripted((ws, [type, sub, f]) => {
      if (type !== 'REQ') return;
      pages++;
      const filter = f as Filter;
      const at = filter.until ?? 1_700_000_000;
      for (let i = 0; i < (filter.limit ?? 10); i++) ws.send(JSON.stringify(['EVENT', sub, fakeEvent(at)]));
      ws.send(JSON.stringify(['EOSE', sub]));
    });
    const conn = await RelayConnection.connect(url);
    const floods: number[] = [];
    let n = 0;
    for await (const _ of pageEvents(conn, { kinds: [1] }, { pageSize: 50, onFlood: ({ at }) => floods.push(at) })) n++;
    conn.close();
    expect(pages).toBe(2);
    expect(n).toBe(100);
    expect(floods).toEqual([1_700_000_000]);
  });

  it('an honest relay repeating its same-second page ends without a flood note', async () => {
    const same = Array.from({ length: 30 }, () => fakeEvent(1_700_000_000));
    const url = await scripted((ws, [type, sub, f]) => {
      if (type !== 'REQ') return;
      for (const e of same.slice(0, (f as Filter).limit)) ws.send(JSON.stringify(['EVENT', sub, e]));
      ws.send(JSON.stringify(['EOSE', sub]));
    });
    const conn = await RelayConnection.connect(url);
    let floods = 0;
    let n = 0;
    for await (const _ of pageEvents(conn, { kinds: [1] }, { pageSize: 20, onFlood: () => floods++ })) n++;
    conn.close();
    expect(n).toBe(20);
    expect(floods).toBe(0);
  });

  it('asks at most MAX_PAGE events a page whatever max_limit is claimed, and reads no more than it asked', async () => {
    const asked: number[] = [];
    let t = 1_700_000_000;
    const url = await scripted((ws, [type, sub, f]) => {
      if (type !== 'REQ') return;
      asked.push((f as Filter).limit ?? -1);
      if (asked.length > 1) return void ws.send(JSON.stringify(['EOSE', sub]));
      // more than was asked, each older than the one before
      for (let i = 0; i < ((f as Filter).limit ?? 0) + 50; i++) ws.send(JSON.stringify(['EVENT', sub, fakeEvent(t--)]));
      ws.send(JSON.stringify(['EOSE', sub]));
    });
    const conn = await RelayConnection.connect(url);
    let n = 0;
    for await (const _ of pageEvents(conn, { kinds: [1] }, { pageSize: 1_000_000 })) n++;
    conn.close();
    expect(asked[0]).toBe(MAX_PAGE);
    expect(n).toBe(MAX_PAGE);
  });
});

describe('fetching by id from a hostile relay', () => {
  it('reads at most twice as many events as ids asked per REQ', async () => {
    const url = await scripted((ws, [type, sub]) => {
      if (type !== 'REQ') return;
      for (let i = 0; i < 500; i++) ws.send(JSON.stringify(['EVENT', sub, fakeEvent(1_700_000_000 - i)]));
      ws.send(JSON.stringify(['EOSE', sub]));
    });
    const conn = await RelayConnection.connect(url);
    const ids = Array.from({ length: 30 }, () => randomBytes(32).toString('hex'));
    let n = 0;
    for await (const _ of fetchByIds(conn, ids, { chunk: 10, inFlight: 2 })) n++;
    conn.close();
    expect(n).toBe(3 * 2 * 10);
  });
});

describe('frames and bytes', () => {
  it('drops an event frame too large for the local store before parsing it, and lets a NEG-MSG of that size through', async () => {
    const maxEventSize = 65_536;
    const big = 'y'.repeat(eventFrameLimit(maxEventSize));
    const url = await scripted((ws, [type, sub]) => {
      if (type === 'REQ') {
        ws.send(JSON.stringify(['EVENT', sub, fakeEvent(1_700_000_001, big)]));
        ws.send(JSON.stringify(['EVENT', sub, fakeEvent(1_700_000_000)]));
        ws.send(JSON.stringify(['EOSE', sub]));
      }
      if (type === 'NEG-OPEN') ws.send(JSON.stringify(['NEG-MSG', sub, 'ab'.repeat(300_000)]));
    });
    const conn = await RelayConnection.connect(url, { maxPayload: maxPayloadFor(maxEventSize), maxEventFrame: eventFrameLimit(maxEventSize) });
    const got: unknown[] = [];
    for await (const e of conn.req([{ kinds: [1] }])) got.push(e);
    expect(got).toHaveLength(1);
    expect(conn.tooLarge).toBe(1);
    const neg = await new Promise<string>((resolve, reject) => {
      void conn.openNeg({ kinds: [1] }, '61', { onMessage: resolve, onError: reject });
    });
    expect(neg).toHaveLength(600_000);
    conn.close();
  });

  it('cuts a relay past its byte bound, naming the bound, and drops one whose frame breaks maxPayload', async () => {
    const url = await scripted((ws, [type, sub]) => {
      if (type !== 'REQ') return;
      for (let i = 0; i < 200; i++) ws.send(JSON.stringify(['EVENT', sub, fakeEvent(1_700_000_000 - i, 'z'.repeat(1000))]));
      ws.send(JSON.stringify(['EOSE', sub]));
    });
    const conn = await RelayConnection.connect(url, { maxBytesIn: 50_000, bytesBoundName: 'peerMaxMegabytes' });
    const err = await (async () => {
      for await (const _ of conn.req([{ kinds: [1] }]));
    })().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionLost);
    expect((err as ConnectionLost).byRule).toBe(true);
    expect((err as Error).message).toMatch(/sent more than 0\.05 MB in this run \(bound peerMaxMegabytes\); cut/);

    const huge = await scripted((ws, [type, sub]) => {
      if (type === 'REQ') ws.send(JSON.stringify(['EVENT', sub, fakeEvent(1, 'h'.repeat(3 << 20))]));
    });
    const c2 = await RelayConnection.connect(huge, { maxPayload: maxPayloadFor(65_536) });
    const err2 = await (async () => {
      for await (const _ of c2.req([{ kinds: [1] }]));
    })().then(() => null, (e: unknown) => e);
    expect(err2).toBeInstanceOf(ConnectionLost);
    expect((err2 as ConnectionLost).byRule).toBe(true);
    expect((err2 as Error).message).toMatch(/larger than \d+ bytes \(our limit\)/);
  });
});

describe('a NIP-77 partner that never converges', () => {
  const endless = (ids: number): Promise<string> => {
    let round = 0;
    return scripted((ws, [type, sub]) => {
      if (type === 'NEG-OPEN' || type === 'NEG-MSG') ws.send(JSON.stringify(['NEG-MSG', sub, endlessNegMessage(++round, ids).toString('hex')]));
    });
  };

  it('is stopped after maxRounds NEG-MSG answers', async () => {
    const conn = await RelayConnection.connect(await endless(3));
    const err = await reconcile(conn, { kinds: [1] }, new IdList(true), { maxRounds: 5 }).then(() => null, (e: unknown) => e);
    conn.close();
    expect(err).toBeInstanceOf(ReconcileCapped);
    expect((err as Error).message).toMatch(/did not end within 5 NEG-MSG exchanges \(bound negMaxRounds\)/);
  });

  it('is stopped once it says we lack more than maxNeed ids', async () => {
    const conn = await RelayConnection.connect(await endless(1000));
    const err = await reconcile(conn, { kinds: [1] }, new IdList(true), { maxNeed: 2500 }).then(() => null, (e: unknown) => e);
    conn.close();
    expect(err).toBeInstanceOf(ReconcileCapped);
    expect((err as Error).message).toMatch(/lack more than 2500 ids in one NIP-77 reconciliation \(bound negMaxNeed\)/);
  });
});

describe('a peer budget', () => {
  it('counts events over the whole run and cuts past peerMaxEvents', () => {
    const b = new PeerBudget({ maxEvents: 3, maxBytes: 1000, negMaxRounds: 1, negMaxNeed: 1, maxEventSize: 1 });
    b.event();
    b.event();
    b.event();
    expect(() => b.event()).toThrow(PeerCut);
    expect(() => b.event()).toThrow(/more than 3 events in this run \(bound peerMaxEvents\)/);
    b.bytes = 800;
    expect(b.bytesLeft).toBe(200);
    b.bytes = 5000;
    expect(b.bytesLeft).toBe(0);
  });
});
