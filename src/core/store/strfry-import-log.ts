/**
 * What `strfry import` says on stderr, read line by line as it comes, and the counts decided from all of it.
 *
 * The lines (strfry 1.1.1-144: cmd_import.cpp, WriterPipeline.h; each after loguru's preamble
 * `2026-12-01 19:35:28.377 (   0.048s) [Writer          ]INFO| `):
 * - `Committed N. Processed P lines. A added, R rejected, D dups`: after each writer pass that wrote anything
 *   (N written in that pass; P, A, R, D totals so far);
 * - `Writer: added: A dups: D replaced: X deleted: Y`: after every writer pass, its own counts (strfry ≥ 1.1;
 *   1.0 printed `Writer: added: A dups: D` and counted older versions and deleted events as dups);
 * - `Done. Processed P lines. A added, R rejected, D dups`: the totals, once, at the end;
 * - `Unable to parse JSON on line N` (the line is in no count), `Rejected event <id>: <reason>` with
 *   --show-rejected (1.1.1 and older: `Rejected event: <json> reason: <reason>`), and
 *   `Deleting event (d-tag). id=…` / `Deleting event (kind 5, e-tag). id=…` /
 *   `Deleting replaceable event (kind 5, a-tag). id=…` when a written event removes a stored one (within one
 *   batch that may be an event of the same batch, counted as added: the stores keep such versions out of a
 *   batch, see batch-rules.ts);
 * - on a failure: `strfry error: <reason>` (no preamble) and exit code 1.
 * `Processed` counts the lines that parsed. An event strfry processed and counted in none of added, rejected
 * and dups was older than the version it holds (`replaced`) or deleted by a kind 5 it holds (`deleted`): the
 * store will never hold it, and it is answered for as superseded.
 */
import { reasonKey } from './reasons';
import { reason, ReasonError, type Reason } from '../../shared/i18n';

export interface ImportCounts {
  processed: number;
  added: number;
  rejected: number;
  dups: number;
}

/** Everything read from one `strfry import` run's stderr. */
export interface ImportLog {
  /** the `Done.` line's totals (null when strfry did not get that far) */
  done: ImportCounts | null;
  /** the last totals printed (a `Committed` or the `Done.` line) */
  last: ImportCounts | null;
  /** sum of the `Committed N` of each pass: events written */
  committed: number;
  /** sums of the `Writer:` lines; `outcomes` when they carry replaced/deleted (strfry ≥ 1.1) */
  writer: { passes: number; added: number; dups: number; replaced: number; deleted: number; outcomes: boolean };
  /** line numbers of `Unable to parse JSON on line N` */
  unparsed: number[];
  /** reason → count, from `Rejected event` lines (only with --show-rejected) */
  rejectReasons: Record<string, number>;
  /** the `strfry error:` line's reason, when there was one */
  error: string | null;
}

const PREAMBLE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \(\s*[\d.]+s\) \[[^\]]*\]\s*[A-Z0-9]{1,5}\|\s?/;
const COUNTS = String.raw`Processed (\d+) lines?\. (\d+) added, (\d+) rejected, (\d+) dups`;
const COMMITTED = new RegExp(String.raw`^Committed (\d+)\. ${COUNTS}$`);
const DONE = new RegExp(String.raw`^Done\. ${COUNTS}$`);
const WRITER = /^Writer: added: (\d+) dups: (\d+)(?: replaced: (\d+) deleted: (\d+))?$/;
const UNPARSED = /^Unable to parse (?:fried )?JSON on line (\d+)$/;
const REJECTED_NEW = /^Rejected event (.*?): (.*)$/;
const REJECTED_OLD = /^Rejected event: .* reason: (.*)$/;
const ERROR = /^strfry error: (.*)$/;

const counts = (m: RegExpExecArray, from: number): ImportCounts => ({
  processed: Number(m[from]),
  added: Number(m[from + 1]),
  rejected: Number(m[from + 2]),
  dups: Number(m[from + 3]),
});

/** Reads strfry import's stderr as it arrives (chunks of any size); `log` holds what was read so far. */
export class ImportLogReader {
  readonly log: ImportLog = {
    done: null,
    last: null,
    committed: 0,
    writer: { passes: 0, added: 0, dups: 0, replaced: 0, deleted: 0, outcomes: false },
    unparsed: [],
    rejectReasons: {},
    error: null,
  };
  private partial = '';

