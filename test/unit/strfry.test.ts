// Pure parts of the strfry store: strfry.conf's maxEventSize, strfry's reason in its log, the swarm-folder guard.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkStrfryBinary, readMaxEventSize, strfryReason, STRFRY_DEFAULT_MAX_EVENT_SIZE } from '../../src/core/store/strfry-store';

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
