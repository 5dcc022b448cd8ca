/**
 * The systemd user unit of a headless station (`constellation service install|uninstall`): the template shipped
 * in resources/systemd/constellation.service, rendered with this installation's paths, written to
 * `~/.config/systemd/user/constellation.service` (or $XDG_CONFIG_HOME/systemd/user), then `systemctl --user
 * daemon-reload` and `enable --now`. Uninstall does `disable --now`, removes the file, reloads. The folder and
 * the systemctl program are injectable (tests use a temp folder and a fake systemctl of their own).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { reason, ReasonError, type Reason } from '../shared/i18n';

export const UNIT_NAME = 'constellation.service';

export interface UnitInput {
  /** The Node binary that runs the command. */
  node: string;
  /** bin/constellation.mjs of this installation. */
  script: string;
  /** Port of the web host. */
  port: number;
  /** Environment the service needs (station root, data folder… as given at install). */
  env: Record<string, string>;
}

/** systemd quoting for one word of ExecStart (double quotes, backslash and dollar escaped). */
export function systemdWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$')}"`;
}

/** The unit text from the shipped template. */
export function renderUnit(template: string, u: UnitInput): string {
  const exec = [u.node, u.script, 'serve', '--schedule', '--live', '--port', String(u.port)].map(systemdWord).join(' ');
  const env = Object.entries(u.env)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`)}`)
    .join('\n');
  return template.replace('@EXEC_START@', exec).replace('@ENVIRONMENT@\n', env ? `${env}\n` : '');
}

/** ~/.config/systemd/user (or $XDG_CONFIG_HOME/systemd/user). */
export function defaultUnitDir(env: Record<string, string | undefined> = process.env, home = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(home, '.config'), 'systemd', 'user');
}

export interface ServiceDeps {
  unitDir: string;
  /** The systemctl program (called with `--user …`). */
  systemctl: string;
  /** Where one line of what is done goes: a command as run (text), or what was done (a reason). */
  say: (line: string | Reason) => void;
}

/** Runs `systemctl --user <args>`; resolves with its exit code and output (never rejects on a non-zero code). */
export function systemctl(program: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['--user', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => reject(new ReasonError(reason('cli.cannotRun', { program, detail: err.message }))));
    child.on('close', (code) => resolve({ code, output: output.trim() }));
  });
}

async function must(deps: ServiceDeps, args: string[]): Promise<void> {
  const r = await systemctl(deps.systemctl, args);
  if (r.code !== 0) throw new ReasonError(reason('service.systemctlFailed', { args: args.join(' '), code: r.code, output: r.output }));
  deps.say(`systemctl --user ${args.join(' ')}`);
}

export async function installService(templatePath: string, unit: UnitInput, deps: ServiceDeps): Promise<string> {
  let template: string;
  try {
    template = await readFile(templatePath, 'utf8');
  } catch (err) {
    throw new ReasonError(reason('service.templateUnreadable', { path: templatePath, detail: (err as Error).message }));
  }
  const path = join(deps.unitDir, UNIT_NAME);
  await mkdir(deps.unitDir, { recursive: true });
  await writeFile(path, renderUnit(template, unit), { mode: 0o644 });
  deps.say(reason('service.wrote', { path }));
  await must(deps, ['daemon-reload']);
  await must(deps, ['enable', '--now', UNIT_NAME]);
  return path;
}

export async function uninstallService(deps: ServiceDeps): Promise<boolean> {
  const path = join(deps.unitDir, UNIT_NAME);
  const present = existsSync(path);
  // not loaded (never installed, or already removed): nothing to stop, not an error
  const r = await systemctl(deps.systemctl, ['disable', '--now', UNIT_NAME]);
  if (r.code === 0) deps.say(`systemctl --user disable --now ${UNIT_NAME}`);
  else if (present) throw new ReasonError(reason('service.systemctlFailed', { args: `disable --now ${UNIT_NAME}`, code: r.code, output: r.output }));
  if (present) {
    await rm(path);
    deps.say(reason('service.removed', { path }));
  }
  await must(deps, ['daemon-reload']);
  return present;
}
