// The harness is real: a relay that speaks NIP-01/11/45/77 with strfry's limits, and a kubo stand-in whose
// forwards really carry TCP. Everything on 127.0.0.1.
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { nip77, verifyEvent, type NostrEvent } from 'nostr-tools';
import {
  KuboStandin,
  RawClient,
  TestRelay,
  buildStation,
  deletion,
  freePort,
  keyFromSeed,
  keysFromSeed,
  manyNotes,
  note,
  profile,
  article,
  sign,
  runCleanup,
  startRelays,
  withBadId,
  withBadSig,
  onCleanup,
} from '../support';

useWebSocketImplementation(WebSocket);
afterAll(runCleanup);

const post = (kubo: KuboStandin, path: string, query = ''): Promise<Response> =>
  fetch(`${kubo.url}/api/v0/${path}${query ? `?${query}` : ''}`, { method: 'POST' });

/** Events with random-looking but unsigned ids: fine for `seed` (no verification, like strfry import --no-verify). */
function fakeEvents(n: number, authors: string[], since: number): NostrEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: createHash('sha256').update(`fake:${i}`).digest('hex'),
    pubkey: authors[i % authors.length] as string,
    created_at: since + (i % 86_400),
    kind: i % 10 === 0 ? 7 : 1,
    tags: [],
    content: `fake ${i}`,
    sig: '0'.repeat(128),
  }));
}

async function reconcile(relayUrl: string, local: NostrEvent[], filter: object): Promise<{ have: Set<string>; need: Set<string>; error?: string }> {
  const relay = await Relay.connect(relayUrl);
  try {
    const storage = new nip77.NegentropyStorageVector();
    for (const e of local) storage.insert(e.created_at, e.id);
    storage.seal();
    const have = new Set<string>();
    const need = new Set<string>();
    const error = await new Promise<string | undefined>((resolve) => {
      const sync = new nip77.NegentropySync(relay, storage, filter as never, {
        onhave: (id) => have.add(id),
        onneed: (id) => need.add(id),
        onclose: (err) => resolve(err),
      });
      void sync.start();
    });
    return { have, need, ...(error ? { error } : {}) };
  } finally {
    relay.close();
  }
}

