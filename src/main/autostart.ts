/**
 * Start at login. Electron's app.setLoginItemSettings works on macOS and Windows only; on Linux the freedesktop
 * way is a .desktop file in ~/.config/autostart, written here.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const AUTOSTART_FILE = 'constellation.desktop';

/** Quotes one Exec argument per the Desktop Entry spec. */
function quoteExec(arg: string): string {
  return /[\s"'\\$`]/.test(arg) ? `"${arg.replace(/(["\\$`])/g, '\\$1')}"` : arg;
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Constellation',
    'Comment=Keeps this Astroport station in sync with its constellation',
    'Comment[fr]=Garde cette station Astroport synchronisée avec sa constellation',
    `Exec=${[...command, '--hidden'].map(quoteExec).join(' ')}`,
    'Icon=constellation',
    'Terminal=false',
    'Categories=Network;Utility;',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export interface AutostartDeps {
  platform: NodeJS.Platform;
  configHome: string;
  /** The command that starts this app (the AppImage path when run from one). */
  command: readonly string[];
  setLoginItemSettings: (s: { openAtLogin: boolean; args?: string[] }) => void;
}

export async function applyAutostart(enabled: boolean, deps: AutostartDeps): Promise<void> {
  if (deps.platform !== 'linux') {
    deps.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    return;
  }
  const dir = join(deps.configHome, 'autostart');
  const file = join(dir, AUTOSTART_FILE);
  if (enabled) {
    await mkdir(dir, { recursive: true });
    await writeFile(file, autostartEntry(deps.command));
  } else {
    await rm(file, { force: true });
  }
}
