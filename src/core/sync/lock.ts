/**
 * The station lock `strfry/constellation-backfill.lock`, holding the PID of the run, shared with the station's
 * own scheduler (which checks the same PID before launching the shell backfill).
 *
 * Public API:
 *   readLock(zenRoot) → { pid, alive } | null
 *   acquireLock(zenRoot) → { path, release() }      // throws LockHeld when a live PID holds it; clears a stale one
 *   lockPath(zenRoot)
 */
import { open, readFile, unlink, mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';

export function lockPath(zenRoot: string): string {
  return join(zenRoot, 'strfry', 'constellation-backfill.lock');
}

export class LockHeld extends Error {
  override name = 'LockHeld';
  constructor(readonly pid: number, readonly path: string) {
    super(`a sync is already running (PID ${pid} holds ${path}); try again when it has finished`);
  }
}

/** Is a process with this PID alive? EPERM means it exists but belongs to someone else: alive. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readLock(zenRoot: string): Promise<{ pid: number; alive: boolean } | null> {
  let text: string;
  try {
    text = await readFile(lockPath(zenRoot), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return { pid: Number.isFinite(pid) ? pid : 0, alive: pidAlive(pid) };
}

export interface HeldLock {
  path: string;
  /** true when a stale lock (dead PID) was removed first */
  clearedStale: number | null;
  /** Removes the lock if it still holds our PID. Never throws. */
  release(): Promise<void>;
}

export async function acquireLock(zenRoot: string, pid = process.pid): Promise<HeldLock> {
  const path = lockPath(zenRoot);
  await mkdir(dirname(path), { recursive: true });
  let clearedStale: number | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // 'wx': fails if the file exists, so two runs can never both believe they hold it
      const fh = await open(path, 'wx', 0o644);
      await fh.writeFile(`${pid}\n`);
      await fh.close();
      return {
        path,
        clearedStale,
        release: async () => {
          try {
            const cur = await readLock(zenRoot);
            if (cur && cur.pid === pid) await unlink(path);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot write the lock ${path}: ${(err as Error).message}`);
      const cur = await readLock(zenRoot);
      if (cur?.alive) throw new LockHeld(cur.pid, path);
      clearedStale = cur?.pid ?? null;
      await unlink(path).catch(() => undefined);
    }
  }
  throw new Error(`cannot take the lock ${path}: it keeps coming back`);
}
