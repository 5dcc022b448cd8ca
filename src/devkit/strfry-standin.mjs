#!/usr/bin/env node
// A stand-in for the strfry CLI (the subset Constellation uses), for machines without a strfry binary.
//
//   strfry [--config=<config>] import [--show-rejected] [--no-verify] [--debounce-millis=<ms>] [--write-batch=<n>]
//   strfry [--config=<config>] scan [--pause=<pause>] [--metrics] [--count] <filter>
//   strfry [--config=<config>] export [--since=<since>] [--until=<until>] [--reverse]
//
// Shaped after strfry 1.1.1-144's own sources (golpe main.cpp, cmd_import.cpp, WriterPipeline.h, events.cpp,
// cmd_scan.cpp, cmd_export.cpp, filters.h), and checked case by case against the transcripts of
// ../shared/spec/strfry-import.md (test/integration/strfry-spec.test.ts):
// - the config is --config, else $STRFRY_CONFIG, else /etc/strfry.conf, else ./strfry.conf; `db` is relative to
//   the working directory and must exist (LMDB does not create it);
// - the log goes to stderr in loguru's shape (`<date> <time> (<uptime>s) [<thread>]INFO| …`), after a
//   `WARNING: Running as root is not recommended` line when run as root;
// - import: see the import section below (the Committed / Writer: / Done. lines, what counts as added, dups,
//   rejected, and the events counted in none of them: older versions (`replaced`) and deleted ones (`deleted`));
//   the event rules themselves are in strfry-rules.mjs, shared with the devkit relay's EVENT path;
// - a line longer than events.maxEventSize aborts with `strfry error: Line larger than configured maxEventSize on
//   line N` and exit code 1, after committing what came before (strfry's writer flushes while unwinding);
// - strfry's getline quirk is kept: the last byte of every line is dropped as its newline, even when the input
//   does not end with one;
// - scan prints the stored JSON with sorted keys (tao::json), newest first (strfry: index order, newest first
//   per index; the order across indexes is not pinned); --count prints one number and a newline; export prints
//   everything oldest first;
// - any error: `strfry error: <reason>` on stderr, exit code 1; bad arguments: docopt's message, exit code 255.
//
// Not modelled (known differences): the relay's later removal of ephemeral and expired events that import
// stores; an upper-case or 0x-prefixed id is kept as sent (strfry keys it by its bytes); the `--set` and
// `--verbosity` options of newer golpe versions; tao::json's exact wording for JSON it cannot parse.
//
// Storage: a SQLite file `strfry-standin.sqlite` inside the db folder, in the schema of
// @nostr-relay/event-repository-sqlite, so a devkit TestRelay opened on the same file serves over WebSocket what
// this CLI imported (the way strfry's relay and CLI share one LMDB). WAL and busy timeouts let both work at once.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEvent, makeVerifier, strfryWriter } from './strfry-rules.mjs';

const STANDIN_DB_FILE = 'strfry-standin.sqlite';

