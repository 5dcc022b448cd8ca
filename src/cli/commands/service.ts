/**
 * `constellation service install|uninstall`: runs Constellation as a systemd user service on a headless station
 * (`serve --schedule --live`, restarted on failure, logging to the journal). See ../service.ts.
 */
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT, UsageError, globalOptions, voiceFor } from '../context';
import type { Voice } from '../voice';
import { appRoot } from '../root';
import { DEFAULT_SERVE_PORT } from './serve';
import { defaultUnitDir, installService, uninstallService, type ServiceDeps } from '../service';

function deps(opts: { unitDir?: string; systemctl?: string }, voice: Voice): ServiceDeps {
  return {
    unitDir: resolve(opts.unitDir ?? defaultUnitDir()),
    systemctl: opts.systemctl ?? 'systemctl',
    say: (line) => void process.stdout.write(`${typeof line === 'string' ? line : voice.say(null, line)}\n`),
  };
}

export function registerService(program: Command, v: Voice): void {
  const d = v.w.desc;
  const unitDirOption = (): Option => new Option('--unit-dir <dir>', d.unitDir).env('CONSTELLATION_SYSTEMD_DIR');
  const systemctlOption = (): Option => new Option('--systemctl <program>', d.systemctl).env('CONSTELLATION_SYSTEMCTL').hideHelp();
  const service = program.command('service').description(d.service);
  service
    .command('install')
    .description(d.serviceInstall)
    .addOption(new Option('--port <n>', d.servicePort).default(String(DEFAULT_SERVE_PORT)))
    .addOption(unitDirOption())
    .addOption(systemctlOption())
    .action(async (opts: { port: string; unitDir?: string; systemctl?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const voice = voiceFor(g);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(voice.w.usage.servicePort(opts.port));
      // what was given at install is what the service runs with
      const env: Record<string, string> = {};
      if (g.zenRoot) env.CONSTELLATION_ZEN_ROOT = resolve(g.zenRoot);
      if (g.dataDir) env.CONSTELLATION_DATA_DIR = resolve(g.dataDir);
      if (g.strfryBin) env.CONSTELLATION_STRFRY_BIN = resolve(g.strfryBin);
      if (g.strfryConf) env.CONSTELLATION_STRFRY_CONF = resolve(g.strfryConf);
      if (g.relayUrl) env.CONSTELLATION_RELAY_URL = g.relayUrl;
      if (g.kuboApi) env.CONSTELLATION_KUBO_API = g.kuboApi;
      const root = appRoot();
      const sys = deps(opts, voice);
      await installService(join(root, 'resources', 'systemd', 'constellation.service'), { node: process.execPath, script: join(root, 'bin', 'constellation.mjs'), port, env }, sys);
      sys.say(voice.w.service.installed);
      sys.say(voice.w.service.linger);
      process.exitCode = EXIT.ok;
    });
  service
    .command('uninstall')
    .description(d.serviceUninstall)
    .addOption(unitDirOption())
    .addOption(systemctlOption())
    .action(async (opts: { unitDir?: string; systemctl?: string }, cmd: Command) => {
      const voice = voiceFor(globalOptions(cmd));
      const sys = deps(opts, voice);
      const removed = await uninstallService(sys);
      sys.say(removed ? voice.w.service.removed : voice.w.service.notInstalled);
      process.exitCode = EXIT.ok;
    });
}
