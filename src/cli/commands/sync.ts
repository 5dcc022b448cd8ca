/**
 * `constellation sync`: the old backfill script's flags (--days N, --verbose, --no-dms, --verify, --no-profiles,
 * --DRYRUN/--dry-run) plus --no-verify, --json, --full and --fallback-relays. Signatures are verified by default
 * (the old script's --no-verify default let any peer forge a member's notes, deletions and profile);
 * --no-verify brings the old behaviour back for one run, and the summary says so. Progress bars on a
 * terminal, plain lines otherwise. Exit 0 when every peer succeeded (or a dry run), 1 when some failed or the
 * run was refused or cancelled, 2 on bad usage.
 */
import { Option, type Command } from 'commander';
import type { RunReport, SyncOptions } from '../../shared/schemas';
import { globalOptions, engineFrom, EXIT, UsageError, voiceFor } from '../context';
import { voiceOf, type Voice } from '../voice';
import { plainView, summaryLines, terminalView, type SyncView } from './sync-view';

export { summaryLines } from './sync-view';

interface SyncFlags {
  days?: string;
  verbose?: boolean;
  dms: boolean;
  verify?: boolean;
  profiles: boolean;
  dryRun?: boolean;
  DRYRUN?: boolean;
  json?: boolean;
  full?: boolean;
  share: boolean;
  fallbackRelays?: string;
}

export function parseDays(value: string | undefined, v: Voice = voiceOf('en')): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new UsageError(v.w.usage.days(value));
  const n = Number(value);
  if (n > 3650) throw new UsageError(v.w.usage.daysTooMany(n));
  return n;
}

export function parseRelayList(value: string | undefined, v: Voice = voiceOf('en')): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of list) if (!/^wss?:\/\/[^\s/]+(\/\S*)?$/i.test(u)) throw new UsageError(v.w.usage.relayUrl(u));
  return list;
}

export function registerSync(program: Command, v: Voice): void {
  const d = v.w.desc;
  program
    .command('sync')
    .description(d.sync)
    .option('--days <n>', d.days)
    .option('--verbose', d.verbose)
    .option('--no-dms', d.noDms)
    .option('--verify', d.verify)
    .option('--no-verify', d.noVerify)
    .option('--no-profiles', d.noProfiles)
    .option('--dry-run', d.dryRun)
    .addOption(new Option('--DRYRUN', d.DRYRUN).hideHelp())
    .option('--json', d.syncJson)
    .option('--full', d.full)
    .option('--no-share', d.syncNoShare)
    .option('--fallback-relays <urls>', d.fallbackRelays)
    .action(async (flags: SyncFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const before = voiceFor(g);
      const days = parseDays(flags.days, before);
      const fallback = parseRelayList(flags.fallbackRelays, before);
      const opts: SyncOptions = {
        trigger: 'cli',
        ...(days !== undefined ? { days } : {}),
        ...(flags.dms === false ? { noDms: true } : {}),
        ...(flags.verify !== undefined ? { verify: flags.verify } : {}),
        ...(flags.profiles === false ? { noProfiles: true } : {}),
        ...(flags.dryRun || flags.DRYRUN ? { dryRun: true } : {}),
        ...(flags.full ? { full: true } : {}),
        ...(flags.share === false ? { noShare: true } : {}),
      };
      const json = flags.json ?? false;
      // Bars on a terminal (stderr, beside the warnings), plain lines on stdout otherwise, nothing with --json.
      let view: SyncView | null = null;
      const engine = await engineFrom(g, 'cli', {
        peersInSummary: !json,
        demoHooks: { onStart: () => view?.status(voice().w.sync.demo), onReady: () => view?.status(null) },
      });
      const voice = (): Voice => voiceFor(g, engine);
      view = json ? null : process.stderr.isTTY ? terminalView(process.stderr, voice) : plainView(process.stdout, flags.verbose ?? false, voice);
      // Launch overrides are read when the engine loads its settings: this run only, never saved.
      if (fallback !== undefined) engine.config.overrides.fallbackRelays = fallback;
      const off = view ? engine.on('sync.progress', (p) => view?.update(p)) : () => undefined;
      const onSignal = (): void => {
        void engine.sync.cancel();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let report: RunReport;
      try {
        await engine.start();
        const { done } = await engine.sync.start(opts);
        report = await done;
      } finally {
        off();
        view?.close();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await engine.stop();
      }
      if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${summaryLines(report, voice(), process.stdout.isTTY ? Math.max(20, (process.stdout.columns || 80) - 1) : null).join('\n')}\n`);
      process.exitCode = report.outcome === 'success' || report.outcome === 'dry-run' ? EXIT.ok : EXIT.failed;
    });
}