const started = process.hrtime.bigint();
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// better-sqlite3 13 needs Node >= 22 (it crashes on Node 20). `#!/usr/bin/env node` may find an older system
// Node when the engine runs outside npm: then run again under the project's Node (npm package `node`).
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
if (NODE_MAJOR < 22 && !process.env.STRFRY_STANDIN_REEXEC) {
  const candidates = [process.env.STRFRY_STANDIN_NODE, join(here, '../../node_modules/node/bin/node')].filter(Boolean);
  const node = candidates.find((p) => existsSync(p));
  if (!node) {
    process.stderr.write(`strfry error: the strfry stand-in needs Node >= 22 (this is ${process.version}); set STRFRY_STANDIN_NODE\n`);
    process.exit(1);
  }
  const r = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, STRFRY_STANDIN_REEXEC: '1' },
  });
  process.exit(r.status ?? 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Logging, in the shape of loguru as golpe configures it (no file:line in the preamble).

const pad = (n, w = 2) => String(n).padStart(w, '0');
function preamble(thread, level) {
  const d = new Date();
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const up = (Number(process.hrtime.bigint() - started) / 1e9).toFixed(3).padStart(8);
  return `${date} ${time} (${up}s) [${thread.padEnd(16).slice(0, 16)}]${level.padStart(4)}| `;
}
const log = (level, msg, thread = 'main thread') => writeSync(2, `${preamble(thread, level)}${msg}\n`);
const LI = (msg, thread) => log('INFO', msg, thread);
const LW = (msg, thread) => log('WARN', msg, thread);

/** An error that ends the process like golpe's main: `strfry error: …`, exit 1. */
class StrfryError extends Error {}

const USAGE = `
    Usage: strfry [--config=<config>] <command> [<args>...]

    Options:
      --config=<config>   Config file (default $ENV{STRFRY_CONFIG} || "/etc/strfry.conf" || "./strfry.conf")
      -h --help           Show this screen.
      --version           Show version.

    commands:
      export
      import
      scan
`;
const IMPORT_USAGE = `
    Usage:
      import [--show-rejected] [--no-verify] [--debounce-millis=<debounce-millis>] [--write-batch=<write-batch>] [--fried]
`;
const SCAN_USAGE = `
    Usage:
      scan [--pause=<pause>] [--metrics] [--count] <filter>
`;
const EXPORT_USAGE = `
    Usage:
      export [--since=<since>] [--until=<until>] [--reverse] [--fried]
`;

/** docopt's answer to arguments that do not fit the usage: the message, the usage, exit code 255 (exit(-1)). */
function usageError(message, usage) {
  process.stderr.write(message);
  process.stdout.write(`\n${usage}\n`);
  process.exit(255);
}

/**
 * Parses `args` against a list of known options (`--flag` or `--opt=<v>` / `--opt <v>`) and positional names.
 * Unknown options or a wrong number of positionals end the process like docopt.
 */
function parseArgs(args, spec, usage) {
  const out = { positionals: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a : a.slice(0, eq);
      if (!(name in spec)) usageError(`Unknown option: ${a}`, usage);
      if (spec[name] === 'flag') {
        if (eq !== -1) usageError(`${name} must not have an argument`, usage);
        out[name] = true;
      } else if (eq !== -1) {
        out[name] = a.slice(eq + 1);
      } else {
        if (i + 1 >= args.length) usageError(`${name} requires argument`, usage);
        out[name] = args[++i];
      }
    } else {
      out.positionals.push(a);
    }
  }
  return out;
}

const intOption = (value, name) => {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new StrfryError(`${name} must be an integer: ${value}`);
  return Number(value);
};

// ---------------------------------------------------------------------------------------------------------------
// Config: strfry.conf is taocpp config (`key = value`, nested `section { … }`, `#` comments). Only scalar values
// are read; nested keys become `section__key` like golpe's cfg() accessors.

