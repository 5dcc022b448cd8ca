// Private keys live next to the members' HEX files. This test observes every file the station code opens
// (a pass-through spy on node:fs/promises: the real functions still run) and shows that no secret file is ever
// opened and that, inside a member folder, only HEX is. The secrets are also chmod 000 (which root ignores,
// hence the observation) and nothing fails.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { basename, join, relative, sep } from 'node:path';
import { mkdir, symlink, writeFile } from 'node:fs/promises';

const seen = vi.hoisted(() => ({ open: [] as string[], readFile: [] as string[], readdir: [] as string[] }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs/promises')>();
  const spy = <K extends 'open' | 'readFile' | 'readdir'>(name: K) =>
    ((...args: unknown[]) => {
      seen[name].push(String(args[0]));
      return (orig[name] as (...a: unknown[]) => unknown)(...args);
    }) as (typeof orig)[K];
  const wrapped = { ...orig, open: spy('open'), readFile: spy('readFile'), readdir: spy('readdir') };
  return { ...wrapped, default: wrapped };
});

import { buildStation, type BuiltStation } from '../../src/devkit/station-builder';
import { createStationService } from '../../src/core/station';
import { stationOnlyContext } from '../support/engine-context';
import { SECRET_FILE } from '../../src/core/util/fs';

let station: BuiltStation;

beforeAll(async () => {
  station = await buildStation({ seed: 'secrets', peers: 2, flashmem: 2, members: { emails: 3, secrets: true, unreadableSecrets: true } });
  // A member whose HEX is a symlink to its own private key: following it would open the secret.
  const trap = join(station.root, 'game', 'nostr', 'trap@example.org');
  await mkdir(trap, { recursive: true });
  await writeFile(join(trap, '.secret.nostr'), 'ab'.repeat(32));
  await symlink('.secret.nostr', join(trap, 'HEX'));
  // Secrets in flashmem folders too.
  for (const f of ['f0', 'f1']) {
    await mkdir(join(station.root, 'flashmem', f), { recursive: true });
    await writeFile(join(station.root, 'flashmem', f, '.secret.nostr'), 'JUNK', { mode: 0o000 });
  }
});

afterAll(async () => {
  await station.cleanup();
});

describe('secret files in member folders', () => {
  it('are never opened, and only HEX is opened inside member folders', async () => {
    seen.open.length = seen.readFile.length = seen.readdir.length = 0;
    const ctx = stationOnlyContext(station.root);
    const service = createStationService(ctx);
    await service.start();
    try {
      const snap = await service.snapshot();
      const members = await service.members();
      const stats = await service.stats();
      // Nothing failed: the station reads whole, the members are all there.
      expect(snap.found).toBe(true);
      expect(new Set(members.members.map((m) => m.hex))).toEqual(new Set(Object.keys(station.members)));
      expect(stats.events).toBeNull();
      expect(stats.method).toMatch(/no local store/);
      expect(snap.problems.filter((p) => /secret|\.pass|multipass|zine/.test(p.path))).toEqual([]);
      expect(snap.problems).toContainEqual({ path: 'game/nostr/trap@example.org/HEX', reason: 'symlink to a private-key file, refused', why: { code: 'file.secretLink' } });
      expect(members.members.some((m) => m.hex === 'ab'.repeat(32))).toBe(false);
    } finally {
      await service.stop();
    }

    const opened = [...seen.open, ...seen.readFile];
    expect(opened.length).toBeGreaterThan(5); // the spy really sees the reads
    expect(station.secretFiles.length).toBeGreaterThan(0);
    for (const path of opened) {
      expect(SECRET_FILE.test(basename(path)), path).toBe(false);
      const rel = relative(station.root, path).split(sep);
      const inMemberFolder = (rel[0] === 'game' && rel[1] === 'nostr' && rel.length > 3) || (rel[0] === 'flashmem' && rel.length > 2);
      if (inMemberFolder) expect(basename(path), path).toBe('HEX');
    }
    // Member folders are not even listed: the reader goes straight to <folder>/HEX.
    for (const dir of seen.readdir) {
      const rel = relative(station.root, dir).split(sep);
      const memberFolder = (rel[0] === 'game' && rel[1] === 'nostr' && rel.length >= 3) || (rel[0] === 'flashmem' && rel.length >= 2);
      expect(memberFolder, dir).toBe(false);
    }
  });
});
