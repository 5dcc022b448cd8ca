/**
 * Watches the parts of the station root that the snapshot depends on, and calls back (debounced) when one
 * changes. `fs.watch` (recursive where the folder's content matters) on the folders that exist; folders that
 * do not exist yet, and platforms or limits where fs.watch fails, are covered by a poll of a cheap signature
 * (names, sizes, mtimes). The whole ~/.zen is never watched: it holds code, caches and the relay database.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SECRET_FILE } from '../util/fs';
import { isPeerId } from './card';
import { StationReader } from './read';
import { reason, type Reason } from '../../shared/i18n';

interface Target {
  rel: string;
  recursive: boolean;
  /** Which changed names matter (the name relative to the watched folder). */
  accept: (name: string) => boolean;
}

const ANY = (): boolean => true;

function targets(beacon: string | null): Target[] {
  const list: Target[] = [
    { rel: '.', recursive: false, accept: (n) => ['tmp', 'strfry', 'game', 'flashmem'].includes(n) },
    { rel: 'tmp', recursive: false, accept: (n) => n === 'swarm' || isPeerId(n) },
    { rel: join('tmp', 'swarm'), recursive: true, accept: ANY },
    { rel: 'strfry', recursive: false, accept: (n) => n === 'amisOfAmis.txt' || n === 'blacklist.txt' },
    { rel: 'game', recursive: false, accept: (n) => n === 'nostr' },
    // Changes to private-key files are of no interest (and their names are not even looked at further).
    { rel: join('game', 'nostr'), recursive: true, accept: (n) => !SECRET_FILE.test(basename(n)) },
    { rel: 'flashmem', recursive: true, accept: (n) => !SECRET_FILE.test(basename(n)) },
  ];
  if (beacon) list.push({ rel: join('tmp', beacon), recursive: false, accept: ANY });
  return list;
}

/** A cheap signature of a folder (names, sizes, mtimes; two levels deep for recursive targets). */
async function signature(dir: string, depth: number, budget = { left: 5000 }): Promise<string> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return '-';
  }
  const parts: string[] = [];
  for (const n of names.sort()) {
    if (budget.left-- <= 0) break;
    if (SECRET_FILE.test(n)) continue;
    const s = await lstat(join(dir, n)).catch(() => null);
    if (!s) continue;
    parts.push(`${n}:${s.size}:${s.mtimeMs}`);
    if (depth > 0 && s.isDirectory()) parts.push(`[${await signature(join(dir, n), depth - 1, budget)}]`);
  }
  return parts.join('|');
}

interface Armed {
  target: Target;
  watcher: FSWatcher | null;
  /** Poll signature when fs.watch is not usable for this target. */
  polled: string | null;
}

export class StationWatcher {
  private armed = new Map<string, Armed>();
  private timer: NodeJS.Timeout | null = null;
  private poller: NodeJS.Timeout | null = null;
  private beacon: string | null = null;
  private stopped = true;
  /** Set after the first arming: a folder armed later is itself a change. */
  private armedOnce = false;

  constructor(
    private readonly root: string,
    private readonly onChange: () => void,
    private readonly opts: { debounceMs: number; pollMs: number; onProblem?: (why: Reason) => void } = { debounceMs: 500, pollMs: 2000 },
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.rearm();
    this.armedOnce = true;
    this.poller = setInterval(() => void this.tick(), this.opts.pollMs);
    this.poller.unref();
  }

  stop(): void {
    this.stopped = true;
    this.armedOnce = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.poller) clearInterval(this.poller);
    this.timer = this.poller = null;
    for (const a of this.armed.values()) a.watcher?.close();
    this.armed.clear();
  }

  /** Also watch the own beacon folder once it is known. */
  setBeacon(peerId: string | null): void {
    if (peerId === this.beacon) return;
    this.beacon = peerId;
    void this.rearm();
  }

  private changed(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.onChange();
    }, this.opts.debounceMs);
    this.timer.unref();
  }

  /** Arms targets whose folder appeared, drops those whose folder vanished. */
  private async rearm(): Promise<void> {
    const reader = new StationReader(this.root);
    if (!(await reader.init())) return;
    const wanted = targets(this.beacon);
    for (const [rel, a] of this.armed) {
      if (!wanted.some((t) => t.rel === rel)) {
        a.watcher?.close();
        this.armed.delete(rel);
      }
    }
    for (const t of wanted) {
      if (this.stopped) return;
      const r = await reader.resolve(t.rel);
      const existing = this.armed.get(t.rel);
      if (!('real' in r)) {
        if (existing) {
          existing.watcher?.close();
          this.armed.delete(t.rel);
          this.changed();
        }
        continue;
      }
      if (existing) continue;
      const armed: Armed = { target: t, watcher: null, polled: null };
      try {
        armed.watcher = watch(r.real, { recursive: t.recursive, persistent: false }, (_event, name) => {
          const n = name === null ? '' : String(name);
          if (n === '' || t.accept(n)) this.changed();
        });
        armed.watcher.on('error', () => {
          // The folder went away or the watch broke: drop it; the poll re-arms or falls back.
          armed.watcher?.close();
          this.armed.delete(t.rel);
          this.changed();
        });
      } catch (err) {
        this.opts.onProblem?.(reason('watch.polling', { path: t.rel, detail: (err as Error).message }));
        armed.watcher = null;
        armed.polled = await signature(r.real, t.recursive ? 2 : 0);
      }
      if (!this.stopped) {
        this.armed.set(t.rel, armed);
        // A folder that appears after start is itself a change (a peer's first beacon, a new member list).
        if (this.armedOnce) this.changed();
      } else {
        armed.watcher?.close();
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
        await this.rearm();
    for (const a of this.armed.values()) {
      if (a.watcher || a.polled === null) continue;
      const sig = await signature(join(this.root, a.target.rel), a.target.recursive ? 2 : 0);
      if (sig !== a.polled) {
        a.polled = sig;
        this.changed();
      }
    }
  }
}