function parseConfig(text, file) {
  const values = {};
  const stack = [];
  let i = 0;
  const fail = (why) => {
    const line = text.slice(0, i).split('\n').length;
    throw new StrfryError(`unable to parse config file ${file} at line ${line}: ${why}`);
  };
  const skip = () => {
    for (;;) {
      while (i < text.length && /[\s,;]/.test(text[i])) i++;
      if (text[i] === '#' || (text[i] === '/' && text[i + 1] === '/')) {
        while (i < text.length && text[i] !== '\n') i++;
      } else return;
    }
  };
  const readValue = () => {
    if (text[i] === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') {
          const c = text[i + 1];
          s += c === 'n' ? '\n' : c === 't' ? '\t' : c;
          i += 2;
        } else s += text[i++];
      }
      if (text[i] !== '"') fail('unterminated string');
      i++;
      return s;
    }
    if (text[i] === '[') {
      // Arrays (e.g. plugin lists) are skipped: the stand-in needs none of them.
      let depth = 0;
      do {
        if (text[i] === '[') depth++;
        else if (text[i] === ']') depth--;
        else if (text[i] === '"') {
          i++;
          while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
        }
        i++;
      } while (depth > 0 && i < text.length);
      return undefined;
    }
    const m = /^[^\s,;#}\]]+/.exec(text.slice(i, i + 200));
    if (!m) fail('value expected');
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    const n = Number(m[0]);
    return Number.isFinite(n) ? n : m[0];
  };
  for (;;) {
    skip();
    if (i >= text.length) break;
    if (text[i] === '}') {
      if (stack.length === 0) fail('unexpected }');
      stack.pop();
      i++;
      continue;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i, i + 200));
    if (!m) fail(`key expected, found ${JSON.stringify(text[i])}`);
    i += m[0].length;
    skip();
    const key = [...stack, ...m[0].split('.')].join('__');
    if (text[i] === '{') {
      stack.push(...m[0].split('.'));
      i++;
      continue;
    }
    if (text[i] !== '=' && text[i] !== ':') fail(`= expected after ${m[0]}`);
    i++;
    skip();
    if (text[i] === '{') {
      stack.push(...m[0].split('.'));
      i++;
      continue;
    }
    const v = readValue();
    if (v !== undefined) values[key] = v;
  }
  return values;
}

function findConfig(explicit) {
  if (explicit) return explicit;
  if (process.env.STRFRY_CONFIG) return process.env.STRFRY_CONFIG;
  if (existsSync('/etc/strfry.conf')) return '/etc/strfry.conf';
  if (existsSync('./strfry.conf')) return './strfry.conf';
  throw new StrfryError('please specify config file');
}

function loadConfig(explicit) {
  const file = findConfig(explicit);
  LI(`CONFIG: Loading config from file: ${file}`);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StrfryError(`unable to open config file ${file}: ${err.code ?? err.message}`);
  }
  const raw = parseConfig(text, file);
  const num = (key, dflt) => (typeof raw[key] === 'number' ? raw[key] : dflt);
  const cfg = {
    db: typeof raw.db === 'string' ? raw.db : './strfry-db/',
    maxEventSize: num('events__maxEventSize', 65_536),
    maxNumTags: num('events__maxNumTags', 2_000),
    maxTagValSize: num('events__maxTagValSize', 1_024),
  };
  LI('CONFIG: successfully installed');
  return cfg;
}

// ---------------------------------------------------------------------------------------------------------------
// Storage.

async function openDatabase(cfg) {
  // strfry opens `db` relative to its working directory; LMDB refuses a folder that does not exist.
  const dir = resolve(cfg.db);
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new StrfryError(`mdb_env_open: No such file or directory`);
  }
  if (!st.isDirectory()) throw new StrfryError(`mdb_env_open: Not a directory`);
  const file = join(dir, STANDIN_DB_FILE);
  const Database = require('better-sqlite3');
  const fresh = !existsSync(file);
  let db = new Database(file, { timeout: 60_000 });
  db.pragma('journal_mode = WAL');
  const hasSchema = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'`).get();
  if (fresh || !hasSchema) {
    // The schema is the repository's own (its migrations), so the devkit relay reads this file as its own.
    db.close();
    const { EventRepositorySqlite } = await import('@nostr-relay/event-repository-sqlite');
    const repo = new EventRepositorySqlite(file);
    await repo.init();
    await repo.destroy();
    db = new Database(file, { timeout: 60_000 });
  }
  db.pragma('journal_mode = WAL');
  // No fsync (strfry's LMDB syncs each commit): what a killed stand-in committed is still in the OS's hands, so
  // only a power cut could lose it; with fsyncs every WAL checkpoint of an import waits for the disk.
  db.pragma('synchronous = OFF');
  // A larger page cache keeps the index inserts of a big import in memory.
  db.pragma('cache_size = -65536');
  // Statement journals and sorts (scan's ORDER BY) in memory rather than in temporary files.
  db.pragma('temp_store = MEMORY');
  return db;
}

