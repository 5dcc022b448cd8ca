/**
 * The `constellation` command run as its own process, as a station runs it, for the benchmarks: its output, its
 * wall time and its peak RSS (VmHWM, sampled: the engine alone, not the relays of the bench).
 * BENCH_NODE_ARGS: extra node flags for it (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..');

/** Peak RSS (VmHWM) of a running process, in bytes; 0 once it is gone. */
export async function peakRss(pid: number): Promise<number> {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** bytes */
  peakRss: number;
}

/** `bin/constellation.mjs <args>` on the repository's Node, to its end. */
export async function runConstellation(args: string[], sampleMs = 50): Promise<CommandRun> {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const t0 = performance.now();
  const child = spawn(join(REPO, 'node_modules', '.bin', 'node'), [...nodeArgs, join(REPO, 'bin', 'constellation.mjs'), ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peak = 0;
  const sampler = setInterval(() => void peakRss(child.pid!).then((v) => (peak = Math.max(peak, v))), sampleMs);
  const code = await new Promise<number | null>((r) => child.on('close', r));
  clearInterval(sampler);
  return { code, stdout, stderr, wallMs: performance.now() - t0, peakRss: peak };
}
