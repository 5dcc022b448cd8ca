/**
 * A station root that is not a station is not a success: `sync` on a missing folder (a typo in --zen-root from
 * cron) or an empty one exits 1 with the reason, and writes nothing there — no lock, no log tree, no empty
 * profiles export (issue 17, item 4). `peers` and `info` already said "no station found"; `sync` said "success".
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCleanup, runCli, tmpDir } from '../support';

afterAll(runCleanup);

// Services nobody answers on: the refusal must come before any of them is needed.
const services = ['--relay-url', 'ws://127.0.0.1:1', '--kubo-api', 'http://127.0.0.1:1', '--strfry-bin', '/nonexistent/strfry'];

describe('sync on a folder that is not a station', () => {
  it('a missing folder: exit 1, the reason, nothing created', async () => {
    const tmp = await tmpDir('cli-root-');
    const root = join(tmp, 'does-not-exist');
    const [real, dry] = await Promise.all([
      runCli(['--zen-root', root, '--data-dir', join(tmp, 'data'), ...services, 'sync', '--days', '1']),
      runCli(['--zen-root', root, '--data-dir', join(tmp, 'data-dry'), ...services, 'sync', '--dry-run', '--json']),
    ]);
    for (const r of [real, dry]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`no station at ${root}: the folder does not exist`);
      expect(r.stdout).not.toMatch(/success/);
    }
    expect(existsSync(root)).toBe(false);
  });

  it('an empty folder: exit 1, the reason, still empty (no _NIP101.profiles.json, no log tree)', async () => {
    const tmp = await tmpDir('cli-root-');
    const root = join(tmp, 'empty');
    await mkdir(root);
    const r = await runCli(['--zen-root', root, '--data-dir', join(tmp, 'data'), ...services, 'sync']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`no station at ${root}: it holds no tmp/, strfry/ or game/ folder`);
    expect(await readdir(root)).toEqual([]);
  });
});
