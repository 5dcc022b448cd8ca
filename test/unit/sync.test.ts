// Pure parts of the sync: filters, sieve, lock, known sets, strfry import counts, report HTML escaping.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFilters, authorBuckets, filterKey, mergeDeletions, windowSince } from '../../src/core/sync/filters';
import { Sieve } from '../../src/core/sync/sieve';
import { acquireLock, readLock, lockPath, LockHeld } from '../../src/core/sync/lock';
import { KnownSet } from '../../src/core/sync/known';
import { renderReportHtml } from '../../src/core/sync/report-html';
import { loadVerifier } from '../../src/core/nostr';
import { keysFromSeed } from '../../src/devkit/keys';
import { deletion, note, welcomeNote, withBadId, withBadSig } from '../../src/devkit/events';
import { DEFAULT_KINDS } from '../../src/shared/kinds';

const NOW = 1_800_000_000;
const hex = (i: number): string => i.toString(16).padStart(64, '0');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('filters', () => {
  const members = Array.from({ length: 1000 }, (_, i) => hex(i * 7919 + 1));
  it('window: days 0 is everything', () => {
    expect(windowSince(0, NOW)).toBeUndefined();
    expect(windowSince(2, NOW)).toBe(NOW - 2 * 86400);
  });
  it('deletions first, station pass without authors, members within the element limit, no kind 4 with noDms', () => {
    const fs = buildFilters({ kinds: DEFAULT_KINDS, noDms: true, days: 1, members, nowSec: NOW, maxFilterElements: 200 });
    expect(fs[0]!.pass).toBe('deletions');
    const station = fs.find((f) => f.pass === 'station')!;
    expect(station.filter).toEqual({ kinds: [30800, 30850, 30851], since: NOW - 86400 });
    const main = fs.filter((f) => f.pass === 'members');
    const covered = new Set(main.flatMap((f) => f.filter.authors ?? []));
    expect(covered.size).toBe(1000);
    for (const f of main) {
      expect(f.filter.kinds).not.toContain(4);
      expect(f.filter.kinds).not.toContain(5);
      expect((f.filter.authors?.length ?? 0) + (f.filter.kinds?.length ?? 0)).toBeLessThanOrEqual(200);
    }
    const all = buildFilters({ kinds: DEFAULT_KINDS, noDms: false, days: 0, members, nowSec: NOW, maxFilterElements: 200 });
    expect(all.find((f) => f.pass === 'members')!.filter.kinds).toContain(4);
    expect(all.every((f) => f.filter.since === undefined)).toBe(true);
  });
  it('buckets are stable: one more member changes few buckets', () => {
    const a = authorBuckets(members, 143).map((b) => filterKey({ authors: b }));
    const b = authorBuckets([...members, hex(5)], 143).map((x) => filterKey({ authors: x }));
    const same = a.filter((k) => b.includes(k)).length;
    expect(same).toBeGreaterThanOrEqual(a.length - 1);
  });
});

