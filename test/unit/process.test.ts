// A PID in a file names its writer only while the process under that PID started before the file was written
// (issue 15, attack 12): a reused PID after a reboot, or after a crash, is stale.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START_SLACK_MS, bootTimeMs, ownerAlive, pidAlive, processStartMs } from '../../src/core/util/process';
import { LockHeld, acquireLock, judgeLock, lockPath, readLock } from '../../src/core/sync/lock';
import { readStationLock } from '../../src/core/sync/scheduler';
import { reason, reasonText, type Reason } from '../../src/shared/i18n';

const dirs: string[] = [];
let child: ChildProcess;
const linux = process.platform === 'linux';

async function tmp(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A /proc of our making: boot time and one process's stat line (its command name is hostile on purpose). */
async function fakeProc(bootSec: number, pid: number, startTicks: number): Promise<string> {
  const proc = await tmp('proc-');
  await writeFile(join(proc, 'stat'), `cpu  1 2 3 4\nintr 5\nctxt 6\nbtime ${bootSec}\nprocesses 7\n`);
  await mkdir(join(proc, String(pid)));
  const fields = ['S', '1', '1', '1', '0', '-1', '4194560', '0', '0', '0', '0', '0', '0', '0', '0', '20', '0', '1', '0', String(startTicks), '1000', '10'];
  await writeFile(join(proc, String(pid), 'stat'), `${pid} (sh (x) 1 2 3) ${fields.join(' ')}\n`);
  return proc;
}

beforeAll(() => {
  child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
});
afterAll(async () => {
  child.kill('SIGKILL');
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('processes by PID', () => {
  it('knows a live PID from a gone one', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(child.pid!)).toBe(true);
    expect(pidAlive(spawnSync(process.execPath, ['-e', '0']).pid!)).toBe(false);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(pidAlive(bad)).toBe(false);
  });

  it('reads field 22 after the last parenthesis of the command name, in clock ticks after boot', async () => {
    const proc = await fakeProc(1_700_000_000, 4242, 12_345);
    expect(bootTimeMs(proc)).toBe(1_700_000_000_000);
    expect(processStartMs(4242, proc)).toBe(1_700_000_000_000 + 123_450);
    expect(processStartMs(4243, proc)).toBeNull();
  });

  it.runIf(linux)('finds our own start between the boot and now', () => {
    const boot = bootTimeMs()!;
    const start = processStartMs(process.pid)!;
    expect(start).toBeGreaterThanOrEqual(boot);
    expect(start).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('judges the owner of a file by its start time against the file time', async () => {
    const pid = child.pid!;
    const bootSec = 1_700_000_000;
    const started = bootSec * 1000 + 3_600_000; // an hour after boot
    const proc = await fakeProc(bootSec, pid, 360_000);
    // written after the process started: its writer
    expect(ownerAlive(pid, started + 5_000, proc)).toEqual({ alive: true });
    // written before this boot: whatever runs under that PID now is another process
    const before = ownerAlive(pid, bootSec * 1000 - 60_000, proc);
    expect(before).toEqual({ alive: false, why: reason('lock.beforeBoot', { pid }) });
    expect(reasonText((before as { why: Reason }).why)).toBe(`written before the machine last started; PID ${pid} now belongs to another process`);
    // written well before the process started (same boot): the PID was reused
    const reused = ownerAlive(pid, started - START_SLACK_MS - 1_000, proc);
    expect(reused).toEqual({ alive: false, why: reason('lock.pidReused', { pid }) });
    // within the slack (the boot time is only known to the second and moves with NTP): still its writer
    expect(ownerAlive(pid, started - 30_000, proc).alive).toBe(true);
    // no /proc to ask: a live PID is taken for the owner
    expect(ownerAlive(pid, 0, join(proc, 'nothing')).alive).toBe(true);
    expect(ownerAlive(spawnSync(process.execPath, ['-e', '0']).pid!, Date.now(), proc)).toMatchObject({ alive: false, why: { code: 'lock.notRunning' } });
  });

  it('reads the PID of a lock written by the shell script or by us, and says when it holds none', () => {
    expect(judgeLock('garbage', Date.now())).toEqual({ pid: 0, alive: false, why: reason('lock.empty') });
    expect(judgeLock(`${process.pid}\n`, Date.now())).toEqual({ pid: process.pid, alive: true, why: null });
  });
});

describe.runIf(linux)('the station lock after a reboot or a reused PID', () => {
  let root: string;
  beforeAll(async () => {
    root = await tmp('lock-start-');
    await mkdir(join(root, 'strfry'), { recursive: true });
  });

  async function lockAt(pid: number, mtimeMs: number): Promise<void> {
    await writeFile(lockPath(root), `${pid}\n`);
    await utimes(lockPath(root), mtimeMs / 1000, mtimeMs / 1000);
  }

  it('a live PID holding a lock written before this boot is stale: the sync takes the lock', async () => {
    await lockAt(child.pid!, bootTimeMs()! - 3_600_000);
    expect(await readLock(root)).toMatchObject({ pid: child.pid, alive: false });
    expect((await readStationLock(root)).held).toBe(false);
    const held = await acquireLock(root);
    expect(held.clearedStale).toBe(child.pid);
    expect(reasonText(held.staleWhy!)).toMatch(/before the machine last started/);
    expect((await readLock(root))?.pid).toBe(process.pid);
    await held.release();
    expect(existsSync(lockPath(root))).toBe(false);
  });

  // (needs a machine up for longer than the slack: otherwise any lock older than the child predates the boot)
  it.runIf(Date.now() - (bootTimeMs() ?? Date.now()) > 10 * START_SLACK_MS)('a live PID whose process started after the lock was written is stale', async () => {
    const started = processStartMs(child.pid!)!;
    await lockAt(child.pid!, started - START_SLACK_MS - 5_000);
    expect(await readLock(root)).toMatchObject({ alive: false, why: { code: 'lock.pidReused' } });
    const held = await acquireLock(root);
    expect(held.clearedStale).toBe(child.pid);
    await held.release();
  });

  it('a live PID that wrote its lock after it started holds it', async () => {
    await lockAt(child.pid!, Date.now());
    expect(await readLock(root)).toMatchObject({ pid: child.pid, alive: true, why: null });
    expect(await readStationLock(root)).toEqual({ held: true, detail: reason('lock.pid', { pid: child.pid! }) });
    await expect(acquireLock(root)).rejects.toBeInstanceOf(LockHeld);
  });
});
