/**
 * The schedule: a sync every `settings.scheduleMinutes` (60 by default) with a little jitter, following the
 * station's own rule — no run while the station lock is held, none when the last run started less than
 * 50 minutes ago (5/6 of the interval when the interval is not an hour).
 *
 * Why a short heartbeat instead of one long timer: Node's timers count awake time only, so after the machine
 * slept a one-hour timer could fire hours late in wall time. The heartbeat compares the wall clock with the
 * planned time every minute, notices a jump (sleep/resume, clock change) and re-evaluates; `onResume()` lets
 * Electron's powerMonitor say so at once.
 */
import { lstat, readFile } from 'node:fs/promises';
import type { RunSummary, ScheduleStatus } from '../../shared/schemas';
import type { EngineContext, Scheduler } from '../services';
import { reason, reasonOf, reasonText, type Reason } from '../../shared/i18n';
import { judgeLock, lockPath } from './lock';

const MINUTE = 60_000;

export interface LockState {
  held: boolean;
  /** Who holds it, for the log. */
  detail: Reason | null;
}

export interface ScheduleInputs {
  now: number;
  enabled: boolean;
  paused: boolean;
  intervalMinutes: number;
  /** When it was planned to run (null: not planned yet). */
  dueAt: number | null;
  /** A run of this engine in progress. */
  running: boolean;
  lock: LockState;
  lastRun: Pick<RunSummary, 'startedAt' | 'outcome'> | null;
}

export interface Decision {
  action: 'wait' | 'run' | 'skip';
  why: Reason;
}

/** The shortest gap between two runs: 50 minutes for the hourly schedule, the same share of other intervals. */
export function minimumGapMs(intervalMinutes: number): number {
  return Math.round(intervalMinutes * (50 / 60) * MINUTE);
}

/** Runs that count for the "last run is recent" rule: ones that really synced. */
export function counts(run: Pick<RunSummary, 'outcome'>): boolean {
  return run.outcome === 'success' || run.outcome === 'partial' || run.outcome === 'failed';
}

/** Whether the schedule runs a sync now. Pure: a fake clock and fake inputs test every branch. */
export function decide(i: ScheduleInputs): Decision {
  if (!i.enabled) return { action: 'wait', why: reason('schedule.off') };
  if (i.paused) return { action: 'wait', why: reason('schedule.isPaused') };
  if (i.dueAt === null || i.now < i.dueAt) return { action: 'wait', why: reason('schedule.notDue') };
  if (i.running) return { action: 'skip', why: reason('schedule.running') };
  if (i.lock.held) return { action: 'skip', why: reason('schedule.lockHeld', { detail: i.lock.detail }) };
  if (i.lastRun && counts(i.lastRun)) {
    const age = i.now - i.lastRun.startedAt;
    const gap = minimumGapMs(i.intervalMinutes);
    if (age >= 0 && age < gap) {
      return { action: 'skip', why: reason('schedule.tooSoon', { agoMinutes: Math.round(age / MINUTE), gapMinutes: Math.round(gap / MINUTE) }) };
    }
  }
  return { action: 'run', why: reason('schedule.due') };
}

/** Jitter in [-spread, +spread], spread = 5 % of the interval capped at 3 minutes: stations do not all call at once. */
export function jitterMs(intervalMinutes: number, random: () => number): number {
  const spread = Math.min(3 * MINUTE, intervalMinutes * MINUTE * 0.05);
  return Math.round((random() * 2 - 1) * spread);
}

/** The next planned time after a decision at `now`. */
export function nextDueAt(now: number, intervalMinutes: number, lastRun: Pick<RunSummary, 'startedAt' | 'outcome'> | null, random: () => number): number {
  const interval = intervalMinutes * MINUTE;
  let base = now + interval;
  // After a recent run, plan from that run rather than from now, so the rhythm follows the runs.
  if (lastRun && counts(lastRun) && lastRun.startedAt <= now && now - lastRun.startedAt < interval) base = lastRun.startedAt + interval;
  return Math.max(now + MINUTE, base + jitterMs(intervalMinutes, random));
}

