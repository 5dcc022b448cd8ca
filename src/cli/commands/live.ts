/**
 * `constellation live`: live sync in the foreground until SIGINT/SIGTERM — one connection per reachable peer,
 * their new events into the local relay within a second, this station's members' events up to the peers that
 * lack them. One ready line on stdout; progress on stderr (peer state changes, a summary each minute, the
 * engine's log), `--json` for one JSON object per line. Stops cleanly within 2 s: subscriptions closed,
 * tunnels it opened closed; it never takes the station lock. Exit 0 after a signal, 1 when it could not start.
 */
import type { Command } from 'commander';
import { reason, ReasonError, textReason } from '../../shared/i18n';
import type { LiveStatus } from '../../shared/schemas';
import { EXIT, engineFrom, globalOptions, voiceFor } from '../context';
import { changeLines, minuteLine, readyLine, stoppingLine } from '../live-view';
import { wrap } from '../terminal';
import type { Voice } from '../voice';
import { untilSignal } from './serve';

/** The whole stop must fit in 2 s: past this, the process ends anyway (and says so). */
const STOP_DEADLINE_MS = 1_800;

/** The width to fold a stream's lines to: its terminal's, null when piped (one line per message). */
const widthOf = (s: NodeJS.WriteStream): number | null => (s.isTTY ? Math.max(20, (s.columns || 80) - 1) : null);

export function registerLive(program: Command, v: Voice): void {
  const d = v.w.desc;
  program
    .command('live')
    .description(d.liveCommand)
    .option('--json', d.liveJson)
    .option('--no-share', d.noShare)
    .action(async (flags: { json?: boolean; share: boolean }, cmd: Command) => {
      const json = flags.json ?? false;
      const g = globalOptions(cmd);
      let voice = voiceFor(g);
      const errWidth = json ? null : widthOf(process.stderr);
      const err = (line: string): void => void process.stderr.write(`${line}\n`);
      const clock = (t: number): string => new Date(t).toTimeString().slice(0, 8);
      const engine = await engineFrom(g, 'cli', {
        live: 'always',
        log: (l) => {
          if (l.level === 'debug') return;
          if (json) return err(JSON.stringify({ type: 'log', time: l.time, level: l.level, msg: l.msg, ...(l.why ? { why: l.why } : {}) }));
          const line = `${clock(l.time)} ${l.level === 'info' ? '' : `${voice.w.level[l.level] ?? l.level}: `}${voice.say(l.msg, l.why)}`;
          for (const part of errWidth === null ? [line] : wrap(line, errWidth, '    ')) err(part);
        },
      });
      if (flags.share === false) engine.config.overrides.liveShare = false;
      const signal = untilSignal();
      let last: LiveStatus | null = null;
      const off = engine.on('live.changed', (s) => {
        for (const line of changeLines(last, s, voice, json, Date.now(), errWidth)) err(line);
        last = s;
      });
      const minute = setInterval(() => err(minuteLine(engine.live.status(), voice, json, Date.now(), errWidth)), 60_000);
      minute.unref();
      try {
        await engine.start();
        voice = voiceFor(g, engine);
        const s = engine.live.status();
        // its reason as a code, said in the captain's language where the error is printed
        if (!s.running) throw new ReasonError(s.why ?? (s.reason ? textReason(s.reason) : reason('live.notStarted')));
        process.stdout.write(`${readyLine(s, voice, json, widthOf(process.stdout))}\n`);
        const sig = await signal;
        err(stoppingLine(sig, voice, json));
      } finally {
        clearInterval(minute);
        const deadline = setTimeout(() => {
          err(json ? JSON.stringify({ type: 'log', time: Date.now(), level: 'warn', msg: 'stop took too long: exiting' }) : `${voice.w.level.warn}: ${voice.w.live.stopSlow}`);
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