// ---------------------------------------------------------------------------------------------------------------
// import: strfry's WriterPipeline. The main thread reads lines (getline; a line that is not JSON is skipped with a
// warning and not counted; JSON `null` is skipped silently), the Validator checks each event (strfry-rules.mjs;
// rejected ones never reach the writer), the Writer takes what arrived after a debounce (or a full batch):
// ids already stored are dups at once, the rest goes through writeEvents in one transaction. After each such
// pass: `Committed N. Processed P lines. A added, R rejected, D dups` (N written in this pass, the rest totals;
// only when something was handed to writeEvents), then `Writer: added: … dups: … replaced: … deleted: …` (this
// pass; always). At the end a last pass runs (printing its Writer line even when it had nothing), then `Done.`.
// Both writer lines come from the Writer thread (onCommit runs there), `Rejected event …` (--show-rejected)
// from the Validator thread, the rest from the main thread.

async function cmdImport(args, cfg) {
  const o = parseArgs(
    args,
    { '--show-rejected': 'flag', '--no-verify': 'flag', '--fried': 'flag', '--debounce-millis': 'value', '--write-batch': 'value' },
    IMPORT_USAGE,
  );
  if (o.positionals.length > 0) usageError('Unexpected argument: ' + o.positionals.join(', '), IMPORT_USAGE);
  if (o['--fried']) throw new StrfryError('--fried is not supported by the strfry stand-in');
  const showRejected = !!o['--show-rejected'];
  const noVerify = !!o['--no-verify'];
  const debounceMillis = intOption(o['--debounce-millis'], '--debounce-millis') ?? 1_000;
  const writeBatch = intOption(o['--write-batch'], '--write-batch') ?? 10_000;

  if (noVerify) LW('not verifying event IDs or signatures!');
  const db = await openDatabase(cfg);
  // Foreign keys off for speed (each tag row would look its event up); the writer removes tag rows by hand.
  db.pragma('foreign_keys = OFF');
  const writer = strfryWriter(db);
  const verify = noVerify ? null : await makeVerifier();
  const limits = { maxNumTags: cfg.maxNumTags, maxTagValSize: cfg.maxTagValSize };

  const total = { processed: 0, written: 0, rejected: 0, dups: 0, replaced: 0, deleted: 0 };
  let inbox = [];
  let timer = null;
  // One writer pass in one transaction: the pre-filter (ids already stored: dups at once) then writeEvents.
  const writeSome = db.transaction(() => {
    const proc = [];
    let dups = 0;
    let taken = 0;
    for (; taken < inbox.length && proc.length < writeBatch; taken++) {
      const e = inbox[taken];
      if (writer.stored(e.id)) dups++;
      else proc.push(e);
    }
    inbox = inbox.slice(taken);
    const statuses = proc.length > 0 ? writer.writeEvents(proc, (msg) => LI(msg, 'Writer'), { fresh: true }) : [];
    return { dups, statuses };
  });

  const writerPass = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const { dups, statuses } = writeSome.immediate();
    const pass = { written: 0, dups, replaced: 0, deleted: 0 };
    for (const st of statuses) {
      if (st === 'written') pass.written++;
      else if (st === 'duplicate') pass.dups++;
      else if (st === 'replaced') pass.replaced++;
      else pass.deleted++;
    }
    total.written += pass.written;
    total.dups += pass.dups;
    total.replaced += pass.replaced;
    total.deleted += pass.deleted;
    if (statuses.length > 0) {
      LI(`Committed ${pass.written}. Processed ${total.processed} lines. ${total.written} added, ${total.rejected} rejected, ${total.dups} dups`, 'Writer');
    }
    LI(`Writer: added: ${pass.written} dups: ${pass.dups} replaced: ${pass.replaced} deleted: ${pass.deleted}`, 'Writer');
  };
  /** The shutdown: the writer empties its inbox; the pass that sees the end marker prints its line too. */
  const lastPasses = () => {
    do writerPass();
    while (inbox.length > 0);
  };

  const onLine = (buf, lineNo) => {
    let ev;
    try {
      ev = JSON.parse(buf.toString('utf8'));
    } catch {
      LW(`Unable to parse JSON on line ${lineNo}`);
      return;
    }
    if (ev === null) return; // WriterPipeline::write ignores a null value
    total.processed++;
    let why = checkEvent(ev, limits);
    if (!why && verify) {
      why = verify(ev);
      const size = eventJson([ev.content, ev.created_at, ev.id, ev.kind, ev.pubkey, ev.sig, JSON.stringify(ev.tags)]).length;
      if (!why && size > cfg.maxEventSize) why = `event too large: ${size}`;
    }
    if (why) {
      total.rejected++;
      if (showRejected) {
        const id = typeof ev === 'object' && !Array.isArray(ev) && typeof ev.id === 'string' ? ev.id : 'unknown';
        LI(`Rejected event ${id}: ${why}`, 'Validator');
      }
      return;
    }
    inbox.push(ev);
    if (inbox.length >= writeBatch) writerPass();
    else if (!timer) timer = setTimeout(writerPass, debounceMillis);
  };

  let lineNo = 0;
  let carry = null;
  const tooLarge = () => {
    // The exception unwinds through WriterPipeline's destructor, which flushes the writer first.
    lastPasses();
    db.close();
    throw new StrfryError(`Line larger than configured maxEventSize on line ${lineNo}`);
  };
  for await (const chunk of process.stdin) {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl === -1) break;
      lineNo++;
      // getline's numRead counts the newline.
      if (nl + 1 - start > cfg.maxEventSize) tooLarge();
      onLine(buf.subarray(start, nl), lineNo);
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : null;
    if (carry && carry.length > cfg.maxEventSize) {
      lineNo++;
      tooLarge();
    }
    buf = null;
  }
  if (carry) {
    lineNo++;
    // strfry drops the last byte of each line as its newline, also when the input ends without one.
    onLine(carry.subarray(0, carry.length - 1), lineNo);
  }
  lastPasses();
  db.close();
  LI(`Done. Processed ${total.processed} lines. ${total.written} added, ${total.rejected} rejected, ${total.dups} dups`);
}

