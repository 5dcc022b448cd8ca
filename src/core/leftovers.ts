/**
 * What a crash (SIGKILL, power cut, disk full) leaves behind in the folders we write, removed at start: the
 * temporary files of our atomic writes. Only our own names, in our own folders: the data folder, and in the
 * station the profile export's and the lock's temporary files (the station's own files are never touched).
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { Logger } from './log';
import { sweepTempFiles } from './util/fs';
import { EXPORT_CSV, EXPORT_DIR, EXPORT_JSON } from './profiles/export';
import { lockPath } from './sync/lock';
import { reason, reasonOf } from '../shared/i18n';

/** The data folder's subfolders written with writeFileAtomic (history reports, per-peer sync state). */
const DATA_SUBDIRS = ['history', 'sync-state'];

async function insideRoot(root: string, dir: string): Promise<boolean> {
  const [r, d] = await Promise.all([realpath(root).catch(() => null), realpath(dir).catch(() => null)]);
  if (!r || !d) return false;
  const rel = relative(r, d);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export async function sweepLeftovers(dataDir: string, zenRoot: string, log: Logger): Promise<void> {
  const removed: string[] = [];
  try {
    for (const dir of [dataDir, ...DATA_SUBDIRS.map((d) => join(dataDir, d))]) removed.push(...(await sweepTempFiles(dir)));
    const lock = lockPath(zenRoot);
    const station: Array<[string, string[]]> = [
      [join(zenRoot, EXPORT_DIR), [EXPORT_JSON, EXPORT_CSV]],
      [dirname(lock), [basename(lock)]],
    ];
    // A station folder that resolves outside the root (a planted symlink) is not ours to clean.
    for (const [dir, names] of station) if (await insideRoot(zenRoot, dir)) removed.push(...(await sweepTempFiles(dir, { names })));
  } catch (err) {
    log.warn(reason('files.notSwept', { why: reasonOf(err) }));
  }
  if (removed.length > 0) log.info(reason('files.swept', { files: removed }));
}
