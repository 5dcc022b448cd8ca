/**
 * `constellation live`: live sync in the foreground until SIGINT/SIGTERM — one connection per reachable peer,
 * their new events into the local relay within a second, this station's members' events up to the peers that
 * lack them. One ready line on stdout; progress on stderr (peer state changes, a summary each minute, the
 * engine's log), `--json` for one JSON object per line. Stops cleanly within 2 s: subscriptions closed,
 * tunnels it opened closed; it never takes the station lock. Exit 0 after a signal, 1 when it could not start.
 */
import type { Command } from 'commander';
import type { LiveStatus } from '../../shared/schemas';
import { EXIT, engineFrom, globalOptions } from '../context';
import { changeLines, minuteLine, readyLine, stoppingLine } from '../live-view';
import { untilSignal } from './serve';

/** The whole stop must fit in 2 s: past this, the process ends anyway (and says so). */
const STOP_DEADLINE_MS = 1_800;

export function registerLive(program: Command): void {
  program
    .command('live')
    .description('live sync until Ctrl-C: events cross the constellation within a second, both ways')
    .option('--json', 'progress as one JSON object per line on stderr')
    .option('--no-share', "do not send this station's events to the peers (this run only)")
    .action(async (flags: { json?: boolean; share: boolean }, cmd: Command) => {
      const json = flags.json ?? false;
      const err = (line: string): void => void process.stderr.write(`${line}\n`);
      const clock = (t: number): string => new Date(t).toTimeString().slice(0, 8);
      const engine = await engineFrom(globalOptions(cmd), 'cli', {
        live: 'always',
        log: (l) => {
          if (l.level === 'debug') return;
          err(json ? JSON.stringify({ type: 'log', time: l.time, level: l.level, msg: l.msg }) : `${clock(l.time)} ${l.level === 'info' ? '' : `${l.level}: `}${l.msg}`);
        },
      });
      if (flags.share === false) engine.config.overrides.liveShare = false;
      const signal = untilSignal();
      let last: LiveStatus | null = null;
      let lang: 'en' | 'fr' = 'en';
      const off = engine.on('live.changed', (s) => {
        for (const line of changeLines(last, s, lang, json)) err(line);
        last = s;
      });
      const minute = setInterval(() => err(minuteLine(engine.live.status(), lang, json)), 60_000);
      minute.unref();
      try {
        await engine.start();
        // loaded here, not when the command starts (--help and --version need none of the engine)
        const { reportLanguage } = await import('../../core/sync/report-html');
        lang = reportLanguage(engine.settings().language);
        const s = engine.live.status();
        if (!s.running) throw new Error(s.reason ?? 'live sync did not start');
        process.stdout.write(`${readyLine(s, lang, json)}\n`);
        const sig = await signal;
        err(stoppingLine(sig, lang, json));
      } finally {
        clearInterval(minute);
        const deadline = setTimeout(() => {
          err(json ? JSON.stringify({ type: 'log', time: Date.now(), level: 'warn', msg: 'stop took too long: exiting' }) : 'warn: stop took too long: exiting');
          process.exit(EXIT.ok);
        }, STOP_DEADLINE_MS);
        deadline.unref();
        await engine.stop();
        off();
        clearTimeout(deadline);
        if (json) err(JSON.stringify({ type: 'stopped', time: Date.now() }));
      }
      process.exitCode = EXIT.ok;
    });
}
