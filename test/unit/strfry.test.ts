// Pure parts of the strfry store: strfry.conf's maxEventSize, strfry's reason in its log, the swarm-folder guard,
// the import log's counts (every case of strfry-import.md), the events a batch supersedes itself.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStrfryBinary, readMaxEventSize, strfryReason, STRFRY_DEFAULT_MAX_EVENT_SIZE } from '../../src/core/store/strfry-store';
import { ImportLogReader, readImportLog, settleImport } from '../../src/core/store/strfry-import-log';
import { supersededInBatch, viewOf } from '../../src/core/store/batch-rules';
import { PackedEvents } from '../../src/core/store/packed';
import { article, deletion, keysFromSeed, note, profile, sign } from '../../src/devkit';
import { importCases } from '../fixtures/strfry-import-cases';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('strfry.conf', () => {
  it('reads events.maxEventSize in block and dotted form, ignoring comments, else the default', () => {
    expect(readMaxEventSize('db = "./strfry-db/"\nevents {\n    # maxEventSize = 1\n    maxEventSize = 131072\n    rejectEventsNewerThanSeconds = 900\n}\n')).toBe(131_072);
    expect(readMaxEventSize('relay { maxEventSize = 5 }\nevents.maxEventSize = 4096\n')).toBe(4096);
    expect(readMaxEventSize('relay {\n  maxFilterLimit = 500\n}\nevents {\n  maxNumTags = 2000\n}\n')).toBe(STRFRY_DEFAULT_MAX_EVENT_SIZE);
    expect(readMaxEventSize('')).toBe(65_536);
  });
});

describe("strfry's reason", () => {
  it("prefers the `strfry error:` line, else the last log line without loguru's preamble", () => {
    const log = [
      '2026-01-01 10:00:00.000 (   0.001s) [main thread     ]INFO| arguments: ./strfry import',
      '2026-01-01 10:00:00.100 (   0.101s) [Writer          ]INFO| Committed 2. Processed 2 lines. 2 added, 0 rejected, 0 dups',
      'strfry error: Line larger than configured maxEventSize on line 3',
    ].join('\n');
    expect(strfryReason(log)).toBe('strfry error: Line larger than configured maxEventSize on line 3');
    expect(strfryReason('2026-01-01 10:00:00.000 (   0.001s) [main thread     ]WARN| something odd\n')).toBe('something odd');
    expect(strfryReason('')).toBe('no message');
  });
});

describe('the swarm-folder guard', () => {
  it('refuses a binary under tmp/swarm, also through a symlink, and accepts the station\'s own', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strfry-guard-'));
    dirs.push(root);
    const peer = join(root, 'tmp', 'swarm', '12D3KooWPeer');
    await mkdir(peer, { recursive: true });
    await mkdir(join(root, 'strfry'), { recursive: true });
    await writeFile(join(peer, 'strfry'), '#!/bin/sh\n');
    await writeFile(join(root, 'strfry', 'strfry'), '#!/bin/sh\n');
    await symlink(join(peer, 'strfry'), join(root, 'strfry', 'linked'));
    expect(() => checkStrfryBinary(join(peer, 'strfry'), root)).toThrow(/inside the swarm folder/);
    expect(() => checkStrfryBinary(join(root, 'strfry', 'linked'), root)).toThrow(/inside the swarm folder/);
    expect(() => checkStrfryBinary(join(root, 'strfry', 'strfry'), root)).not.toThrow();
    expect(() => checkStrfryBinary(join(root, 'tmp', 'swarmish', 'strfry'), root)).not.toThrow();
  });
});