describe('sieve', async () => {
  const verifier = await loadVerifier();
  const [k, other] = keysFromSeed('sieve', 2) as [ReturnType<typeof keysFromSeed>[number], ReturnType<typeof keysFromSeed>[number]];
  const asked = { kinds: [1, 5], authors: [k.pk], since: NOW - 86400 };
  it('drops by reason and keeps the good', () => {
    const s = new Sieve({ verifier, blacklist: new Set() });
    const good = note(k, 'hi', NOW - 10);
    expect(s.check(good, asked).ok).toBe(true);
    // accepted but not yet confirmed by the local store: another peer's copy must still pass (a failing
    // session's pending batch would otherwise be lost)
    expect(s.check(good, asked).ok).toBe(true);
    s.confirm([good]);
    expect(s.isConfirmed(good.id)).toBe(true);
    expect(s.check(good, asked)).toEqual({ ok: false, reason: 'duplicate' });
    expect(s.check(withBadId(note(k, 'x', NOW - 10)), asked)).toEqual({ ok: false, reason: 'bad-id' });
    expect(s.check(withBadSig(note(k, 'y', NOW - 10)), asked)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(s.check(welcomeNote(k, NOW - 10), asked)).toEqual({ ok: false, reason: 'welcome' });
    expect(s.check(note(other, 'z', NOW - 10), asked)).toEqual({ ok: false, reason: 'off-filter' });
    expect(s.check(note(k, 'old', NOW - 2 * 86400), asked)).toEqual({ ok: false, reason: 'off-filter' });
    expect(s.check({ id: 'x' }, asked)).toEqual({ ok: false, reason: 'malformed' });
    expect(s.dropped).toEqual({ 'bad-id': 1, 'bad-signature': 1, welcome: 1, 'off-filter': 2, malformed: 1 });
    expect(s.duplicates).toBe(1);
  });
  it('without verify a bad signature passes (the store decides)', () => {
    const s = new Sieve({ verifier: null, blacklist: new Set() });
    expect(s.check(withBadSig(note(k, 'y', NOW - 10)), asked).ok).toBe(true);
  });
  it('kind 5: later events dropped, pending ones pruned, the kind 5 kept, other authors untouched', () => {
    const s = new Sieve({ verifier: null, blacklist: new Set() });
    const pending = note(k, 'pending', NOW - 30);
    const later = note(k, 'later', NOW - 20);
    expect(s.check(pending, asked).ok).toBe(true);
    const del = deletion(k, [pending.id, later.id], NOW - 5);
    expect(s.check(del, asked).ok).toBe(true);
    expect(s.check(later, asked)).toEqual({ ok: false, reason: 'deleted' });
    expect(s.prune([pending, del])).toEqual([del]);
    const forged = deletion(other, [hex(1)], NOW - 5);
    s.learnDeletion(forged);
    expect(s.isDeleted({ ...note(k, 'n', NOW - 1), id: hex(1) })).toBe(false);
  });
  it('blacklisted authors are dropped', () => {
    const s = new Sieve({ verifier: null, blacklist: new Set([k.pk]) });
    expect(s.check(note(k, 'b', NOW - 1), asked)).toEqual({ ok: false, reason: 'blacklisted' });
  });
});

describe('lock', () => {
  it('takes, refuses on a live PID, clears a stale one, releases', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lock-'));
    dirs.push(root);
    const held = await acquireLock(root);
    expect((await readLock(root))?.pid).toBe(process.pid);
    await expect(acquireLock(root)).rejects.toBeInstanceOf(LockHeld);
    await held.release();
    expect(await readLock(root)).toBeNull();
    await mkdir(join(root, 'strfry'), { recursive: true });
    await writeFile(lockPath(root), '4194301\n');
    const again = await acquireLock(root);
    expect(again.clearedStale).toBe(4194301);
    await again.release();
    expect(existsSync(lockPath(root))).toBe(false);
  });
});

describe('known sets and strfry counts', () => {
  it('round-trips compactly and stays bounded', () => {
    const k = new KnownSet();
    k.lastFull = NOW;
    const sec = k.section('ab'.repeat(16), NOW);
    for (let i = 0; i < 1000; i++) sec.items.set(hex(i), NOW - i);
    const buf = k.encode(NOW);
    expect(buf.length).toBeLessThan(1000 * 36 + 100);
    const back = KnownSet.decode(buf);
    expect(back.lastFull).toBe(NOW);
    expect(back.size).toBe(1000);
    expect(back.sections.get('ab'.repeat(16))!.items.get(hex(7))).toBe(NOW - 7);
    const small = KnownSet.decode(k.encode(NOW, 100));
    expect(small.size).toBe(100);
    expect([...small.sections.values()][0]!.items.has(hex(0))).toBe(true);
  });
  it('reads and writes the same file format as the Map-based version (a file it wrote loads; ties and cuts the same)', () => {
    // the previous in-memory form (hex strings in Maps) and its encoder, as they were
    const oldEncode = (lastFull: number, sections: Array<[string, number, Map<string, number>]>, maxEntries: number): Buffer => {
      let cutoff = -1;
      const total = sections.reduce((a, [, , m]) => a + m.size, 0);
      if (total > maxEntries) {
        const all: number[] = [];
        for (const [, , m] of sections) for (const t of m.values()) all.push(t);
        all.sort((a, b) => b - a);
        cutoff = all[maxEntries - 1] ?? -1;
      }
      const head = Buffer.alloc(12);
      head.write('CKS1', 0, 'ascii');
      head.writeUInt32LE(lastFull, 4);
      head.writeUInt32LE(sections.length, 8);
      const parts = [head];
      let budget = maxEntries;
      for (const [key, touched, m] of sections) {
        const entries = [...m].filter(([, t]) => t >= cutoff).sort((a, b) => b[1] - a[1]);
        const n = Math.min(entries.length, budget);
        budget -= n;
        const buf = Buffer.alloc(24 + n * 36);
        buf.write(key.slice(0, 32).padEnd(32, '0'), 0, 'hex');
        buf.writeUInt32LE(touched, 16);
        buf.writeUInt32LE(n, 20);
        for (let i = 0; i < n; i++) {
          buf.write(entries[i]![0], 24 + i * 36, 'hex');
          buf.writeUInt32LE(entries[i]![1], 24 + i * 36 + 32);
        }
        parts.push(buf);
      }
      return Buffer.concat(parts);
    };
    const sections: Array<[string, number, Map<string, number>]> = [
      ['ab'.repeat(16), NOW - 5, new Map()],
      ['cd'.repeat(16), NOW - 9, new Map()],
    ];
    for (let i = 0; i < 3000; i++) sections[i % 2]![2].set(hex(i), NOW - (i % 97)); // many equal created_at
    for (let i = 0; i < 300; i += 7) sections[0]![2].delete(hex(i)); // deletions and re-adds move an id last
    for (let i = 0; i < 300; i += 14) sections[0]![2].set(hex(i), NOW - 3);
    for (const max of [1_000_000, 1234, 10]) {
      const file = oldEncode(NOW - 100, sections, 1_000_000);
      const loaded = KnownSet.decode(file);
      expect(loaded.encode(NOW, 1_000_000)).toEqual(file);
      expect(loaded.encode(NOW, max)).toEqual(oldEncode(NOW - 100, sections, max));
    }
    // built in memory the same way as the old Maps were: the same bytes
    const k = new KnownSet();
    k.lastFull = NOW - 100;
    for (const [key, touched, m] of sections) {
      const sec = k.section(key, touched);
      for (const [id, t] of m) sec.items.set(id, t);
    }
    expect(k.encode(NOW, 1234)).toEqual(oldEncode(NOW - 100, sections, 1234));
  });
});

