/**
 * The electron-builder configuration, loaded and validated by electron-builder's own loader and schema
 * (packaging itself needs the Electron download, impossible on these machines).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// the module electron-builder flips the fuses with
import { FuseV1Options, flipFuses, getCurrentFuseWire, type FuseV1Config } from '@electron/fuses';
import { FuseState, SENTINEL } from '@electron/fuses/dist/constants.js';
import { describe, expect, it } from 'vitest';
// electron-builder's own configuration loader and schema check (app-builder-lib comes with electron-builder).
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';

const ROOT = resolve(__dirname, '../..');

/** Width and height from a PNG's IHDR, after checking the signature. */
function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(b.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('electron-builder configuration', () => {
  it('validates against electron-builder schema, and the validator does catch mistakes', async () => {
    const config = await getConfig(ROOT, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, tragets: [] } } as never, new DebugLogger(false))).rejects.toThrow();
  });

  it('builds AppImage and deb for x64 and arm64', async () => {
    const config = await getConfig(ROOT, null, null);
    const targets = config.linux?.target as Array<{ target: string; arch: string[] }>;
    expect(targets.map((t) => t.target).sort()).toEqual(['AppImage', 'deb']);
    for (const t of targets) expect([...t.arch].sort()).toEqual(['arm64', 'x64']);
  });

  it('ships the build output and the package manifest, with the tray icons as resources', async () => {
    const config = await getConfig(ROOT, null, null);
    // The loader normalises `files` into filter sets: flatten them back to patterns.
    const files = (config.files as unknown[]).flatMap((f) => (typeof f === 'string' ? [f] : ((f as { filter?: string[] }).filter ?? [])));
    expect(files).toEqual(expect.arrayContaining(['out/**', 'package.json', '!**/*.map']));
    const extra = config.extraResources as Array<{ from: string; to: string }>;
    expect(extra).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'resources', to: 'resources' })]));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('out/main/index.js');
    expect(config.npmRebuild).toBe(false);
  });

  it('flips the Electron fuses: no run-as-node, NODE_OPTIONS or inspector; encrypted cookies; code only from a checked app.asar; no file:// privileges', async () => {
    const config = await getConfig(ROOT, null, null);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
    // electron-builder's own schema knows the key (a misspelt fuse would fail the validation)
    await expect(validateConfiguration({ ...config, electronFuses: { ...config.electronFuses, runAsNodes: false } } as never, new DebugLogger(false))).rejects.toThrow();
  });

  it('the fuse wire electron-builder writes into a binary carrying Electron’s sentinel has those bits', async () => {
    const config = await getConfig(ROOT, null, null);
    // electron-builder's own mapping (PlatformPackager.generateFuseConfig uses no packager state), then
    // @electron/fuses on a stand-in binary: the sentinel, wire version 1, 8 fuses, all at Electron's defaults.
    const { PlatformPackager } = await import('app-builder-lib');
    const fuseConfig = await (PlatformPackager.prototype as unknown as { generateFuseConfig(f: unknown): Promise<FuseV1Config> }).generateFuseConfig(config.electronFuses);
    const dir = await mkdtemp(join(tmpdir(), 'constellation-fuses-'));
    try {
      const bin = join(dir, 'constellation-desktop');
      const defaults = [FuseState.ENABLE, FuseState.DISABLE, FuseState.ENABLE, FuseState.ENABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.DISABLE, FuseState.ENABLE];
      await writeFile(bin, Buffer.concat([Buffer.from('\x7fELF…code…'), Buffer.from(SENTINEL), Buffer.from([1, 8, ...defaults]), Buffer.from('…more code')]));
      await flipFuses(bin, fuseConfig);
      const wire = await getCurrentFuseWire(bin);
      expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
      expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
      expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
      expect(wire[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(FuseState.DISABLE);
      expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('has a desktop entry with name, comments in English and French, and categories', async () => {
    const config = await getConfig(ROOT, null, null);
    const entry = (config.linux?.desktop as { entry: Record<string, string> }).entry;
    expect(entry.Name).toBe('Constellation');
    expect(entry.Comment).toMatch(/Astroport/);
    expect(entry['Comment[fr]']).toMatch(/Astroport/);
    expect(entry.Categories).toBe('Network;Utility;');
    expect(config.linux?.category).toBe('Network');
  });

  it('points at real PNG icons of the sizes their names say', async () => {
    const config = await getConfig(ROOT, null, null);
    const dir = join(ROOT, String(config.linux?.icon));
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(join(dir, `${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    expect(pngSize(join(ROOT, 'build/icon.png'))).toEqual({ width: 512, height: 512 });
    for (const state of ['idle', 'syncing', 'error']) {
      expect(pngSize(join(ROOT, `resources/tray-${state}.png`))).toEqual({ width: 32, height: 32 });
      expect(existsSync(join(ROOT, `resources/tray-${state}@2x.png`))).toBe(true);
    }
    expect(pngSize(join(ROOT, 'resources/icon.png'))).toEqual({ width: 256, height: 256 });
  });
});
