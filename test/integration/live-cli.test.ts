/**
 * The commands around live sync, as a captain runs them: `constellation live` (a ready line, JSON progress,
 * events streamed, a clean stop within 2 s on SIGTERM: subscriptions and the tunnel it opened closed, no lock),
 * and `constellation service install|uninstall` against a temp unit folder and a fake systemctl of this test's
 * own (the real user's systemd is never touched).
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPath } from '../../src/core/sync/lock';
import {
  KuboStandin,
  RawClient,
  TestRelay,
  buildStation,
  note,
  onCleanup,
  runCleanup,
  runCli,
  spawnCli,
  startStrfryStation,
  strfryStationEnv,
  tmpDir,
  waitFor,
  type BuiltStation,
  type StrfryStation,
} from '../support';

afterAll(() => runCleanup());

describe('constellation live', () => {
  let built: BuiltStation;
  let local: StrfryStation;
  let p0: TestRelay;
  let p1: TestRelay;
  let kubo: KuboStandin;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    p0 = await TestRelay.start();
    p1 = await TestRelay.start();
    onCleanup(() => Promise.all([p0.stop(), p1.stop()]));
    built = await buildStation({ seed: 'live-cli', peers: [{ relayUrl: p0.url, hostname: 'p0' }, { hostname: 'p1' }], members: { emails: 2 }, amisOfAmis: 1 });
    onCleanup(() => built.cleanup());
    kubo = await KuboStandin.start();
    onCleanup(() => kubo.stop());
    kubo.registerPeer(built.peers[1]!.peerId, { host: '127.0.0.1', port: p1.port });
    const dir = await tmpDir('live-cli-');
    local = await startStrfryStation(join(dir, 'strfry'));
    onCleanup(() => local.stop());
    const dataDir = join(dir, 'data');
    await mkdir(dataDir, { recursive: true });
    // p0 is on this machine's loopback: reached directly (a saved setting); never a public relay
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ directRelays: [p0.url], fallbackRelays: [] }));
    env = strfryStationEnv(built.root, local, kubo.url, dataDir);
  }, 60_000);

  it('prints a ready line, streams a peer\'s events, and stops cleanly within 2 s on SIGTERM', async () => {
    const cli = spawnCli(['live', '--json'], env, { timeoutMs: 90_000 });
    let stdout = '';
    let stderr = '';
    cli.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    cli.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const jsonLines = (): Array<Record<string, unknown>> =>
      stderr.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
    await waitFor(() => stdout.includes('\n'), 'the ready line', 60_000, 50);
    const ready = JSON.parse(stdout.trim()) as { type: string; peers: number };
    expect(ready).toMatchObject({ type: 'ready', peers: 2 });
    await waitFor(() => ['p0', 'p1'].every((h) => jsonLines().some((l) => l.type === 'peer' && l.hostname === h && l.state === 'connected')), 'both peers connected', 30_000, 50);
    // progress is one JSON object per line on stderr, nothing else
    expect(jsonLines().every((l) => typeof l.type === 'string')).toBe(true);
    expect(kubo.listeners().some((l) => l.Protocol === `/x/strfry-${built.peers[1]!.peerId}`)).toBe(true);

    const member = Object.values(built.keys.users)[0]!;
    const e = note(member, 'through the command');
    const c = await RawClient.connect(p0.url);
    await c.publish(e);
    c.close();
    await waitFor(async () => (await local.relay.count({ ids: [e.id] })) === 1, 'the note on the local relay', 20_000);

    const signalled = Date.now();
    cli.child.kill('SIGTERM');
    const r = await cli.done;
    const took = Date.now() - signalled;
    expect(r.code).toBe(0);
    expect(took).toBeLessThan(2000);
    expect(jsonLines().some((l) => l.type === 'stopping' && l.signal === 'SIGTERM')).toBe(true);
    expect(jsonLines().at(-1)?.type).toBe('stopped');
    expect(stderr).not.toContain('stop took too long');
    // the forward it opened is closed (the station's own listen stays), its sockets are gone, no lock is left
    expect(kubo.listeners().filter((l) => l.TargetAddress.startsWith('/p2p/'))).toEqual([]);
    await waitFor(() => p0.openSockets === 0 && p1.openSockets === 0, 'the peers\' sockets closed', 3000);
    expect(existsSync(lockPath(built.root))).toBe(false);
  }, 120_000);
});

describe('constellation service install|uninstall', () => {
  it('writes the user unit and calls systemctl --user, then removes both', async () => {
    const dir = await tmpDir('service-cli-');
    const unitDir = join(dir, 'systemd', 'user');
    const calls = join(dir, 'calls.txt');
    const fake = join(dir, 'systemctl');
    await writeFile(fake, `#!/bin/sh\necho "$@" >> '${calls}'\n`);
    await chmod(fake, 0o755);
    const env = { CONSTELLATION_SYSTEMD_DIR: unitDir, CONSTELLATION_SYSTEMCTL: fake, CONSTELLATION_ZEN_ROOT: join(dir, 'my zen'), CONSTELLATION_DATA_DIR: join(dir, 'data') };

    const inst = await runCli(['service', 'install', '--port', '7801'], env);
    expect(inst.code, inst.stderr).toBe(0);
    const unit = await readFile(join(unitDir, 'constellation.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=.*constellation\.mjs serve --schedule --live --port 7801$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^StandardOutput=journal$/m);
    expect(unit).toMatch(/^WantedBy=default\.target$/m);
    // what was given at install is what the service runs with (quoted: the path has a space)
    expect(unit).toContain(`Environment="CONSTELLATION_ZEN_ROOT=${join(dir, 'my zen')}"`);
    expect(unit).not.toContain('@');
    expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual(['--user daemon-reload', '--user enable --now constellation.service']);
    expect(inst.stdout).toContain('journalctl --user -u constellation');

    const un = await runCli(['service', 'uninstall'], env);
    expect(un.code, un.stderr).toBe(0);
    expect(existsSync(join(unitDir, 'constellation.service'))).toBe(false);
    expect((await readFile(calls, 'utf8')).trim().split('\n').slice(2)).toEqual(['--user disable --now constellation.service', '--user daemon-reload']);
  }, 60_000);

  it('says what failed when systemctl refuses', async () => {
    const dir = await tmpDir('service-cli-');
    const fake = join(dir, 'systemctl');
    await writeFile(fake, '#!/bin/sh\necho "Failed to connect to bus: No medium found" >&2\nexit 1\n');
    await chmod(fake, 0o755);
    const r = await runCli(['service', 'install'], { CONSTELLATION_SYSTEMD_DIR: join(dir, 'u'), CONSTELLATION_SYSTEMCTL: fake });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('systemctl --user daemon-reload failed (exit code 1): Failed to connect to bus: No medium found');
  }, 60_000);
});
