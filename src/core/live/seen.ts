/**
 * Per peer, the moment (Unix seconds) up to which its stream is known complete: everything it held before was
 * reconciled, and the stream covered the time after. A (re)connect catches up from there (less a margin), so a
 * relay restart, a tunnel drop, a sleep or a stopped app loses nothing. Kept in `<dataDir>/sync-state/live.json`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs';
import { reason, reasonOf, ReasonError, type Reason } from '../../shared/i18n';

export function seenPath(dataDir: string): string {
  return join(dataDir, 'sync-state', 'live.json');
}

export class SeenBook {
  private marks: Record<string, number> = {};
  private dirty = false;
  /** saves run one after the other (the timer's and stop()'s), so the last one written is the newest */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {}

  /** Loads the marks; a missing or damaged file starts empty (the first catch-up then covers firstGapSec). */
  async load(): Promise<Reason | null> {
    try {
      const v = JSON.parse(await readFile(seenPath(this.dataDir), 'utf8')) as unknown;
      const peers = (v as { peers?: unknown } | null)?.peers;
      if (!peers || typeof peers !== 'object' || Array.isArray(peers)) throw new ReasonError(reason('live.noPeersObject'));
      for (const [k, t] of Object.entries(peers as Record<string, unknown>)) if (typeof t === 'number' && Number.isFinite(t)) this.marks[k] = t;
      return null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return reason('live.marksUnreadable', { path: seenPath(this.dataDir), why: reasonOf(err) });
    }
  }

  get(peer: string): number | null {
    return this.marks[peer] ?? null;
  }

  /** Moves a peer's mark forward (never back). */
  set(peer: string, sec: number): void {
    if ((this.marks[peer] ?? -1) >= sec) return;
    this.marks[peer] = sec;
    this.dirty = true;
  }

  save(): Promise<void> {
    const next = this.chain.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      await writeFileAtomic(seenPath(this.dataDir), JSON.stringify({ peers: this.marks }, null, 1) + '\n');
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/**
 * Where a catch-up starts: the peer's mark less the margin, never further back than maxGapSec, and firstGapSec
 * back for a peer never seen.
 */
export function gapStart(seen: number | null, nowSec: number, t: { gapMarginSec: number; firstGapSec: number; maxGapSec: number }): number {
  const from = seen === null ? nowSec - t.firstGapSec : seen - t.gapMarginSec;
  return Math.max(nowSec - t.maxGapSec, Math.min(from, nowSec - t.gapMarginSec));
}
