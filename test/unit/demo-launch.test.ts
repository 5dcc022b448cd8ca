/**
 * Who runs the demo: the host decides before it builds the engine (src/demo/launch.ts) and hands the engine a
 * launcher; the engine's data folder is then the demo's own, so the captain's settings are never touched.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/core/config';
import { Engine } from '../../src/core/engine';
import { demoLaunch } from '../../src/demo/launch';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'constellation-demo-launch-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('demoLaunch', () => {
  it('runs the demo when asked, in <dataDir>/demo/app', () => {
    const { config, demo } = demoLaunch(makeConfig({ host: 'cli', home: tmp, dataDir: join(tmp, 'data'), demo: true }));
    expect(demo).toBeDefined();
    expect(config.demo).toBe(true);
    expect(config.dataDir).toBe(join(tmp, 'data', 'demo', 'app'));
  });

  it('the command never starts it on its own; the window does for a newcomer without ~/.zen', () => {
    const home = join(tmp, 'newcomer');
    expect(demoLaunch(makeConfig({ host: 'cli', home, dataDir: join(home, 'data') })).demo).toBeUndefined();
    for (const host of ['web', 'electron']) {
      const l = demoLaunch(makeConfig({ host, home, dataDir: join(home, 'data') }));
      expect(l.demo, host).toBeDefined();
      expect(l.config.dataDir).toBe(join(home, 'data', 'demo', 'app'));
    }
  });

  it('a station root the captain chose, saved or given, or a ~/.zen that holds a station, is never replaced', async () => {
    const home = join(tmp, 'captain');
    const dataDir = join(home, 'data');
    expect(demoLaunch(makeConfig({ host: 'web', home, dataDir, overrides: { zenRoot: '/srv/zen' } })).demo).toBeUndefined();
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ zenRoot: '/srv/zen' }));
    expect(demoLaunch(makeConfig({ host: 'web', home, dataDir })).demo).toBeUndefined();
    const other = join(tmp, 'station-owner');
    await mkdir(join(other, '.zen', 'strfry'), { recursive: true });
    const l = demoLaunch(makeConfig({ host: 'electron', home: other, dataDir: join(other, 'data') }));
    expect(l.demo).toBeUndefined();
    expect(l.config.dataDir).toBe(join(other, 'data'));
  });

  it('the engine says demo only when a launcher was handed to it', () => {
    const plain = new Engine(makeConfig({ host: 'cli', home: tmp, dataDir: join(tmp, 'e'), demo: true }));
    expect(plain.config.demo).toBe(false);
    const { config, demo } = demoLaunch(makeConfig({ host: 'cli', home: tmp, dataDir: join(tmp, 'e'), demo: true }));
    expect(new Engine(config, { demo }).config.demo).toBe(true);
  });
});
