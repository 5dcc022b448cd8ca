import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsStore } from '../../src/core/settings';
import { reasonText } from '../../src/shared/i18n';

const dirs: string[] = [];
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'constellation-settings-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('SettingsStore', () => {
  it('gives defaults derived from the home folder', async () => {
    const s = await new SettingsStore(await tmp(), '/home/cap', {}).load();
    expect(s.zenRoot).toBe('/home/cap/.zen');
    expect(s.strfryBin).toBe('/home/cap/.zen/strfry/strfry');
    expect(s.relayUrl).toBe('ws://127.0.0.1:7777');
    expect(s.days).toBe(1);
    expect(s.kinds).toHaveLength(57);
  });

  it('makes strfry paths follow an overridden station root', async () => {
    const s = await new SettingsStore(await tmp(), '/home/cap', { zenRoot: '/srv/zen' }).load();
    expect(s.strfryConf).toBe('/srv/zen/strfry/strfry.conf');
  });

  it('persists a change atomically and reloads it', async () => {
    const dir = await tmp();
    const a = new SettingsStore(dir, '/home/cap', {});
    await a.load();
    await a.set({ days: 3, noDms: true });
    const b = await new SettingsStore(dir, '/home/cap', {}).load();
    expect(b.days).toBe(3);
    expect(b.noDms).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toEqual({ days: 3, noDms: true });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses an invalid change with the field and reason, and keeps the old value', async () => {
    const dir = await tmp();
    const a = new SettingsStore(dir, '/home/cap', {});
    await a.load();
    await expect(a.set({ days: -1 })).rejects.toThrow(/days/);
    await expect(a.set({ relayUrl: 'http://nope' })).rejects.toThrow(/relayUrl.*ws:\/\//);
    expect(a.effective().days).toBe(1);
  });

  it('launch overrides win over saved settings and are not saved', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ relayUrl: 'ws://127.0.0.1:9000' }));
    const a = new SettingsStore(dir, '/home/cap', { relayUrl: 'ws://127.0.0.1:7000' });
    expect((await a.load()).relayUrl).toBe('ws://127.0.0.1:7000');
    await a.set({ days: 2 });
    expect(JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8'))).toEqual({ relayUrl: 'ws://127.0.0.1:9000', days: 2 });
  });

  it('ignores a corrupt settings file with a reason instead of failing', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'settings.json'), '{ not json');
    const a = new SettingsStore(dir, '/home/cap', {});
    const s = await a.load();
    expect(s.days).toBe(1);
    expect(reasonText(a.loadProblem!)).toMatch(/settings\.json.*not valid JSON/);
  });
});