// ---------------------------------------------------------------------------------------------------------------
// scan / export

/** relay.maxTagsPerFilter's default (strfry.conf may change it; the stand-in does not read it). */
const MAX_TAGS_PER_FILTER = 3;
const MAX_FILTER_BYTES = 65_535;

/**
 * strfry's filter rules (filters.h NostrFilter, as `scan` builds it with no limit cap): `ids`, `authors`, `#e`
 * and `#p` hold 32-byte hex values; other `#x` (a two-character key) strings of at most 255 bytes; `kinds`
 * unsigned integers; an empty list matches nothing; `since`/`until`/`limit` unsigned; at most 3 tag filters; a
 * list's decoded bytes at most 65,535. Returns the filter with hex values in lower case, or throws strfry's error.
 */
function parseFilter(text) {
  let f;
  try {
    f = JSON.parse(text);
  } catch (err) {
    // tao::json's own wording for a parse error is not known here.
    throw new StrfryError(`parse error: ${err.message}`);
  }
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new StrfryError('provided filter is not an object');
  const out = {};
  let tags = 0;
  const bytes = (k, list, hex, min, max) => {
    let total = 0;
    const values = list.map((x) => {
      // tao::json's get_string() on a non-string throws with a wording not known here.
      if (typeof x !== 'string') throw new StrfryError(`error parsing ${k}: not a string (real wording unknown)`);
      let size = Buffer.byteLength(x);
      let v = x;
      if (hex) {
        const h = x.startsWith('0x') ? x.slice(2) : x;
        if (h.length % 2 !== 0) throw new StrfryError(`error parsing ${k}: uneven size input to from_hex`);
        const bad = /[^0-9a-fA-F]/.exec(h);
        if (bad) throw new StrfryError(`error parsing ${k}: unexpected character in from_hex: ${h.charCodeAt(bad.index)}`);
        size = h.length / 2;
        v = h.toLowerCase();
      }
      if (size < min) throw new StrfryError(`error parsing ${k}: filter item too small`);
      if (size > max) throw new StrfryError(`error parsing ${k}: filter item too large`);
      total += size;
      return v;
    });
    if (total > MAX_FILTER_BYTES) throw new StrfryError(`error parsing ${k}: total filter items too large`);
    return values;
  };
  for (const [k, v] of Object.entries(f)) {
    const isList = k === 'ids' || k === 'authors' || k === 'kinds' || k.startsWith('#');
    if (isList && !Array.isArray(v)) throw new StrfryError(`${k} not an array`);
    if (k === 'ids' || k === 'authors') out[k] = bytes(k, v, true, 32, 32);
    else if (k === 'kinds') {
      if (v.some((x) => !Number.isSafeInteger(x) || x < 0)) throw new StrfryError('error parsing kinds: not an unsigned integer (real wording unknown)');
      out.kinds = v;
    } else if (k.startsWith('#')) {
      if (v.length === 0) {
        out[k] = [];
        continue;
      }
      if (k.length !== 2) throw new StrfryError(`error parsing ${k}: unindexed tag filter`);
      tags++;
      out[k] = k === '#e' || k === '#p' ? bytes(k, v, true, 32, 32) : bytes(k, v, false, 0, 255);
    } else if (k === 'since' || k === 'until' || k === 'limit') {
      if (!Number.isSafeInteger(v) || v < 0) throw new StrfryError(`error parsing ${k}`);
      out[k] = v;
    } else throw new StrfryError(`unrecognised filter item: ${k}`);
  }
  if (tags > MAX_TAGS_PER_FILTER) throw new StrfryError('too many tags in filter');
  return out;
}

