/** What the local relay holds: event count (through the local store), database size, members per source. */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MemberSources, StoreStats } from '../../shared/schemas';
import type { LocalStore } from '../services';
import { StationReader } from './read';

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

export async function countEvents(store: () => LocalStore): Promise<{ events: number | null; method: string }> {
  let s: LocalStore;
  try {
    s = store();
  } catch (err) {
    return { events: null, method: `no local store: ${(err as Error).message}` };
  }
  try {
    const n = await s.count({});
    return n === null
      ? { events: null, method: `${s.description}: cannot count events` }
      : { events: n, method: `count through ${s.description}` };
  } catch (err) {
    return { events: null, method: `${s.description}: count failed (${(err as Error).message})` };
  }
}

export async function storeStats(root: string, store: () => LocalStore, bySource: MemberSources, total: number): Promise<StoreStats> {
  const [count, dbBytes] = await Promise.all([countEvents(store), stationDbBytes(root)]);
  return { events: count.events, method: count.method, dbBytes, members: { ...bySource, total } };
}
