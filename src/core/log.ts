import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LogLine } from '../shared/schemas';
import { reasonText, type Reason } from '../shared/i18n';
import type { EngineEvents } from './events';

type Level = LogLine['level'];

/** `[YYYY-MM-DD HH:MM:SS] [LEVEL] message`, local time, as the station's scripts write it. */
export function stationLogLine(time: number, level: string, msg: string): string {
  const d = new Date(time);
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return `[${stamp}] [${level.toUpperCase()}] ${msg.replace(/[\r\n]+/g, ' ')}`;
}

/**
 * The engine's logger: keeps a bounded tail for the window, emits `app.log`, and can append the
 * station-format line to the station's backfill log.
 */
export class Logger {
  private readonly tail: LogLine[] = [];
  private readonly max = 2000;
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly events: EngineEvents,
    private readonly clock: () => number,
    private readonly echo?: (line: LogLine) => void,
  ) {}

  /**
   * A line in English (the station log, the Log screen); given as a reason (a code with parameters), the line
   * also carries it, so the command and the window say it in the captain's language.
   */
  log(level: Level, what: string | Reason): void {
    const line: LogLine =
      typeof what === 'string' ? { time: this.clock(), level, msg: what } : { time: this.clock(), level, msg: reasonText(what), why: what };
    this.tail.push(line);
    if (this.tail.length > this.max) this.tail.splice(0, this.tail.length - this.max);
    this.events.emit('app.log', line);
    this.echo?.(line);
  }
  debug(msg: string | Reason): void { this.log('debug', msg); }
  info(msg: string | Reason): void { this.log('info', msg); }
  warn(msg: string | Reason): void { this.log('warn', msg); }
  error(msg: string | Reason): void { this.log('error', msg); }

  recent(limit = 200): LogLine[] {
    return this.tail.slice(-limit);
  }

  /** Appends lines to the station log file (serialised; errors are reported, never thrown). */
  appendStationLog(path: string, level: string, messages: string[]): Promise<void> {
    const text = messages.map((m) => stationLogLine(this.clock(), level, m)).join('\n') + '\n';
    this.writes = this.writes
      .then(async () => {
        await mkdir(dirname(path), { recursive: true });
        await appendFile(path, text);
      })
      .catch((err: unknown) => this.warn(`cannot write the station log ${path}: ${(err as Error).message}`));
    return this.writes;
  }
}
