/**
 * The run history in the data folder: one JSON file per run under `history/`, plus `history/index.json`
 * (summaries, newest first). Bounded to the last MAX_RUNS runs.
 */
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RunReport, RunSummary, summarizeRun } from '../../shared/schemas';
import type { EngineContext, HistoryStore } from '../services';
import { writeFileAtomic } from '../util/fs';
import { reason, reasonOf } from '../../shared/i18n';

export const MAX_RUNS = 500;

/** The history line of a run. */
export const summarize = summarizeRun;

const safeId = (id: string): boolean => /^[A-Za-z0-9_-]{1,100}$/.test(id);

export function createHistoryStore(ctx: Pick<EngineContext, 'config' | 'log'>): HistoryStore {
  const dir = join(ctx.config.dataDir, 'history');
  const indexPath = join(dir, 'index.json');
  let index: RunSummary[] | null = null;
  let writes: Promise<unknown> = Promise.resolve();

  async function load(): Promise<RunSummary[]> {
    if (index) return index;
    try {
      const raw = JSON.parse(await readFile(indexPath, 'utf8')) as unknown;
      const parsed = RunSummary.array().safeParse(raw);
      if (parsed.success) index = parsed.data;
      else {
        ctx.log.warn(reason('history.damaged', { path: indexPath }));
        index = [];
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') ctx.log.warn(reason('history.unreadable', { path: indexPath, why: reasonOf(err) }));
      index = [];
    }
    return index;
  }

  return {
    async add(report) {
      const op = writes.then(async () => {
        const list = await load();
        await writeFileAtomic(join(dir, `${report.id}.json`), JSON.stringify(report));
        const next = [summarize(report), ...list.filter((s) => s.id !== report.id)];
        const dropped = next.splice(MAX_RUNS);
        index = next;
        await writeFileAtomic(indexPath, JSON.stringify(next));
        for (const d of dropped) await unlink(join(dir, `${d.id}.json`)).catch(() => undefined);
      });
      writes = op.catch(() => undefined);
      await op;
    },
    async list(limit) {
      await writes;
      return (await load()).slice(0, limit);
    },
    async get(id) {
      if (!safeId(id)) return null;
      await writes;
      try {
        const parsed = RunReport.safeParse(JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    async last() {
      await writes;
      return (await load())[0] ?? null;
    },
  };
}
