// What a run shares between its peers' sessions: the ledger (each missing event fetched once per run; a claim
// that ends without the store's answer goes back) and the local view (the local relay read once per run, kept
// right as imports land), on real relays and the strfry CLI stand-in.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from 'nostr-tools';
import { RunLedger } from '../../src/core/sync/ledger';
import { LocalView, type LocalViewPlan } from '../../src/core/sync/local-view';
import { buildFilters, mergeDeletions } from '../../src/core/sync/filters';
import { RelayStore } from '../../src/core/store/relay-store';
import { StrfryStore } from '../../src/core/store/strfry-store';
import { PackedEvents } from '../../src/core/store/packed';
import { IdList, IdMap } from '../../src/core/nostr/ids';
import { DEFAULT_TIMEOUTS } from '../../src/core/config';
import { STATION_PASS_KINDS } from '../../src/shared/kinds';
import { TestRelay, keysFromSeed, manyNotes, deletion, startStrfryStation, type NostrEvent, type StrfryStation } from '../../src/devkit';

const NOW = Math.floor(Date.now() / 1000);
const hex = (n: number): string => n.toString(16).padStart(64, '0');
const list = (...ids: string[]): IdList => IdList.fromHex(ids);
const never = new AbortController().signal;

describe('run ledger', () => {
  it('splits a need into settled, claimed here and claimed by another session', () => {
    const ledger = new RunLedger();
    const a = ledger.claims();
    const b = ledger.claims();
    const first = a.split(list(hex(1), hex(2)));
    expect([...first.mine]).toEqual([hex(1), hex(2)]);
    const batch = PackedEvents.of([{ id: hex(1), pubkey: hex(9), created_at: 1234, kind: 1, tags: [], content: '', sig: '' }]);
    ledger.answered(batch);
    const second = b.split(list(hex(1), hex(2), hex(3)));
    expect(second.settled.get(hex(1))).toBe(1234);
    expect([...second.theirs]).toEqual([hex(2)]);
    expect([...second.mine]).toEqual([hex(3)]);
  });

  it('a claim given back (not sent, refused copy, session over) is fetched by the session waiting for it', async () => {
    const ledger = new RunLedger();
    const a = ledger.claims();
    const b = ledger.claims();
    a.split(list(hex(1), hex(2), hex(3)));
    expect([...b.split(list(hex(1), hex(2), hex(3))).theirs]).toHaveLength(3);
    const woke = ledger.nextChange(never);
    expect(ledger.waited).toBe(true);
    a.release(hex(1));
    await woke;
    expect([...b.split(list(hex(1))).mine]).toEqual([hex(1)]);
    // a's session ends: what it still claims goes back, and nothing b claimed meanwhile is touched
    a.close();
    const again = b.split(list(hex(1), hex(2), hex(3)));
    expect([...again.mine]).toEqual([hex(2), hex(3)]);
    expect([...again.theirs]).toEqual([hex(1)]);
  });

  it('a copy refused for good settles the id; waits end on change, timeout or abort; fetches are counted', async () => {
    const ledger = new RunLedger();
    const a = ledger.claims();
    a.split(list(hex(5)));
    ledger.refusedForGood(hex(5), 77);
    expect(ledger.claims().split(list(hex(5))).settled.get(hex(5))).toBe(77);
    const t0 = Date.now();
    await ledger.nextChange(never, 50);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40);
    expect(ledger.waited).toBe(false);
    const ac = new AbortController();
    const aborted = ledger.nextChange(ac.signal);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    const held = new IdMap();
    held.set(hex(6), 66);
    ledger.held(held);
    expect(ledger.settledAt(hex(6))).toBe(66);
    for (const id of [hex(1), hex(2), hex(1), 'not an id', hex(1)]) ledger.fetched(id);
    expect(ledger.fetches).toEqual({ events: 5, distinct: 2 });
  });
});

