/**
 * `<dataDir>/tunnels.json`: the forwards this app opened, written before each forward is asked for and updated
 * when it is closed, so a crashed run's forwards can be closed at the next start. Several processes (the
 * window, the CLI) may share the file: each keeps only its own entries (by pid) and leaves the others'.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs';

export interface ForwardRecord {
  peerId: string;
  protocol: string;
  listenAddress: string;
  targetAddress: string;
  pid: number;
  openedAt: number;
}

export function recordsPath(dataDir: string): string {
  return join(dataDir, 'tunnels.json');
}

export async function readRecords(dataDir: string): Promise<ForwardRecord[]> {
  let text: string;
  try {
    text = await readFile(recordsPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const body = JSON.parse(text) as { forwards?: unknown };
    if (!Array.isArray(body.forwards)) return [];
    return body.forwards.filter(
      (f): f is ForwardRecord =>
        !!f && typeof f === 'object' &&
        typeof (f as ForwardRecord).protocol === 'string' && typeof (f as ForwardRecord).listenAddress === 'string' &&
        typeof (f as ForwardRecord).targetAddress === 'string' && typeof (f as ForwardRecord).pid === 'number',
    );
  } catch {
    return [];
  }
}

export async function writeRecords(dataDir: string, forwards: ForwardRecord[]): Promise<void> {
  await writeFileAtomic(recordsPath(dataDir), JSON.stringify({ version: 1, forwards }, null, 2) + '\n');
}

/** Serialised read-modify-write of the file, so concurrent updates of this process do not lose entries. */
export class RecordBook {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(private readonly dataDir: string) {}

  update(fn: (all: ForwardRecord[]) => ForwardRecord[]): Promise<void> {
    const next = this.chain.then(async () => writeRecords(this.dataDir, fn(await readRecords(this.dataDir))));
    this.chain = next.catch(() => undefined);
    return next;
  }

  add(r: ForwardRecord): Promise<void> {
    return this.update((all) => [...all.filter((f) => f.listenAddress !== r.listenAddress), r]);
  }

  remove(listenAddress: string): Promise<void> {
    return this.update((all) => all.filter((f) => f.listenAddress !== listenAddress));
  }
}