  push(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** The end of the stream: a last line without its newline counts too. */
  end(): ImportLog {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    return this.log;
  }

  private line(raw: string): void {
    const l = this.log;
    const msg = raw.replace(/\r$/, '').replace(PREAMBLE, '');
    let m: RegExpExecArray | null;
    if ((m = WRITER.exec(msg))) {
      l.writer.passes++;
      l.writer.added += Number(m[1]);
      l.writer.dups += Number(m[2]);
      if (m[3] !== undefined) {
        l.writer.outcomes = true;
        l.writer.replaced += Number(m[3]);
        l.writer.deleted += Number(m[4]);
      }
    } else if ((m = COMMITTED.exec(msg))) {
      l.committed += Number(m[1]);
      l.last = counts(m, 2);
    } else if ((m = DONE.exec(msg))) {
      l.done = counts(m, 1);
      l.last = l.done;
    } else if ((m = UNPARSED.exec(msg))) {
      l.unparsed.push(Number(m[1]));
    } else if ((m = REJECTED_OLD.exec(msg) ?? REJECTED_NEW.exec(msg))) {
      const key = reasonKey((m[m.length - 1] as string).trim());
      l.rejectReasons[key] = (l.rejectReasons[key] ?? 0) + 1;
    } else if ((m = ERROR.exec(raw))) {
      l.error = m[1] as string;
    }
  }
}

/** Reads a whole log at once. */
export function readImportLog(text: string): ImportLog {
  const r = new ImportLogReader();
  r.push(text);
  return r.end();
}

/** What one import answered for every line it was sent. */
export interface SettledImport {
  added: number;
  duplicates: number;
  rejected: number;
  /** older than the version strfry holds, or deleted by a kind 5 it holds */
  superseded: number;
  /** reason → count (rejected lines, lines strfry could not parse) */
  reasons: Record<string, number>;
}

/** How many lines strfry could not parse are named one by one in the reasons (the rest are counted together). */
const NAMED_UNPARSED = 5;

/**
 * The counts of an import that exited 0, decided from every count strfry printed: every one of the `sent` lines
 * is answered for (added, duplicate, rejected, superseded, or a line strfry could not parse, named by its line
 * number and, through `nameLine`, the event on it). Throws when strfry's own counts do not add up (a log this
 * reader does not understand must not be taken for an answer).
 */
export function settleImport(log: ImportLog, sent: number, opts: { verify: boolean; nameLine?: (line: number) => string }): SettledImport {
  const done = log.done;
  if (!done) throw new ReasonError(reason('strfry.importNoDone'));
  const unparsed = log.unparsed.length;
  if (done.processed + unparsed !== sent) {
    throw new ReasonError(reason('strfry.importShortRead', { read: done.processed + unparsed, sent, processed: done.processed, unparsed }));
  }
  const rest = done.processed - done.added - done.rejected - done.dups;
  const problems: Reason[] = [];
  if (rest < 0) problems.push(reason('strfry.countsOver', { sum: done.processed - rest, processed: done.processed }));
  if (log.committed !== done.added) problems.push(reason('strfry.countsCommitted', { committed: log.committed, added: done.added }));
  const w = log.writer;
  if (w.passes > 0 && (w.added !== done.added || w.dups !== done.dups)) {
    problems.push(reason('strfry.countsWriter', { added: w.added, dups: w.dups }));
  }
  if (w.outcomes && rest >= 0 && w.replaced + w.deleted !== rest) {
    problems.push(reason('strfry.countsRest', { rest, replaced: w.replaced, deleted: w.deleted }));
  }
  if (problems.length > 0) throw new ReasonError(reason('strfry.importCountsOff', { problems, done: JSON.stringify(done) }));

  const reasons: Record<string, number> = {};
  let named = 0;
  for (const r of Object.values(log.rejectReasons)) named += r;
  for (const [k, v] of Object.entries(log.rejectReasons)) reasons[`strfry import: ${k}`] = v;
  // Without --show-rejected lines (or fewer of them than rejected events) the reason stays general.
  const unnamed = done.rejected - Math.min(named, done.rejected);
  if (unnamed > 0) reasons[opts.verify ? 'strfry import: bad id or signature' : 'strfry import: rejected'] = unnamed;
  log.unparsed.slice(0, NAMED_UNPARSED).forEach((n) => {
    reasons[`strfry import: unable to parse JSON on line ${n}${opts.nameLine ? ` (${opts.nameLine(n)})` : ''}`] = 1;
  });
  if (unparsed > NAMED_UNPARSED) reasons[`strfry import: unable to parse JSON (${unparsed - NAMED_UNPARSED} more lines)`] = unparsed - NAMED_UNPARSED;
  return { added: done.added, duplicates: done.dups, rejected: done.rejected + unparsed, superseded: rest, reasons };
}
