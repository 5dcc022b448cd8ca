/**
 * The desktop app's command line (`npm start -- --demo`, `constellation-desktop --data-dir …`): the same
 * station options as the CLI, each with the same CONSTELLATION_* environment variable. Unknown switches
 * (Chromium's own) are left alone.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SettingsPatch } from '../shared/schemas';

export interface DesktopArgs {
  demo: boolean;
  dataDir: string | null;
  /** Started by the login autostart entry: stay in the tray. */
  hidden: boolean;
  overrides: SettingsPatch;
}

export function parseDesktopArgs(argv: readonly string[], env: Record<string, string | undefined> = process.env): DesktopArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: false,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean' },
      hidden: { type: 'boolean' },
      'data-dir': { type: 'string' },
      'zen-root': { type: 'string' },
      'strfry-bin': { type: 'string' },
      'strfry-conf': { type: 'string' },
      'relay-url': { type: 'string' },
      'kubo-api': { type: 'string' },
    },
  });
  const str = (flag: string, envName: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string' && v.length > 0) return v;
    const e = env[envName];
    return e && e.length > 0 ? e : undefined;
  };
  const overrides: SettingsPatch = {};
  const zenRoot = str('zen-root', 'CONSTELLATION_ZEN_ROOT');
  const strfryBin = str('strfry-bin', 'CONSTELLATION_STRFRY_BIN');
  const strfryConf = str('strfry-conf', 'CONSTELLATION_STRFRY_CONF');
  const relayUrl = str('relay-url', 'CONSTELLATION_RELAY_URL');
  const kuboApi = str('kubo-api', 'CONSTELLATION_KUBO_API');
  if (zenRoot) overrides.zenRoot = resolve(zenRoot);
  if (strfryBin) overrides.strfryBin = resolve(strfryBin);
  if (strfryConf) overrides.strfryConf = resolve(strfryConf);
  if (relayUrl) overrides.relayUrl = relayUrl;
  if (kuboApi) overrides.kuboApi = kuboApi;
  const dataDir = str('data-dir', 'CONSTELLATION_DATA_DIR');
  const envDemo = env.CONSTELLATION_DEMO;
  return {
    demo: values.demo === true || (envDemo !== undefined && envDemo !== '' && envDemo !== '0' && envDemo !== 'false'),
    dataDir: dataDir ? resolve(dataDir) : null,
    hidden: values.hidden === true,
    overrides,
  };
}
