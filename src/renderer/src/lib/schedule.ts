/**
 * What the window says about scheduled runs. Two sources must agree: the captain's choice (settings) and what this
 * process really does (schedule.status: a host without a scheduler, like `serve` without `--schedule`, answers
 * "not enabled" whatever the setting says). Pure, for the unit tests.
 */
import type { ScheduleStatus } from '../../../shared/schemas';

export type ScheduleView =
  /** turned off in the settings */
  | 'off'
  /** turned on in the settings, but this process runs no schedule */
  | 'notHere'
  | 'paused'
  | 'on';

export function scheduleView(wanted: boolean | null, status: ScheduleStatus | null): ScheduleView | null {
  if (wanted === null || status === null) return null;
  if (!wanted) return 'off';
  // A scheduler follows the setting (its `enabled` is the setting's value): "wanted but not enabled" means none here.
  if (!status.enabled) return 'notHere';
  return status.paused ? 'paused' : 'on';
}

/**
 * Whether this window runs in the desktop app: only it acts on the desktop settings (start minimised, start at
 * log-in, desktop notifications); the web host hides them.
 */
export function isDesktop(host: string | null | undefined): boolean {
  return host === 'electron';
}
