// The packed import batch (src/core/store/packed.ts) the sync fills and hands to the local store: the same
// JSON lines, ids and categories as the events it holds; pruning deleted events from it like the sieve prunes
// an array; its memory given back; both stores take it and import exactly what they would from the events.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Event as NostrEvent } from 'nostr-tools';
import { PackedEvents, importsPacked } from '../../src/core/store/packed';
import { StrfryStore } from '../../src/core/store/strfry-store';
import { Sieve } from '../../src/core/sync/sieve';
import { Importer, apportion } from '../../src/core/sync/importer';
import { keysFromSeed } from '../../src/devkit/keys';
import { article, deletion, note, profile, reaction } from '../../src/devkit/events';
import { countEvent, type CategoryCounts } from '../../src/shared/kinds';
import type { ImportResult, LocalStore } from '../../src/core/services';

const NOW = 1_800_000_000;
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const [a, b] = keysFromSeed('packed', 2) as [ReturnType<typeof keysFromSeed>[number], ReturnType<typeof keysFromSeed>[number]];
const first = note(a, 'hello "quoted" \\ and ünïcödé ✓ 🚀', NOW - 10, [['t', 'x']]);
/** as a relay's frame gives them: plain JSON (no symbol nostr-tools puts on the events it signs) */
const plain = (e: NostrEvent): NostrEvent => JSON.parse(JSON.stringify(e)) as NostrEvent;
const events: NostrEvent[] = [
  first,
  note(b, 'second', NOW - 9),
  reaction(a, first, NOW - 8),
  profile(b, { name: 'Bob' }, NOW - 7),
  article(a, 'd-tag', 'Title', NOW - 6),
  { ...note(a, 'extra field kept', NOW - 5), ...{ relay_hint: 'x' } } as NostrEvent,
].map(plain);
/** well formed, not signed (the batch does not check signatures) */
const row = (i: number, content: string): NostrEvent => ({
  id: createHash('sha256').update(`row ${i}`).digest('hex'), pubkey: a.pk, created_at: NOW - i, kind: 1, tags: [], content, sig: '0'.repeat(128),
});

function counts(list: readonly NostrEvent[]): CategoryCounts {
  const c: CategoryCounts = {};
  for (const e of list) countEvent(c, e);
  return c;
}

describe('packed batch', () => {
  it('holds each event\'s JSON line, id, pubkey, kind and the batch\'s categories', () => {
    const p = PackedEvents.of(events);
    expect(p.length).toBe(events.length);
    events.forEach((e, i) => {
      expect(p.line(i).toString('utf8')).toBe(JSON.stringify(e) + '\n');
      expect(p.event(i)).toEqual(e);
      expect(p.idHex(i)).toBe(e.id);
      expect(p.pubkeyHex(i)).toBe(e.pubkey);
      expect(p.kind(i)).toBe(e.kind);
    });
    expect([...p.ids]).toEqual(events.map((e) => e.id));
    expect(p.counts).toEqual(counts(events));
    expect(p.bytes).toBe(events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)) + 1, 0));
  });

  it('grows past its first capacity and releases its memory', () => {
    const many = Array.from({ length: 3000 }, (_, i) => row(i, `n${i} ${'x'.repeat(i % 700)} ✓`));
    const p = new PackedEvents(16);
    for (const e of many) p.add(e);
    expect(p.length).toBe(3000);
    expect(p.event(2999)).toEqual(many[2999]);
    expect(p.line(1234).toString()).toBe(JSON.stringify(many[1234]) + '\n');
    p.release();
    expect(p.length).toBe(0);
    expect(p.counts).toEqual({});
    p.add(events[0]!);
    expect(p.event(0)).toEqual(events[0]);
  });

  it('refuses an event that is not well formed and stays consistent', () => {
    const p = new PackedEvents();
    p.add(first);
    expect(() => p.add({ ...first, pubkey: 'nope' })).toThrow(/not well formed/);
    expect(() => p.add({ ...first, id: 'NOPE' })).toThrow(/not well formed/);
    p.add(events[1]!);
    expect(p.length).toBe(2);
    expect([...p.ids]).toEqual([first.id, events[1]!.id]);
    expect(p.pubkeyHex(1)).toBe(events[1]!.pubkey);
  });

  it('prunes deleted events like the sieve prunes an array, categories taken off', () => {
    const sieve = new Sieve({ verifier: null, blacklist: new Set() });
    const p = PackedEvents.of(events);
    expect(sieve.prunePacked(p)).toBe(p); // nothing deleted yet: the same batch
    // a's kind 5 deletes the first note and the article; b's kind 5 naming a's note deletes nothing
    sieve.learnDeletion(deletion(a, [first.id, events[4]!.id], NOW));
    sieve.learnDeletion(deletion(b, [events[2]!.id], NOW));
    const arraySieve = new Sieve({ verifier: null, blacklist: new Set() });
    arraySieve.learnDeletion(deletion(a, [first.id, events[4]!.id], NOW));
    arraySieve.learnDeletion(deletion(b, [events[2]!.id], NOW));
    const kept = arraySieve.prune([...events]);
    const q = sieve.prunePacked(p);
    expect(q).not.toBe(p);
    expect(Array.from({ length: q.length }, (_, i) => q.event(i))).toEqual(kept);
    expect([...q.ids]).toEqual(kept.map((e) => e.id));
    for (const [k, v] of Object.entries(counts(kept))) expect(q.counts[k]).toBe(v);
    for (const [k, v] of Object.entries(q.counts)) expect(v).toBe(counts(kept)[k] ?? 0);
    expect(sieve.dropped.deleted).toBe(2);
    // confirming a packed batch: its ids are run duplicates afterwards
    sieve.confirmPacked(q);
    expect(kept.every((e) => sieve.isConfirmed(e.id))).toBe(true);
    expect(sieve.isConfirmed(first.id)).toBe(false);
  });
});

