/**
 * Confined, bounded reading of the station root. Everything under the root is written by other programs (and,
 * for tmp/swarm, copied from other stations), so every read is treated as hostile input:
 * - a path is resolved with realpath and refused when it lands outside the root (symlinks out of the root);
 * - only regular files are read (no FIFO, device or folder), opened non-blocking and without following a
 *   final symlink, and never more than a size limit;
 * - binary content (NUL bytes, invalid UTF-8) is refused;
 * - names of private-key files (SECRET_FILE) are refused before anything touches them.
 */
import { constants } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep, isAbsolute } from 'node:path';
import { SECRET_FILE } from '../util/fs';

/** Size limits, bytes. */
export const LIMITS = {
  card: 1024 * 1024,
  small: 64 * 1024,
  keyList: 16 * 1024 * 1024,
  ipfsConfig: 1024 * 1024,
} as const;

export type ReadResult = { ok: true; text: string } | { ok: false; missing: boolean; reason: string };
export type BytesResult = { ok: true; bytes: Buffer } | { ok: false; missing: boolean; reason: string };

export interface DirEntry {
  name: string;
  /** 'dir' | 'file' | 'other' after resolving symlinks that stay inside the root. */
  type: 'dir' | 'file' | 'other';
  /** Why the entry cannot be used (symlink out of the root, broken link…), null when usable. */
  refused: string | null;
}

function isInside(realRoot: string, real: string): boolean {
  if (real === realRoot) return true;
  const rel = relative(realRoot, real);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

export class StationReader {
  private realRoot: string | null = null;

  constructor(readonly root: string) {}

  /** Resolves the root itself. Returns false when there is no folder there. */
  async init(): Promise<boolean> {
    try {
      const real = await realpath(this.root);
      if (!(await stat(real)).isDirectory()) return false;
      this.realRoot = real;
      return true;
    } catch {
      return false;
    }
  }

  /** Path relative to the root, for problem reports. */
  rel(path: string): string {
    return relative(this.root, path) || '.';
  }

  /**
   * The real path of root/rel when it exists and stays inside the root; otherwise why not.
   * Never opens anything (realpath and lstat only).
   */
  async resolve(relPath: string): Promise<{ real: string } | { missing: boolean; reason: string }> {
    if (!this.realRoot) return { missing: true, reason: 'the station root is not a folder' };
    const abs = join(this.root, relPath);
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      const code = errCode(err);
      // A file where a folder should be (strfry/ replaced by a file…) is a station problem, not an absence.
      if (code === 'ENOTDIR') return { missing: false, reason: 'a folder on the way is not a folder' };
      if (code === 'ENOENT') {
        // A dangling symlink is reported as such, a plain absence is just missing.
        const isLink = await lstat(abs).then((s) => s.isSymbolicLink(), () => false);
        return isLink ? { missing: false, reason: 'broken symlink' } : { missing: true, reason: 'missing' };
      }
      if (code === 'ELOOP') return { missing: false, reason: 'symlink loop' };
      return { missing: false, reason: `cannot resolve (${code ?? (err as Error).message})` };
    }
    if (!isInside(this.realRoot, real)) return { missing: false, reason: 'symlink pointing outside the station root, refused' };
    return { real };
  }

  /** Reads a text file under the root, bounded by maxBytes. */
  async readText(relPath: string, maxBytes: number): Promise<ReadResult> {
    const r = await this.readBytes(relPath, maxBytes);
    return r.ok ? decodeText(r.bytes) : r;
  }

  /**
   * Reads a file under the root as bytes, bounded by maxBytes, for callers that judge the content piece by
   * piece (key lists: one bad line must not cost the good keys around it).
   */
  async readBytes(relPath: string, maxBytes: number): Promise<BytesResult> {
    if (SECRET_FILE.test(basename(relPath))) {
      // A programming error, not a station problem: never let a caller read a private-key file.
      throw new Error(`refusing to open a private-key file (${basename(relPath)})`);
    }
    const r = await this.resolve(relPath);
    if (!('real' in r)) return { ok: false, missing: r.missing, reason: r.reason };
    // A HEX planted as a symlink to the folder's .secret.nostr must not lead us into it.
    if (SECRET_FILE.test(basename(r.real))) return { ok: false, missing: false, reason: 'symlink to a private-key file, refused' };
    return readBoundedBytes(r.real, maxBytes);
  }

  /** Whether root/rel exists as a regular file inside the root. Never opens it. */
  async isFile(relPath: string): Promise<boolean> {
    const r = await this.resolve(relPath);
    if (!('real' in r)) return false;
    return stat(r.real).then((s) => s.isFile(), () => false);
  }

  /**
   * Lists a folder under the root (names only; nothing inside the entries is opened). Returns null when the
   * folder is missing or refused, with the reason.
   */
  async list(relPath: string): Promise<{ entries: DirEntry[] } | { missing: boolean; reason: string }> {
    const r = await this.resolve(relPath);
    if (!('real' in r)) return r;
    let names: string[];
    try {
      names = await readdir(r.real);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOTDIR') return { missing: false, reason: 'not a folder' };
      return { missing: code === 'ENOENT', reason: `cannot list (${code ?? (err as Error).message})` };
    }
    names.sort();
    const entries: DirEntry[] = [];
    for (const name of names) {
      const child = await this.resolve(join(relPath, name));
      if (!('real' in child)) {
        entries.push({ name, type: 'other', refused: child.reason });
        continue;
      }
      const s = await stat(child.real).catch(() => null);
      entries.push({ name, type: s?.isDirectory() ? 'dir' : s?.isFile() ? 'file' : 'other', refused: null });
    }
    return { entries };
  }
}

