/**
 * `constellation service install|uninstall`: runs Constellation as a systemd user service on a headless station
 * (`serve --schedule --live`, restarted on failure, logging to the journal). See ../service.ts.
 */
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT, UsageError, globalOptions } from '../context';
import { appRoot } from '../root';
import { DEFAULT_SERVE_PORT } from './serve';
import { defaultUnitDir, installService, uninstallService, type ServiceDeps } from '../service';

function deps(opts: { unitDir?: string; systemctl?: string }): ServiceDeps {
  return {
    unitDir: resolve(opts.unitDir ?? defaultUnitDir()),
    systemctl: opts.systemctl ?? 'systemctl',
    say: (line) => void process.stdout.write(`${line}\n`),
  };
}

const unitDirOption = (): Option => new Option('--unit-dir <dir>', 'systemd user unit folder (default ~/.config/systemd/user)').env('CONSTELLATION_SYSTEMD_DIR');
const systemctlOption = (): Option => new Option('--systemctl <program>', 'the systemctl program').env('CONSTELLATION_SYSTEMCTL').hideHelp();

export function registerService(program: Command): void {
  const service = program.command('service').description('run Constellation as a systemd user service (headless station)');
  service
    .command('install')
    .description('install and start the user service: serve --schedule --live, restarted on failure, logs in the journal')
    .addOption(new Option('--port <n>', 'port of the web host on 127.0.0.1').default(String(DEFAULT_SERVE_PORT)))
    .addOption(unitDirOption())
    .addOption(systemctlOption())
    .action(async (opts: { port: string; unitDir?: string; systemctl?: string }, cmd: Command) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port: ${opts.port} is not a port number (1..65535)`);
      const g = globalOptions(cmd);
      // what was given at install is what the service runs with
      const env: Record<string, string> = {};
      if (g.zenRoot) env.CONSTELLATION_ZEN_ROOT = resolve(g.zenRoot);
      if (g.dataDir) env.CONSTELLATION_DATA_DIR = resolve(g.dataDir);
      if (g.strfryBin) env.CONSTELLATION_STRFRY_BIN = resolve(g.strfryBin);
      if (g.strfryConf) env.CONSTELLATION_STRFRY_CONF = resolve(g.strfryConf);
      if (g.relayUrl) env.CONSTELLATION_RELAY_URL = g.relayUrl;
      if (g.kuboApi) env.CONSTELLATION_KUBO_API = g.kuboApi;
      const root = appRoot();
      const d = deps(opts);
      await installService(join(root, 'resources', 'systemd', 'constellation.service'), { node: process.execPath, script: join(root, 'bin', 'constellation.mjs'), port, env }, d);
      d.say('Constellation runs as a user service now. Logs: journalctl --user -u constellation -f');
      d.say('To start it at boot without logging in: loginctl enable-linger "$USER"');
      process.exitCode = EXIT.ok;
    });
  service
    .command('uninstall')
    .description('stop and remove the user service')
    .addOption(unitDirOption())
    .addOption(systemctlOption())
    .action(async (opts: { unitDir?: string; systemctl?: string }) => {
      const d = deps(opts);
      const removed = await uninstallService(d);
      d.say(removed ? 'The Constellation user service is removed.' : 'No Constellation user service was installed.');
      process.exitCode = EXIT.ok;
    });
}