describe('stores take a packed batch', () => {
  /** A strfry stand-in that keeps what `import` read on stdin and answers like strfry. */
  async function fakeStrfry(maxEventSize?: number): Promise<{ store: StrfryStore; got: () => Promise<string> }> {
    const dir = await mkdtemp(join(tmpdir(), 'packed-strfry-'));
    dirs.push(dir);
    const out = join(dir, 'stdin.jsonl');
    const bin = join(dir, 'strfry');
    await writeFile(
      bin,
      `#!/bin/sh\ncat > ${JSON.stringify(out)}\nn=$(wc -l < ${JSON.stringify(out)} | tr -d ' ')\n` +
        `echo "Committed $n. Processed $n lines. $n added, 0 rejected, 0 dups" >&2\n` +
        `echo "Writer: added: $n dups: 0 replaced: 0 deleted: 0" >&2\n` +
        `echo "Done. Processed $n lines. $n added, 0 rejected, 0 dups" >&2\n`,
    );
    await chmod(bin, 0o755);
    const conf = join(dir, 'strfry.conf');
    await writeFile(conf, maxEventSize ? `events {\n  maxEventSize = ${maxEventSize}\n}\n` : '');
    return { store: new StrfryStore(bin, conf), got: () => readFile(out, 'utf8') };
  }

  it('strfry: the packed batch sends the very bytes the events would, long lines left out alike', async () => {
    const big = row(1, 'y'.repeat(5000));
    const many = [...events, big, ...Array.from({ length: 400 }, (_, i) => row(100 + i, `bulk ${i} ${'z'.repeat(300)}`))];
    for (const max of [undefined, 4096]) {
      const plain = await fakeStrfry(max);
      const packedStore = await fakeStrfry(max);
      const r1 = await plain.store.import(many, { verify: false });
      const batch = PackedEvents.of(many);
      const r2 = await packedStore.store.import(batch, { verify: false });
      expect(await packedStore.got()).toBe(await plain.got());
      expect(r2).toEqual(r1);
      if (max) expect(r2.rejected).toBe(1);
      batch.release();
    }
    expect(importsPacked((await fakeStrfry()).store)).toBe(true);
  });

  it('a store that only takes events gets them parsed back through the importer', async () => {
    const seen: NostrEvent[][] = [];
    const store = {
      kind: 'relay',
      description: 'test store',
      import: async (list: readonly NostrEvent[]): Promise<ImportResult> => {
        seen.push([...list]);
        return { added: list.length, duplicates: 0, rejected: 0, superseded: 0, reasons: {}, bytes: 0 };
      },
    } as unknown as LocalStore;
    const r = await new Importer(store).import(PackedEvents.of(events), { verify: false });
    expect(r.added).toBe(events.length);
    expect(seen).toEqual([events]);
  });
});

