/**
 * Other processes, by PID: is one alive, and did it start before a given moment (so a PID written in a file
 * still names the process that wrote it, not another one that got the same number later).
 *
 * Linux only for the start time (`/proc`); elsewhere the answer falls back to "alive".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reason, type Reason } from '../../shared/i18n';

/** Is a process with this PID alive? EPERM means it exists but belongs to someone else: alive. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Clock ticks per second of the times in `/proc/<pid>/stat`: USER_HZ, which Linux fixes at 100 for user space
 * on every architecture (sysconf(_SC_CLK_TCK) says 100; it is not the kernel's internal HZ).
 */
const USER_HZ = 100;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** When the machine booted, Unix milliseconds (`btime` of /proc/stat, whole seconds), or null when unknown. */
export function bootTimeMs(proc = '/proc'): number | null {
  const text = readText(join(proc, 'stat'));
  const m = text ? /^btime\s+(\d+)\s*$/m.exec(text) : null;
  return m ? Number(m[1]) * 1000 : null;
}

/**
 * When a process started, Unix milliseconds: boot time plus field 22 of /proc/<pid>/stat (`starttime`, clock
 * ticks after boot). Null when unknown (no such process, not Linux). The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses: fields are counted after its last `)`.
 */
export function processStartMs(pid: number, proc = '/proc'): number | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const boot = bootTimeMs(proc);
  const stat = readText(join(proc, String(pid), 'stat'));
  if (boot === null || stat === null) return null;
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // after ")": field 3 (state) is at index 0, so field 22 is at index 19
  const ticks = Number(stat.slice(close + 1).trim().split(/\s+/)[19]);
  if (!Number.isFinite(ticks) || ticks < 0) return null;
  return boot + (ticks * 1000) / USER_HZ;
}

/**
 * How far a process's start may come after the moment it wrote its file and still be taken for its writer.
 * The start time is computed from the boot time, which the kernel derives from the wall clock: an NTP
 * adjustment moves it, and it is only known to the second.
 */
export const START_SLACK_MS = 60_000;

export type OwnerVerdict = { alive: true } | { alive: false; why: Reason };

/**
 * Is the process that wrote a file at `writtenAtMs` (the file's mtime) still the one running under `pid`?
 * Not when no such process runs; not when the file is older than this boot (every process running now started
 * after it: the PID was reused after a reboot); not when the process running under that PID started after the
 * file was written (the PID was reused). When /proc cannot tell, a live PID is taken for the owner.
 */
export function ownerAlive(pid: number, writtenAtMs: number, proc = '/proc'): OwnerVerdict {
  if (!pidAlive(pid)) return { alive: false, why: reason('lock.notRunning', { pid }) };
  if (pid === process.pid) return { alive: true };
  const boot = bootTimeMs(proc);
  if (boot !== null && writtenAtMs < boot) {
    return { alive: false, why: reason('lock.beforeBoot', { pid }) };
  }
  const start = processStartMs(pid, proc);
  if (start !== null && start > writtenAtMs + START_SLACK_MS) {
    return { alive: false, why: reason('lock.pidReused', { pid }) };
  }
  return { alive: true };
}
