// Placeholder until issue 4 lands.
import type { RunReport } from '../../shared/schemas';
import type { EngineContext, HistoryStore, SyncService } from '../services';
export function createSyncService(_ctx: EngineContext): SyncService {
  return {
    start: async () => { throw new Error('the sync is not built yet (issue 4)'); },
    cancel: async () => false,
    status: () => ({ running: false, progress: null, lastRun: null }),
  };
}
export function createHistoryStore(_ctx: EngineContext): HistoryStore {
  return { add: async () => undefined, list: async () => [], get: async () => null, last: async () => null };
}
export function renderReportHtml(report: RunReport): string {
  return `<!doctype html><title>${report.id}</title>`;
}