describe('test relay', () => {
  it('publishes over WebSocket, answers duplicates, REQ back, COUNT, and rejects bad ids and signatures', async () => {
    const [relay] = await startRelays(1);
    const c = await RawClient.connect(relay!.url);
    onCleanup(() => c.close());
    const key = keyFromSeed('harness', 0);
    // strfry's relay refuses events more than 3 years old or 15 minutes ahead: recent times here
    const t = Math.floor(Date.now() / 1000) - 100_000;
    const n1 = note(key, 'first', t);
    const n2 = note(key, 'second', t + 100);
    expect(await c.publish(n1)).toEqual(['OK', n1.id, true, '']);
    expect(await c.publish(n2)).toEqual(['OK', n2.id, true, '']);
    expect(await c.publish(n1)).toEqual(['OK', n1.id, true, 'duplicate: have this event']);
    const badId = withBadId(note(key, 'x', t + 200));
    expect(await c.publish(badId)).toEqual(['OK', badId.id, false, 'invalid: bad event id']);
    const badSig = withBadSig(note(key, 'y', t + 300));
    expect(await c.publish(badSig)).toEqual(['OK', badSig.id, false, 'invalid: bad signature']);
    const old = note(key, 'old', 1_600_000_000);
    expect(await c.publish(old)).toEqual(['OK', old.id, false, 'invalid: created_at too early']);
    const ahead = note(key, 'ahead', t + 100_000 + 3600);
    expect(await c.publish(ahead)).toEqual(['OK', ahead.id, false, 'invalid: created_at too late']);
    const badTag = note(key, 'bad e tag', t + 400, [['e', 'abc']]);
    expect(await c.publish(badTag)).toEqual(['OK', badTag.id, false, 'invalid: unexpected size for fixed-size tag: e']);

    const { events, end } = await c.req('r1', [{ authors: [key.pk], kinds: [1] }]);
    expect(end).toEqual(['EOSE', 'r1']);
    expect(events.map((e) => e.id)).toEqual([n2.id, n1.id]); // newest first
    expect(events.every((e) => verifyEvent(e))).toBe(true);

    // Two filters in one REQ.
    const two = await c.req('r2', [{ ids: [n1.id] }, { ids: [n2.id] }]);
    expect(new Set(two.events.map((e) => e.id))).toEqual(new Set([n1.id, n2.id]));

    c.send(['COUNT', 'c1', { kinds: [1], authors: [key.pk] }]);
    expect(await c.waitFor((m) => m[0] === 'COUNT')).toEqual(['COUNT', 'c1', { count: 2 }]);
    expect(relay!.stats.bytesIn).toBeGreaterThan(0);
    expect(relay!.stats.bytesOut).toBeGreaterThan(0);
    expect(relay!.stats.reqs).toBe(2);
  });

  it('keeps the newest replaceable/addressable event and stores and applies kind 5, answering like strfry', async () => {
    const [relay] = await startRelays(1);
    const c = await RawClient.connect(relay!.url);
    onCleanup(() => c.close());
    const key = keyFromSeed('harness', 1);
    const t = Math.floor(Date.now() / 1000) - 100_000;
    const old = profile(key, { name: 'old' }, t);
    const fresh = profile(key, { name: 'new' }, t + 500);
    await c.publish(fresh);
    expect(await c.publish(old)).toEqual(['OK', old.id, false, 'replaced: have newer event']);
    const a1 = article(key, 'post', 'v1', t);
    const a2 = article(key, 'post', 'v2', t + 900);
    await c.publish(a1);
    expect((await c.publish(a2))[2]).toBe(true);
    expect((await relay!.all({ kinds: [0] })).map((e) => e.id)).toEqual([fresh.id]);
    expect((await relay!.all({ kinds: [30023] })).map((e) => e.id)).toEqual([a2.id]);
    const victim = note(key, 'to delete', t);
    await c.publish(victim);
    const del = deletion(key, [victim.id], t + 1000);
    expect((await c.publish(del))[2]).toBe(true);
    expect(await relay!.count({ ids: [victim.id] })).toBe(0);
    expect(await relay!.count({ kinds: [5] })).toBe(1);
    // a deleted event never comes back
    expect(await c.publish(victim)).toEqual(['OK', victim.id, false, 'deleted: user requested deletion']);
    // a deletion by an `a` tag removes the versions no newer than itself, and keeps them out
    const aDel = sign(key, { kind: 5, created_at: t + 950, tags: [['a', `30023:${key.pk}:post`]], content: '' });
    expect((await c.publish(aDel))[2]).toBe(true);
    expect(await relay!.count({ kinds: [30023] })).toBe(0);
    const a3 = article(key, 'post', 'v3', t + 940);
    expect(await c.publish(a3)).toEqual(['OK', a3.id, false, 'deleted: user requested deletion']);
    const a4 = article(key, 'post', 'v4', t + 960);
    expect(await c.publish(a4)).toEqual(['OK', a4.id, true, '']);
  });

  it('EVENTs sent without waiting are written together and each answered after the commit, with strfry\'s rules within the batch', async () => {
    const [relay] = await startRelays(1);
    const c = await RawClient.connect(relay!.url);
    onCleanup(() => c.close());
    const key = keyFromSeed('harness', 2);
    const t = Math.floor(Date.now() / 1000) - 100_000;
    const notes = Array.from({ length: 40 }, (_, i) => note(key, `burst ${i}`, t + i));
    const old = profile(key, { name: 'old' }, t);
    const fresh = profile(key, { name: 'new' }, t + 500);
    const victim = notes[3]!;
    const del = deletion(key, [victim.id], t + 1000);
    // one socket write: the relay reads every frame in one turn and its writer takes them in one pass
    const burst = [...notes, notes[0]!, fresh, old, del];
    const from = c.messages.length;
    for (const e of burst) c.send(['EVENT', e]);
    // the REQ sent right behind them reads what they wrote
    const back = await c.req('after', [{ authors: [key.pk], kinds: [1] }]);
    const oks = c.messages.slice(from).filter((m): m is ['OK', string, boolean, string] => Array.isArray(m) && m[0] === 'OK');
    expect(oks).toHaveLength(burst.length);
    const okOf = (id: string): Array<['OK', string, boolean, string]> => oks.filter((m) => m[1] === id);
    for (const e of notes.slice(1)) expect(okOf(e.id)[0]).toEqual(['OK', e.id, true, '']);
    // the same id twice in one pass: written once, the second answered as a duplicate
    expect(okOf(notes[0]!.id).map((m) => m.slice(2))).toEqual([[true, ''], [true, 'duplicate: have this event']]);
    // the older version of a replaceable in the same pass loses to the newer (sorted by created_at then id)
    expect(okOf(fresh.id)[0]).toEqual(['OK', fresh.id, true, '']);
    expect(okOf(old.id)[0]![2]).toBe(true);
    expect((await relay!.all({ kinds: [0] })).map((e) => e.id)).toEqual([fresh.id]);
    // a kind 5 in the same pass deletes a note of the pass
    expect(okOf(del.id)[0]).toEqual(['OK', del.id, true, '']);
    expect(await relay!.count({ ids: [victim.id] })).toBe(0);
    expect(back.events.map((e) => e.id).sort()).toEqual(notes.filter((e) => e !== victim).map((e) => e.id).sort());
  });

  it('clamps REQ limits to max_limit exactly as strfry (no limit or above → max_limit, newest first)', async () => {
    const [relay] = await startRelays(1, { maxLimit: 500 });
    const key = keyFromSeed('harness', 2);
    const events = await manyNotes([key], 600, { seed: 'clamp', since: 1_700_000_000, until: 1_700_100_000 });
    expect(await relay!.seed(events)).toBe(600);
    const c = await RawClient.connect(relay!.url);
    onCleanup(() => c.close());
    const big = await c.req('big', [{ authors: [key.pk], limit: 10_000 }]);
    expect(big.events).toHaveLength(500);
    const none = await c.req('none', [{ authors: [key.pk] }]);
    expect(none.events).toHaveLength(500);
    const small = await c.req('small', [{ authors: [key.pk], limit: 7 }]);
    expect(small.events).toHaveLength(7);
    const times = big.events.map((e) => e.created_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const newest = [...events].sort((a, b) => b.created_at - a.created_at).slice(0, 500);
    expect(Math.min(...times)).toBe(newest[499]!.created_at);
  });

  it('serves a NIP-11 document with strfry limits, with and without NIP-77', async () => {
    const [on] = await startRelays(1, { maxLimit: 1000, name: 'orion' });
    const [off] = await startRelays(1, { nip77: false });
    const get = async (r: TestRelay): Promise<Record<string, unknown>> => {
      const res = await fetch(`http://127.0.0.1:${r.port}/`, { headers: { Accept: 'application/nostr+json' } });
      expect(res.headers.get('content-type')).toBe('application/nostr+json');
      return (await res.json()) as Record<string, unknown>;
    };
    const a = await get(on!);
    expect(a.name).toBe('orion');
    expect(a.supported_nips).toEqual(expect.arrayContaining([1, 11, 45, 77]));
    expect(a.limitation).toMatchObject({ max_limit: 1000, max_subscriptions: 200, max_message_length: 131072 });
    expect(a.negentropy).toBe(1);
    const b = await get(off!);
    expect(b.supported_nips).not.toContain(77);
    expect(b.negentropy).toBeUndefined();
    // NIP-77 disabled: NEG-OPEN gets a NOTICE, like relays that do not speak it.
    const c = await RawClient.connect(off!.url);
    onCleanup(() => c.close());
    c.send(['NEG-OPEN', 'n', {}, '61']);
    const notice = await c.waitFor((m) => m[0] === 'NOTICE' || m[0] === 'NEG-MSG' || m[0] === 'NEG-ERR');
    expect(notice[0]).toBe('NOTICE');
  });

  it('answers a NIP-77 reconciliation (nostr-tools client) with the exact have/need sets', async () => {
    const [relay] = await startRelays(1);
    const keys = keysFromSeed('neg', 3);
    const common = await manyNotes(keys, 400, { seed: 'common', since: 1_700_000_000, until: 1_700_500_000 });
    const relayOnly = await manyNotes(keys, 70, { seed: 'relay-only', since: 1_700_000_000, until: 1_700_500_000 });
    const localOnly = await manyNotes(keys, 30, { seed: 'local-only', since: 1_700_000_000, until: 1_700_500_000 });
    await relay!.seed([...common, ...relayOnly]);
    const res = await reconcile(relay!.url, [...common, ...localOnly], { authors: keys.map((k) => k.pk) });
    expect(res.error).toBeUndefined();
    expect(res.need).toEqual(new Set(relayOnly.map((e) => e.id)));
    expect(res.have).toEqual(new Set(localOnly.map((e) => e.id)));
    // A filter narrows the set the relay reconciles over.
    const one = await reconcile(relay!.url, [], { authors: [keys[0]!.pk], kinds: [1] });
    expect(one.need.size).toBe(470);
    expect(relay!.stats.negOpens).toBe(2);
  });

  it('refuses a reconciliation above maxSyncEvents with NEG-ERR blocked:', async () => {
    const [relay] = await startRelays(1, { maxSyncEvents: 100 });
    const key = keyFromSeed('harness', 4);
    await relay!.seed(await manyNotes([key], 150, { seed: 'block', since: 1_700_000_000, until: 1_700_010_000 }));
    const c = await RawClient.connect(relay!.url);
    onCleanup(() => c.close());
    const storage = new nip77.NegentropyStorageVector();
    storage.seal();
    const init = new nip77.Negentropy(storage).initiate();
    c.send(['NEG-OPEN', 'big', { authors: [key.pk] }, init]);
    expect(await c.waitFor((m) => m[1] === 'big')).toEqual(['NEG-ERR', 'big', 'blocked: too many query results']);
    // A narrower window passes.
    c.send(['NEG-OPEN', 'small', { authors: [key.pk], until: 1_700_003_000 }, init]);
    expect((await c.waitFor((m) => m[1] === 'small'))[0]).toBe('NEG-MSG');
  });

  it('handles 100,000 events: bulk seed, COUNT, indexed REQ paging and a negentropy run', async () => {
    const [relay] = await startRelays(1, { maxLimit: 2000 });
    const authors = keysFromSeed('bulk', 50).map((k) => k.pk);
    const events = fakeEvents(100_000, authors, 1_700_000_000);
    let t = Date.now();
    expect(await relay!.seed(events)).toBe(100_000);
    const seedMs = Date.now() - t;
    expect(await relay!.count()).toBe(100_000);
    expect(relay!.explain({ authors: authors.slice(0, 10), kinds: [1, 7], since: 1_700_000_000, until: 1_700_050_000 }).join(' ')).toMatch(/USING INDEX e_author/);
    expect(relay!.explain({ ids: [events[0]!.id] }).join(' ')).toMatch(/USING INDEX sqlite_autoindex_events_1 \(id=\?\)/);

    // Page one author set backwards with until = oldest seen (inclusive), dropping boundary duplicates.
    const c = await RawClient.connect(relay!.url, { maxPayload: 64 * 1024 * 1024 });
    onCleanup(() => c.close());
    const filter = { authors: authors.slice(0, 5), kinds: [1, 7] };
    const expected = await relay!.count(filter);
    const seen = new Set<string>();
    let until: number | undefined;
    t = Date.now();
    for (let page = 0; page < 100; page++) {
      const { events: got } = await c.req(`p${page}`, [{ ...filter, ...(until !== undefined ? { until } : {}), limit: 2000 }], 30_000);
      const fresh = got.filter((e) => !seen.has(e.id));
      if (fresh.length === 0) break;
      for (const e of fresh) seen.add(e.id);
      until = Math.min(...got.map((e) => e.created_at));
    }
    const pagingMs = Date.now() - t;
    expect(seen.size).toBe(expected);

    t = Date.now();
    const local = events.filter((_, i) => i % 100 !== 0); // 1,000 missing locally
    const res = await reconcile(relay!.url, local, {});
    const negMs = Date.now() - t;
    expect(res.need.size).toBe(1000);
    expect(res.have.size).toBe(0);
    console.log(`100k events: seed ${seedMs} ms, paging ${expected} events ${pagingMs} ms, negentropy ${negMs} ms`);
  }, 180_000);
});

describe('kubo stand-in', () => {
  it('refuses GET with 405 and checks the Authorization header when asked', async () => {
    const kubo = await KuboStandin.start({});
    onCleanup(() => kubo.stop());
    expect((await fetch(`${kubo.url}/api/v0/id`)).status).toBe(405);
    const id = (await (await post(kubo, 'id')).json()) as { ID: string };
    expect(id.ID).toBe(kubo.peerId);
    expect(kubo.peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/);
    const locked = await KuboStandin.start({ auth: 'Basic secret' });
    onCleanup(() => locked.stop());
    expect((await post(locked, 'id')).status).toBe(403);
    const ok = await fetch(`${locked.url}/api/v0/id`, { method: 'POST', headers: { Authorization: 'Basic secret' } });
    expect(ok.status).toBe(200);
  });

  it('answers p2p/ls with null when empty and a failed ping with HTTP 200, Success:false and a trailer', async () => {
    const kubo = await KuboStandin.start({ ownListen: false });
    onCleanup(() => kubo.stop());
    expect(await (await post(kubo, 'p2p/ls')).json()).toEqual({ Listeners: null });
    const unknown = keyFromSeed('x').pk; // any string; the peer is unknown either way
    const res = await post(kubo, 'ping', `arg=12D3KooWUnknownUnknownUnknownUnknownUnknownUnkn${unknown.slice(0, 1)}&count=2`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { Success: boolean; Text: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.Success === false)).toBe(true);
    // The trailer is visible to a raw HTTP client (fetch hides trailers): read it with node:http.
    const { request } = await import('node:http');
    const trailer = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(`${kubo.url}/api/v0/ping?arg=12D3KooWnope&count=1`, { method: 'POST' }, (r) => {
        r.resume();
        r.on('end', () => resolve(r.trailers['x-stream-error']));
      });
      req.on('error', reject);
      req.end();
    });
    expect(trailer).toMatch(/peer lookup failed/);
  });

  it('carries a WebSocket through a forward to the registered relay; unknown peers get closed connections', async () => {
    const [relay] = await startRelays(1);
    const key = keyFromSeed('tunnel', 0);
    const ev = note(key, 'through the tunnel', 1_700_000_000);
    await relay!.seed([ev]);
    const station = await buildStation({ seed: 'tunnel', peers: 2 });
    onCleanup(() => station.cleanup());
    const kubo = await KuboStandin.start({ peerId: station.self.peerId });
    onCleanup(() => kubo.stop());
    const [peer, stranger] = station.peers;
    kubo.registerPeer(peer!.peerId, { host: '127.0.0.1', port: relay!.port });

    const port = await freePort();
    const fwd = await post(kubo, 'p2p/forward', `arg=/x/strfry-${peer!.peerId}&arg=/ip4/127.0.0.1/tcp/${port}&arg=/p2p/${peer!.peerId}`);
    expect(fwd.status).toBe(200);
    expect(await fwd.text()).toBe('');
    const c = await RawClient.connect(`ws://127.0.0.1:${port}`);
    const { events } = await c.req('t', [{ ids: [ev.id] }]);
    expect(events.map((e) => e.id)).toEqual([ev.id]);
    expect(kubo.liveConnections(peer!.peerId)).toBe(1);

    // A second forward on the same listen address: HTTP 500 with kubo's error shape.
    const busy = await post(kubo, 'p2p/forward', `arg=/x/strfry-${peer!.peerId}&arg=/ip4/127.0.0.1/tcp/${port}&arg=/p2p/${peer!.peerId}`);
    expect(busy.status).toBe(500);
    expect(await busy.json()).toMatchObject({ Code: 0, Type: 'error', Message: expect.stringContaining('address already in use') });

    // ls shows the station's own listen entry and the forward.
    const ls = (await (await post(kubo, 'p2p/ls')).json()) as { Listeners: Array<Record<string, string>> };
    expect(ls.Listeners).toEqual([
      { Protocol: `/x/strfry-${station.self.peerId}`, ListenAddress: `/p2p/${station.self.peerId}`, TargetAddress: '/ip4/127.0.0.1/tcp/7777' },
      { Protocol: `/x/strfry-${peer!.peerId}`, ListenAddress: `/ip4/127.0.0.1/tcp/${port}`, TargetAddress: `/p2p/${peer!.peerId}` },
    ]);

    // A forward to an unknown peer succeeds (kubo never contacts the peer) but connections through it close.
    const port2 = await freePort();
    const fwd2 = await post(kubo, 'p2p/forward', `arg=/x/strfry-${stranger!.peerId}&arg=/ip4/127.0.0.1/tcp/${port2}&arg=/p2p/${stranger!.peerId}`);
    expect(fwd2.status).toBe(200);
    await expect(RawClient.connect(`ws://127.0.0.1:${port2}`, { timeoutMs: 3000 })).rejects.toThrow();

    // Closing the forward by protocol + target leaves the live connection alive (like kubo).
    const closed = await post(kubo, 'p2p/close', `protocol=/x/strfry-${peer!.peerId}&target-address=/p2p/${peer!.peerId}`);
    expect(await closed.json()).toBe(1);
    const again = await c.req('t2', [{ ids: [ev.id] }]);
    expect(again.events).toHaveLength(1);
    // …until the peer's connections are reset.
    expect(kubo.resetConnections(peer!.peerId)).toBe(1);
    await expect(c.waitFor(() => false, 3000)).rejects.toThrow(/closed/);

    // all=true also removes the station's own listen entry: the stand-in records it so tests can forbid it.
    await post(kubo, 'p2p/close', 'all=true');
    expect(await (await post(kubo, 'p2p/ls')).json()).toEqual({ Listeners: null });
    expect(kubo.calls.some((call) => call.path === '/api/v0/p2p/close' && call.query.all === 'true')).toBe(true);
  });
});