function filterWhere(f) {
  const parts = [];
  const params = [];
  const inList = (col, values) => {
    if (values.length === 0) parts.push('0');
    else {
      parts.push(`${col} IN (${values.map(() => '?').join(',')})`);
      params.push(...values);
    }
  };
  if (f.ids) inList('e.id', f.ids);
  if (f.authors) inList('e.author', f.authors);
  if (f.kinds) inList('e.kind', f.kinds);
  if (f.since !== undefined) {
    parts.push('e.created_at >= ?');
    params.push(f.since);
  }
  if (f.until !== undefined) {
    parts.push('e.created_at <= ?');
    params.push(f.until);
  }
  for (const [k, v] of Object.entries(f)) {
    if (!k.startsWith('#')) continue;
    if (v.length === 0) {
      parts.push('0');
      continue;
    }
    parts.push(`e.id IN (SELECT event_id FROM generic_tags WHERE tag IN (${v.map(() => '?').join(',')}))`);
    params.push(...v.map((x) => `${k[1]}:${x}`));
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

/** The stored event as strfry prints it: tao::json objects keep their keys sorted. */
const eventJson = (r) =>
  `{"content":${JSON.stringify(r[0])},"created_at":${r[1]},"id":"${r[2]}","kind":${r[3]},"pubkey":"${r[4]}","sig":"${r[5]}","tags":${r[6]}}`;

/** Writes lines to stdout in large pieces, waiting for the reader when the pipe is full. */
async function printRows(rows) {
  let out = '';
  for (const r of rows) {
    out += eventJson(r) + '\n';
    if (out.length >= 256 * 1024) {
      if (!process.stdout.write(out)) await new Promise((ok) => process.stdout.once('drain', ok));
      out = '';
    }
  }
  if (out) process.stdout.write(out);
}

const SELECT_EVENT = 'SELECT e.content, e.created_at, e.id, e.kind, e.pubkey, e.sig, e.tags FROM events e';

async function cmdScan(args, cfg) {
  const o = parseArgs(args, { '--pause': 'value', '--metrics': 'flag', '--count': 'flag' }, SCAN_USAGE);
  if (o.positionals.length !== 1) usageError('Arguments did not match expected patterns', SCAN_USAGE);
  intOption(o['--pause'], '--pause');
  const f = parseFilter(o.positionals[0]);
  const db = await openDatabase(cfg);
  const w = filterWhere(f);
  const limit = f.limit !== undefined ? ` LIMIT ${f.limit}` : '';
  if (o['--count']) {
    const n = db.prepare(`SELECT COUNT(*) FROM (SELECT 1 FROM events e WHERE ${w.sql}${limit})`).pluck().get(...w.params);
    process.stdout.write(`${n}\n`);
  } else {
    const rows = db.prepare(`${SELECT_EVENT} WHERE ${w.sql} ORDER BY e.created_at DESC, e.id${limit}`).raw().iterate(...w.params);
    await printRows(rows);
  }
  db.close();
}

async function cmdExport(args, cfg) {
  const o = parseArgs(args, { '--since': 'value', '--until': 'value', '--reverse': 'flag', '--fried': 'flag' }, EXPORT_USAGE);
  if (o.positionals.length > 0) usageError('Unexpected argument: ' + o.positionals.join(', '), EXPORT_USAGE);
  if (o['--fried']) throw new StrfryError('--fried is not supported by the strfry stand-in');
  const since = intOption(o['--since'], '--since') ?? 0;
  const until = intOption(o['--until'], '--until') ?? Number.MAX_SAFE_INTEGER;
  const db = await openDatabase(cfg);
  const order = o['--reverse'] ? 'DESC' : 'ASC';
  const rows = db
    .prepare(`${SELECT_EVENT} WHERE e.created_at >= ? AND e.created_at <= ? ORDER BY e.created_at ${order}, e.id ${order}`)
    .raw()
    .iterate(since, until);
  await printRows(rows);
  db.close();
}

// ---------------------------------------------------------------------------------------------------------------

async function main(argv) {
  // onPreStartup: before anything else, a warning for root (plain when stderr is not a terminal).
  if (process.getuid?.() === 0) {
    process.stderr.write(process.stderr.isTTY ? '\x1b[1;35mWARNING: Running as root is not recommended\x1b[0m\n' : 'WARNING: Running as root is not recommended\n');
  }
  // Global part: [--config=<config>] <command> [<args>...]; options after the command belong to the command.
  let explicitConfig;
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (a === '--version') {
      process.stdout.write('strfry constellation-standin\n');
      return 0;
    }
    if (a.startsWith('--config=')) explicitConfig = a.slice('--config='.length);
    else if (a === '--config' && i + 1 < argv.length) explicitConfig = argv[++i];
    else usageError(`Unknown option: ${a}`, USAGE);
  }
  const command = argv[i];
  if (!command) usageError('Arguments did not match expected patterns', USAGE);
  const rest = argv.slice(i + 1);

  LI(`arguments: strfry ${argv.join(' ')}`);
  LI(`Current dir: ${process.cwd()}`);
  LI('stderr verbosity: 0');
  LI('-----------------------------------');
  const cfg = loadConfig(explicitConfig);
  if (command === 'import') await cmdImport(rest, cfg);
  else if (command === 'scan') await cmdScan(rest, cfg);
  else if (command === 'export') await cmdExport(rest, cfg);
  else throw new StrfryError(`unknown command: ${command}`);
  return 0;
}

process.stdout.on('error', (err) => {
  // The reader went away (e.g. `| head`): stop quietly like a C++ program killed by SIGPIPE.
  if (err.code === 'EPIPE') process.exit(141);
  throw err;
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`strfry error: ${err instanceof StrfryError ? err.message : (err?.stack ?? String(err))}\n`);
  process.exit(1);
}
