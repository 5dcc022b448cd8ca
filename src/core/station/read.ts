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
import { reason, ReasonError, type Reason } from '../../shared/i18n';
import { SECRET_FILE } from '../util/fs';

/** Size limits, bytes. */
export const LIMITS = {
  card: 1024 * 1024,
  small: 64 * 1024,
  keyList: 16 * 1024 * 1024,
  ipfsConfig: 1024 * 1024,
} as const;

/** A read that failed: whether the file is simply absent, and why (a code: the station's problems list says it). */
export type Refused = { missing: boolean; why: Reason };
export type ReadResult = { ok: true; text: string } | ({ ok: false } & Refused);
export type BytesResult = { ok: true; bytes: Buffer } | ({ ok: false } & Refused);

export interface DirEntry {
  name: string;
  /** 'dir' | 'file' | 'other' after resolving symlinks that stay inside the root. */
  type: 'dir' | 'file' | 'other';
  /** Why the entry cannot be used (symlink out of the root, broken link…), null when usable. */
  refused: Reason | null;
}

function isInside(realRoot: string, real: string): boolean {
  if (real === realRoot) return true;
  const rel = relative(realRoot, real);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Node's code for an error (ENOENT…), else its message: the detail of a "cannot …" reason. */
const detail = (err: unknown): string => errCode(err) ?? (err as Error).message;
const refuse = (why: Reason, missing = false): Refused => ({ missing, why });

/** Never let a caller read a private-key file: a programming error, not a station problem. */
function refuseSecret(name: string): never {
  throw new ReasonError(reason('file.secretRefused', { name }));
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
  async resolve(relPath: string): Promise<{ real: string } | Refused> {
    if (!this.realRoot) return refuse(reason('file.rootNotFolder'), true);
    const abs = join(this.root, relPath);
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      const code = errCode(err);
      // A file where a folder should be (strfry/ replaced by a file…) is a station problem, not an absence.
      if (code === 'ENOTDIR') return refuse(reason('file.pathNotFolder'));
      if (code === 'ENOENT') {
        // A dangling symlink is reported as such, a plain absence is just missing.
        const isLink = await lstat(abs).then((s) => s.isSymbolicLink(), () => false);
        return isLink ? refuse(reason('file.brokenLink')) : refuse(reason('file.missing'), true);
      }
      if (code === 'ELOOP') return refuse(reason('file.linkLoop'));
      return refuse(reason('file.cannotResolve', { detail: detail(err) }));
    }
    if (!isInside(this.realRoot, real)) return refuse(reason('file.linkOutside'));
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
    if (SECRET_FILE.test(basename(relPath))) refuseSecret(basename(relPath));
    const r = await this.resolve(relPath);
    if (!('real' in r)) return { ok: false, ...r };
    // A HEX planted as a symlink to the folder's .secret.nostr must not lead us into it.
    if (SECRET_FILE.test(basename(r.real))) return { ok: false, ...refuse(reason('file.secretLink')) };
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
  async list(relPath: string): Promise<{ entries: DirEntry[] } | Refused> {
    const r = await this.resolve(relPath);
    if (!('real' in r)) return r;
    let names: string[];
    try {
      names = await readdir(r.real);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOTDIR') return refuse(reason('file.notFolder'));
      return refuse(reason('file.cannotList', { detail: detail(err) }), code === 'ENOENT');
    }
    names.sort();
    const entries: DirEntry[] = [];
    for (const name of names) {
      const child = await this.resolve(join(relPath, name));
      if (!('real' in child)) {
        entries.push({ name, type: 'other', refused: child.why });
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
  if (bytes.includes(0)) return { ok: false, ...refuse(reason('file.binary')) };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, ...refuse(reason('file.notUtf8')) };
  }
}

/** Reads a regular file (no symlink at the last step, no FIFO), at most maxBytes, as bytes. */
export async function readBoundedBytes(path: string, maxBytes: number): Promise<BytesResult> {
  if (SECRET_FILE.test(basename(path))) refuseSecret(basename(path));
  let fh;
  try {
    // O_NONBLOCK: a FIFO planted under a card's name must not hang the reader; O_NOFOLLOW: the path was resolved.
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = errCode(err);
    if (code === 'ENOENT') return { ok: false, ...refuse(reason('file.missing'), true) };
    if (code === 'EACCES' || code === 'EPERM') return { ok: false, ...refuse(reason('file.permission')) };
    if (code === 'ELOOP') return { ok: false, ...refuse(reason('file.becameLink')) };
    return { ok: false, ...refuse(reason('file.cannotOpen', { detail: detail(err) })) };
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) return { ok: false, ...refuse(reason(s.isDirectory() ? 'file.isFolder' : 'file.notRegular')) };
    if (s.size > maxBytes) return { ok: false, ...refuse(reason('file.tooLarge', { size: s.size, limit: maxBytes })) };
    // Read at most maxBytes + 1 even if the file grows meanwhile.
    const buf = Buffer.alloc(Math.min(s.size, maxBytes) + 1);
    let used = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, used, buf.length - used, used);
      if (bytesRead === 0) break;
      used += bytesRead;
      if (used >= buf.length) break;
    }
    if (used > maxBytes) return { ok: false, ...refuse(reason('file.tooLargeOver', { limit: maxBytes })) };
    return { ok: true, bytes: buf.subarray(0, used) };
  } finally {
    await fh.close();
  }
}