describe('report HTML', () => {
  it('escapes every remote string', () => {
    const html = renderReportHtml({
      id: 'r1', startedAt: 0, finishedAt: 1, durationMs: 1, outcome: 'partial', reason: '<script>alert(1)</script>', options: {},
      members: 1, categories: { events: 1 }, imported: 1, duplicates: 0, rejected: 0, superseded: 0, rejectReasons: { '<b>x</b>': 1 }, dropped: {},
      bytesIn: 0, bytesOut: 0, plan: [], profiles: null,
      peers: [{ peer: 'p', hostname: '<img src=x onerror=alert(1)>', relayUrl: null, route: 'tunnel', method: 'req', ok: false, reason: '"><script>', fetched: 0, imported: 0, duplicates: 0, rejected: 0, superseded: 0, dropped: {}, bytesIn: 0, bytesOut: 0, durationMs: 0 }],
    });
    expect(html).not.toMatch(/<script>|<img|<b>x/);
    expect(html).toContain('&#60;img');
  });
});

describe('mergeDeletions (NIP-77 plan)', () => {
  const members = Array.from({ length: 300 }, (_, i) => hex(i * 104729 + 3));
  it('folds each deletions filter into the members filter of the same bucket, within the element limit', () => {
    const plan = buildFilters({ kinds: DEFAULT_KINDS, noDms: false, days: 1, members, nowSec: NOW, maxFilterElements: 200 });
    const merged = mergeDeletions(plan);
    expect(merged.some((x) => x.pass === 'deletions')).toBe(false);
    const mem = merged.filter((x) => x.pass === 'members');
    expect(mem).toHaveLength(plan.filter((x) => x.pass === 'members').length);
    for (const x of mem) {
      expect(x.filter.kinds).toContain(5);
      expect((x.filter.kinds?.length ?? 0) + (x.filter.authors?.length ?? 0)).toBeLessThanOrEqual(200);
    }
    expect(new Set(mem.flatMap((x) => x.filter.authors ?? [])).size).toBe(300);
    expect(merged.find((x) => x.pass === 'station')).toEqual(plan.find((x) => x.pass === 'station'));
  });
  it('leaves a plan without deletions as it is', () => {
    const plan = buildFilters({ kinds: DEFAULT_KINDS.filter((k) => k !== 5), noDms: false, days: 1, members, nowSec: NOW, maxFilterElements: 200 });
    expect(mergeDeletions(plan)).toEqual(plan);
  });
});

describe('peer memory: NIP-11 limits remembered with the NIP-77 answer', () => {
  it('takes whole limits back and refuses anything else (the file may be older, or edited)', async () => {
    const { rememberedLimits } = await import('../../src/core/sync/memory');
    const whole = { maxLimit: 500, maxSubscriptions: 20, maxMessageLength: 131072, maxFilterElements: 200, claimsNip77: true };
    expect(rememberedLimits(whole)).toEqual(whole);
    expect(rememberedLimits({ ...whole, extra: 'x' })).toEqual(whole);
    for (const bad of [null, undefined, 'x', {}, { ...whole, maxLimit: 0 }, { ...whole, maxMessageLength: -5 }, { ...whole, maxSubscriptions: 1.5 }, { ...whole, claimsNip77: 'yes' }, { ...whole, maxFilterElements: '200' }]) {
      expect(rememberedLimits(bad)).toBeNull();
    }
  });
});
