/**
 * The local store as strfry through its CLI (the station's own relay): `strfry import [--no-verify]` with
 * JSONL on stdin, `strfry scan '<filter>'` (JSONL out) and `strfry scan --count '<filter>'`.
 *
 * How strfry is run (checked against strfry's sources: golpe's main.cpp, cmd_import.cpp, cmd_scan.cpp):
 * - `strfry --config=<strfry.conf> <command> …`, arguments as an array, no shell. The config is named
 *   explicitly because strfry, without `--config`, reads $STRFRY_CONFIG, then /etc/strfry.conf, and only then
 *   ./strfry.conf: a station with an /etc/strfry.conf would otherwise import into another database.
 * - The working directory is the folder of strfry.conf: `db = "./strfry-db/"` is relative to it.
 * - `strfry import` logs on stderr (loguru lines `… INFO| …`): after each writer pass `Committed N. …` and
 *   `Writer: added: … dups: … replaced: … deleted: …`, at the end `Done. Processed P lines. A added, R rejected,
 *   D dups`; `Processed` leaves out lines that are not JSON (`Unable to parse JSON on line N`), and an event
 *   older than the version strfry holds or deleted by a kind 5 it holds is in none of added, rejected and dups.
 *   All of it is read and checked in strfry-import-log.ts. A line longer than `events.maxEventSize` aborts the
 *   import (`strfry error: Line larger than configured maxEventSize on line N`, exit code 1) after committing
 *   the lines before it.
 * - `strfry scan` prints one event per line (JSON, keys sorted) and exits 0; `scan --count` prints the number
 *   and a newline. Its filter follows the relay's rules (full 64-hex ids and authors, at most 65,535 bytes of
 *   ids or of authors, at most 3 tag filters) but no `limit` cap: a scan is complete.
 * - `import` skips the write policy and the time checks; `--no-verify` also skips id and signature checks, so
 *   the sync's sieve verifies itself when `--verify` is asked.
 * - Any failure ends with `strfry error: <reason>` on stderr and exit code 1.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { createInterface } from 'node:readline';
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import type { ImportResult, LocalStore } from '../services';
import { PackedEvents, type PackedImport } from './packed';
import { supersededInBatch, viewOf } from './batch-rules';
import { ImportLogReader, settleImport } from './strfry-import-log';
import { reason, reasonOf, ReasonError, type Reason } from '../../shared/i18n';

const SCAN_IDS_CHUNK = 500;
/** JSONL is written to strfry's stdin in pieces of about this many characters. */
const STDIN_PIECE = 64 * 1024;
const STDERR_KEEP = 64 * 1024;
/** strfry's default `events.maxEventSize`. */
export const STRFRY_DEFAULT_MAX_EVENT_SIZE = 65_536;

/**
 * `events.maxEventSize` of a strfry.conf (taocpp config: `events { maxEventSize = N }` or
 * `events.maxEventSize = N`), or strfry's default when the file does not set it.
 */
export function readMaxEventSize(confText: string): number {
  const text = confText.replace(/(^|\s)(#|\/\/)[^\n]*/g, '$1');
  const dotted = /(?:^|[\s{,;])events\.maxEventSize\s*[=:]\s*(\d+)/.exec(text);
  if (dotted) return Number(dotted[1]);
  const block = /(?:^|[\s,;])events\s*[=:]?\s*\{([^}]*)\}/.exec(text);
  const inner = block ? /(?:^|[\s,;{])maxEventSize\s*[=:]\s*(\d+)/.exec(block[1] ?? '') : null;
  return inner ? Number(inner[1]) : STRFRY_DEFAULT_MAX_EVENT_SIZE;
}

/** strfry's own reason for a failure: its `strfry error: …` line, else the last line it logged. */
export function strfryReason(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
  const error = [...lines].reverse().find((l) => /^strfry error: /.test(l));
  const line = error ?? lines.pop() ?? '';
  // Drop loguru's preamble (`2024-01-01 12:00:00.000 (   0.001s) [main thread     ]WARN| `) when present.
  return line.replace(/^.*?\]\s*[A-Z]{2,5}\|\s*/, '').trim() || 'no message';
}

/**
 * Whether a group holds nobody but this user: its own primary group (the user private group Debian and Ubuntu
 * make, where a umask of 002 leaves files group-writable) with no other member in /etc/group and no other user
 * having it as primary group in /etc/passwd. Unknown (a file unreadable) counts as shared.
 */
export function isPrivateGroup(gid: number, files = { group: '/etc/group', passwd: '/etc/passwd' }): boolean {
  let me: { username: string; gid: number };
  try {
    me = userInfo();
  } catch {
    return false;
  }
  if (gid !== me.gid) return false;
  try {
    const groupLine = readFileSync(files.group, 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[2] === String(gid));
    if (!groupLine) return false;
    if ((groupLine[3] ?? '').split(',').map((m) => m.trim()).some((m) => m !== '' && m !== me.username)) return false;
    const others = readFileSync(files.passwd, 'utf8').split('\n').map((l) => l.split(':')).filter((f) => f[3] === String(gid) && f[0] !== me.username);
    return others.length === 0;
  } catch {
    return false;
  }
}

export interface BinaryCheckOptions {
  /** Whether a group-writable file or folder of this group is still only ours (default isPrivateGroup). */
  privateGroup?: (gid: number) => boolean;
}

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;

/**
 * Why a file or folder on the way to the binary could be changed by another user, or null: it belongs to
 * someone else than this user or root, or others may write it (a folder with the sticky bit, like /tmp, is
 * fine: nobody may replace another's entries there).
 */
function writableByOthers(path: string, info: Stats, isDir: boolean, uid: number, privateGroup: (gid: number) => boolean): Reason | null {
  if (info.uid !== uid && info.uid !== 0) return reason('unsafe.otherOwner', { uid: info.uid });
  if (isDir && info.mode & 0o1000) return null;
  if (info.mode & 0o002) return reason('unsafe.everyone', { mode: octal(info.mode) });
  if (info.mode & 0o020 && !privateGroup(info.gid)) return reason('unsafe.sharedGroup', { mode: octal(info.mode), gid: info.gid });
  return null;
}

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    out.push(dir);
    if (dirname(dir) === dir) return out;
  }
}

