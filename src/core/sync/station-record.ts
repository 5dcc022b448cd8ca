/**
 * What a run leaves for the station's own tools (../shared/spec/station.md, "Living beside the station's own
 * scheduler"):
 * - `strfry/constellation-backfill.log`: `Starting Astroport constellation backfill process` when a run starts,
 *   one summary per run (outcome, one totals `SYNC_STATS:` line with every key the station's sync_report.sh reads,
 *   `SYNC_IMPORT`, `SYNC_PEERS`, `SYNC_HEX`), then `Backfill process completed` — sync_report.sh takes the last
 *   line of each kind. Its failure count, `grep -cE "(failed|FAILED|❌ (Batch|WebSocket|P2P))"`, matches a line of
 *   ours only when something failed (the outcome and its reason say so).
 * - `tmp/backfill_constellation.lastrun`: the end time in Unix seconds, one line, written atomically at the end
 *   of every run (also a failed or partial one), before the lock is released: the hourly `_12345.sh` starts its
 *   own shell backfill when that stamp is 3000 s old or more.
 * Dry runs and runs refused by the lock leave nothing (they never begin a record).
 */
import { join } from 'node:path';
import type { EngineContext } from '../services';
import type { RunReport } from '../../shared/schemas';
import { emptyCounts, formatSyncStats, type CategoryCounts } from '../../shared/kinds';
import { writeFileAtomic } from '../util/fs';
import { reason, reasonOf } from '../../shared/i18n';

export function stationLogPath(zenRoot: string): string {
  return join(zenRoot, 'strfry', 'constellation-backfill.log');
}

export function lastRunStampPath(zenRoot: string): string {
  return join(zenRoot, 'tmp', 'backfill_constellation.lastrun');
}

export const START_LINE = 'Starting Astroport constellation backfill process';
export const END_LINE = 'Backfill process completed';

/** The failure count of the station's sync_report.sh, as a test of one line. */
export const STATION_FAILURE_PATTERN = /(failed|FAILED|❌ (Batch|WebSocket|P2P))/;

export interface RunSummary {
  report: RunReport;
  categories: CategoryCounts;
  verify: boolean;
  peersOk: number;
  peersTotal: number;
  members: number;
}

export class StationRecord {
  private begun = false;
  private summarized = false;

  constructor(
    private readonly ctx: Pick<EngineContext, 'log' | 'config'>,
    private readonly zenRoot: string,
    private readonly runId: string,
  ) {}

  private append(lines: string[]): Promise<void> {
    return this.ctx.log.appendStationLog(stationLogPath(this.zenRoot), 'INFO', lines);
  }

  /** The run holds the lock and starts. */
  async begin(): Promise<void> {
    this.begun = true;
    await this.append([START_LINE]);
  }

  /** The run's summary lines (once; `end` writes a short one for a run that never got here). */
  async summary(s: RunSummary): Promise<void> {
    this.summarized = true;
    const r = s.report;
    await this.append([
      `Constellation sync ${this.runId}: ${r.outcome}${r.reason ? ` (${r.reason})` : ''}`,
      formatSyncStats(s.categories),
      `SYNC_IMPORT: events=${r.imported} mode=${s.verify ? 'verified' : 'no-verify'}`,
      `SYNC_PEERS: success=${s.peersOk} total=${s.peersTotal}`,
      `SYNC_HEX: count=${s.members}`,
    ]);
  }

  /** The run ends (whatever its outcome): a summary if none was written, the closing line, the stamp. */
  async end(report: RunReport | null): Promise<void> {
    if (!this.begun) return;
    const outcome = report?.outcome ?? 'failed';
    if (!this.summarized) {
      this.summarized = true;
      await this.append([
        `Constellation sync ${this.runId}: ${outcome}${report?.reason ? ` (${report.reason})` : ''}`,
        formatSyncStats(report?.categories ?? emptyCounts()),
      ]);
    }
    // the outcome is in the summary line: said once, a failure counts once in sync_report.sh's failure count
    await this.append([`${END_LINE} (Constellation sync ${this.runId})`]);
    const path = lastRunStampPath(this.zenRoot);
    const now = Math.floor(this.ctx.config.clock() / 1000);
    await writeFileAtomic(path, `${now}\n`).catch((err: Error) => this.ctx.log.warn(reason('station.stampNotWritten', { path, why: reasonOf(err) })));
  }
}
