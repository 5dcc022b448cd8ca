/**
 * The station lock `strfry/constellation-backfill.lock`, holding the PID of the run, shared with the station's
 * own scheduler (which checks the same PID before launching the shell backfill).
 *
 * A lock is stale when its PID no longer names the process that wrote it: no such process, or the lock is older
 * than this boot, or the process now under that PID started after the lock was written (util/process.ts). A
 * PID alone is not enough: after a reboot the number is soon reused by some other process, and every sync
 * would be refused until someone deleted the lock by hand.
 *
 * Public API:
 *   readLock(zenRoot) → { pid, alive, why } | null
 *   acquireLock(zenRoot, pid?, { guardWaitMs }?) → { path, release() }      // throws LockHeld when a live owner holds it; clears a stale one
 *   lockPath(zenRoot)
 */
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { ownerAlive } from '../util/process';
import { tempNameFor } from '../util/fs';
import { reason, reasonOf, ReasonError, type Reason } from '../../shared/i18n';

export function lockPath(zenRoot: string): string {
  return join(zenRoot, 'strfry', 'constellation-backfill.lock');
}

export class LockHeld extends ReasonError {
  override name = 'LockHeld';
  constructor(readonly pid: number, readonly path: string) {
    super(reason('lock.held', { pid, path }));
  }
}

export interface LockOwner {
  pid: number;
  /** the process that wrote the lock still runs */
  alive: boolean;
  /** why the lock is stale, when it is */
  why: Reason | null;
}

/** Whose the lock is, judged by its PID and its time (see above); `proc` is for tests. */
export function judgeLock(text: string, writtenAtMs: number, proc?: string): LockOwner {
  const pid = Number.parseInt(text.trim().split(/\s+/)[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, alive: false, why: reason('lock.empty') };
  const v = ownerAlive(pid, writtenAtMs, proc);
  return { pid, alive: v.alive, why: v.alive ? null : v.why };
}

export async function readLock(zenRoot: string): Promise<LockOwner | null> {
  const path = lockPath(zenRoot);
  let text: string;
  let writtenAt: number;
  try {
    [text, writtenAt] = await Promise.all([readFile(path, 'utf8'), stat(path).then((s) => s.mtimeMs)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return judgeLock(text, writtenAt);
}

export interface HeldLock {
  path: string;
  /** the PID of a stale lock removed first, else null */
  clearedStale: number | null;
  /** why that lock was stale */
  staleWhy: Reason | null;
  /** Removes the lock if it still holds our PID. Never throws. */
  release(): Promise<void>;
}

/** A stale-lock takeover guard older than this was left by a crash in the middle of a takeover. */
const GUARD_STALE_MS = 10_000;
/** How long a run that finds another run's takeover guard waits before it looks at the lock again. */
const GUARD_WAIT_MS = 50;

export interface AcquireOptions {
  /**
   * The wait when another run holds the takeover guard (default GUARD_WAIT_MS). Tests that race runs for a
   * stale lock hundreds of times shorten it: the race is the same, each round is over sooner.
   */
  guardWaitMs?: number;
}

/**
 * Creates the lock holding `pid`, atomically and never empty: the PID is written to a temporary file which is
 * then hard-linked to the lock's name (link fails if the name exists). A lock created by open('wx') then
 * written would be seen empty for an instant, and an empty lock reads as stale: another run would remove it.
 */
async function createLock(path: string, pid: number): Promise<boolean> {
  // named like writeFileAtomic's temporary files, so one left by a crash is swept at the next start
  const tmp = tempNameFor(path);
  await writeFile(tmp, `${pid}\n`, { mode: 0o644 });
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ReasonError(reason('lock.cannotWrite', { path, why: reasonOf(err) }), { cause: err });
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Removes a stale lock if it still holds `stalePid`. Two runs that both found the same stale lock must not
 * remove it one after the other (the second would remove the lock the first has just taken): the check and
 * the removal happen under a takeover guard file, itself created exclusively. Returns true when removed.
 */
async function clearStale(path: string, zenRoot: string, stalePid: number, guardWaitMs: number): Promise<boolean> {
  const guard = `${path}.takeover`;
  try {
    await writeFile(guard, `${process.pid}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new ReasonError(reason('lock.cannotTakeOver', { path, why: reasonOf(err) }), { cause: err });
    const age = await stat(guard).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    else await new Promise((r) => setTimeout(r, guardWaitMs));
    return false;
  }
  try {
    const cur = await readLock(zenRoot);
    if (!cur || cur.alive || cur.pid !== stalePid) return false;
    await unlink(path).catch(() => undefined);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

export async function acquireLock(zenRoot: string, pid = process.pid, opts: AcquireOptions = {}): Promise<HeldLock> {
  const path = lockPath(zenRoot);
  await mkdir(dirname(path), { recursive: true });
  let clearedStale: number | null = null;
  let staleWhy: Reason | null = null;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await createLock(path, pid)) {
      return {
        path,
        clearedStale,
        staleWhy,
        release: async () => {
          try {
            const cur = await readLock(zenRoot);
            if (cur && cur.pid === pid) await unlink(path);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    }
    const cur = await readLock(zenRoot);
    if (!cur) continue; // released meanwhile: try again
    if (cur.alive) throw new LockHeld(cur.pid, path);
    if (await clearStale(path, zenRoot, cur.pid, opts.guardWaitMs ?? GUARD_WAIT_MS)) {
      clearedStale = cur.pid;
      staleWhy = cur.why;
    }
  }
  throw new ReasonError(reason('lock.keepsComingBack', { path }));
}
