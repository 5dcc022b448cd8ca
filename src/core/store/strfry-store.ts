/**
 * The local store as strfry through its CLI (the station's own relay): `strfry import [--no-verify]` with
 * JSONL on stdin, `strfry scan '<filter>'` (JSONL out) and `strfry scan --count '<filter>'`, each run with the
 * folder of strfry.conf as working directory (that is how strfry finds its config and database).
 *
 * `strfry import` ends with `Done. Processed N lines. A added, R rejected, D dups` on its log (stderr):
 * those are the counts we report. It skips the write policy and the time checks; `--no-verify` also skips
 * id and signature checks, so the sync's sieve verifies itself when `--verify` is asked.
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import type { ImportResult, LocalStore } from '../services';

const SCAN_IDS_CHUNK = 500;

/** Reads the counts of strfry import's last `Processed … added, … rejected, … dups` line. */
export function parseImportCounts(log: string): { processed: number; added: number; rejected: number; dups: number } | null {
  const re = /Processed (\d+) lines?\. (\d+) added, (\d+) rejected, (\d+) dups/g;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(log); m; m = re.exec(log)) last = m;
  if (!last) return null;
  return { processed: Number(last[1]), added: Number(last[2]), rejected: Number(last[3]), dups: Number(last[4]) };
}

export class StrfryStore implements LocalStore {
  readonly kind = 'strfry' as const;
  readonly description: string;
  private readonly cwd: string;

  constructor(
    readonly bin: string,
    readonly conf: string,
  ) {
    this.cwd = dirname(conf);
    this.description = `strfry ${bin} (config ${conf})`;
  }

  private run(args: string[], signal?: AbortSignal) {
    const child = spawn(this.bin, args, { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'], signal, killSignal: 'SIGTERM' });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-64 * 1024);
    });
    const exit = new Promise<number>((resolve, reject) => {
      child.on('error', (err) => reject(new Error(`strfry ${args[0]}: cannot run ${this.bin}: ${err.message}`)));
      child.on('close', (code) => resolve(code ?? 1));
    });
    return { child, exit, stderr: () => stderr };
  }

  async *query(filter: Filter, signal?: AbortSignal): AsyncIterable<NostrEvent> {
    const f: Filter = { ...filter };
    delete f.limit; // scan is complete; a limit would only cut it
    const p = this.run(['scan', JSON.stringify(f)], signal);
    p.child.stdin.end();
    p.exit.catch(() => undefined);
    const lines = createInterface({ input: p.child.stdout, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      try {
        yield JSON.parse(line) as NostrEvent;
      } catch {
        throw new Error(`strfry scan printed a line that is not JSON: ${line.slice(0, 80)}`);
      }
    }
    const code = await p.exit;
    if (code !== 0) throw new Error(`strfry scan failed (exit ${code}): ${p.stderr().trim().split('\n').pop() ?? ''}`);
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
    const code = await p.exit;
    if (code !== 0) throw new Error(`strfry scan --count failed (exit ${code}): ${p.stderr().trim().split('\n').pop() ?? ''}`);
    const n = Number(out.trim().split(/\s+/).pop());
    return Number.isFinite(n) ? n : null;
  }

  async import(events: readonly NostrEvent[], opts: { verify: boolean }, signal?: AbortSignal): Promise<ImportResult> {
    const result: ImportResult = { added: 0, duplicates: 0, rejected: 0, reasons: {}, bytes: 0 };
    if (events.length === 0) return result;
    const args = opts.verify ? ['import'] : ['import', '--no-verify'];
    const p = this.run(args, signal);
    p.child.stdout.resume();
    const stdin = p.child.stdin;
    stdin.on('error', () => undefined); // a dying strfry is reported by its exit code below
    for (const e of events) {
      const line = JSON.stringify(e) + '\n';
      result.bytes += Buffer.byteLength(line);
      if (!stdin.write(line)) await new Promise<void>((r) => stdin.once('drain', r));
    }
    stdin.end();
    const code = await p.exit;
    const log = p.stderr();
    if (code !== 0) throw new Error(`strfry import failed (exit ${code}): ${log.trim().split('\n').pop() ?? 'no message'}`);
    const counts = parseImportCounts(log);
    if (!counts) throw new Error(`strfry import finished but printed no "Processed … added" line; cannot count what it stored`);
    result.added = counts.added;
    result.duplicates = counts.dups;
    result.rejected = counts.rejected + Math.max(0, events.length - counts.processed);
    if (result.rejected > 0) result.reasons[opts.verify ? 'strfry import: bad id or signature' : 'strfry import: rejected'] = result.rejected;
    return result;
  }

  async close(): Promise<void> {
    // nothing held open: every call is its own process
  }
}
