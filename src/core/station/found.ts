/**
 * Whether a folder is a station: it holds the station's tmp/, strfry/ or game/ folder (Astroport's layout). A sync
 * on anything else is refused before it writes there: a typo in `--zen-root` from cron must not pass for a
 * success, nor leave a lock, a log tree and an empty profiles export in a folder that is not a station.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { reason, ReasonError, type Reason } from '../../shared/i18n';

/** One of these folders makes a station root. */
export const STATION_FOLDERS = ['tmp', 'strfry', 'game'] as const;

async function isFolder(path: string): Promise<boolean | null> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return null;
  }
}

/** Why `root` is not a station, or null when it is one. */
export async function notAStation(root: string): Promise<Reason | null> {
  if ((await isFolder(root)) !== true) return reason('station.missing', { root });
  for (const d of STATION_FOLDERS) if ((await isFolder(join(root, d))) !== null) return null;
  return reason('station.empty', { root });
}

export async function stationFound(root: string): Promise<boolean> {
  return (await notAStation(root)) === null;
}

/** Throws the reason when `root` is not a station. */
export async function requireStation(root: string): Promise<void> {
  const why = await notAStation(root);
  if (why) throw new ReasonError(why);
}