/** Start-up delay before an overdue first run: lets the station's services and the window settle. */
export const FIRST_RUN_DELAY_MS = 2 * MINUTE;

/** The first planned time when the schedule starts: soon when a run is overdue, else one interval after the last. */
export function firstDueAt(now: number, intervalMinutes: number, lastRun: Pick<RunSummary, 'startedAt' | 'outcome'> | null, random: () => number): number {
  const overdue = !lastRun || !counts(lastRun) || now - lastRun.startedAt >= intervalMinutes * MINUTE;
  if (overdue) return now + FIRST_RUN_DELAY_MS + Math.abs(jitterMs(intervalMinutes, random)) / 4;
  return nextDueAt(now, intervalMinutes, lastRun, random);
}

/**
 * Reads the station lock (lock.ts: strfry/constellation-backfill.lock, a PID) without touching it. Unlike
 * readLock it never follows a symlink (out of the station root), and says who holds it for the log.
 */
export async function readStationLock(zenRoot: string): Promise<LockState> {
  const path = lockPath(zenRoot);
  let text: string;
  let writtenAt: number;
  try {
    const info = await lstat(path);
    // A lock we may not read is treated as held: better skip a slot than run beside the station's script.
    if (info.isSymbolicLink()) return { held: true, detail: reason('lock.symlink', { path }) };
    writtenAt = info.mtimeMs;
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { held: false, detail: null };
    return { held: true, detail: reason('lock.unreadable', { path, detail: (err as Error).message }) };
  }
  const owner = judgeLock(text, writtenAt);
  if (owner.pid === 0) return { held: false, detail: reason('lock.noPid', { path }) };
  if (owner.alive) return { held: true, detail: reason('lock.pid', { pid: owner.pid }) };
  return { held: false, detail: reason('lock.stale', { why: owner.why ?? reason('lock.notRunning', { pid: owner.pid }) }) };
}

export interface SchedulerDeps {
  lock?: (zenRoot: string) => Promise<LockState>;
  random?: () => number;
  /** How often the wall clock is compared with the plan. */
  heartbeatMs?: number;
  /** After a resume, how long to let the network come back before deciding. */
  resumeDelayMs?: number;
}

export interface StationScheduler extends Scheduler {
  /** The machine woke up (Electron's powerMonitor 'resume'): re-evaluate soon. */
  onResume(): void;
  /** Evaluates now (the heartbeat calls it; tests too). */
  tick(): Promise<Decision>;
}