describe("strfry import's log, read as the store reads it (strfry-import-log.ts)", () => {
  const NOW = 1_800_000_000;
  const pre = (thread: string, level = 'INFO'): string => `2026-12-01 19:35:28.377 (   0.048s) [${thread.padEnd(16)}]${level}| `;
  /** A whole stderr as strfry prints it: its config lines, then the case's lines (thread as the source says). */
  const stderrOf = (lines: readonly string[]): string =>
    [
      `${pre('main thread')}arguments: ./strfry import`,
      `${pre('main thread')}CONFIG: Loading config from file: strfry.conf`,
      `${pre('main thread')}CONFIG: successfully installed`,
      ...lines.map((l) => (/^(Committed|Writer:|Deleting)/.test(l) ? pre('Writer') : pre('main thread', /^(Unable|not verifying)/.test(l) ? 'WARN' : 'INFO')) + l),
    ].join('\n') + '\n';

  it('answers for every line of every case of strfry-import.md', () => {
    for (const c of importCases(NOW)) {
      const verify = !c.flags.includes('--no-verify');
      const settled = settleImport(readImportLog(stderrOf(c.lines)), c.counts.sent, { verify, nameLine: (n) => `line ${n} of ${c.name}` });
      expect({ added: settled.added, duplicates: settled.duplicates, rejected: settled.rejected, superseded: settled.superseded }, c.name).toEqual({
        added: c.counts.added,
        duplicates: c.counts.duplicates,
        rejected: c.counts.rejected,
        superseded: c.counts.superseded,
      });
      expect(settled.added + settled.duplicates + settled.rejected + settled.superseded, c.name).toBe(c.counts.sent);
      for (const n of c.counts.unparsed) expect(settled.reasons[`strfry import: unable to parse JSON on line ${n} (line ${n} of ${c.name})`], c.name).toBe(1);
    }
  });

  it('reads the log in chunks of any size as it arrives', () => {
    const c = importCases(NOW)[1]!;
    const text = stderrOf(c.lines);
    const whole = readImportLog(text);
    for (const size of [1, 7, 64]) {
      const r = new ImportLogReader();
      for (let i = 0; i < text.length; i += size) r.push(text.slice(i, i + size));
      expect(r.end()).toEqual(whole);
    }
    expect(whole.writer).toEqual({ passes: 1, added: 0, dups: 0, replaced: 1, deleted: 1, outcomes: true });
  });

  it('sums several writer passes, and takes strfry 1.0 logs (no replaced/deleted: those were dups then)', () => {
    const many = [
      'Committed 3. Processed 5 lines. 3 added, 0 rejected, 1 dups',
      'Writer: added: 3 dups: 1 replaced: 1 deleted: 0',
      'Committed 1. Processed 9 lines. 4 added, 1 rejected, 2 dups',
      'Writer: added: 1 dups: 1 replaced: 0 deleted: 1',
      'Writer: added: 0 dups: 0 replaced: 0 deleted: 0',
      'Done. Processed 9 lines. 4 added, 1 rejected, 2 dups',
    ];
    expect(settleImport(readImportLog(stderrOf(many)), 9, { verify: true })).toMatchObject({ added: 4, duplicates: 2, rejected: 1, superseded: 2 });
    const old = ['Committed 2. Processed 3 lines. 2 added, 0 rejected, 1 dups', 'Writer: added: 2 dups: 1', 'Done. Processed 3 lines. 2 added, 0 rejected, 1 dups'];
    expect(settleImport(readImportLog(stderrOf(old)), 3, { verify: false })).toMatchObject({ added: 2, duplicates: 1, superseded: 0 });
  });

  it('refuses counts that do not add up, a missing Done line, and lines that went missing', () => {
    const log = (lines: string[]) => readImportLog(stderrOf(lines));
    expect(() => settleImport(log(['Writer: added: 0 dups: 0 replaced: 0 deleted: 0', 'Done. Processed 2 lines. 0 added, 0 rejected, 0 dups']), 2, { verify: true })).toThrow(
      /do not add up.*2 events are in no count but the Writer lines say 0 replaced and 0 deleted/,
    );
    expect(() => settleImport(log(['Committed 1. Processed 1 lines. 1 added, 0 rejected, 0 dups', 'Writer: added: 1 dups: 0 replaced: 0 deleted: 0']), 1, { verify: true })).toThrow(
      /printed no "Done\./,
    );
    expect(() => settleImport(log(['Writer: added: 0 dups: 0 replaced: 0 deleted: 0', 'Done. Processed 1 lines. 0 added, 0 rejected, 1 dups']), 3, { verify: true })).toThrow(
      /read 1 of the 3 lines sent/,
    );
    expect(() => settleImport(log(['Committed 1. Processed 1 lines. 1 added, 0 rejected, 0 dups', 'Writer: added: 1 dups: 0 replaced: 0 deleted: 0', 'Done. Processed 1 lines. 2 added, 0 rejected, 0 dups']), 1, { verify: true })).toThrow(
      /do not add up/,
    );
  });

  it("takes strfry's reasons from --show-rejected lines (1.1.1-144 and older wordings), and names lines it could not parse", () => {
    const lines = [
      `Rejected event ${'a'.repeat(64)}: bad signature`,
      'Rejected event unknown: event is not an object',
      'Rejected event: {"id":"x"} reason: unexpected size for fixed-size tag: e',
      'Unable to parse JSON on line 4',
      ...[5, 6, 7, 8, 9, 10].map((n) => `Unable to parse JSON on line ${n}`),
      'Committed 1. Processed 4 lines. 1 added, 3 rejected, 0 dups',
      'Writer: added: 1 dups: 0 replaced: 0 deleted: 0',
      'Done. Processed 4 lines. 1 added, 3 rejected, 0 dups',
    ];
    const s = settleImport(readImportLog(stderrOf(lines)), 11, { verify: true, nameLine: (n) => `event ${n}` });
    expect(s.rejected).toBe(10);
    expect(s.reasons).toEqual({
      'strfry import: bad signature': 1,
      'strfry import: event is not an object': 1,
      'strfry import: unexpected size for fixed-size tag: e': 1,
      'strfry import: unable to parse JSON on line 4 (event 4)': 1,
      'strfry import: unable to parse JSON on line 5 (event 5)': 1,
      'strfry import: unable to parse JSON on line 6 (event 6)': 1,
      'strfry import: unable to parse JSON on line 7 (event 7)': 1,
      'strfry import: unable to parse JSON on line 8 (event 8)': 1,
      'strfry import: unable to parse JSON (2 more lines)': 2,
    });
    // without --show-rejected lines, the reason stays general
    const bare = settleImport(readImportLog(stderrOf(['Writer: added: 0 dups: 0 replaced: 0 deleted: 0', 'Done. Processed 2 lines. 0 added, 2 rejected, 0 dups'])), 2, { verify: true });
    expect(bare.reasons).toEqual({ 'strfry import: bad id or signature': 2 });
  });
});

