// Files we write (issue 15, attacks 11 and 13): a failed write leaves no temporary file and keeps the previous
// file; a crash's leftovers are swept at start (only ours, in our folders); settings.json (kuboAuth) is private.
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepTempFiles, tightenFile, writeFileAtomic } from '../../src/core/util/fs';
import { sweepLeftovers } from '../../src/core/leftovers';
import { Logger } from '../../src/core/log';
import { EngineEvents } from '../../src/core/events';
import { SettingsStore } from '../../src/core/settings';
import { acquireLock } from '../../src/core/sync/lock';

const ROOT = resolve(__dirname, '../..');
const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'constellation-files-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
const temps = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.endsWith('.tmp'));
const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

/** Runs writeFileAtomic in a child whose file size limit (ulimit -f, KiB) makes a big write fail with EFBIG. */
function writeUnderSizeLimit(path: string, bytes: number, limitKiB: number): Promise<string> {
  const script = `import { writeFileAtomic } from ${JSON.stringify(join(ROOT, 'src/core/util/fs.ts'))};
writeFileAtomic(${JSON.stringify(path)}, Buffer.alloc(${bytes}, 120)).then(() => console.log('written'), (e) => console.log('failed', e.code));`;
  return new Promise((ok, fail) => {
    const child = spawn('bash', ['-c', `ulimit -f ${limitKiB}; exec "$0" --import tsx --input-type=module -e "$1"`, process.execPath, script], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', () => ok(out.trim()));
  });
}

describe('atomic writes', () => {
  it('a write that fails for want of space keeps the previous file and leaves no temporary file', async () => {
    const dir = await tmp();
    const file = join(dir, 'history.json');
    await writeFileAtomic(file, 'previous\n');
    expect(await writeUnderSizeLimit(file, 4 * 1024 * 1024, 64)).toBe('failed EFBIG');
    expect(await readFile(file, 'utf8')).toBe('previous\n');
    expect(await temps(dir)).toEqual([]);
  }, 30_000);

  it('a write refused midway (bad data, target a folder) leaves no temporary file', async () => {
    const dir = await tmp();
    await expect(writeFileAtomic(join(dir, 'a.json'), 42 as never)).rejects.toThrow();
    await mkdir(join(dir, 'b.json'));
    await expect(writeFileAtomic(join(dir, 'b.json'), 'x')).rejects.toThrow();
    expect(await temps(dir)).toEqual([]);
  });

  it('writes a private file 0600 and an ordinary one 0644', async () => {
    const dir = await tmp();
    await writeFileAtomic(join(dir, 'secret.json'), '{}', { mode: 0o600 });
    await writeFileAtomic(join(dir, 'plain.json'), '{}');
    expect(await mode(join(dir, 'secret.json'))).toBe(0o600);
    expect(await mode(join(dir, 'plain.json')) & 0o077).toBe(0o044 & ~process.umask());
  });
});

describe('sweeping the temporary files a crash left', () => {
  it('removes only ours whose writer is gone (or which are an hour old), never a live writer’s nor anything else', async () => {
    const dir = await tmp();
    const dead = deadPid();
    const names = {
      dead: `.settings.json.${dead}.0a1b2c3d.tmp`,
      mine: `.settings.json.${process.pid}.deadbeef.tmp`,
      oldLive: `.graph.json.${process.pid}.cafebabe.tmp`,
      notOurs: '.other.tmp',
      plain: 'settings.json',
      aDir: `.history.${dead}.00000000.tmp`,
      aLink: `.tunnels.json.${dead}.11111111.tmp`,
    };
    for (const n of [names.dead, names.mine, names.oldLive, names.notOurs, names.plain]) await writeFile(join(dir, n), 'x');
    const hourAgo = (Date.now() - 2 * 3600_000) / 1000;
    await utimes(join(dir, names.oldLive), hourAgo, hourAgo);
    await mkdir(join(dir, names.aDir));
    await symlink('/etc/hostname', join(dir, names.aLink));
    const removed = await sweepTempFiles(dir);
    expect(removed.sort()).toEqual([join(dir, names.dead), join(dir, names.oldLive)].sort());
    expect((await readdir(dir)).sort()).toEqual([names.aDir, names.aLink, names.mine, names.notOurs, names.plain].sort());
  });

  it('in the station, only the names we write there', async () => {
    const dir = await tmp();
    const dead = deadPid();
    await writeFile(join(dir, `._NIP101.profiles.json.${dead}.0a1b2c3d.tmp`), 'x');
    await writeFile(join(dir, `.amisOfAmis.txt.${dead}.0a1b2c3d.tmp`), 'x');
    expect(await sweepTempFiles(dir, { names: ['_NIP101.profiles.json'] })).toEqual([join(dir, `._NIP101.profiles.json.${dead}.0a1b2c3d.tmp`)]);
    expect(await readdir(dir)).toEqual([`.amisOfAmis.txt.${dead}.0a1b2c3d.tmp`]);
  });

  it('at start: the data folder, its history and sync state, the profile export and the lock', async () => {
    const data = await tmp();
    const zen = await tmp();
    const dead = deadPid();
    const left = [
      join(data, `.settings.json.${dead}.01234567.tmp`),
      join(data, 'history', `.index.json.${dead}.01234567.tmp`),
      join(data, 'sync-state', `.12D3KooWPeer.bin.${dead}.01234567.tmp`),
      join(zen, 'tmp', 'coucou', `._NIP101.profiles.csv.${dead}.01234567.tmp`),
      join(zen, 'strfry', `.constellation-backfill.lock.${dead}.01234567.tmp`),
    ];
    const kept = [join(zen, 'strfry', `.strfry.conf.${dead}.01234567.tmp`), join(zen, 'tmp', `.x.json.${dead}.01234567.tmp`)];
    for (const f of [...left, ...kept]) {
      await mkdir(join(f, '..'), { recursive: true });
      await writeFile(f, 'x');
    }
    const lines: string[] = [];
    const log = new Logger(new EngineEvents(), Date.now, (l) => void lines.push(l.msg));
    await sweepLeftovers(data, zen, log);
    for (const f of left) expect(existsSync(f)).toBe(false);
    for (const f of kept) expect(existsSync(f)).toBe(true);
    expect(lines.join('\n')).toMatch(/removed 5 temporary file\(s\) left by an interrupted write/);
  });

  it('the lock’s own temporary file is named so the sweep knows it', async () => {
    const zen = await tmp();
    const held = await acquireLock(zen);
    await held.release();
    expect(await readdir(join(zen, 'strfry'))).toEqual([]);
  });
});

describe('settings.json holds kuboAuth: private', () => {
  it('is written 0600, and an existing 0644 one is tightened when loaded', async () => {
    const dir = await tmp();
    const a = new SettingsStore(dir, '/home/cap', {});
    await a.load();
    await a.set({ kuboAuth: 'Basic c2VjcmV0' });
    expect(await mode(join(dir, 'settings.json'))).toBe(0o600);
    await chmod(join(dir, 'settings.json'), 0o644);
    const b = new SettingsStore(dir, '/home/cap', {});
    expect((await b.load()).kuboAuth).toBe('Basic c2VjcmV0');
    expect(b.tightened).toBe(true);
    expect(await mode(join(dir, 'settings.json'))).toBe(0o600);
    expect(await tightenFile(join(dir, 'settings.json'))).toBe(false);
  });
});
