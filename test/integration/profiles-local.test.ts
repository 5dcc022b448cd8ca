import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followList, keyFromSeed, note, profile, runCleanup, startRelays, type Keypair, type TestRelay } from '../support';
import { DEFAULT_TIMEOUTS } from '../../src/core/config';
import { RelayStore } from '../../src/core/store';
import type { Filter, LocalStore } from '../../src/core/services';
import { ONE_PASS_ABOVE, newestPerAuthorOfKinds } from '../../src/core/profiles/local';

/*
 * Reading the newest kind 0 / kind 3 per author from the local relay: in author batches (few authors) and in one
 * pass without authors (many authors, few events), the same newest events must come out.
 */
const keys: Keypair[] = Array.from({ length: 12 }, (_, i) => keyFromSeed('profiles-local', i));
const hex = keys.map((k) => k.pk);
const t0 = 1_700_000_000;

let relay: TestRelay;
let store: RelayStore;

beforeAll(async () => {
  [relay] = (await startRelays(1)) as [TestRelay];
  const events = [];
  for (const [i, k] of keys.entries()) {
    if (i % 2 === 0) events.push(profile(k, { name: `old ${i}` }, t0), profile(k, { name: `new ${i}` }, t0 + 10));
    if (i % 3 === 0) events.push(followList(k, [hex[(i + 1) % 12] as string], t0));
    events.push(note(k, `note ${i}`, t0 + 5));
  }
  await relay.seed(events);
  store = new RelayStore(relay.url, DEFAULT_TIMEOUTS);
});

afterAll(async () => {
  await store?.close();
  await runCleanup();
});

/** The store, with the filters it was asked recorded. */
function watched(s: LocalStore): { store: LocalStore; filters: Filter[] } {
  const filters: Filter[] = [];
  const w = Object.create(s) as LocalStore;
  w.query = (f, signal) => {
    filters.push(f);
    return s.query(f, signal);
  };
  return { store: w, filters };
}

const nameOf = (content: string): string => (JSON.parse(content) as { name: string }).name;

describe('profiles: newest events per author from the local relay', () => {
  it('author batches and one pass give the same newest profile and list per author', async () => {
    // Strangers without events make the author list long enough for one pass.
    const strangers = Array.from({ length: ONE_PASS_ABOVE + 1 }, (_, i) => i.toString(16).padStart(64, 'f'));
    const results = [];
    for (const authors of [hex, [...hex, ...strangers]]) {
      const w = watched(store);
      const read = await newestPerAuthorOfKinds(w.store, [0, 3], authors, (e) => (e.kind === 0 ? nameOf(e.content) : e.tags.length));
      const names = Object.fromEntries([...(read.get(0) ?? [])].map(([k, v]) => [k, v.value]));
      const lists = Object.fromEntries([...(read.get(3) ?? [])].map(([k, v]) => [k, v.value]));
      results.push({ names, lists, filters: w.filters });
    }
    const [batched, onePass] = results as [(typeof results)[0], (typeof results)[0]];
    expect(batched.filters).toHaveLength(1);
    expect(batched.filters[0]?.authors).toHaveLength(12);
    expect(onePass.filters).toEqual([{ kinds: [0, 3] }]);
    expect(Object.keys(batched.names)).toHaveLength(6);
    expect(batched.names[hex[4] as string]).toBe('new 4');
    expect(Object.keys(batched.lists)).toHaveLength(4);
    expect(onePass.names).toEqual(batched.names);
    expect(onePass.lists).toEqual(batched.lists);
  });
});
