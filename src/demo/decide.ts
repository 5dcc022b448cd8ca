/**
 * When the engine runs the demo: asked with `--demo`; or, in the desktop app and the web host, when the
 * captain never chose a station root (no flag, no saved setting) and the default one (~/.zen) holds no
 * station — a newcomer's first start. A root the captain chose explicitly is never replaced by the demo: a
 * missing station there is a diagnosis to show, not a reason to pretend.
 *
 * Synchronous on purpose: the host decides this before it builds the engine (launch.ts), because the demo also
 * changes the data folder the engine's parts are built on.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSettings } from '../shared/schemas';
import type { EngineConfig } from '../core/config';
import { STATION_FOLDERS } from '../core/station/found';

/** The engine's data folder in demo mode: the captain's own settings and history are never touched. */
export const demoAppDir = (dataDir: string): string => join(dataDir, 'demo', 'app');

function savedZenRoot(dataDir: string): string | null {
  try {
    const saved = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as { zenRoot?: unknown };
    return typeof saved.zenRoot === 'string' ? saved.zenRoot : null;
  } catch {
    return null;
  }
}

/** Same rule as station/found.ts, synchronous: a folder holding the station's tmp/, strfry/ or game/ folder. */
function stationFoundSync(root: string): boolean {
  try {
    if (!statSync(root).isDirectory()) return false;
  } catch {
    return false;
  }
  return STATION_FOLDERS.some((d) => existsSync(join(root, d)));
}

export function demoWanted(config: Pick<EngineConfig, 'demo' | 'host' | 'overrides' | 'dataDir' | 'home'>): boolean {
  if (config.demo) return true;
  if (config.host !== 'electron' && config.host !== 'web') return false;
  if (config.overrides.zenRoot !== undefined) return false;
  if (savedZenRoot(config.dataDir) !== null) return false;
  return !stationFoundSync(defaultSettings(config.home).zenRoot);
}