/**
 * Refuses a strfry binary that another user or another station could have put there (issue 15, attack 8):
 * - inside the swarm folder (`<zenRoot>/tmp/swarm/…`, written by other stations): Constellation never executes
 *   files another station published;
 * - a file, or a folder on its path (as given and once symlinks are resolved), that another user may change:
 *   owned by someone else than this user or root, or writable by others.
 * The reason says what to fix.
 */
export function checkStrfryBinary(bin: string, zenRoot: string, opts: BinaryCheckOptions = {}): void {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const swarm = real(join(zenRoot, 'tmp', 'swarm'));
  const target = real(bin);
  const rel = relative(swarm, target);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new ReasonError(reason('strfry.binInSwarm', { bin, swarm }));
  }
  const uid = process.getuid?.();
  if (uid === undefined) return; // not POSIX: no owners nor modes to judge by
  const privateGroup = opts.privateGroup ?? isPrivateGroup;
  let info: Stats;
  try {
    info = statSync(target);
  } catch {
    return; // not there: running it fails with its own reason
  }
  const fileWhy = writableByOthers(target, info, false, uid, privateGroup);
  if (fileWhy) throw new ReasonError(reason('strfry.binUnsafe', { bin, target, why: fileWhy }));
  for (const dir of new Set([...ancestors(resolve(bin)), ...ancestors(target)])) {
    let d: Stats;
    try {
      d = statSync(dir);
    } catch {
      continue;
    }
    const why = writableByOthers(dir, d, true, uid, privateGroup);
    if (why) throw new ReasonError(reason('strfry.binFolderUnsafe', { bin, dir, why }));
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Run {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the process has ended (never rejects: a spawn failure is `spawnError`). */
  exit: Promise<Exit>;
  spawnError: () => Error | null;
  stderr: () => string;
}

export class StrfryStore implements LocalStore, PackedImport {
  readonly kind = 'strfry' as const;
  readonly packedImport = true as const;
  readonly description: string;
  private readonly cwd: string;
  private readonly confPath: string;

  constructor(
    readonly bin: string,
    readonly conf: string,
  ) {
    this.confPath = resolve(conf);
    this.cwd = dirname(this.confPath);
    this.description = `strfry ${bin} (config ${conf})`;
  }

  private run(args: string[], onStderr?: (chunk: string) => void): Run {
    const child = spawn(this.bin, [`--config=${this.confPath}`, ...args], {
      cwd: this.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
    });
    let stderr = '';
    let spawnError: Error | null = null;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_KEEP);
      onStderr?.(d);
    });
    // A strfry that died early closes its stdin: the write error is reported through the exit code.
    child.stdin.on('error', () => undefined);
    const exit = new Promise<Exit>((ok) => {
      child.on('error', (err) => {
        spawnError = err;
        // A spawn failure emits no 'close' when no stream was opened.
        if (child.pid === undefined) ok({ code: null, signal: null });
      });
      child.on('close', (code, signal) => ok({ code, signal }));
    });
    return { child, exit, spawnError: () => spawnError, stderr: () => stderr };
  }

  /** A captain-readable error for a strfry run that failed, naming the binary and the config. */
  private failure(what: string, p: Run, e: Exit, stored: { committed: number; sent: number } | null = null): Error {
    const spawnErr = p.spawnError();
    if (spawnErr) {
      const code = (spawnErr as NodeJS.ErrnoException).code;
      const hint = code === 'ENOENT' ? 'missing' : code === 'EACCES' ? 'notExecutable' : null;
      return new ReasonError(reason('strfry.cannotRun', { what, bin: this.bin, hint, detail: spawnErr.message }));
    }
    return new ReasonError(
      reason('strfry.failed', {
        what, bin: this.bin, conf: this.confPath, signal: e.signal, code: e.code, detail: strfryReason(p.stderr()), committed: stored?.committed ?? null, sent: stored?.sent ?? 0,
      }),
    );
  }

  /** Kills the process when the signal fires; returns the cleanup. */
  private killOnAbort(p: Run, signal?: AbortSignal): () => void {
    if (!signal) return () => undefined;
    const kill = (): void => {
      p.child.kill('SIGTERM');
    };
    if (signal.aborted) kill();
    signal.addEventListener('abort', kill, { once: true });
    return () => signal.removeEventListener('abort', kill);
  }

  async *query(filter: Filter, signal?: AbortSignal): AsyncIterable<NostrEvent> {
    signal?.throwIfAborted();
    const f: Filter = { ...filter };
    delete f.limit; // scan is complete; a limit would only cut it
    const p = this.run(['scan', JSON.stringify(f)]);
    p.child.stdin.end();
    const unhook = this.killOnAbort(p, signal);
    let done = false;
    try {
      const lines = createInterface({ input: p.child.stdout, crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line.trim()) continue;
        let event: NostrEvent;
        try {
          event = JSON.parse(line) as NostrEvent;
        } catch {
          throw new ReasonError(reason('strfry.scanNotJson', { what: 'scan', bin: this.bin, line: line.slice(0, 80) }));
        }
        yield event;
      }
      const e = await p.exit;
      done = true;
      signal?.throwIfAborted();
      if (e.code !== 0) throw this.failure('scan', p, e);
    } finally {
      unhook();
      // The caller stopped early (or a line was bad): do not leave strfry scanning into a full pipe.
      if (!done && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    }
  }

  async ids(filter: Filter, signal?: AbortSignal): Promise<Array<{ id: string; created_at: number }>> {
    const out: Array<{ id: string; created_at: number }> = [];
    for await (const e of this.query(filter, signal)) out.push({ id: e.id, created_at: e.created_at });
    return out;
  }

  async has(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += SCAN_IDS_CHUNK) {
      for await (const e of this.query({ ids: ids.slice(i, i + SCAN_IDS_CHUNK) })) found.add(e.id);
    }
    return found;
  }

  async count(filter: Filter): Promise<number | null> {
    const f: Filter = { ...filter };
    delete f.limit;
    const p = this.run(['scan', '--count', JSON.stringify(f)]);
    p.child.stdin.end();
    let out = '';
    p.child.stdout.setEncoding('utf8');
    p.child.stdout.on('data', (d: string) => (out += d));
    const e = await p.exit;
    if (e.code !== 0) throw this.failure('scan --count', p, e);
    const last = out.trim().split(/\s+/).pop() ?? '';
    if (!/^\d+$/.test(last)) throw new ReasonError(reason('strfry.countNoNumber', { bin: this.bin, out: out.slice(0, 80) }));
    return Number(last);
  }

  /**
   * Events, or a packed batch (their JSON lines already made: written from there, in copies, so the batch is
   * not referenced once this returns). Every event is answered for: added, duplicate, rejected (with strfry's
   * reason: `--show-rejected`), or superseded — kept out of the batch by a newer version or a kind 5 of the same
   * batch (batch-rules.ts), or processed by strfry and counted in none of the three (older than what it holds,
   * or deleted by a kind 5 it holds). The counts come from everything strfry printed (strfry-import-log.ts).
   */
  async import(events: readonly NostrEvent[] | PackedEvents, opts: { verify: boolean }, signal?: AbortSignal): Promise<ImportResult> {
    const result: ImportResult = { added: 0, duplicates: 0, rejected: 0, superseded: 0, reasons: {}, bytes: 0 };
    if (events.length === 0) return result;
    signal?.throwIfAborted();
    const what = opts.verify ? 'import' : 'import --no-verify';
    const packed = events instanceof PackedEvents ? events : null;
    const list = packed ? null : (events as readonly NostrEvent[]);
    const skip = new Set(supersededInBatch(packed ?? viewOf(list as readonly NostrEvent[])));
    result.superseded = skip.size;
    // strfry aborts the whole import at the first line longer than maxEventSize (its relay refuses such events
    // too): those events are left out and counted as rejected, the rest goes in. Lines are made as they are
    // written (no second copy of the batch as JSON held in memory); strfry starts with the first line to send.
    let tooLarge = 0;
    /** the batch index of each line sent (line n is lineEvent[n - 1]) */
    const lineEvent = new Uint32Array(events.length);
    let sent = 0;
    const max = this.maxEventSize();
    let p: Run | null = null;
    let unhook = (): void => undefined;
    let e: Exit | null = null;
    const log = new ImportLogReader();
    const start = (): Run => this.startImport(opts.verify, signal, log, (u) => (unhook = u));
    try {
      let piece: Array<string | Buffer> = [];
      let pieceSize = 0;
      const joined = (): string | Buffer =>
        packed ? Buffer.concat(piece as Buffer[], pieceSize) : (piece as string[]).join('');
      for (let i = 0; i < events.length; i++) {
        if (skip.has(i)) continue;
        const line: string | Buffer = packed ? packed.line(i) : JSON.stringify(list![i]) + '\n';
        const size = typeof line === 'string' ? Buffer.byteLength(line) : line.length;
        if (size > max) {
          tooLarge++;
          continue;
        }
        result.bytes += size;
        lineEvent[sent++] = i;
        piece.push(line);
        pieceSize += size;
        if (pieceSize >= STDIN_PIECE) {
          p ??= start();
          if (!(await this.feed(p, joined()))) break;
          piece = [];
          pieceSize = 0;
        }
      }
      if (piece.length > 0) {
        p ??= start();
        await this.feed(p, joined());
      }
      if (p) {
        if (!p.child.stdin.destroyed) p.child.stdin.end();
        e = await p.exit;
      }
    } finally {
      unhook();
      // stopped by an error of ours while strfry still reads: do not leave it waiting on stdin
      if (p && !e && p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    }
    if (tooLarge > 0) {
      result.rejected += tooLarge;
      result.reasons[`strfry import: larger than maxEventSize (${max} bytes)`] = tooLarge;
    }
    signal?.throwIfAborted();
    if (!p || !e) return result;
    const read = log.end();
    if (e.code !== 0 || e.signal) {
      // strfry commits in batches: what it committed before dying is stored.
      throw this.failure(what, p, e, read.last ? { committed: read.committed, sent } : null);
    }
    const idOf = (n: number): string => {
      const i = lineEvent[n - 1];
      const id = i === undefined || n < 1 || n > sent ? '' : packed ? packed.idHex(i) : (list![i]?.id ?? '');
      return id ? `event ${id.slice(0, 16)}…` : 'no such line sent';
    };
    let settled;
    try {
      settled = settleImport(read, sent, { verify: opts.verify, nameLine: idOf });
    } catch (err) {
      throw new ReasonError(reason('strfry.at', { bin: this.bin, conf: this.confPath, why: reasonOf(err) }), { cause: err });
    }
    result.added = settled.added;
    result.duplicates = settled.duplicates;
    result.rejected += settled.rejected;
    result.superseded += settled.superseded;
    for (const [k, v] of Object.entries(settled.reasons)) result.reasons[k] = (result.reasons[k] ?? 0) + v;
    return result;
  }

  /**
   * Spawns `strfry import` for one batch, its log read as it comes (--show-rejected: strfry names each rejected
   * event's reason); the kill-on-abort hook is handed back for the caller's cleanup.
   */
  private startImport(verify: boolean, signal: AbortSignal | undefined, log: ImportLogReader, hook: (unhook: () => void) => void): Run {
    const p = this.run(verify ? ['import', '--show-rejected'] : ['import', '--show-rejected', '--no-verify'], (d) => log.push(d));
    p.child.stdout.resume();
    hook(this.killOnAbort(p, signal));
    return p;
  }

  /**
   * Writes one piece of JSONL to strfry's stdin, waiting when the pipe is full; false as soon as strfry has
   * ended (a crash must not leave us waiting for a 'drain' that never comes).
   */
  private async feed(p: Run, piece: string | Buffer): Promise<boolean> {
    const stdin = p.child.stdin;
    const ended = p.child.exitCode !== null || p.child.signalCode !== null;
    if (ended || stdin.destroyed) return false;
    if (!stdin.write(piece)) {
      const gone = await Promise.race([new Promise<boolean>((r) => stdin.once('drain', () => r(false))), p.exit.then(() => true)]);
      if (gone) return false;
    }
    return true;
  }

  /** The station's `events.maxEventSize`, read at each import (the captain may change strfry.conf). */
  private maxEventSize(): number {
    try {
      return readMaxEventSize(readFileSync(this.confPath, 'utf8'));
    } catch {
      // strfry itself will say what is wrong with its config.
      return STRFRY_DEFAULT_MAX_EVENT_SIZE;
    }
  }

  async close(): Promise<void> {
    // nothing held open: every call is its own process
  }
}