/** Reads a regular file (no symlink at the last step, no FIFO), at most maxBytes, as strict UTF-8 text. */
export async function readBoundedFile(path: string, maxBytes: number): Promise<ReadResult> {
  const r = await readBoundedBytes(path, maxBytes);
  return r.ok ? decodeText(r.bytes) : r;
}

/** Text files: no NUL byte, strict UTF-8. */
function decodeText(bytes: Buffer): ReadResult {
  if (bytes.includes(0)) return { ok: false, missing: false, reason: 'binary content (NUL bytes)' };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, missing: false, reason: 'not UTF-8 text' };
  }
}

/** Reads a regular file (no symlink at the last step, no FIFO), at most maxBytes, as bytes. */
export async function readBoundedBytes(path: string, maxBytes: number): Promise<BytesResult> {
  if (SECRET_FILE.test(basename(path))) throw new Error(`refusing to open a private-key file (${basename(path)})`);
  let fh;
  try {
    // O_NONBLOCK: a FIFO planted under a card's name must not hang the reader; O_NOFOLLOW: the path was resolved.
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') return { ok: false, missing: true, reason: 'missing' };
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, missing: false, reason: 'not readable (permission denied)' };
    if (code === 'ELOOP') return { ok: false, missing: false, reason: 'became a symlink while being read, refused' };
    return { ok: false, missing: false, reason: `cannot open (${code ?? (err as Error).message})` };
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) return { ok: false, missing: false, reason: s.isDirectory() ? 'a folder, not a file' : 'not a regular file' };
    if (s.size > maxBytes) return { ok: false, missing: false, reason: `too large (${s.size} bytes, limit ${maxBytes})` };
    // Read at most maxBytes + 1 even if the file grows meanwhile.
    const buf = Buffer.alloc(Math.min(s.size, maxBytes) + 1);
    let used = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, used, buf.length - used, used);
      if (bytesRead === 0) break;
      used += bytesRead;
      if (used >= buf.length) break;
    }
    if (used > maxBytes) return { ok: false, missing: false, reason: `too large (over ${maxBytes} bytes)` };
    return { ok: true, bytes: buf.subarray(0, used) };
  } finally {
    await fh.close();
  }
}
