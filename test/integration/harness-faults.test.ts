// Each fault-injecting relay does exactly its fault, and serves its healthy part otherwise (raw ws client).
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { getEventHash, matchFilter, nip77, verifyEvent } from 'nostr-tools';
import {
  FAULTS,
  KuboStandin,
  RawClient,
  freePort,
  keyFromSeed,
  manyNotes,
  onCleanup,
  peerIdFromSeed,
  runCleanup,
  startFaultyRelay,
  type Fault,
  type FaultyRelayOptions,
  type NostrEvent,
} from '../support';

useWebSocketImplementation(WebSocket);
afterAll(runCleanup);

const key = keyFromSeed('faults', 0);
const filter = { authors: [key.pk], kinds: [1] };
let events: NostrEvent[] = [];
const ids = (list: NostrEvent[]): Set<string> => new Set(list.map((e) => e.id));

async function setup(fault: Fault, opts: FaultyRelayOptions = {}, clientOpts: { maxPayload?: number } = {}) {
  if (events.length === 0) events = await manyNotes([key], 10, { seed: 'faults', since: 1_700_000_000, until: 1_700_100_000 });
  const relay = await startFaultyRelay(fault, { events, ...opts });
  onCleanup(() => relay.stop());
  const client = await RawClient.connect(relay.url, clientOpts);
  onCleanup(() => client.close());
  return { relay, client };
}

