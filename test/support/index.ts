// Test support: the devkit plus vitest-friendly helpers (temp folders, relays, ports, the CLI, cleanup).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { TestRelay, type TestRelayOptions } from '../../src/devkit/relay';

export * from '../../src/devkit/index';
export { RawClient, type RelayMessage } from './raw-client';
export * from './faults';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

type Cleanup = () => unknown;
const cleanups: Cleanup[] = [];

/** Registers something to undo; `runCleanup()` (call it in afterAll/afterEach) undoes them, newest first. */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

export async function runCleanup(): Promise<void> {
  const errors: unknown[] = [];
  while (cleanups.length) {
    const fn = cleanups.pop() as Cleanup;
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length) throw new AggregateError(errors, `cleanup failed ${errors.length} time(s)`);
}

/** A fresh temp folder, removed at cleanup. */
export async function tmpDir(prefix = 'constellation-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `n` relays on free ports, stopped at cleanup. */
export async function startRelays(n: number, opts: TestRelayOptions = {}): Promise<TestRelay[]> {
  const relays = await Promise.all(Array.from({ length: n }, () => TestRelay.start({ ...opts, port: 0 })));
  for (const r of relays) onCleanup(() => r.stop());
  return relays;
}


export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `bin/constellation.mjs`: the process (to signal it) and its outcome. */
export interface SpawnedCli {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/**
 * Starts `bin/constellation.mjs <args>` on the repo's Node 24 and returns at once; never touches a public relay
 * (env is the caller's). Killed after `timeoutMs` (default 60 s).
 */
export function spawnCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  opts: { timeoutMs?: number; cwd?: string; input?: string } = {},
): SpawnedCli {
  const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  const child = spawn(node, [join(REPO_ROOT, 'bin', 'constellation.mjs'), ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const done = new Promise<CliResult>((resolveRun, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();
  return { child, done };
}

/** Runs `bin/constellation.mjs <args>` to its end (see spawnCli). */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  opts: { timeoutMs?: number; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return spawnCli(args, env, opts).done;
}

/** The environment that points `constellation` at a built station whose local store is the strfry stand-in. */
export function strfryStationEnv(
  root: string,
  station: { relayUrl: string; strfryBin: string; strfryConf: string },
  kuboUrl: string,
  dataDir: string,
): Record<string, string | undefined> {
  return {
    CONSTELLATION_ZEN_ROOT: root,
    CONSTELLATION_DATA_DIR: dataDir,
    CONSTELLATION_KUBO_API: kuboUrl,
    CONSTELLATION_RELAY_URL: station.relayUrl,
    CONSTELLATION_STRFRY_BIN: station.strfryBin,
    CONSTELLATION_STRFRY_CONF: station.strfryConf,
    CONSTELLATION_DEMO: undefined,
  };
}

/** Waits until `check()` is truthy (polling), or throws naming `what`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
export { stationOnlyContext } from './engine-context';
export { watchDilation } from './dilation';

export interface StrfryRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a station's strfry (the stand-in) as a captain would: in the folder of strfry.conf, `input` on stdin. */
export function runStrfry(station: { strfryBin: string; strfryConf: string }, args: string[], input = ''): Promise<StrfryRun> {
  const started = performance.now();
  return new Promise((ok, fail) => {
    const child = spawn(station.strfryBin, args, { cwd: dirname(station.strfryConf), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr, ms: performance.now() - started }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
