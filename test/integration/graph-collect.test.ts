import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followList, keyFromSeed, note, profile, runCleanup, startRelays, type Keypair, type TestRelay } from '../support';
import { DEFAULT_TIMEOUTS } from '../../src/core/config';
import { RelayStore } from '../../src/core/store';
import { authorsWithEvents, collectCoverage, collectFollowLists } from '../../src/core/graph/collect';

/*
 * 450 keys (3 author batches): every 3rd has a profile, every 5th a recent note, every 7th an old note, and
 * key 1 many old notes (so a batch of the "any event" pass hits its event cap and settles keys one by one).
 */
const keys: Keypair[] = Array.from({ length: 450 }, (_, i) => keyFromSeed('graph-collect', i));
const hex = keys.map((k) => k.pk);
const now = Math.floor(Date.now() / 1000);
const old = now - 30 * 86_400;

let relay: TestRelay;
let store: RelayStore;

beforeAll(async () => {
  [relay] = (await startRelays(1)) as [TestRelay];
  const events = [];
  for (const [i, k] of keys.entries()) {
    if (i % 3 === 0) events.push(profile(k, { name: `key ${i}` }, old));
    if (i % 5 === 0) events.push(note(k, 'recent', now - 600));
    if (i % 7 === 0) events.push(note(k, 'old', old));
  }
  for (let n = 0; n < 60; n++) events.push(note(keys[1] as Keypair, `busy ${n}`, old - n));
  // Two lists for key 0: the relay keeps the newest; so must the reader.
  events.push(followList(keys[0] as Keypair, [hex[1] as string], old - 100), followList(keys[0] as Keypair, [hex[2] as string, hex[3] as string], old));
  events.push(followList(keys[200] as Keypair, [hex[4] as string], old));
  await relay.seed(events);
  store = new RelayStore(relay.url, DEFAULT_TIMEOUTS);
});

afterAll(async () => {
  await store?.close();
  await runCleanup();
});

const expected = {
  withProfile: hex.filter((_, i) => i % 3 === 0).sort(),
  withRecentEvent: hex.filter((_, i) => i % 5 === 0).sort(),
  withEvent: hex.filter((_, i) => i % 3 === 0 || i % 5 === 0 || i % 7 === 0 || i === 1 || i === 200).sort(),
};

describe('graph: reading the local relay', () => {
  it('coverage in author batches and in one pass give the same sets', async () => {
    const known = new Set([hex[0] as string, hex[200] as string]);
    const sorted = (s: Set<string>): string[] => [...s].sort();
    const tunings = [
      {},
      { singlePassAbove: 0 },
      { singlePassAbove: 0, relayTotal: store.count({}) },
      { singlePassAbove: 0, relayTotal: Promise.resolve(null) },
      { singlePassAbove: 0, fullPassEventsPerKey: 0 },
      { eventsPerBatch: 10 },
    ];
    for (const tuning of tunings) {
      const c = await collectCoverage(store, { keys: hex, alsoNames: [], known, nowSeconds: now, tuning });
      expect(sorted(c.withProfile), JSON.stringify(tuning)).toEqual(expected.withProfile);
      expect(sorted(c.withRecentEvent), JSON.stringify(tuning)).toEqual(expected.withRecentEvent);
      expect(sorted(c.withEvent), JSON.stringify(tuning)).toEqual(expected.withEvent);
      expect(c.names.get(hex[3] as string)).toBe('key 3');
    }
  });

  it('the "any event" pass settles keys one by one when a batch hits its event cap', async () => {
    const some = [hex[1] as string, hex[7] as string, hex[8] as string, hex[14] as string];
    expect([...(await authorsWithEvents(store, some, {}, undefined, 5))].sort()).toEqual([hex[1], hex[7], hex[14]].sort());
  });

  it('follow lists: the newest per author, handed over batch by batch', async () => {
    const got = new Map<string, string[]>();
    await collectFollowLists(store, hex, (ev) => got.set(ev.pubkey, ev.tags.map((t) => t[1] as string)));
    expect(got.size).toBe(2);
    expect(got.get(hex[0] as string)).toEqual([hex[2], hex[3]]);
  });

  it('follow lists of many authors: one pass over every kind 3 gives the same newest lists', async () => {
    const got = new Map<string, string[]>();
    const how = await collectFollowLists(store, hex.slice(0, 100), (ev) => got.set(ev.pubkey, ev.tags.map((t) => t[1] as string)), undefined, { singlePassAbove: 0 });
    expect(how).toBe('single pass');
    // key 200 has a list but was not asked.
    expect([...got.keys()]).toEqual([hex[0]]);
    expect(got.get(hex[0] as string)).toEqual([hex[2], hex[3]]);
    const capped = await collectFollowLists(store, hex, () => undefined, undefined, { singlePassAbove: 0, singlePassMaxLists: 1 });
    expect(capped).toBe('batches');
  });
});