describe('local view on a relay store', () => {
  let relay: TestRelay;
  let store: RelayStore;
  let events: NostrEvent[];
  let members: string[];
  let filters: Filter[];
  let plan: LocalViewPlan;
  const since = NOW - 86_400;

  beforeAll(async () => {
    relay = await TestRelay.start({ maxLimit: 500 });
    store = new RelayStore(relay.url, DEFAULT_TIMEOUTS);
    const keys = keysFromSeed('local-view', 40);
    members = keys.map((k) => k.pk);
    events = await manyNotes(keys, 30, { seed: 'lv', since: NOW - 80_000, until: NOW - 100 });
    const old = await manyNotes(keys.slice(0, 5), 3, { seed: 'lv-old', since: NOW - 5 * 86_400, until: NOW - 2 * 86_400 });
    const stranger = await manyNotes(keysFromSeed('not-member', 2), 10, { seed: 'lv-s', since: NOW - 80_000, until: NOW - 100 });
    await relay.seed([...events, ...old, ...stranger]);
    // the peers' filters: author buckets of 10 (so several per unit), deletions folded in as on the NIP-77 path
    filters = mergeDeletions(buildFilters({ kinds: [1, 5, 7], noDms: false, days: 1, members, nowSec: NOW, maxFilterElements: 13 })).map((p) => p.filter);
    plan = { members, kinds: [1, 5, 7], stationKinds: STATION_PASS_KINDS, since };
  });
  afterAll(async () => {
    await store.close();
    await relay.stop();
  });

  const exact = (f: Filter): string[] => relay.items(f as never).map((x) => x.id).sort();

  it('answers every filter exactly from one read per unit, and stays right as imports land', async () => {
    const view = new LocalView(store, plan, never);
    relay.resetStats();
    for (const f of filters) {
      const got = await view.items(f, never);
      expect([...got].sort()).toEqual(exact(f));
    }
    // 40 members: one members unit; the station pass unit was read for the station filter
    expect(view.reads).toBe(2);
    // an import lands: the view has it without reading again
    const fresh = await manyNotes(keysFromSeed('local-view', 2), 1, { seed: 'lv-new', since: NOW - 50, until: NOW - 10 });
    await relay.seed(fresh);
    view.landed(PackedEvents.of(fresh));
    for (const f of filters) expect([...(await view.items(f, never))].sort()).toEqual(exact(f));
    expect(view.reads).toBe(2);
    // lookups from the loaded units: no read
    const ids = IdList.fromHex([fresh[0]!.id, hex(1)]);
    const held = await view.held(ids, filters.find((f) => f.authors?.includes(fresh[0]!.pubkey))!, never);
    expect(held.get(fresh[0]!.id)).toBe(fresh[0]!.created_at);
    expect(held.has(hex(1))).toBe(false);
    expect(view.reads).toBe(2);
  });

  it('without loaded units a lookup reads the ids only; a filter no unit covers is read as it is', async () => {
    const view = new LocalView(store, plan, never);
    const f = filters.find((x) => x.authors)!;
    const ids = IdList.fromHex([...events.slice(0, 3).map((e) => e.id), hex(2)]);
    const held = await view.held(ids, f, never);
    expect(held.size).toBe(3);
    expect(view.reads).toBe(1);
    const tagged: Filter = { kinds: [1], '#t': ['x'] };
    expect((await view.items(tagged, never)).length).toBe(0);
    const older: Filter = { ...f, since: since - 86_400 * 10 };
    expect([...(await view.items(older, never))].sort()).toEqual(exact(older));
    expect(view.reads).toBe(3);
  });

  it('over its bound a unit is not kept: each filter is read as it is, still exact', async () => {
    const view = new LocalView(store, plan, never, 100);
    for (const f of filters) expect([...(await view.items(f, never))].sort()).toEqual(exact(f));
    // the members unit was read once, found too big, then every members filter was read alone
    const membersFilters = filters.filter((f) => f.authors).length;
    expect(view.reads).toBe(1 + membersFilters + 1);
  });

  it('reads the members deletions once per 1000 members', async () => {
    const del = deletion(keysFromSeed('local-view', 1)[0]!, [events[0]!.id], NOW - 20);
    await relay.seed([del]);
    const view = new LocalView(store, plan, never);
    const got: NostrEvent[] = [];
    for await (const e of view.deletions(never)) got.push(e);
    expect(got.map((e) => e.id)).toEqual([del.id]);
    expect(view.reads).toBe(1);
  });
});

describe('local view on the strfry CLI stand-in', () => {
  let dir: string;
  let st: StrfryStation;
  afterAll(async () => {
    await st?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('one `strfry scan` per unit, 2,500 members in three units', async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-view-'));
    st = await startStrfryStation(join(dir, 'strfry'));
    const keys = keysFromSeed('lv-strfry', 60);
    const events = await manyNotes(keys, 5, { seed: 'lvs', since: NOW - 80_000, until: NOW - 100 });
    await st.relay.seed(events);
    // 2,500 members, 60 of whom wrote
    const members = [...keys.map((k) => k.pk), ...Array.from({ length: 2440 }, (_, i) => hex(1_000_000 + i))];
    const store = new StrfryStore(st.strfryBin, st.strfryConf);
    const view = new LocalView(store, { members, kinds: [1, 5], stationKinds: [30800], since: NOW - 86_400 }, never);
    const filters = mergeDeletions(buildFilters({ kinds: [1, 5], noDms: false, days: 1, members, nowSec: NOW, maxFilterElements: 200 }))
      .map((p) => p.filter)
      .filter((f) => f.authors);
    expect(filters.length).toBeGreaterThan(10);
    let total = 0;
    for (const f of filters) total += (await view.items(f, never)).length;
    expect(total).toBe(events.length);
    expect(view.reads).toBe(3);
  }, 60_000);
});
