/**
 * Live sync's pure parts and small machines: the plan and its REQ groups, back-off, per-minute rates, the
 * holders map, the catch-up's start, the seen marks, the publisher's rules (in flight, never to a holder, a peer
 * refusing writes), the ingest's batching and de-duplication, and what the command prints.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import type { ImportResult, LocalStore } from '../../src/core/services';
import type { RelayConnection } from '../../src/core/nostr';
import { Backoff } from '../../src/core/live/backoff';
import { Holders } from '../../src/core/live/holders';
import { afterRetry, LiveIngest, storedBeforeFailure, type BatchDone } from '../../src/core/live/ingest';
import { groupFilters, livePlan, reqBudget } from '../../src/core/live/plan';
import { Publisher, refusesWrites, type Answer } from '../../src/core/live/publisher';
import { PerMinute } from '../../src/core/live/rate';
import { SeenBook, gapStart, seenPath } from '../../src/core/live/seen';
import { offerMissing, SCAN_READ_CHUNK, shareable } from '../../src/core/live/offer';
import { changeLines, minuteLine, readyLine } from '../../src/cli/live-view';
import { voiceOf } from '../../src/cli/voice';
import { reason, ReasonError, reasonText, textReason } from '../../src/shared/i18n';
import { renderUnit, systemdWord } from '../../src/cli/service';
import { DEFAULT_KINDS } from '../../src/shared/kinds';
import type { LivePeer, LiveStatus } from '../../src/shared/schemas';
import { keyFromSeed, note, welcomeNote } from '../../src/devkit';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('the live plan', () => {
  // keys need not be real here: 64 hex characters each, enough of them for several REQs
  const members = Array.from({ length: 4000 }, (_, i) => createHash('sha256').update(`plan ${i}`).digest('hex'));

  it('follows the backfill: author buckets with kind 5 folded in, the station pass down only', () => {
    const p = livePlan({ members, kinds: DEFAULT_KINDS, noDms: true, maxFilterElements: 200 });
    expect(p.members).toBe(4000);
    const station = p.down.filter((f) => !f.authors);
    expect(station).toEqual([{ kinds: [30800, 30850, 30851] }]);
    expect(p.up.every((f) => f.authors && f.kinds?.includes(5) && !f.kinds.includes(4))).toBe(true);
    expect(p.down.filter((f) => f.authors)).toEqual(p.up);
    expect(new Set(p.up.flatMap((f) => f.authors ?? []))).toEqual(new Set(members));
    for (const f of p.up) expect((f.authors?.length ?? 0) + (f.kinds?.length ?? 0)).toBeLessThanOrEqual(200);
    expect(p.up.every((f) => f.since === undefined)).toBe(true);
  });

  it('packs filters into REQs within the message budget, and a new member changes one REQ only', () => {
    const before = livePlan({ members, kinds: DEFAULT_KINDS, noDms: false, maxFilterElements: 200 });
    const budget = reqBudget(131072);
    const groups = groupFilters(before.down, budget);
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) expect(Buffer.byteLength(JSON.stringify(['REQ', 'sub', ...g.filters]))).toBeLessThan(131072);
    expect(groups.flatMap((g) => g.filters)).toHaveLength(before.down.length);
    const after = livePlan({ members: [...members, createHash('sha256').update('newcomer').digest('hex')], kinds: DEFAULT_KINDS, noDms: false, maxFilterElements: 200 });
    const regrouped = groupFilters(after.down, budget);
    const keys = new Set(groups.map((g) => g.key));
    expect(regrouped.filter((g) => !keys.has(g.key))).toHaveLength(1);
    expect(groupFilters(before.down, budget).map((g) => g.key)).toEqual(groups.map((g) => g.key));
  });
});

describe('back-off, rates, holders, the catch-up start', () => {
  it('doubles up to the maximum with a bounded jitter, and starts over after reset', () => {
    const mid = new Backoff(1000, 8000, 0.2, () => 0.5);
    expect([mid.next(), mid.next(), mid.next(), mid.next(), mid.next()]).toEqual([1000, 2000, 4000, 8000, 8000]);
    mid.reset();
    expect(mid.next()).toBe(1000);
    expect(new Backoff(1000, 8000, 0.2, () => 0).next()).toBe(800);
    expect(new Backoff(1000, 8000, 0.2, () => 1).next()).toBe(1200);
  });

  it('counts the last minute only', () => {
    const r = new PerMinute();
    const t = 1_000_000_000;
    r.add(3, t);
    r.add(2, t + 30_000);
    expect(r.value(t + 30_000)).toBe(5);
    expect(r.value(t + 61_000)).toBe(2);
    expect(r.value(t + 200_000)).toBe(0);
    r.add(1, t + 200_000);
    expect(r.value(t + 200_000)).toBe(1);
  });

  it('remembers who holds an event, the oldest forgotten first', () => {
    const h = new Holders(2);
    h.add('a', 'p1');
    h.add('a', 'p2');
    h.add('b', 'p1');
    expect(h.has('a', 'p2')).toBe(true);
    expect(h.has('b', 'p2')).toBe(false);
    h.add('c', 'p1');
    expect(h.size).toBe(2);
    expect(h.has('a', 'p1')).toBe(false);
  });

  it('starts a catch-up at the seen mark less the margin, within bounds', () => {
    const t = { gapMarginSec: 600, firstGapSec: 3600, maxGapSec: 86400 };
    const now = 10_000_000;
    expect(gapStart(null, now, t)).toBe(now - 3600);
    expect(gapStart(now - 5000, now, t)).toBe(now - 5600);
    expect(gapStart(now - 10, now, t)).toBe(now - 610);
    expect(gapStart(now + 1000, now, t)).toBe(now - 600);
    expect(gapStart(now - 10 * 86400, now, t)).toBe(now - 86400);
  });

  it('keeps seen marks in the data folder, only moving forward', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'live-seen-'));
    const a = new SeenBook(dir);
    expect(await a.load()).toBeNull();
    a.set('p', 100);
    a.set('p', 50);
    await a.save();
    const b = new SeenBook(dir);
    expect(await b.load()).toBeNull();
    expect(b.get('p')).toBe(100);
    await writeFile(seenPath(dir), 'not json');
    const c = new SeenBook(dir);
    const problem = await c.load();
    expect(problem?.code).toBe('live.marksUnreadable');
    expect(reasonText(problem!)).toMatch(/live\.json: .*catches up the last hour/);
    expect(c.get('p')).toBeNull();
  });
});

describe('the publisher (up)', () => {
  const key = keyFromSeed('pub');
  /** A connection whose answers the test decides; it records what was sent and how many were unanswered at once. */
  function fakeConn(answer: (e: NostrEvent) => { ok: boolean; message: string }, delayMs = 5) {
    const sent: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const conn = {
      url: 'ws://peer',
      publish: async (e: NostrEvent) => {
        sent.push(e.id);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await tick(delayMs);
        inFlight--;
        return answer(e);
      },
    } as unknown as RelayConnection;
    return { conn, sent, max: () => maxInFlight };
  }
  const make = (conn: RelayConnection, answers: Answer[], holders = new Holders(), clock = () => Date.now()) =>
    new Publisher(conn, {
      peer: 'p', inFlight: 4, maxQueue: 100, timeoutMs: 1000, refuseBackoffMs: 60_000, refuseBackoffMaxMs: 600_000, clock, holders,
      onAnswer: (a) => void answers.push(a),
    });

  it('tells a refusal of the event from a refusal of this station', () => {
    expect(refusesWrites('invalid: bad signature')).toBe(false);
    expect(refusesWrites('duplicate: have this event')).toBe(false);
    expect(refusesWrites('deleted: user requested deletion')).toBe(false);
    expect(refusesWrites('auth-required: we only accept events from registered users')).toBe(true);
    expect(refusesWrites('blocked: pubkey not in whitelist')).toBe(true);
    expect(refusesWrites('rate-limited: slow down')).toBe(true);
    expect(refusesWrites('Not allowed by the write policy')).toBe(true);
  });

  it('sends each event once, a bounded number at a time, never to a peer that holds it', async () => {
    const f = fakeConn(() => ({ ok: true, message: '' }));
    const answers: Answer[] = [];
    const holders = new Holders();
    const events = Array.from({ length: 20 }, (_, i) => note(key, `up ${i}`, 1_700_000_000 + i));
    holders.add(events[0]!.id, 'p');
    const pub = make(f.conn, answers, holders);
    for (const e of events) pub.enqueue(e);
    for (const e of events) pub.enqueue(e); // again: already queued or answered
    await pub.idle();
    expect(f.sent).toHaveLength(19);
    expect(new Set(f.sent).size).toBe(19);
    expect(f.sent).not.toContain(events[0]!.id);
    expect(f.max()).toBeLessThanOrEqual(4);
    expect(answers.every((a) => a.outcome === 'accepted')).toBe(true);
    expect(holders.has(events[5]!.id, 'p')).toBe(true);
  });

  it('counts per-event refusals by reason and backs off from a peer refusing writes', async () => {
    let now = 1_000_000;
    const f = fakeConn((e) => (e.content.includes('bad') ? { ok: false, message: 'invalid: bad signature' } : { ok: false, message: 'auth-required: sign in first' }));
    const answers: Answer[] = [];
    const pub = make(f.conn, answers, new Holders(), () => now);
    pub.enqueue(note(key, 'a bad one'));
    await pub.idle();
    expect(answers[0]).toMatchObject({ outcome: 'rejected', reason: 'invalid: bad signature' });
    expect(pub.refusing).toBe(false);
    pub.enqueue(note(key, 'refused'));
    await pub.idle();
    expect(answers[1]).toMatchObject({ outcome: 'refusing', reason: 'auth-required: sign in first', retryAt: now + 60_000 });
    expect(pub.refusing).toBe(true);
    expect(pub.enqueue(note(key, 'while refusing'))).toBe(false);
    expect(f.sent).toHaveLength(2);
    now += 60_001;
    expect(pub.refusing).toBe(false);
    expect(pub.enqueue(note(key, 'after the wait'))).toBe(true);
    await pub.idle();
    // refused again: the wait doubles
    expect(answers[2]).toMatchObject({ outcome: 'refusing', retryAt: now + 120_000 });
  });

  /** An event the fake connection takes as it is (no signature: the offer does not check one). */
  const unsigned = (content: string): NostrEvent => ({ id: createHash('sha256').update(content).digest('hex'), pubkey: key.pk, created_at: 1_700_000_000, kind: 1, tags: [], content, sig: '' });

  it('offers what a peer lacks in few reads (a strfry scan argument within Linux\'s and strfry\'s caps), sending while it reads, the queue bounded', async () => {
    const events = Array.from({ length: 4_000 }, (_, i) => unsigned(`offer ${i}`));
    const byId = new Map(events.map((e) => [e.id, e]));
    const f = fakeConn(() => ({ ok: true, message: '' }), 1);
    const reads: Array<{ ids: number; argBytes: number; sentBefore: number }> = [];
    const storeOf = (kind: 'strfry' | 'relay') =>
      ({
        kind,
        async *query(filter: Filter) {
          // what StrfryStore puts in argv: the filter JSON as one argument
          reads.push({ ids: filter.ids!.length, argBytes: Buffer.byteLength(JSON.stringify(filter)) + 1, sentBefore: f.sent.length });
          for (const id of filter.ids!) {
            yield byId.get(id)!;
          }
        },
      }) as unknown as LocalStore;
    const r = await offerMissing({ conn: f.conn, store: storeOf('strfry'), ids: events.map((e) => e.id), members: new Set([key.pk]), inFlight: 16 });
    expect(r).toMatchObject({ offered: 4_000, accepted: 4_000, refusing: null, unanswered: 0 });
    expect(new Set(f.sent).size).toBe(4_000);
    expect(reads.map((x) => x.ids)).toEqual([SCAN_READ_CHUNK, SCAN_READ_CHUNK, 4_000 - 2 * SCAN_READ_CHUNK]);
    // MAX_ARG_STRLEN (131,072 with the NUL) and strfry's 65,535 bytes of decoded ids
    for (const x of reads) expect(x.argBytes).toBeLessThanOrEqual(131_072);
    expect(SCAN_READ_CHUNK * 32).toBeLessThanOrEqual(65_535);
    // the second read starts while the first chunk's events are still being answered (overlap, not read-then-send)
    expect(reads[1]!.sentBefore).toBeLessThan(SCAN_READ_CHUNK);
    expect(f.max()).toBeLessThanOrEqual(16);
    reads.length = 0;
    f.sent.length = 0;
    await offerMissing({ conn: f.conn, store: storeOf('relay'), ids: events.slice(0, 500).map((e) => e.id), members: new Set([key.pk]) });
    expect(reads.map((x) => x.ids)).toEqual([200, 200, 100]);
  });

  it('an offer reads no further than the peer answers: the read waits while many events are unanswered', async () => {
    const events = Array.from({ length: 1_500 }, (_, i) => unsigned(`slow ${i}`));
    const byId = new Map(events.map((e) => [e.id, e]));
    const f = fakeConn(() => ({ ok: true, message: '' }), 1);
    let read = 0;
    let aheadMax = 0;
    const store = {
      kind: 'strfry',
      async *query(filter: Filter) {
        for (const id of filter.ids!) {
          read++;
          aheadMax = Math.max(aheadMax, read - f.sent.length);
          yield byId.get(id)!;
        }
      },
    } as unknown as LocalStore;
    await offerMissing({ conn: f.conn, store, ids: events.map((e) => e.id), members: new Set([key.pk]), inFlight: 16 });
    expect(f.sent).toHaveLength(1_500);
    // read but not yet sent: at most the queue's high mark (256) and one more
    expect(aheadMax).toBeLessThanOrEqual(257);
  });

  it('shares members\' events only, never a welcome note', () => {
    const members = new Set([key.pk]);
    expect(shareable(note(key, 'hi'), members)).toBe(true);
    expect(shareable(welcomeNote(key), members)).toBe(false);
    expect(shareable(note(keyFromSeed('stranger'), 'hi'), members)).toBe(false);
    expect(shareable(note(key, 'hi'), members, new Set([key.pk]))).toBe(false);
  });
});

