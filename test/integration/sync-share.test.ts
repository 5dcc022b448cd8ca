/**
 * The share side of the hourly run (issue 16): with "Share this station's events with the constellation" on, the
 * NIP-77 reconciliation also sends each peer the members' events it lacks — on the first run (reconciled against
 * the whole local relay) and on later runs (the peer's known set plus what the local relay got since) — never a
 * non-member's event, never twice; with the setting off, nothing goes up.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine';
import { DEFAULT_TIMEOUTS, makeConfig } from '../../src/core/config';
import type { RunReport } from '../../src/shared/schemas';
import { summaryLines } from '../../src/cli/commands/sync-view';
import { voiceOf } from '../../src/cli/voice';
import { renderReportHtml } from '../../src/core/sync/report-html';
import {
  TestRelay,
  buildStation,
  keyFromSeed,
  note,
  onCleanup,
  runCleanup,
  startStrfryStation,
  tmpDir,
  type BuiltStation,
  type StrfryStation,
} from '../support';

const TIMEOUTS = { ...DEFAULT_TIMEOUTS, connect: 2000, nip11: 1500, negProbe: 1500, idle: 3000, peerAttempts: 1 };
const sec = (): number => Math.floor(Date.now() / 1000);

afterAll(() => runCleanup());

async function setUp(seed: string): Promise<{ built: BuiltStation; local: StrfryStation; peer: TestRelay }> {
  const dir = await tmpDir(`share-${seed}-`);
  const peer = await TestRelay.start({ countEvents: true });
  onCleanup(() => peer.stop());
  const built = await buildStation({ seed, peers: [{ relayUrl: peer.url, hostname: 'p0' }], members: { emails: 2 }, amisOfAmis: 1 });
  onCleanup(() => built.cleanup());
  const local = await startStrfryStation(join(dir, 'strfry'));
  onCleanup(() => local.stop());
  return { built, local, peer };
}

async function engineFor(s: { built: BuiltStation; local: StrfryStation; peer: TestRelay }, liveShare: boolean): Promise<Engine> {
  const dataDir = await tmpDir('share-data-');
  const engine = new Engine(
    makeConfig({
      dataDir,
      home: dataDir,
      overrides: {
        zenRoot: s.built.root, relayUrl: s.local.relayUrl, strfryBin: s.local.strfryBin, strfryConf: s.local.strfryConf,
        directRelays: [s.peer.url], fallbackRelays: [], verify: false, liveShare,
      },
      timeouts: TIMEOUTS,
    }),
    { live: 'off' },
  );
  await engine.start();
  onCleanup(() => engine.stop());
  return engine;
}

async function syncOnce(engine: Engine, noShare = false): Promise<RunReport> {
  const { done } = await engine.sync.start({ noProfiles: true, ...(noShare ? { noShare: true } : {}) });
  const r = await done;
  expect(r.outcome, JSON.stringify(r.peers.map((p) => p.reason))).toBe('success');
  return r;
}

describe('the hourly run shares what peers lack (setting liveShare)', () => {
  it("sends a peer the members' events it lacks, on the first run and on later ones, each once", async () => {
    const s = await setUp('share-on');
    const member = Object.values(s.built.keys.users)[0]!;
    const stranger = keyFromSeed('share-stranger');
    const held = note(member, 'held by both', sec() - 3000);
    const mine = note(member, 'written here before the first run', sec() - 2000);
    const foreign = note(stranger, 'not a member', sec() - 1000);
    await s.local.relay.seed([held, mine, foreign]);
    await s.peer.seed([held]);
    const engine = await engineFor(s, true);

    const first = await syncOnce(engine);
    expect(await s.peer.count({ ids: [mine.id] })).toBe(1);
    expect(s.peer.received(mine.id)).toBe(1);
    // the report says what went up, per peer and in all (not only the log), and so do the command and the HTML report
    expect(first.shared).toEqual({ offered: 1, accepted: 1, duplicates: 0, refused: 0, unanswered: 0, refusingPeers: 0 });
    expect(first.peers.map((p) => p.shared)).toEqual([first.shared]);
    expect(summaryLines(first, voiceOf('en'))).toContain('shared 1 event with peers: 1 accepted, 0 already held, 0 refused, 0 unanswered');
    expect(summaryLines(first, voiceOf('fr'))).toContain('partagé 1 événement avec les pairs\u00a0: 1 acceptés, 0 déjà détenus, 0 refusés, 0 sans réponse');
    expect(renderReportHtml(first, 'en')).toContain('Shared with peers (the members&#39; events they lacked): sent 1, accepted 1,');
    expect(renderReportHtml(first, 'fr')).toContain('envoyés 1, acceptés 1,');
    // the history keeps it for the window
    expect((await engine.call('history.get', { id: first.id }))?.shared?.offered).toBe(1);
    expect(s.peer.received(foreign.id)).toBe(0);
    expect(s.peer.received(held.id)).toBe(0);

    // the second run reconciles against the peer's known set: a note written here since must still show as lacking
    const later = note(member, 'written here between two runs', sec() - 10);
    await s.local.relay.seed([later]);
    const second = await syncOnce(engine);
    expect(second.shared?.offered).toBe(1);
    expect(await s.peer.count({ ids: [later.id] })).toBe(1);
    expect(s.peer.received(later.id)).toBe(1);
    expect(s.peer.received(mine.id)).toBe(1); // not sent again
    expect(s.peer.received(foreign.id)).toBe(0);
  }, 60_000);

  it('sends nothing with the setting off', async () => {
    const s = await setUp('share-off');
    const member = Object.values(s.built.keys.users)[0]!;
    const mine = note(member, 'written here, not shared', sec() - 2000);
    const theirs = note(member, 'on the peer', sec() - 1500);
    await s.local.relay.seed([mine]);
    await s.peer.seed([theirs]);
    const engine = await engineFor(s, false);
    const r = await syncOnce(engine);
    expect(r.shared).toBeUndefined();
    expect(r.peers[0]?.shared).toBeUndefined();
    expect(summaryLines(r, voiceOf('en')).join('\n')).not.toMatch(/^shared /m);
    expect(await s.local.relay.count({ ids: [theirs.id] })).toBe(1); // the run did pull
    expect(s.peer.received(mine.id)).toBe(0);
    expect(await s.peer.count({ ids: [mine.id] })).toBe(0);
  }, 60_000);

  it('sends nothing on a run asked not to (sync --no-share), the setting on', async () => {
    const s = await setUp('share-run-off');
    const member = Object.values(s.built.keys.users)[0]!;
    const mine = note(member, 'written here, this run shares nothing', sec() - 2000);
    await s.local.relay.seed([mine]);
    const engine = await engineFor(s, true);
    expect((await syncOnce(engine, true)).shared).toBeUndefined();
    expect(s.peer.received(mine.id)).toBe(0);
    expect((await syncOnce(engine)).shared).toMatchObject({ offered: 1, accepted: 1 });
    expect(s.peer.received(mine.id)).toBe(1);
  }, 60_000);
});