describe('events a batch supersedes itself (batch-rules.ts)', () => {
  const NOW = 1_800_000_000;
  const [k, o] = keysFromSeed('batch-rules', 2) as [ReturnType<typeof keysFromSeed>[number], ReturnType<typeof keysFromSeed>[number]];

  it('keeps the newest version per address (ties: the smaller id), and drops what a kind 5 of the batch deletes', () => {
    const p1 = profile(k, { n: 1 }, NOW - 10);
    const p2 = profile(k, { n: 2 }, NOW - 5);
    const a1 = article(k, 'd1', 'old', NOW - 10);
    const a2 = article(k, 'd1', 'new', NOW - 5);
    const other = article(k, 'd2', 'other address', NOW - 10);
    const tieA = sign(k, { kind: 10002, created_at: NOW, tags: [], content: 'a' });
    const tieB = sign(k, { kind: 10002, created_at: NOW, tags: [], content: 'b' });
    const victim = note(k, 'deleted', NOW - 20);
    const notMine = note(o, 'not the deleter\'s', NOW - 20);
    const del = deletion(k, [victim.id, notMine.id], NOW - 1);
    const aDel = sign(k, { kind: 5, created_at: NOW - 7, tags: [['a', `30023:${k.pk}:d2`]], content: '' });
    const batch = [p2, p1, a1, a2, other, tieA, tieB, victim, notMine, del, aDel];
    const dropped = supersededInBatch(viewOf(batch)).map((i) => batch[i]);
    const loser = tieA.id > tieB.id ? tieA : tieB;
    expect(new Set(dropped)).toEqual(new Set([p1, a1, loser, victim, other]));
    // the same through a packed batch
    expect(supersededInBatch(PackedEvents.of(batch))).toEqual(supersededInBatch(viewOf(batch)));
  });

  it('treats kind 41 as replaceable and a `d` tag over 255 bytes as absent, like strfry', () => {
    const c1 = sign(k, { kind: 41, created_at: NOW - 2, tags: [], content: 'one' });
    const c2 = sign(k, { kind: 41, created_at: NOW - 1, tags: [], content: 'two' });
    const long = sign(k, { kind: 30023, created_at: NOW - 2, tags: [['d', 'x'.repeat(300)]], content: '' });
    const empty = sign(k, { kind: 30023, created_at: NOW - 1, tags: [], content: '' });
    const batch = [c1, c2, long, empty];
    expect(supersededInBatch(viewOf(batch)).map((i) => batch[i])).toEqual([c1, long]);
  });
});
