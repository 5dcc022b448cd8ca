// No program chosen from the window or the web API (issue 15, attack 8): settings.set refuses the strfry binary,
// its config and the station root; a binary another user (or another station) could have written is refused.
import { chmod, chown, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SettingsStore, SettingsError } from '../../src/core/settings';
import { Engine } from '../../src/core/engine';
import { makeConfig } from '../../src/core/config';
import { checkStrfryBinary, isPrivateGroup } from '../../src/core/store/strfry-store';
import { openLocalStore } from '../../src/core/store';
import type { EngineContext } from '../../src/core/services';
import { defaultSettings } from '../../src/shared/schemas';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'constellation-guard-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A program that leaves a mark when it runs. */
async function evilScript(dir: string): Promise<{ path: string; mark: string }> {
  const path = join(dir, 'evil.sh');
  const mark = join(dir, 'it-ran');
  await writeFile(path, `#!/bin/sh\ntouch ${mark}\n`);
  await chmod(path, 0o755);
  return { path, mark };
}

describe('settings.set and the captain-only settings', () => {
  it('refuses strfryBin, strfryConf and zenRoot with where to set them; saves nothing', async () => {
    const dir = await tmp();
    const store = new SettingsStore(dir, '/home/cap', {});
    await store.load();
    const path = join(dir, 'settings.json');
    await expect(store.set({ strfryBin: '/tmp/evil.sh' })).rejects.toThrow(
      `settings refused: strfryBin is not changed from the window or the web API (it decides which program runs); set it on the station: --strfry-bin, CONSTELLATION_STRFRY_BIN, or "strfryBin" in ${path}`,
    );
    await expect(store.set({ strfryConf: '/tmp/x.conf', days: 2 })).rejects.toThrow(/strfryConf is not changed from the window .*--strfry-conf, CONSTELLATION_STRFRY_CONF/);
    await expect(store.set({ zenRoot: '/tmp/elsewhere' })).rejects.toBeInstanceOf(SettingsError);
    expect(existsSync(path)).toBe(false);
    expect(store.effective().strfryBin).toBe('/home/cap/.zen/strfry/strfry');
  });

  it('takes the same value sent back (a whole settings object) without saving it', async () => {
    const dir = await tmp();
    const store = new SettingsStore(dir, '/home/cap', {});
    const current = await store.load();
    const next = await store.set({ ...current, days: 4 });
    expect(next.days).toBe(4);
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).not.toHaveProperty('strfryBin');
  });

  it('the captain still sets them in settings.json by hand, or on the command line', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ strfryBin: '/opt/strfry/strfry' }));
    expect((await new SettingsStore(dir, '/home/cap', {}).load()).strfryBin).toBe('/opt/strfry/strfry');
    expect((await new SettingsStore(dir, '/home/cap', { strfryBin: '/srv/strfry' }).load()).strfryBin).toBe('/srv/strfry');
  });

  it('through the engine (the web API and IPC call it): the program never runs', async () => {
    const base = await tmp();
    const zen = join(base, 'zen');
    await mkdir(join(zen, 'strfry'), { recursive: true });
    // with a strfry.conf there, a strfry binary set from outside would be run by the next stats call
    await writeFile(join(zen, 'strfry', 'strfry.conf'), 'db = "./strfry-db/"\n');
    const evil = await evilScript(base);
    const engine = new Engine(
      makeConfig({
        host: 'web',
        dataDir: join(base, 'data'),
        home: base,
        overrides: { zenRoot: zen, relayUrl: 'ws://127.0.0.1:9', kuboApi: 'http://127.0.0.1:9', fallbackRelays: [] },
        timeouts: { serviceCheck: 300, connect: 300, nip11: 300 } as never,
      }),
    );
    await engine.start();
    try {
      await expect(engine.call('settings.set', { strfryBin: evil.path })).rejects.toThrow(/strfryBin is not changed from the window or the web API/);
      await engine.call('station.stats', undefined).catch(() => null);
      await engine.call('app.info', undefined).catch(() => null);
      expect(existsSync(evil.mark)).toBe(false);
      expect(engine.settings().strfryBin).toBe(join(zen, 'strfry', 'strfry'));
    } finally {
      await engine.stop();
    }
  });
});

