// The engine's compact NIP-77 initiator (src/core/nostr/negentropy-client.ts) against the devkit's
// strfry-faithful responder, in memory: exact need/have on random sets with overlaps, empty sides, lopsided
// sizes, several rounds (frame size limits on either side), ids that differ only in their last byte, identical
// timestamps; the same fingerprints and first message as the reference libraries; refusal of broken messages.
// Also the packed id containers (src/core/nostr/ids.ts) it and the sync rely on.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nip77 } from 'nostr-tools';
import { NegentropyStorage } from '@nostr-dev-kit/sync';
import { IdList, IdMap, IdSet, NegentropyInitiator, NegentropyItems } from '../../src/core/nostr';
import { FastNegentropyStorage, StrfryNegentropy } from '../../src/devkit/negentropy-responder';

interface Item {
  id: string;
  ts: number;
}

/** A deterministic pseudo-random generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hexId = (seed: string): string => createHash('sha256').update(seed).digest('hex');

function items(n: number, tag: string, spread = 5000, base = 1_700_000_000): Item[] {
  const r = rng(n * 31 + tag.length);
  return Array.from({ length: n }, (_, i) => ({ id: hexId(`${tag}:${i}`), ts: base + Math.floor(r() * spread) }));
}

function listOf(its: readonly Item[]): IdList {
  const l = new IdList(true);
  for (const it of its) l.pushHex(it.id, it.ts);
  return l;
}

/** Our initiator against the devkit responder until done. */
async function converse(
  local: readonly Item[],
  remote: readonly Item[],
  opts: { responderFrame?: number; ourFrame?: number; librarysStorage?: boolean; wholeRangeFirst?: boolean } = {},
): Promise<{ need: string[]; have: string[]; rounds: number; firstBytes: number }> {
  const theirs = opts.librarysStorage ? new NegentropyStorage() : new FastNegentropyStorage();
  for (const it of remote) theirs.insert(it.ts, it.id);
  theirs.seal();
  const server = new StrfryNegentropy(theirs, opts.responderFrame ?? 500_000);
  const client = new NegentropyInitiator(NegentropyItems.from(listOf(local)), opts.ourFrame ?? 60_000);
  // as reconcile() does: a peer may list an id again when it reconciles a range a second time
  const need = IdList.unique();
  const have = IdList.unique();
  let msg: Buffer | null = client.initiate(opts.wholeRangeFirst);
  const firstBytes = msg.length;
  let rounds = 0;
  while (msg) {
    if (opts.ourFrame) expect(msg.length).toBeLessThanOrEqual(opts.ourFrame);
    const answer = await server.reconcile(msg);
    rounds++;
    if (rounds > 10_000) throw new Error('no end');
    msg = client.reconcile(answer.nextMessage!, have, need);
  }
  return { need: [...need], have: [...have], rounds, firstBytes };
}

function expectExact(r: { need: string[]; have: string[] }, local: readonly Item[], remote: readonly Item[]): void {
  const here = new Set(local.map((i) => i.id));
  const there = new Set(remote.map((i) => i.id));
  expect(r.need.length).toBe(new Set(r.need).size);
  expect(r.have.length).toBe(new Set(r.have).size);
  expect(new Set(r.need)).toEqual(new Set([...there].filter((id) => !here.has(id))));
  expect(new Set(r.have)).toEqual(new Set([...here].filter((id) => !there.has(id))));
}

