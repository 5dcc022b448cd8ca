import { Command, CommanderError, Option } from 'commander';
import { isLang } from '../shared/i18n';
import { EXIT, UsageError, packageVersion } from './context';
import { registerInfo } from './commands/info';
import { registerServe } from './commands/serve';
import { registerStation } from './commands/station';
import { registerSync } from './commands/sync';
import { registerReach } from './commands/reach';
import { cliLanguage, langFlag, voiceOf, type Voice } from './voice';

/** The command line, its help in the captain's language (`--lang`, else the locale environment). */
export function buildProgram(v: Voice = voiceOf('en')): Command {
  const d = v.w.desc;
  const titles: Record<string, string> = {
    'Usage:': v.w.help.usage,
    'Options:': v.w.help.options,
    'Commands:': v.w.help.commands,
    'Arguments:': v.w.help.arguments,
    'Global Options:': v.w.help.globalOptions,
  };
  const program = new Command('constellation')
    .description(d.program)
    .version(packageVersion(), '-V, --version', d.version)
    .helpOption('-h, --help', d.help)
    .helpCommand('help [command]', d.helpCommand)
    .configureHelp({ styleTitle: (title) => titles[title] ?? title })
    .configureOutput({ outputError: (text, write) => write(text.split('\n').map(v.w.commanderError).join('\n')) })
    .addOption(new Option('--zen-root <dir>', d.zenRoot).env('CONSTELLATION_ZEN_ROOT'))
    .addOption(new Option('--data-dir <dir>', d.dataDir).env('CONSTELLATION_DATA_DIR'))
    .addOption(new Option('--strfry-bin <path>', d.strfryBin).env('CONSTELLATION_STRFRY_BIN'))
    .addOption(new Option('--strfry-conf <path>', d.strfryConf).env('CONSTELLATION_STRFRY_CONF'))
    .addOption(new Option('--relay-url <url>', d.relayUrl).env('CONSTELLATION_RELAY_URL'))
    .addOption(new Option('--kubo-api <url>', d.kuboApi).env('CONSTELLATION_KUBO_API'))
    .addOption(new Option('--demo', d.demo).env('CONSTELLATION_DEMO'))
    .addOption(new Option('--lang <en|fr>', d.lang))
    .showHelpAfterError()
    .exitOverride();
  registerInfo(program, v);
  registerStation(program, v);
  registerSync(program, v);
  registerReach(program, v);
  registerServe(program, v);
  return program;
}

/** Runs the command line; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  // The language is known before parsing (the help is written in it): `--lang`, else the environment. A command
  // that starts the engine then follows the `language` setting too, unless `--lang` was given.
  const flag = langFlag(argv.slice(2));
  const v = voiceOf(cliLanguage(isLang(flag) ? flag : null));
  const program = buildProgram(v);
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
    process.stderr.write(`constellation: ${v.error(err)}\n`);
    return EXIT.failed;
  }
}
