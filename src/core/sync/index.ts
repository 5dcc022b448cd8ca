/**
 * The sync service: one run at a time, cancellable, with one progress stream, a history and HTML reports.
 * Names kept for the engine: createSyncService, createHistoryStore, renderReportHtml.
 */
import type { RunReport, SyncOptions, SyncStatus } from '../../shared/schemas';
import type { EngineContext, SyncService } from '../services';
import { Run } from './run';
import { summarize } from './history';
import { requireStation } from '../station/found';
import { reason, reasonOf, ReasonError } from '../../shared/i18n';

export { createHistoryStore, summarize } from './history';
export { renderReportHtml, escapeHtml } from './report-html';
export { readLock, acquireLock, lockPath, LockHeld } from './lock';
export { buildFilters, filterKey, authorBuckets, syncKinds, windowSince } from './filters';
export { Sieve } from './sieve';

const CANCEL_GRACE_MS = 2000;

export function createSyncService(ctx: EngineContext): SyncService {
  let current: { run: Run; done: Promise<RunReport> } | null = null;
  let lastRun: SyncStatus['lastRun'] = null;
  // the last run of an earlier session, for sync.status before this session's first run
  ctx.history.last().then((r) => (lastRun ??= r), () => undefined);

  return {
    async start(opts: SyncOptions) {
      if (current) throw new ReasonError(reason('sync.alreadyRunning', { id: current.run.id }));
      // Not a station (a typo in --zen-root, a disk not mounted): refused before the run writes its lock, its log
      // lines or the profiles export there.
      await requireStation(ctx.settings().zenRoot);
      const run = new Run(ctx, opts, new AbortController());
      const done = (async (): Promise<RunReport> => {
        const report = await run.execute();
        run.progress.stage = 'done';
        // A cancelled run leaves the peers it never reached (or was in the middle of) as they were, `queued`
        // or working: the last progress says they were stopped, as the run's report does.
        if (report.outcome === 'cancelled') {
          for (const p of run.progress.peers) if (p.phase !== 'done' && p.phase !== 'failed') p.phase = 'cancelled';
        }
        ctx.events.emit('sync.progress', structuredClone(run.progress));
        try {
          await ctx.history.add(report);
        } catch (err) {
          ctx.log.warn(reason('history.notSaved', { id: report.id, why: reasonOf(err) }));
        }
        lastRun = summarize(report);
        current = null;
        ctx.events.emit('sync.finished', report);
        return report;
      })();
      current = { run, done };
      return { runId: run.id, done };
    },
    async cancel() {
      const c = current;
      if (!c) return false;
      c.run.controller.abort(new ReasonError(reason('run.cancelled')));
      await Promise.race([c.done.catch(() => undefined), new Promise((r) => setTimeout(r, CANCEL_GRACE_MS))]);
      return true;
    },
    status() {
      return { running: current !== null, progress: current ? structuredClone(current.run.progress) : null, lastRun };
    },
  };
}