describe('one store import for the batches of several sessions', () => {
  it('concat: one batch with every line, id, kind and category of the batches, in order', () => {
    const parts = [events.slice(0, 2), events.slice(2, 3), events.slice(3)];
    const batches = parts.map((p) => PackedEvents.of(p));
    const joined = PackedEvents.concat(batches);
    const whole = PackedEvents.of(events);
    expect(joined.length).toBe(events.length);
    for (let i = 0; i < events.length; i++) {
      expect(joined.line(i).toString()).toBe(whole.line(i).toString());
      expect([joined.idHex(i), joined.pubkeyHex(i), joined.kind(i), joined.createdAt(i)]).toEqual([whole.idHex(i), whole.pubkeyHex(i), whole.kind(i), whole.createdAt(i)]);
    }
    expect(joined.counts).toEqual(whole.counts);
    expect(joined.bytes).toBe(whole.bytes);
    // the parts are untouched
    expect(batches.map((b) => b.length)).toEqual([2, 1, events.length - 3]);
    for (const b of [...batches, joined, whole]) b.release();
  });

  it('apportion: in proportion to the room, never past a slot\'s room, the whole total when it fits', () => {
    expect(apportion(10, [10, 10])).toEqual([5, 5]);
    expect(apportion(3, [1, 1, 1, 1])).toEqual([1, 1, 1, 0]);
    expect(apportion(7, [2, 100])).toEqual([0, 7]);
    expect(apportion(50, [2, 3])).toEqual([2, 3]);
    expect(apportion(0, [4, 4])).toEqual([0, 0]);
    expect(apportion(5, [0, 0])).toEqual([0, 0]);
  });

  /** A strfry store that answers every event as added (or as the test says) after a while, noting each import's size. */
  function slowStrfry(answer?: (n: number) => Partial<ImportResult>): { store: LocalStore; sizes: number[] } {
    const sizes: number[] = [];
    const store = {
      kind: 'strfry',
      packedImport: true,
      description: 'slow strfry',
      import: async (b: PackedEvents): Promise<ImportResult> => {
        sizes.push(b.length);
        await new Promise((r) => setTimeout(r, 30));
        return { added: b.length, duplicates: 0, rejected: 0, superseded: 0, reasons: {}, bytes: b.bytes, ...answer?.(b.length) };
      },
    } as unknown as LocalStore;
    return { store, sizes };
  }

  it('batches handed over while the store is busy go in one import; each session gets its own batch\'s answer', async () => {
    const { store, sizes } = slowStrfry();
    const importer = new Importer(store);
    const rows = (from: number, n: number): PackedEvents => PackedEvents.of(Array.from({ length: n }, (_, i) => row(from + i, `r ${from + i}`)));
    const answers = await Promise.all([rows(0, 5), rows(10, 3), rows(20, 4), rows(30, 2)].map((b) => importer.import(b, { verify: false })));
    expect(sizes).toEqual([5, 9]);
    expect(importer.imports).toBe(2);
    expect(answers.map((r) => r.added)).toEqual([5, 3, 4, 2]);
    expect(importer.totals.added).toBe(14);
    expect(importer.idle).toBe(true);
  });

  it('an older profile kept out of a merged import is counted for the batch it came in', async () => {
    const { store } = slowStrfry((n) => ({ added: n - 1, superseded: 1 }));
    const importer = new Importer(store);
    const older = plain(profile(b, { name: 'old Bob' }, NOW - 100));
    const newer = plain(profile(b, { name: 'new Bob' }, NOW - 50));
    const head = importer.import(PackedEvents.of([row(1, 'first')]), { verify: false });
    const x = importer.import(PackedEvents.of([row(2, 'x'), older]), { verify: false });
    const y = importer.import(PackedEvents.of([newer, row(3, 'y'), row(4, 'z')]), { verify: false });
    const [, rx, ry] = await Promise.all([head, x, y]);
    expect([rx.added, rx.superseded]).toEqual([1, 1]);
    expect([ry.added, ry.superseded]).toEqual([3, 0]);
  });

  it('duplicates and rejections strfry counts for a merged import are shared out; every batch answered in full', async () => {
    const { store } = slowStrfry((n) => ({ added: n - 3, duplicates: 2, rejected: 1, reasons: { 'strfry import: too many tags': 1 } }));
    const importer = new Importer(store);
    const rows = (from: number, n: number): PackedEvents => PackedEvents.of(Array.from({ length: n }, (_, i) => row(from + i, `s ${from + i}`)));
    const [, ...rs] = await Promise.all([rows(0, 1), rows(10, 6), rows(20, 3)].map((bt) => importer.import(bt, { verify: false })));
    for (const [r, n] of [[rs[0], 6], [rs[1], 3]] as const) expect(r!.added + r!.duplicates + r!.rejected + r!.superseded).toBe(n);
    expect(rs.reduce((s, r) => s + r.duplicates, 0)).toBe(2);
    expect(rs.reduce((s, r) => s + r.rejected, 0)).toBe(1);
    expect(rs.flatMap((r) => Object.values(r.reasons)).reduce((s, v) => s + v, 0)).toBe(1);
  });

  it('a short answer stays short for the batches of the import', async () => {
    const { store } = slowStrfry((n) => ({ added: n - 2 }));
    const importer = new Importer(store);
    const rows = (from: number, n: number): PackedEvents => PackedEvents.of(Array.from({ length: n }, (_, i) => row(from + i, `t ${from + i}`)));
    const [, ...rs] = await Promise.all([rows(0, 1), rows(10, 4), rows(20, 4)].map((bt) => importer.import(bt, { verify: false })));
    expect(rs.reduce((s, r) => s + r.added, 0)).toBe(6);
  });

  it('a relay store gets each batch as it is (it answers event by event: nothing to gain)', async () => {
    const sizes: number[] = [];
    const store = {
      kind: 'relay',
      packedImport: true,
      description: 'relay',
      import: async (bt: PackedEvents): Promise<ImportResult> => {
        sizes.push(bt.length);
        await new Promise((r) => setTimeout(r, 10));
        return { added: bt.length, duplicates: 0, rejected: 0, superseded: 0, reasons: {}, bytes: 0 };
      },
    } as unknown as LocalStore;
    const importer = new Importer(store);
    await Promise.all([2, 3, 4].map((n, k) => importer.import(PackedEvents.of(Array.from({ length: n }, (_, i) => row(100 * k + i, 'q'))), { verify: false })));
    expect(sizes).toEqual([2, 3, 4]);
  });
});