describe('negentropy initiator against the devkit responder', () => {
  it('whole range first: one 20-byte fingerprint, one round trip when both hold the same, exact when they differ', async () => {
    const same = items(3000, 'same');
    const equal = await converse(same, same, { wholeRangeFirst: true });
    expect(equal.firstBytes).toBe(20);
    expect(equal.rounds).toBe(1);
    expectExact(equal, same, same);
    const usual = await converse(same, same);
    expect(usual.firstBytes).toBeGreaterThan(300);
    // (an id is the hash of its created_at too: a shared id has the same timestamp on both sides)
    for (const [ours, theirs, shared] of [[3000, 3100, 1500], [5, 40, 3], [1, 0, 0], [0, 7, 0]] as const) {
      const common = items(shared, 'wr-common');
      const local = [...common, ...items(ours - shared, 'wr-ours')];
      const remote = [...common, ...items(theirs - shared, 'wr-theirs')];
      for (const frame of [500_000, 4096]) {
        const r = await converse(local, remote, { wholeRangeFirst: true, responderFrame: frame, ourFrame: frame === 4096 ? 4096 : 60_000 });
        expectExact(r, local, remote);
      }
    }
  });

  it('random sets with overlaps: need and have are exact, several sizes and frame limits', async () => {
    const cases: Array<[number, number, number, number]> = [
      // shared, only here, only there, responder frame
      [10, 3, 4, 500_000],
      [500, 40, 60, 4096],
      [3000, 700, 2500, 4096],
      [5000, 5000, 5000, 500_000],
      [20_000, 1, 1, 4096],
    ];
    for (const [shared, here, there, frame] of cases) {
      const common = items(shared, `c${shared}`);
      const mine = items(here, `h${here}`);
      const theirs = items(there, `t${there}`);
      const local = [...common, ...mine];
      const remote = [...common, ...theirs];
      const r = await converse(local, remote, { responderFrame: frame });
      expectExact(r, local, remote);
    }
  });

  it('the library\'s own storage on the responder side says the same', async () => {
    const common = items(400, 'lc');
    const local = [...common, ...items(90, 'lh')];
    const remote = [...common, ...items(120, 'lt')];
    expectExact(await converse(local, remote, { responderFrame: 4096, librarysStorage: true }), local, remote);
  });

  it('empty sides: nothing here, nothing there, nothing anywhere', async () => {
    const some = items(2000, 'e');
    const cold = await converse([], some, { responderFrame: 4096 });
    expectExact(cold, [], some);
    expect(cold.rounds).toBeGreaterThan(1);
    const gone = await converse(some, []);
    expectExact(gone, some, []);
    const none = await converse([], []);
    expect(none).toMatchObject({ need: [], have: [], rounds: 1 });
  });

  it('one side far larger than the other, both ways', async () => {
    const big = items(30_000, 'big');
    const few = [...big.slice(0, 5), ...items(7, 'few')];
    expectExact(await converse(few, big, { responderFrame: 60_000 }), few, big);
    expectExact(await converse(big, few, { responderFrame: 60_000 }), big, few);
  });

  it('more than one round: the responder\'s frame cut (40,000 ids in 500 kB frames) and our own frame limit', async () => {
    const remote = items(40_000, 'r');
    const cold = await converse([], remote, { responderFrame: 500_000 });
    expect(cold.rounds).toBeGreaterThan(2);
    expectExact(cold, [], remote);
    // our side limited to 4 KiB frames, many differing ranges: our messages stay within it, more rounds
    const common = items(20_000, 'oc');
    const local = [...common, ...items(3000, 'oh')];
    const theirs = [...common, ...items(3000, 'ot')];
    const r = await converse(local, theirs, { responderFrame: 4096, ourFrame: 4096 });
    expect(r.rounds).toBeGreaterThan(3);
    expectExact(r, local, theirs);
  });

  it('ids that differ only in their last byte, at the same timestamp', async () => {
    const stem = hexId('stem').slice(0, 62);
    const all = Array.from({ length: 256 }, (_, b) => ({ id: stem + b.toString(16).padStart(2, '0'), ts: 1_700_000_123 }));
    const local = all.filter((_, i) => i % 3 !== 0);
    const remote = all.filter((_, i) => i % 5 !== 0);
    for (const frame of [4096, 500_000]) expectExact(await converse(local, remote, { responderFrame: frame }), local, remote);
  });

  it('identical timestamps everywhere (bounds made of id prefixes only)', async () => {
    const common = items(6000, 'same', 1);
    const local = [...common, ...items(800, 'same-h', 1)];
    const remote = [...common, ...items(900, 'same-t', 1)];
    expect(new Set(remote.map((i) => i.ts)).size).toBe(1);
    expectExact(await converse(local, remote, { responderFrame: 4096, ourFrame: 4096 }), local, remote);
  });

  it('the same item twice on our side counts once', async () => {
    const remote = items(50, 'dup');
    const local = [...remote.slice(0, 20), ...remote.slice(0, 20), ...items(3, 'dup-h')];
    expectExact(await converse(local, remote), local, remote);
  });

  it('same first message as nostr-tools, same fingerprints as the library storage', () => {
    for (const n of [0, 1, 31, 32, 1000]) {
      const its = items(n, `fm${n}`, 50);
      const ref = new nip77.NegentropyStorageVector();
      for (const it of its) ref.insert(it.ts, it.id);
      ref.seal();
      const theirs = new nip77.Negentropy(ref, 60_000).initiate();
      const ours = new NegentropyInitiator(NegentropyItems.from(listOf(its)), 60_000).initiate().toString('hex');
      expect(ours).toBe(theirs);
    }
    const its = items(3000, 'fp', 300);
    const lib = new NegentropyStorage();
    for (const it of its) lib.insert(it.ts, it.id);
    lib.seal();
    const ours = NegentropyItems.from(listOf(its));
    return Promise.all(
      [[0, 3000], [0, 0], [17, 18], [5, 2999], [1000, 2100], [2999, 3000]].map(async ([a, b]) => {
        expect(ours.fingerprint(a!, b!).toString('hex')).toBe(Buffer.from(await lib.fingerprint(a!, b!)).toString('hex'));
      }),
    );
  });

  it('refuses broken answers with a reason', () => {
    const neg = (): NegentropyInitiator => new NegentropyInitiator(NegentropyItems.from(listOf(items(100, 'x'))), 0);
    const have = new IdList();
    const need = new IdList();
    expect(() => neg().reconcile(Buffer.from([]), have, need)).toThrow(/prematurely/);
    expect(() => neg().reconcile(Buffer.from([0x62]), have, need)).toThrow(/unsupported negentropy protocol version/);
    expect(() => neg().reconcile(Buffer.from([0x10]), have, need)).toThrow(/version/);
    // an IdList announcing 5 ids and carrying one
    expect(() => neg().reconcile(Buffer.from([0x61, 0x00, 0x00, 0x02, 0x05, ...new Uint8Array(32)]), have, need)).toThrow(/prematurely/);
    // a bound with an id prefix longer than an id
    expect(() => neg().reconcile(Buffer.from([0x61, 0x00, 0x21]), have, need)).toThrow(/too long/);
    expect(() => neg().reconcile(Buffer.from([0x61, 0x00, 0x00, 0x07]), have, need)).toThrow(/unexpected mode/);
    expect(() => new NegentropyInitiator(NegentropyItems.empty(), 1000)).toThrow(/too small/);
  });
});

