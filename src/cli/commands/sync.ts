/**
 * `constellation sync`: the old backfill script's flags (--days N, --verbose, --no-dms, --verify, --no-profiles,
 * --DRYRUN/--dry-run) plus --no-verify, --json, --full and --fallback-relays. Signatures are verified by default
 * (the old script's --no-verify default let any peer forge a member's notes, deletions and profile);
 * --no-verify brings the old behaviour back for one run, and the summary says so. Progress bars on a
 * terminal, plain lines otherwise. Exit 0 when every peer succeeded (or a dry run), 1 when some failed or the
 * run was refused or cancelled, 2 on bad usage.
 */
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import type { PeerProgress, RunReport, SyncOptions, SyncProgress } from '../../shared/schemas';
import { globalOptions, engineFrom, EXIT, UsageError, voiceFor } from '../context';
import { voiceOf, type Voice } from '../voice';
import { printable } from './station';

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

const short = (id: string): string => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id);

/** What the sieve left out, in words: "16 welcome notes, 7 deleted events". */
function leftOut(dropped: Record<string, number>, v: Voice): string {
  return Object.entries(dropped)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => {
      const forms = v.run.dropped[k];
      return forms ? v.count(n, forms) : `${k} ${v.num(n)}`;
    })
    .join(', ');
}

export function summaryLines(r: RunReport, v: Voice = voiceOf('en')): string[] {
  const w = v.w.sync;
  const outcome = v.run.outcome[r.outcome] ?? r.outcome;
  const lines = [w.run(r.id, outcome, r.reason ? v.say(r.reason, r.why) : null, v.dec(r.durationMs / 1000, 1))];
  if (r.outcome === 'dry-run' || r.outcome === 'refused') return [...lines, ...r.plan];
  for (const p of r.peers) {
    lines.push(
      `  ${short(p.peer)} ${(p.hostname ?? '').padEnd(14)} ${(v.run.route[p.route] ?? p.route).padEnd(6)} ${(p.method ?? '-').padEnd(5)} ` +
        (p.ok ? w.peerOk(v, p.fetched, p.imported, p.bytesIn) : `${w.peerFailed}  ${p.reason ? v.say(p.reason, p.why) : ''}`),
    );
  }
  lines.push(w.totals(v, r.imported, r.duplicates, r.rejected, r.bytesIn, r.bytesOut));
  const dropped = leftOut(r.dropped, v);
  if (dropped) lines.push(w.leftOut(dropped));
  const rej = Object.entries(r.rejectReasons);
  if (rej.length) lines.push(w.rejected(rej.map(([k, n]) => `${v.say(k)} (${v.num(n)})`).join(', ')));
  if (r.profiles) lines.push(w.profiles(v, r.profiles.found, r.profiles.missing, r.profiles.recovered));
  if (r.options.verify === false) lines.push(w.notVerified);
  return lines;
}

/** Renders the progress stream: bars on a TTY, one line per peer phase change otherwise. */
function progressView(tty: boolean, verbose: boolean, voice: () => Voice): { update(p: SyncProgress): void; stop(): void } {
  if (tty) {
    const multi = new cliProgress.MultiBar(
      { format: ' {peer} |{bar}| {phase} {method} fetched {fetched} imported {imported} {rate}/s', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map<string, cliProgress.SingleBar>();
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
        const v = voice();
        const tail = pp.error ? ` ${v.say(pp.error, pp.why)}` : ` ${v.w.sync.progress(v, pp.fetched, pp.imported)}`;
        process.stdout.write(`${pp.hostname ? printable(pp.hostname) : short(pp.peer)} ${v.run.phase[pp.phase] ?? pp.phase}${pp.method ? ` (${pp.method})` : ''}${tail}\n`);
      }
    },
    stop: () => undefined,
  };
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
      };
      const engine = engineFrom(g);
      const voice = (): Voice => voiceFor(g, engine);
      // Launch overrides are read when the engine loads its settings: this run only, never saved.
      if (fallback !== undefined) engine.config.overrides.fallbackRelays = fallback;
      const json = flags.json ?? false;
      const view = json ? null : progressView(Boolean(process.stdout.isTTY), flags.verbose ?? false, voice);
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
      else process.stdout.write(`${summaryLines(report, voice()).join('\n')}\n`);
      process.exitCode = report.outcome === 'success' || report.outcome === 'dry-run' ? EXIT.ok : EXIT.failed;
    });
}
