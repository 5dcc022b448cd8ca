/** What the local relay holds: event count (through the local store), database size, members per source. */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MemberSources, StoreStats } from '../../shared/schemas';
import type { LocalStore } from '../services';
import { StationReader } from './read';
import { reason, reasonOf, reasonText, type Reason } from '../../shared/i18n';

export const STRFRY_DB_DIR = join('strfry', 'strfry-db');

/** Total size of the regular files of a folder (two levels, no symlink followed); null when absent. */
export async function folderBytes(dir: string): Promise<number | null> {
  let total = 0;
  const walk = async (d: string, depth: number): Promise<void> => {
    for (const name of await readdir(d)) {
      const s = await lstat(join(d, name)).catch(() => null);
      if (!s) continue;
      if (s.isFile()) total += s.size;
      else if (s.isDirectory() && depth > 0) await walk(join(d, name), depth - 1);
    }
  };
  try {
    if (!(await lstat(dir)).isDirectory()) return null;
    await walk(dir, 2);
    return total;
  } catch {
    return null;
  }
}

/** The database folder, only when it resolves inside the station root. */
export async function stationDbBytes(root: string): Promise<number | null> {
  const reader = new StationReader(root);
  if (!(await reader.init())) return null;
  const r = await reader.resolve(STRFRY_DB_DIR);
  return 'real' in r ? folderBytes(r.real) : null;
}

/** The events the local store holds, and how they were counted (or why not): a code, and its English. */
export async function countEvents(store: () => LocalStore): Promise<{ events: number | null; method: string; why: Reason }> {
  const said = (events: number | null, why: Reason) => ({ events, method: reasonText(why), why });
  let s: LocalStore;
  try {
    s = store();
  } catch (err) {
    return said(null, reason('stats.noStore', { why: reasonOf(err) }));
  }
  try {
    const n = await s.count({});
    return n === null ? said(null, reason('stats.cannotCount', { store: s.description })) : said(n, reason('stats.counted', { store: s.description }));
  } catch (err) {
    return said(null, reason('stats.countFailed', { store: s.description, why: reasonOf(err) }));
  }
}

export async function storeStats(root: string, store: () => LocalStore, bySource: MemberSources, total: number): Promise<StoreStats> {
  const [count, dbBytes] = await Promise.all([countEvents(store), stationDbBytes(root)]);
  return { events: count.events, method: count.method, why: count.why, dbBytes, members: { ...bySource, total } };
}
