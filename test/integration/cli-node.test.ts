/**
 * The command on a Node too old for it (issue 17, item 14): `node bin/constellation.mjs sync --demo` with the
 * system's Node 20 died with a segmentation fault (better-sqlite3 13 on Node 20, exit 139, no message). Started by
 * an older Node, the command runs itself again on the Node the project installs (node_modules/node), or says in
 * one line which Node it needs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCleanup, tmpDir } from '../support';

afterAll(runCleanup);

/** The machine's own Node (not the project's), when there is one older than 22: what a captain's `node` may be. */
function oldSystemNode(): { path: string; version: string } | null {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(path)) continue;
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (Number(version.replace(/^v/, '').split('.')[0]) < 22) return { path, version };
  }
  return null;
}

const old = oldSystemNode();
if (!old) console.log('cli-node: no system Node older than 22 on this machine (/usr/bin/node, /usr/local/bin/node): nothing to run the command with');

function run(node: string, args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    // PATH without node_modules/.bin, as a captain's shell has it.
    const path = (process.env.PATH ?? '').split(':').filter((p) => !p.includes('node_modules')).join(':');
    const child = spawn(node, [join(REPO_ROOT, 'bin', 'constellation.mjs'), ...args], { cwd: REPO_ROOT, env: { ...process.env, PATH: path, CONSTELLATION_DEMO: '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, out, err });
    });
  });
}

describe.skipIf(!old)('the command started by an older Node', () => {
  it('runs on the project’s Node: the demo (native SQLite) works instead of crashing', async () => {
    const dataDir = await tmpDir('cli-node-');
    const r = await run(old!.path, ['--data-dir', dataDir, 'info', '--demo', '--json']);
    expect(r.signal, r.err).toBeNull();
    expect(r.code, r.err).toBe(0);
    const info = JSON.parse(r.out) as { demo: boolean; nodeVersion: string; services: { relay: { reachable: boolean } } };
    expect(info.demo).toBe(true);
    expect(info.services.relay.reachable).toBe(true);
    expect(Number(info.nodeVersion.split('.')[0])).toBeGreaterThanOrEqual(22);
  }, 200_000);

  it('says in one line which Node it needs when there is none to run on', async () => {
    const r = await run(old!.path, ['--version'], { CONSTELLATION_NODE: join(REPO_ROOT, 'no-such-node') });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`needs Node.js 22 or newer, this is Node ${old!.version.replace(/^v/, '')}`);
  });
});