describe('a strfry binary others could have written is refused', () => {
  const uid = process.getuid?.() ?? -1;
  const privateOnly = { privateGroup: () => true };
  const shared = { privateGroup: () => false };

  async function binAt(dirMode: number, fileMode: number): Promise<{ dir: string; bin: string; zen: string }> {
    const base = await tmp();
    const dir = join(base, 'bin');
    await mkdir(dir);
    const bin = join(dir, 'strfry');
    await writeFile(bin, '#!/bin/sh\n');
    await chmod(bin, fileMode);
    await chmod(dir, dirMode);
    return { dir, bin, zen: join(base, 'zen') };
  }

  it('takes a binary only its owner may change, in folders only their owners may change', async () => {
    const { bin, zen } = await binAt(0o755, 0o755);
    expect(() => checkStrfryBinary(bin, zen, shared)).not.toThrow();
  });

  it('refuses a binary every user may write, or a group with other users', async () => {
    const a = await binAt(0o755, 0o777);
    expect(() => checkStrfryBinary(a.bin, a.zen, privateOnly)).toThrow(
      `strfry binary ${a.bin} can be written by every user (mode 0777): refusing to run it; make it yours and not writable by others (chmod go-w ${a.bin})`,
    );
    const g = await binAt(0o755, 0o775);
    expect(() => checkStrfryBinary(g.bin, g.zen, shared)).toThrow(/can be written by a group other users are in \(mode 0775, gid \d+\)/);
    // the captain's own private group (umask 002 on Debian/Ubuntu): fine
    expect(() => checkStrfryBinary(g.bin, g.zen, privateOnly)).not.toThrow();
  });

  it('refuses a binary in a folder others may write, unless the folder is sticky (like /tmp)', async () => {
    const open = await binAt(0o777, 0o755);
    expect(() => checkStrfryBinary(open.bin, open.zen, shared)).toThrow(
      `strfry binary ${open.bin} is in the folder ${open.dir}, which can be written by every user (mode 0777): refusing to run it; chmod go-w ${open.dir}, or install strfry elsewhere`,
    );
    const sticky = await binAt(0o1777, 0o755);
    expect(() => checkStrfryBinary(sticky.bin, sticky.zen, shared)).not.toThrow();
  });

  it('follows a symlink: the real file and its folders are judged too', async () => {
    const target = await binAt(0o777, 0o755);
    const good = await binAt(0o755, 0o755);
    const link = join(good.dir, 'strfry-link');
    await symlink(target.bin, link);
    expect(() => checkStrfryBinary(link, good.zen, shared)).toThrow(`is in the folder ${target.dir}, which can be written by every user`);
  });

  it.runIf(uid === 0)('refuses a binary, or a folder, that belongs to another user (needs root to make one)', async () => {
    const a = await binAt(0o755, 0o755);
    await chown(a.bin, 12345, 12345);
    expect(() => checkStrfryBinary(a.bin, a.zen, privateOnly)).toThrow(`strfry binary ${a.bin} belongs to another user (uid 12345): refusing to run it`);
    const b = await binAt(0o755, 0o755);
    await chown(b.dir, 12345, 12345);
    expect(() => checkStrfryBinary(b.bin, b.zen, privateOnly)).toThrow(`is in the folder ${b.dir}, which belongs to another user (uid 12345)`);
  });

  it('refuses a binary in the swarm folder (published by another station)', async () => {
    const zen = await tmp();
    const bin = join(zen, 'tmp', 'swarm', '12D3KooWPeer', 'strfry');
    await mkdir(join(bin, '..'), { recursive: true });
    await writeFile(bin, '#!/bin/sh\n');
    expect(() => checkStrfryBinary(bin, zen, privateOnly)).toThrow(/inside the swarm folder .*refusing to run it; set another path with --strfry-bin/);
  });

  it('the local store is not opened on such a binary: the reason is the error', async () => {
    const a = await binAt(0o755, 0o777);
    const conf = join(a.dir, '..', 'strfry.conf');
    await writeFile(conf, 'db = "./db/"\n');
    const settings = { ...defaultSettings('/home/cap'), zenRoot: a.zen, strfryBin: a.bin, strfryConf: conf };
    const ctx = { settings: () => settings, config: makeConfig({ dataDir: a.zen, home: a.zen }) } as unknown as EngineContext;
    expect(() => openLocalStore(ctx)).toThrow(/can be written by every user/);
  });

  it('a group is private when it is ours alone', async () => {
    const dir = await tmp();
    const me = (await import('node:os')).userInfo();
    const group = join(dir, 'group');
    const passwd = join(dir, 'passwd');
    await writeFile(passwd, `${me.username}:x:${me.uid}:${me.gid}::/home/x:/bin/sh\n`);
    await writeFile(group, `mine:x:${me.gid}:\nother:x:4242:${me.username}\n`);
    expect(isPrivateGroup(me.gid, { group, passwd })).toBe(true);
    expect(isPrivateGroup(4242, { group, passwd })).toBe(false);
    await writeFile(group, `mine:x:${me.gid}:${me.username},eve\n`);
    expect(isPrivateGroup(me.gid, { group, passwd })).toBe(false);
    await writeFile(group, `mine:x:${me.gid}:\n`);
    await writeFile(passwd, `${me.username}:x:${me.uid}:${me.gid}::/h:/bin/sh\nbob:x:1002:${me.gid}::/h:/bin/sh\n`);
    expect(isPrivateGroup(me.gid, { group, passwd })).toBe(false);
    expect(isPrivateGroup(me.gid, { group: join(dir, 'none'), passwd })).toBe(false);
  });
});