describe('the ingest (down)', () => {
  const key = keyFromSeed('ingest');
  const asked: Filter[] = [{ kinds: [1, 5], authors: [key.pk] }];
  /** A local store that answers after `ms`, recording each import's size; fails the first `fail` imports. */
  function fakeStore(ms: number, fail = 0) {
    const imports: number[] = [];
    const store = {
      description: 'fake',
      import: async (events: readonly NostrEvent[]): Promise<ImportResult> => {
        imports.push(events.length);
        await tick(ms);
        if (fail-- > 0) throw new Error('strfry import failed: disk full');
        return { added: events.length, duplicates: 0, rejected: 0, superseded: 0, reasons: {}, bytes: 0 };
      },
    } as unknown as LocalStore;
    return { store, imports };
  }
  const make = (store: LocalStore, done: BatchDone[], lost: Array<Map<string, number>> = []) =>
    new LiveIngest({
      store: () => store, verify: false, verifier: null, blacklist: new Set(), holders: new Holders(), clock: Date.now,
      windowMs: 30, maxBatch: 50, importsInFlight: 2, maxPending: 1000,
      onImported: (d) => void done.push(d), onLost: (p) => void lost.push(p),
    });

  it('imports a lone event at once, gathers a burst while imports run, and queues an id once', async () => {
    const f = fakeStore(40);
    const done: BatchDone[] = [];
    const ingest = make(f.store, done);
    expect(ingest.offer(note(key, 'alone', 1_700_000_000), asked, 'p1')).toBe('queued');
    await tick(1);
    expect(f.imports).toEqual([1]);
    const burst = Array.from({ length: 30 }, (_, i) => note(key, `burst ${i}`, 1_700_000_001 + i));
    for (const e of burst) ingest.offer(e, asked, 'p1');
    expect(ingest.offer(burst[0]!, asked, 'p2')).toBe('duplicate');
    await ingest.drain(2000);
    expect(f.imports.reduce((a, b) => a + b, 0)).toBe(31);
    expect(f.imports.length).toBeLessThanOrEqual(3);
    // once imported, the same event again is the sieve's duplicate, not another import
    expect(done.reduce((a, d) => a + (d.peers.get('p1')?.count ?? 0), 0)).toBe(31);
  });

  it('drops what the sieve drops: not asked for, a welcome note, malformed', async () => {
    const f = fakeStore(1);
    const ingest = make(f.store, []);
    expect(ingest.offer(note(keyFromSeed('stranger'), 'x'), asked, 'p')).toBe('dropped');
    expect(ingest.offer(welcomeNote(key), asked, 'p')).toBe('dropped');
    expect(ingest.offer({ id: 'nope' }, asked, 'p')).toBe('dropped');
    await ingest.drain(500);
    expect(f.imports).toEqual([]);
    expect(ingest.totals.dropped).toEqual({ 'off-filter': 1, welcome: 1, malformed: 1 });
  });

  it('an event seen on the local relay is not imported when a peer sends it back', async () => {
    const f = fakeStore(1);
    const ingest = make(f.store, []);
    const mine = note(key, 'written here');
    ingest.heldLocally(mine);
    expect(ingest.offer(mine, asked, 'p')).toBe('duplicate');
    await ingest.drain(500);
    expect(f.imports).toEqual([]);
  });

  it('retries a failed import, then hands the events back for a catch-up', async () => {
    const ok = fakeStore(1, 1);
    const done: BatchDone[] = [];
    const ingest = make(ok.store, done);
    ingest.offer(note(key, 'retried', 1_700_000_100), asked, 'p');
    await ingest.drain(3000);
    expect(ok.imports).toEqual([1, 1]);
    expect(done).toHaveLength(1);

    const bad = fakeStore(1, 99);
    const lost: Array<Map<string, number>> = [];
    const failing = make(bad.store, [], lost);
    failing.offer(note(key, 'lost', 1_700_000_200), asked, 'p');
    await failing.drain(6000);
    expect(bad.imports).toHaveLength(3);
    expect(lost).toEqual([new Map([['p', 1_700_000_200]])]);
    expect(failing.pending).toBe(0);
  }, 15_000);

  it('an import that died after storing part of its batch: the retry counts those events imported, not duplicates', async () => {
    const held = new Set<string>();
    const imports: number[] = [];
    let dieAfter: number | null = 3;
    const store = {
      description: 'fake strfry',
      import: async (events: readonly NostrEvent[]): Promise<ImportResult> => {
        imports.push(events.length);
        await tick(1);
        if (dieAfter !== null) {
          // strfry committed the first lines, then was killed: it said how many it had committed
          for (const e of events.slice(0, dieAfter)) held.add(e.id);
          const committed = dieAfter;
          dieAfter = null;
          throw new ReasonError(reason('strfry.failed', { what: 'import', bin: 'strfry', conf: 'strfry.conf', signal: 'SIGKILL', code: null, detail: '', committed, sent: events.length }));
        }
        const fresh = events.filter((e) => !held.has(e.id));
        for (const e of fresh) held.add(e.id);
        return { added: fresh.length, duplicates: events.length - fresh.length, rejected: 0, superseded: 0, reasons: {}, bytes: 0 };
      },
    } as unknown as LocalStore;
    const ingest = make(store, []);
    for (let i = 0; i < 10; i++) ingest.offer(note(key, `half stored ${i}`, 1_700_000_300 + i), asked, 'p');
    await ingest.drain(5000);
    expect(imports).toEqual([10, 10]);
    expect(ingest.totals).toMatchObject({ imported: 10, duplicates: 0 });
    // a repeat the store really held before is still a duplicate
    expect(afterRetry({ added: 7, duplicates: 3, rejected: 0, superseded: 0, reasons: {}, bytes: 0 }, 2)).toMatchObject({ added: 9, duplicates: 1 });
    expect(storedBeforeFailure(reason('text', { text: 'relay went away' }), 25)).toBe(25);
  }, 10_000);
});

