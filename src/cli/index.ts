import { Command, CommanderError, Option } from 'commander';
import { EXIT, UsageError, packageVersion } from './context';
import { registerInfo } from './commands/info';
import { registerServe } from './commands/serve';
import { registerStation } from './commands/station';
import { registerSync } from './commands/sync';
import { registerReach } from './commands/reach';
import { registerLive } from './commands/live';
import { registerService } from './commands/service';

export function buildProgram(): Command {
  const program = new Command('constellation')
    .description('Keeps an Astroport station in sync with the rest of its constellation.')
    .version(packageVersion(), '-V, --version')
    .addOption(new Option('--zen-root <dir>', 'station root (default ~/.zen)').env('CONSTELLATION_ZEN_ROOT'))
    .addOption(new Option('--data-dir <dir>', "the app's data folder").env('CONSTELLATION_DATA_DIR'))
    .addOption(new Option('--strfry-bin <path>', 'strfry binary (default <zen-root>/strfry/strfry)').env('CONSTELLATION_STRFRY_BIN'))
    .addOption(new Option('--strfry-conf <path>', 'strfry.conf (default <zen-root>/strfry/strfry.conf)').env('CONSTELLATION_STRFRY_CONF'))
    .addOption(new Option('--relay-url <url>', 'local relay (default ws://127.0.0.1:7777)').env('CONSTELLATION_RELAY_URL'))
    .addOption(new Option('--kubo-api <url>', 'kubo RPC API (default http://127.0.0.1:5001)').env('CONSTELLATION_KUBO_API'))
    .addOption(new Option('--demo', 'run on the embedded demo constellation').env('CONSTELLATION_DEMO'))
    .showHelpAfterError()
    .exitOverride();
  registerInfo(program);
  registerStation(program);
  registerSync(program);
  registerReach(program);
  registerServe(program);
  registerLive(program);
  registerService(program);
  return program;
}

/** Runs the command line; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv);
    const code = process.exitCode;
    return typeof code === 'number' ? code : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`constellation: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`constellation: ${(err as Error).message}\n`);
    return EXIT.failed;
  }
}