const eventsOf = (client: RawClient, sub: string): NostrEvent[] =>
  client.messages
    .filter((m): m is ['EVENT', string, NostrEvent] => Array.isArray(m) && m[0] === 'EVENT' && m[1] === sub)
    .map((m) => m[2]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('fault-injecting relays', () => {
  it('covers every fault of issue 10', () => {
    expect(FAULTS).toHaveLength(16);
  });

  it('drop-mid-stream: half an answer, then the connection is gone', async () => {
    const { relay, client } = await setup('drop-mid-stream');
    await expect(client.req('s', [filter])).rejects.toThrow(/closed/);
    expect(eventsOf(client, 's')).toHaveLength(5);
    expect(relay.stats.cuts).toBe(1);
  });

  it('invalid-json: garbage frames between valid events', async () => {
    const { client } = await setup('invalid-json');
    const { events: got } = await client.req('s', [filter]);
    expect(ids(got)).toEqual(ids(events));
    expect(client.garbage.length).toBeGreaterThan(5);
  });

  it('oversized-frame: a frame bigger than the client accepts kills the connection', async () => {
    const { client } = await setup('oversized-frame', { oversizeBytes: 2 * 1024 * 1024 }, { maxPayload: 1024 * 1024 });
    await expect(client.req('s', [filter])).rejects.toThrow(/closed/);
    expect(client.error?.message).toMatch(/max payload size exceeded/i);
    expect(eventsOf(client, 's')).toHaveLength(0);
  });

  it('outside-filter: events that do not match the filter come along', async () => {
    const { client } = await setup('outside-filter');
    const { events: got } = await client.req('s', [filter]);
    const inside = got.filter((e) => matchFilter(filter, e));
    expect(ids(inside)).toEqual(ids(events));
    expect(got.length - inside.length).toBe(10);
  });

  it('bad-id and bad-sig: tampered events among good ones', async () => {
    const a = await setup('bad-id');
    const gotA = (await a.client.req('s', [filter])).events;
    expect(gotA.filter((e) => getEventHash(e) !== e.id)).toHaveLength(5);
    expect(gotA.filter((e) => verifyEvent(e))).toHaveLength(5);
    const b = await setup('bad-sig');
    const gotB = (await b.client.req('s', [filter])).events;
    expect(gotB.every((e) => getEventHash(e) === e.id)).toBe(true);
    expect(gotB.filter((e) => !verifyEvent(e))).toHaveLength(5);
  });

  it('never-eose: every event, no EOSE', async () => {
    const { client } = await setup('never-eose');
    await expect(client.req('s', [filter], 800)).rejects.toThrow(/timed out/);
    expect(ids(eventsOf(client, 's'))).toEqual(ids(events));
  });

  it('drip: one event a second', async () => {
    const { client } = await setup('drip');
    const t0 = Date.now();
    client.send(['REQ', 's', filter]);
    await client.waitFor((m) => m[0] === 'EVENT', 3000);
    const first = Date.now() - t0;
    await client.waitFor((m) => m[0] === 'EVENT' && eventsOf(client, 's').length >= 2, 3000);
    const second = Date.now() - t0;
    expect(first).toBeGreaterThanOrEqual(900);
    expect(second - first).toBeGreaterThanOrEqual(900);
  });

  it('notice-flood: thousands of NOTICEs before each answer', async () => {
    const { client } = await setup('notice-flood', { floodCount: 5000 });
    const { events: got } = await client.req('s', [filter]);
    expect(ids(got)).toEqual(ids(events));
    expect(client.messages.filter((m) => Array.isArray(m) && m[0] === 'NOTICE').length).toBeGreaterThanOrEqual(5000);
  });

  it('closed-auth-required and closed-rate-limited: CLOSED with the machine-readable prefix', async () => {
    const a = await setup('closed-auth-required');
    expect((await a.client.req('s', [filter])).end).toEqual(['CLOSED', 's', expect.stringMatching(/^auth-required: /)]);
    expect(a.client.messages.some((m) => Array.isArray(m) && m[0] === 'AUTH')).toBe(true);
    const b = await setup('closed-rate-limited');
    expect((await b.client.req('s', [filter])).end).toEqual(['CLOSED', 's', expect.stringMatching(/^rate-limited: /)]);
  });

  it('neg-blocked, neg-notice, neg-silent: NEG-OPEN fails three ways, REQ still serves everything', async () => {
    const init = (() => {
      const s = new nip77.NegentropyStorageVector();
      s.seal();
      return new nip77.Negentropy(s).initiate();
    })();
    const a = await setup('neg-blocked');
    a.client.send(['NEG-OPEN', 'n', filter, init]);
    expect(await a.client.waitFor((m) => m[1] === 'n')).toEqual(['NEG-ERR', 'n', 'blocked: too many query results']);
    const b = await setup('neg-notice');
    b.client.send(['NEG-OPEN', 'n', filter, init]);
    expect((await b.client.waitFor(() => true))[0]).toBe('NOTICE');
    const c = await setup('neg-silent');
    c.client.send(['NEG-OPEN', 'n', filter, init]);
    await sleep(700);
    expect(c.client.messages).toHaveLength(0);
    for (const { client } of [a, b, c]) expect(ids((await client.req('s', [filter])).events)).toEqual(ids(events));
  });

  it('silent: accepts and never answers', async () => {
    const { relay, client } = await setup('silent');
    client.send(['REQ', 's', filter]);
    await sleep(700);
    expect(client.messages).toHaveLength(0);
    expect(client.closed).toBe(false);
    expect(relay.openSockets).toBe(1);
  });

  it('faults outside NIP-77 keep a correct NIP-77 responder (the fault shows on the id fetch)', async () => {
    const { relay } = await setup('bad-sig');
    const r = await Relay.connect(relay.url);
    onCleanup(() => r.close());
    const storage = new nip77.NegentropyStorageVector();
    storage.seal();
    const need = new Set<string>();
    await new Promise<void>((resolve) => {
      const sync = new nip77.NegentropySync(r, storage, filter, { onneed: (id) => need.add(id), onclose: () => resolve() });
      void sync.start();
    });
    expect(need).toEqual(ids(events));
  });

  it('tunnel-reset: the tunnel carrying the connection is reset mid-answer', async () => {
    const kubo = await KuboStandin.start({});
    onCleanup(() => kubo.stop());
    const peerId = peerIdFromSeed('faults:tunnel');
    if (events.length === 0) events = await manyNotes([key], 10, { seed: 'faults', since: 1_700_000_000, until: 1_700_100_000 });
    const relay = await startFaultyRelay('tunnel-reset', { events, kubo, peerId });
    onCleanup(() => relay.stop());
    const port = await freePort();
    const res = await fetch(`${kubo.url}/api/v0/p2p/forward?arg=/x/strfry-${peerId}&arg=/ip4/127.0.0.1/tcp/${port}&arg=/p2p/${peerId}`, { method: 'POST' });
    expect(res.status).toBe(200);
    const client = await RawClient.connect(`ws://127.0.0.1:${port}`);
    onCleanup(() => client.close());
    expect(kubo.liveConnections(peerId)).toBe(1);
    await expect(client.req('s', [filter])).rejects.toThrow(/closed/);
    expect(eventsOf(client, 's').length).toBeLessThan(10);
    expect(relay.stats.cuts).toBe(1);
    expect(kubo.liveConnections(peerId)).toBe(0);
  });
});