describe('packed id containers', () => {
  const ids = Array.from({ length: 5000 }, (_, i) => hexId(`c:${i}`));

  it('IdList keeps ids and times in order, grows, appends, slices and releases', () => {
    const l = new IdList(true, 2);
    ids.forEach((id, i) => expect(l.pushHex(id, i)).toBe(true));
    expect(l.pushHex('not an id')).toBe(false);
    expect(l.pushHex(ids[0]!.toUpperCase())).toBe(false);
    expect(l.length).toBe(5000);
    expect(l.hex(4321)).toBe(ids[4321]);
    expect(l.time(4321)).toBe(4321);
    expect([...l]).toEqual(ids);
    expect(l.hexSlice(10, 13)).toEqual(ids.slice(10, 13));
    const m = IdList.fromHex(ids.slice(0, 3));
    m.append(l);
    expect(m.length).toBe(5003);
    expect(m.hex(3)).toBe(ids[0]);
    l.release();
    expect(l.length).toBe(0);
    l.pushHex(ids[1]!, 7);
    expect([...l]).toEqual([ids[1]]);
  });

  it('IdMap and IdSet behave like Map and Set (insertion order, updates, deletes, compaction, growth)', () => {
    const map = new IdMap();
    const ref = new Map<string, number>();
    const set = new IdSet();
    const refSet = new Set<string>();
    const r = rng(7);
    for (let step = 0; step < 40_000; step++) {
      const id = ids[Math.floor(r() * ids.length)]!;
      const op = r();
      if (op < 0.5) {
        expect(map.set(id, step)).toBe(!ref.has(id));
        ref.set(id, step);
        expect(set.add(id)).toBe(!refSet.has(id));
        refSet.add(id);
      } else if (op < 0.8) {
        expect(map.delete(id)).toBe(ref.delete(id));
        expect(set.delete(id)).toBe(refSet.delete(id));
      } else {
        expect(map.get(id)).toBe(ref.get(id));
        expect(set.has(id)).toBe(refSet.has(id));
      }
    }
    expect(map.size).toBe(ref.size);
    expect([...map]).toEqual([...ref]);
    expect(set.size).toBe(refSet.size);
    expect([...set]).toEqual([...refSet]);
    expect(map.get('zz')).toBeUndefined();
    expect(map.set('short', 1)).toBe(false);
    map.release();
    expect(map.size).toBe(0);
    expect(map.has(ids[0]!)).toBe(false);
    map.set(ids[0]!, 5);
    expect(map.get(ids[0]!)).toBe(5);
  });

  it('a unique IdList keeps each id once, through growth, appends and release', () => {
    const u = IdList.unique(true);
    for (let round = 0; round < 3; round++) ids.forEach((id, i) => expect(u.pushHex(id, i)).toBe(round === 0));
    expect(u.length).toBe(ids.length);
    expect([...u]).toEqual(ids);
    expect(u.time(17)).toBe(17);
    u.append(IdList.fromHex([ids[3]!, hexId('new')]));
    expect(u.length).toBe(ids.length + 1);
    u.release();
    expect(u.pushHex(ids[0]!)).toBe(true);
    expect(u.pushHex(ids[0]!)).toBe(false);
    u.dropIndex();
    expect(u.pushHex(ids[0]!)).toBe(true);
  });

  it('IdMap.deleteIf drops by value; IdSet.toList keeps the order', () => {
    const map = new IdMap();
    ids.slice(0, 100).forEach((id, i) => map.set(id, i));
    map.deleteIf((v) => v % 2 === 0);
    expect([...map].map(([, v]) => v)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2 + 1));
    const set = IdSet.of(IdList.fromHex(ids.slice(0, 10)));
    set.delete(ids[3]!);
    expect([...set.toList()]).toEqual(ids.slice(0, 10).filter((_, i) => i !== 3));
  });

  it('set algebra: notIn, between, pick, toList, setAll, merge, deleteAll, hexChunks', () => {
    const list = new IdList(true);
    ids.slice(0, 10).forEach((id, i) => list.pushHex(id, 100 + i));
    // notIn a set and notIn a list: order and times kept, operands untouched
    const odd = IdSet.of(IdList.fromHex(ids.slice(0, 10).filter((_, i) => i % 2 === 1)));
    const even = list.notIn(odd);
    expect([...even]).toEqual(ids.slice(0, 10).filter((_, i) => i % 2 === 0));
    expect(Array.from({ length: even.length }, (_, i) => even.time(i))).toEqual([100, 102, 104, 106, 108]);
    expect(odd.size).toBe(5);
    expect([...list.notIn(IdList.fromHex(ids.slice(2, 10)))]).toEqual(ids.slice(0, 2));
    expect(list.length).toBe(10);
    // between: inclusive time range
    const mid = list.between(103, 105);
    expect([...mid]).toEqual(ids.slice(3, 6));
    expect(mid.time(0)).toBe(103);
    // a map: setAll takes the list's times, pick reads them back in the list's order, toList filters by value
    const map = new IdMap();
    map.setAll(list);
    expect(map.get(ids[7]!)).toBe(107);
    const picked = map.pick(IdList.fromHex([ids[9]!, hexId('absent'), ids[1]!]));
    expect([...picked]).toEqual([ids[9], ids[1]]);
    expect([picked.time(0), picked.time(1)]).toEqual([109, 101]);
    expect([...map.toList(108)]).toEqual([ids[8], ids[9]]);
    expect(map.toList(108).time(1)).toBe(109);
    // merge: the other map's values win; deleteAll removes a list's ids
    const other = new IdMap();
    other.set(ids[0]!, 1);
    other.set(hexId('extra'), 2);
    map.merge(other);
    expect(map.get(ids[0]!)).toBe(1);
    expect(map.get(hexId('extra'))).toBe(2);
    map.deleteAll(IdList.fromHex(ids.slice(0, 5)));
    expect(map.size).toBe(6);
    expect(map.has(ids[4]!)).toBe(false);
    // hexChunks: REQ-sized pieces
    expect([...list.hexChunks(4)]).toEqual([ids.slice(0, 4), ids.slice(4, 8), ids.slice(8, 10)]);
  });
});
