import { chmod, lstat, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pidAlive } from './process';

/** Mode of a file only its owner may read: settings (kuboAuth) and anything else holding a credential. */
export const PRIVATE_FILE = 0o600;
const PUBLIC_FILE = 0o644;

/** `.<name>.<pid>.<8 hex>.tmp`: the temporary files of writeFileAtomic (and of the lock), nobody else's. */
const TEMP_NAME = /^\.(.+)\.(\d{1,10})\.([0-9a-f]{8})\.tmp$/;

export function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes a file atomically: a temporary file in the same folder, fsync, then rename over the target, so a
 * reader (or a crash) never sees half a file. When any step fails (disk full, …) the temporary file is removed
 * and the previous file stays as it was; one left by a crash is swept at the next start (sweepTempFiles).
 * `mode`: PRIVATE_FILE for a file holding a credential.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempNameFor(path);
  try {
    const fh = await open(tmp, 'wx', opts.mode ?? PUBLIC_FILE);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Removes our own temporary files left in `dir` by a crash: only names of the form `.<name>.<pid>.<hex>.tmp`
 * (and, when `names` is given, only for those target names), only regular files, and only when the process
 * that was writing them is gone (or the file is older than an hour: no write of ours takes that long, the PID
 * was reused). Another process of ours writing right now keeps its file. Returns the paths removed; a folder
 * that does not exist is nothing to sweep.
 */
export async function sweepTempFiles(dir: string, opts: { names?: readonly string[]; now?: number } = {}): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const now = opts.now ?? Date.now();
  const removed: string[] = [];
  for (const name of entries) {
    const m = TEMP_NAME.exec(name);
    if (!m || (opts.names && !opts.names.includes(m[1] ?? ''))) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => null);
    if (!info?.isFile()) continue;
    // a live writer (this process included) may be in the middle of its write
    if (pidAlive(Number(m[2])) && now - info.mtimeMs < 3_600_000) continue;
    await unlink(path).then(
      () => removed.push(path),
      () => undefined,
    );
  }
  return removed;
}

/**
 * Makes an existing file private (PRIVATE_FILE) when others may read it; returns true when it changed. For
 * files written 0644 by an earlier version while they held a credential.
 */
export async function tightenFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile() || (info.mode & 0o077) === 0) return false;
  await chmod(path, PRIVATE_FILE);
  return true;
}

/** Names of files that hold private keys: never opened, copied or logged. */
export const SECRET_FILE = /^(\.secret.*|\.ssss.*|\.pass|\.multipass\.json|\.nostr\.zine\.html)$/;