export function createScheduler(ctx: EngineContext, deps: SchedulerDeps = {}): StationScheduler {
  const clock = ctx.config.clock;
  const lockOf = deps.lock ?? readStationLock;
  const random = deps.random ?? Math.random;
  const heartbeatMs = deps.heartbeatMs ?? MINUTE;
  const resumeDelayMs = deps.resumeDelayMs ?? 20_000;

  let paused = false;
  let stopped = false;
  let dueAt: number | null = null;
  let lastDecision: Reason | null = null;
  let lastBeat = clock();
  let ticking: Promise<Decision> | null = null;
  let resumeTimer: ReturnType<typeof setTimeout> | null = null;

  const settings = (): { enabled: boolean; interval: number } => {
    const s = ctx.settings();
    return { enabled: s.scheduleEnabled, interval: s.scheduleMinutes };
  };

  function status(): ScheduleStatus {
    const s = settings();
    const decision = lastDecision ? { lastDecision: reasonText(lastDecision), lastDecisionWhy: lastDecision } : { lastDecision: null };
    return { enabled: s.enabled, paused, intervalMinutes: s.interval, nextRunAt: s.enabled && !paused ? dueAt : null, ...decision };
  }

  function changed(): ScheduleStatus {
    const st = status();
    ctx.events.emit('schedule.changed', st);
    return st;
  }

  function note(why: Reason, level: 'info' | 'warn' = 'info'): void {
    lastDecision = reason('schedule.note', { at: new Date(clock()).toISOString(), why });
    ctx.log[level](reason('schedule.log', { why }));
  }

  /** The last run from the history; a history that cannot be read is said, and treated as "no run". */
  async function lastRun(): Promise<RunSummary | null> {
    try {
      return await ctx.history.last();
    } catch (err) {
      ctx.log.warn(reason('schedule.historyUnreadable', { why: reasonOf(err) }));
      return null;
    }
  }

  async function plan(now: number, first = false): Promise<void> {
    const last = await lastRun();
    dueAt = (first ? firstDueAt : nextDueAt)(now, settings().interval, last, random);
  }

  async function evaluate(): Promise<Decision> {
    const now = clock();
    const s = settings();
    if (dueAt === null) await plan(now, true);
    const quick = decide({ now, enabled: s.enabled, paused, intervalMinutes: s.interval, dueAt, running: false, lock: { held: false, detail: null }, lastRun: null });
    if (quick.action === 'wait') return quick;
    const [lock, last] = await Promise.all([
      lockOf(ctx.settings().zenRoot).catch((err: unknown): LockState => ({ held: true, detail: reason('lock.cannotCheck', { why: reasonOf(err) }) })),
      lastRun(),
    ]);
    const decision = decide({ now, enabled: s.enabled, paused, intervalMinutes: s.interval, dueAt, running: ctx.sync.status().running, lock, lastRun: last });
    if (stopped) return decision;
    if (decision.action === 'skip') {
      note(reason('schedule.skipped', { why: decision.why }));
      await plan(now);
    } else if (decision.action === 'run') {
      try {
        const { runId } = await ctx.sync.start({ trigger: 'schedule' });
        note(reason('schedule.started', { runId }));
      } catch (err) {
        note(reason('schedule.cannotStart', { why: reasonOf(err) }), 'warn');
      }
      dueAt = nextDueAt(now, s.interval, { startedAt: now, outcome: 'success' }, random);
    }
    changed();
    return decision;
  }

  async function tick(): Promise<Decision> {
    // One evaluation at a time: a slow lock check never lets two runs start.
    ticking ??= evaluate().finally(() => (ticking = null));
    return ticking;
  }

  const beat = setInterval(() => {
    const now = clock();
    const gap = now - lastBeat;
    lastBeat = now;
    if (gap > heartbeatMs * 3) note(reason('schedule.clockJumped', { minutes: Math.round(gap / MINUTE) }));
    void tick().catch((err: unknown) => ctx.log.error(reason('schedule.log', { why: reasonOf(err) })));
  }, heartbeatMs);
  beat.unref?.();

  // The interval or the on/off switch changed in the settings: re-plan (interval) and tell the front ends.
  let lastInterval = settings().interval;
  const offSettings = ctx.events.on('settings.changed', (next) => {
    if (next.scheduleMinutes === lastInterval) {
      changed();
      return;
    }
    lastInterval = next.scheduleMinutes;
    void plan(clock()).then(() => {
      note(reason('schedule.interval', { minutes: next.scheduleMinutes }));
      changed();
    });
  });

  void plan(clock(), true).then(() => {
    note(reason('schedule.planned', { minutes: settings().interval, at: new Date(dueAt ?? 0).toISOString() }));
    changed();
  });

  return {
    status,
    tick,
    pause() {
      if (!paused) {
        paused = true;
        note(reason('schedule.paused'));
      }
      return changed();
    },
    resume() {
      if (paused) {
        paused = false;
        // An overdue slot runs at the next heartbeat, still under the lock and 50-minute rules.
        note(reason('schedule.resumed'));
      }
      return changed();
    },
    onResume() {
      note(reason('schedule.woke'));
      lastBeat = clock();
      if (resumeTimer) clearTimeout(resumeTimer);
      resumeTimer = setTimeout(() => {
        resumeTimer = null;
        void tick();
      }, resumeDelayMs);
      resumeTimer.unref?.();
    },
    stop() {
      stopped = true;
      clearInterval(beat);
      if (resumeTimer) clearTimeout(resumeTimer);
      offSettings();
    },
  };
}