describe('what `constellation live` prints', () => {
  const peer = (over: Partial<LivePeer>): LivePeer => ({
    peer: '12D3KooWpeer', peerId: '12D3KooWpeer', hostname: 'alpha', route: 'tunnel', via: null, state: 'connecting', stateSince: 0,
    retryAt: null, reason: null, downSince: null, method: null, writes: 'ok', writesReason: null, writesRetryAt: null, inPerMinute: 0,
    outPerMinute: 0, lastEventAt: null, lagMs: null, received: 0, sent: 0, refused: {}, catchUps: 0, ...over,
  });
  const status = (peers: LivePeer[]): LiveStatus => ({
    running: true, reason: null, startedAt: 0, share: true, local: { connected: true, reason: null }, members: 12, peers,
    totals: { imported: 0, duplicates: 0, rejected: 0, dropped: {}, sent: 0 },
  });

  const en = voiceOf('en');
  const fr = voiceOf('fr');
  const NB = '\u00a0';

  it('says each change of a peer once, in English and French, its reason by its code', () => {
    const a = status([peer({})]);
    const b = status([peer({ state: 'connected', via: 'tunnel' })]);
    const c = status([peer({ state: 'reconnecting', retryAt: 10_000, reason: 'connection reset' })]);
    expect(changeLines(null, a, en, false)).toEqual(['alpha: connecting']);
    expect(changeLines(a, b, en, false)).toEqual(['alpha: connected (through its tunnel)']);
    expect(changeLines(b, b, en, false)).toEqual([]);
    expect(changeLines(b, c, fr, false, 5_000)).toEqual([`alpha: reconnexion dans 5${NB}s — connection reset`]);
    const why = reason('live.localRelay', { url: 'ws://127.0.0.1:7777', why: textReason('closed') });
    const d = status([peer({ state: 'reconnecting', retryAt: 10_000, reason: reasonText(why), why })]);
    expect(changeLines(b, d, en, false, 5_000)).toEqual(['alpha: reconnecting in 5 s — local relay ws://127.0.0.1:7777: closed']);
    expect(changeLines(b, d, fr, false, 5_000)).toEqual([`alpha: reconnexion dans 5${NB}s — relais local ws://127.0.0.1:7777${NB}: closed`]);
    const refused = status([peer({ state: 'connected', via: 'direct', writes: 'refused', writesReason: 'blocked: no' })]);
    expect(changeLines(b, refused, en, false)).toContain("alpha: refuses this station's events (blocked: no)");
  });

  it('folds its lines to the terminal width (never a word cut)', () => {
    const why = reason('live.catchUpFailed', { why: textReason('peer 12D3KooW…AbCd (alpha): connection reset by the peer'), retrySeconds: 60 });
    const d = status([peer({ state: 'reconnecting', retryAt: 65_000, reason: reasonText(why), why })]);
    const lines = changeLines(status([peer({})]), d, en, false, 5_000, 40);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(40);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toBe(changeLines(status([peer({})]), d, en, false, 5_000)[0]);
  });

  it('speaks JSON, one object per line, with --json', () => {
    const line = changeLines(null, status([peer({ state: 'connected', via: 'direct' })]), en, true, 42)[0]!;
    expect(JSON.parse(line)).toMatchObject({ type: 'peer', time: 42, hostname: 'alpha', state: 'connected', via: 'direct' });
    expect(JSON.parse(readyLine(status([peer({})]), en, true))).toMatchObject({ type: 'ready', peers: 1, members: 12 });
    expect(readyLine(status([peer({})]), en, false)).toBe('Constellation live: following 1 peer and 12 members; stop with Ctrl-C');
    expect(readyLine(status([peer({})]), fr, false)).toContain('1 pair suivi, 12 membres');
    const m = status([peer({ state: 'connected', inPerMinute: 3, outPerMinute: 4 })]);
    expect(minuteLine(m, en, false)).toBe('live: 1 of 1 peer connected; last minute 3 in, 4 out');
    expect(JSON.parse(minuteLine(m, en, true))).toMatchObject({ type: 'minute', connected: 1, in: 3, out: 4 });
  });
});

describe('the systemd user unit', () => {
  it('quotes what needs quoting and leaves no placeholder', () => {
    expect(systemdWord('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdWord('/home/a b/x')).toBe('"/home/a b/x"');
    expect(systemdWord('a$b"c')).toBe('"a$$b\\"c"');
    const unit = renderUnit('[Service]\n@ENVIRONMENT@\nExecStart=@EXEC_START@\n', { node: '/n', script: '/s/bin/constellation.mjs', port: 7790, env: {} });
    expect(unit).toBe('[Service]\nExecStart=/n /s/bin/constellation.mjs serve --schedule --live --port 7790\n');
  });
});