describe('station builder', () => {
  it('writes a station root with beacons, card variants, members, secrets and the ipfs config', async () => {
    const station = await buildStation({
      seed: 'builder',
      peers: [
        { xStrfry: true },
        { card: 'picoport' },
        { card: 'fallback' },
        { card: 'invalid' },
        { moats: 'stale', moatsFormat: 'datetime' },
      ],
      members: { emails: ['alice@example.org'], unreadableSecrets: true },
      blacklist: [keyFromSeed('bad').pk],
      flashmem: 1,
    });
    onCleanup(() => station.cleanup());
    const r = station.root;
    expect(station.self.peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/);
    const card = JSON.parse(await readFile(join(r, 'tmp', 'swarm', station.peers[0]!.id, '12345.json'), 'utf8')) as Record<string, unknown>;
    expect(card).toMatchObject({ version: '12345.0.2', ipfsnodeid: station.peers[0]!.peerId, myRELAY: 'ws://127.0.0.1:7777' });
    expect(typeof card.created).toBe('string');
    const pico = JSON.parse(await readFile(join(station.peers[1]!.dir, '12345.json'), 'utf8')) as Record<string, unknown>;
    expect(pico.version).toBe('picoport-12345-v2');
    expect(pico.myRELAY).toBeUndefined();
    expect(JSON.parse(await readFile(join(station.peers[2]!.dir, '12345.json'), 'utf8'))).toMatchObject({ status: 'json_build_error' });
    await expect(readFile(join(station.peers[3]!.dir, '12345.json'), 'utf8').then(JSON.parse)).rejects.toThrow();
    expect(await readFile(join(station.peers[4]!.dir, '_MySwarm.moats'), 'utf8')).toMatch(/^\d{18}\n$/);
    expect(station.peers[4]!.stale).toBe(true);
    // x_strfry.sh is there, executable, and nothing ran it.
    expect((await stat(join(station.peers[0]!.dir, 'x_strfry.sh'))).mode & 0o111).not.toBe(0);
    await expect(access(station.peers[0]!.markerFile!)).rejects.toThrow();
    // Members: users, geo folders, amis, swarm captains, flashmem; not the hidden folder.
    const alice = station.keys.users['alice@example.org']!;
    expect(station.members[alice.pk]).toEqual(['game/nostr/alice@example.org/HEX']);
    expect(station.members[station.peers[0]!.captain.pk]).toEqual([`swarm:${station.peers[0]!.peerId}:captainHEX`]);
    expect(station.members[station.keys.hidden!.pk]).toBeUndefined();
    expect(station.keys.flashmem).toHaveLength(1);
    expect((await readFile(join(r, 'strfry', 'amisOfAmis.txt'), 'utf8')).trim().split('\n')).toHaveLength(5);
    // Secrets exist and are unreadable when asked.
    expect(station.secretFiles.length).toBeGreaterThan(0);
    if (process.getuid?.() !== 0) await expect(readFile(station.secretFiles[0]!, 'utf8')).rejects.toThrow();
    const cfg = JSON.parse(await readFile(station.ipfsConfigPath!, 'utf8')) as { Identity: { PeerID: string } };
    expect(cfg.Identity.PeerID).toBe(station.self.peerId);
  });
});
