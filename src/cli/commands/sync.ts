/**
 * `constellation sync`: the old backfill script's flags (--days N, --verbose, --no-dms, --verify, --no-profiles,
 * --DRYRUN/--dry-run) plus --no-verify, --json, --full and --fallback-relays. Signatures are verified by default
 * (the old script's --no-verify default let any peer forge a member's notes, deletions and profile);
 * --no-verify brings the old behaviour back for one run, and the summary says so. Progress bars on a
 * terminal, plain lines otherwise. Exit 0 when every peer succeeded (or a dry run), 1 when some failed or the
 * run was refused or cancelled, 2 on bad usage.
 */
import { Option, type Command } from 'commander';
import type { PeerProgress, RunReport, SyncOptions, SyncProgress } from '../../shared/schemas';
import { globalOptions, engineFrom, EXIT, UsageError } from '../context';

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
  fallbackRelays?: string;
}

export function parseDays(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--days wants a whole number of days, 0 for everything (got "${v}")`);
  const n = Number(v);
  if (n > 3650) throw new UsageError(`--days ${n} is more than ten years; use 0 for everything`);
  return n;
}

export function parseRelayList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of list) if (!/^wss?:\/\/[^\s/]+(\/\S*)?$/i.test(u)) throw new UsageError(`--fallback-relays: "${u}" is not a ws:// or wss:// URL`);
  return list;
}

const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);
const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;

function summaryLines(r: RunReport): string[] {
  const lines = [`run ${r.id}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''} in ${(r.durationMs / 1000).toFixed(1)} s`];
  if (r.outcome === 'dry-run' || r.outcome === 'refused') return [...lines, ...r.plan];
  for (const p of r.peers) {
    lines.push(
      `  ${short(p.peer)} ${(p.hostname ?? '').padEnd(14)} ${p.route.padEnd(6)} ${(p.method ?? '-').padEnd(5)} ` +
        (p.ok ? `ok      fetched ${p.fetched}, imported ${p.imported}, ${mb(p.bytesIn)} in` : `FAILED  ${p.reason ?? ''}`) +
        (p.notes ?? []).map((x) => `\n      note: ${x}`).join(''),
    );
  }
  lines.push(
    `imported ${r.imported}, duplicates ${r.duplicates}, rejected ${r.rejected}, superseded or deleted ${r.superseded}; ${mb(r.bytesIn)} in, ${mb(r.bytesOut)} out`,
  );
  if (r.fetches && r.fetches.events > 0) {
    const again = r.fetches.events - r.fetches.distinct;
    lines.push(`fetched ${r.fetches.events} events for ${r.fetches.distinct} ids (${again} fetched again); local relay read ${r.localReads ?? 0} time(s)`);
  }
  const dropped = Object.entries(r.dropped).filter(([, v]) => v > 0);
  if (dropped.length) lines.push(`dropped by the sieve: ${dropped.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const rej = Object.entries(r.rejectReasons);
  if (rej.length) lines.push(`rejected: ${rej.map(([k, v]) => `${k} (${v})`).join(', ')}`);
  if (r.profiles) lines.push(`profiles: found ${r.profiles.found}, missing ${r.profiles.missing}, recovered ${r.profiles.recovered}`);
  if (r.options.verify === false) lines.push('signatures NOT verified (--no-verify): an event with a forged signature was stored as it came');
  return lines;
}

/** Renders the progress stream: bars on a TTY, one line per peer phase change otherwise. */
async function progressView(tty: boolean, verbose: boolean): Promise<{ update(p: SyncProgress): void; stop(): void }> {
  if (tty) {
    const { default: cliProgress } = await import('cli-progress');
    const multi = new cliProgress.MultiBar(
      { format: ' {peer} |{bar}| {phase} {method} fetched {fetched} imported {imported} {rate}/s', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map<string, InstanceType<typeof cliProgress.SingleBar>>();
    const payload = (pp: PeerProgress) => ({
      peer: short(pp.peer).padEnd(14), phase: pp.phase.padEnd(9), method: (pp.method ?? '').padEnd(5),
      fetched: pp.fetched, imported: pp.imported, rate: pp.rate,
    });
    return {
      update(p) {
        for (const pp of p.peers) {
          let bar = bars.get(pp.peer);
          if (!bar) {
            bar = multi.create(100, 0, payload(pp));
            bars.set(pp.peer, bar);
          }
          bar.update(Math.round(pp.coverage * 100), payload(pp));
        }
      },
      stop: () => multi.stop(),
    };
  }
  const last = new Map<string, string>();
  return {
    update(p) {
      for (const pp of p.peers) {
        const key = `${pp.phase}${verbose ? `:${pp.fetched}` : ''}`;
        if (last.get(pp.peer) === key) continue;
        last.set(pp.peer, key);
        const tail = pp.error ? ` ${pp.error}` : ` fetched ${pp.fetched} imported ${pp.imported}`;
        process.stdout.write(`${short(pp.peer)} ${pp.phase}${pp.method ? ` (${pp.method})` : ''}${tail}\n`);
      }
    },
    stop: () => undefined,
  };
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('sync the local relay from every peer of the constellation')
    .option('--days <n>', 'window in days (0 = everything; default from settings, 1)')
    .option('--verbose', 'more detail in the progress and the log')
    .option('--no-dms', 'leave out direct messages (kind 4)')
    .option('--verify', 'verify every signature before import (the default)')
    .option('--no-verify', 'do not verify signatures (the old script\'s behaviour: forged events are stored)')
    .option('--no-profiles', 'skip the profile phase')
    .option('--dry-run', 'show the plan, change nothing')
    .addOption(new Option('--DRYRUN', 'same as --dry-run (the old script spelling)').hideHelp())
    .option('--json', 'print the run report as JSON')
    .option('--full', 'reconcile the whole window against everything the local relay holds')
    .option('--fallback-relays <urls>', 'comma list of relays for missing profiles ("" = none) for this run')
    .action(async (flags: SyncFlags, cmd: Command) => {
      const days = parseDays(flags.days);
      const fallback = parseRelayList(flags.fallbackRelays);
      const opts: SyncOptions = {
        trigger: 'cli',
        ...(days !== undefined ? { days } : {}),
        ...(flags.dms === false ? { noDms: true } : {}),
        ...(flags.verify !== undefined ? { verify: flags.verify } : {}),
        ...(flags.profiles === false ? { noProfiles: true } : {}),
        ...(flags.dryRun || flags.DRYRUN ? { dryRun: true } : {}),
        ...(flags.full ? { full: true } : {}),
      };
      const engine = await engineFrom(globalOptions(cmd));
      // Launch overrides are read when the engine loads its settings: this run only, never saved.
      if (fallback !== undefined) engine.config.overrides.fallbackRelays = fallback;
      const json = flags.json ?? false;
      const view = json ? null : await progressView(Boolean(process.stdout.isTTY), flags.verbose ?? false);
      const off = view ? engine.on('sync.progress', (p) => view.update(p)) : () => undefined;
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
        view?.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await engine.stop();
      }
      if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${summaryLines(report).join('\n')}\n`);
      process.exitCode = report.outcome === 'success' || report.outcome === 'dry-run' ? EXIT.ok : EXIT.failed;
    });
}
