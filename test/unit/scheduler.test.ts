import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeConfig } from '../../src/core/config';
import { EngineEvents } from '../../src/core/events';
import { Logger } from '../../src/core/log';
import type { EngineContext } from '../../src/core/services';
import { createScheduler, decide, firstDueAt, jitterMs, minimumGapMs, nextDueAt, readStationLock } from '../../src/core/sync/scheduler';
import type { LockState, ScheduleInputs } from '../../src/core/sync/scheduler';
import { defaultSettings } from '../../src/shared/schemas';
import type { RunSummary, ScheduleStatus, Settings } from '../../src/shared/schemas';
import { reason, reasonText } from '../../src/shared/i18n';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const free: LockState = { held: false, detail: null };

function inputs(over: Partial<ScheduleInputs> = {}): ScheduleInputs {
  return { now: T0, enabled: true, paused: false, intervalMinutes: 60, dueAt: T0, running: false, lock: free, lastRun: null, ...over };
}

describe('decide (pure, fake clock)', () => {
  it('runs when due, the lock is free and no recent run', () => {
    expect(decide(inputs()).action).toBe('run');
    expect(decide(inputs({ lastRun: { startedAt: T0 - 55 * MIN, outcome: 'success' } })).action).toBe('run');
  });
  it('skips while the station lock is held, naming the holder', () => {
    const d = decide(inputs({ lock: { held: true, detail: reason('lock.pid', { pid: 4242 }) } }));
    expect(d.action).toBe('skip');
    expect(reasonText(d.why)).toBe('the station lock is held (PID 4242)');
  });
  it('skips when the last run started less than 50 minutes ago', () => {
    const d = decide(inputs({ lastRun: { startedAt: T0 - 49 * MIN, outcome: 'partial' } }));
    expect(d.action).toBe('skip');
    expect(reasonText(d.why)).toMatch(/last run started 49 min ago \(under 50 min\)/);
    expect(decide(inputs({ lastRun: { startedAt: T0 - 50 * MIN, outcome: 'failed' } })).action).toBe('run');
  });
  it('does not count refused, cancelled or dry runs as recent', () => {
    for (const outcome of ['refused', 'cancelled', 'dry-run'] as const) {
      expect(decide(inputs({ lastRun: { startedAt: T0 - 5 * MIN, outcome } })).action).toBe('run');
    }
  });
  it('waits while paused, turned off, or not yet due; skips while a run is going', () => {
    expect(decide(inputs({ paused: true }))).toEqual({ action: 'wait', why: { code: 'schedule.isPaused' } });
    expect(decide(inputs({ enabled: false })).action).toBe('wait');
    expect(decide(inputs({ dueAt: T0 + 1 })).action).toBe('wait');
    expect(decide(inputs({ dueAt: null })).action).toBe('wait');
    expect(decide(inputs({ running: true })).action).toBe('skip');
  });
  it('scales the 50-minute rule to other intervals', () => {
    expect(minimumGapMs(60)).toBe(50 * MIN);
    expect(minimumGapMs(30)).toBe(25 * MIN);
    expect(decide(inputs({ intervalMinutes: 30, lastRun: { startedAt: T0 - 26 * MIN, outcome: 'success' } })).action).toBe('run');
  });
  it('keeps the jitter small and both ways', () => {
    expect(jitterMs(60, () => 0)).toBe(-3 * MIN);
    expect(jitterMs(60, () => 1)).toBe(3 * MIN);
    expect(jitterMs(20, () => 1)).toBe(1 * MIN);
    expect(nextDueAt(T0, 60, null, () => 0.5)).toBe(T0 + 60 * MIN);
    expect(nextDueAt(T0, 60, { startedAt: T0 - 20 * MIN, outcome: 'success' }, () => 0.5)).toBe(T0 + 40 * MIN);
    expect(firstDueAt(T0, 60, null, () => 0.5)).toBe(T0 + 2 * MIN);
    expect(firstDueAt(T0, 60, { startedAt: T0 - 10 * MIN, outcome: 'success' }, () => 0.5)).toBe(T0 + 50 * MIN);
  });
});

describe('readStationLock (real files)', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'constellation-lock-'));
    await mkdir(join(root, 'strfry'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));
  const lockFile = (): string => join(root, 'strfry', 'constellation-backfill.lock');

  it('is free without a lock file', async () => {
    expect(await readStationLock(root)).toEqual({ held: false, detail: null });
  });
  it('is held by a live PID', async () => {
    await writeFile(lockFile(), `${process.pid}\n`);
    expect(await readStationLock(root)).toEqual({ held: true, detail: reason('lock.pid', { pid: process.pid }) });
  });
  it('is stale when the PID is gone', async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(lockFile(), `${gone}\n`);
    const state = await readStationLock(root);
    expect(state.held).toBe(false);
    expect(reasonText(state.detail!)).toMatch(/^stale lock: PID \d+ is not running$/);
  });
  it('does not follow a symlink out of the station', async () => {
    await writeFile(join(root, 'elsewhere'), `${process.pid}`);
    await symlink(join(root, 'elsewhere'), lockFile());
    const state = await readStationLock(root);
    expect(state.held).toBe(true);
    expect(reasonText(state.detail!)).toMatch(/is a symlink, not followed/);
  });
});

describe('createScheduler (fake timers and clock)', () => {
  let settings: Settings;
  let last: RunSummary | null;
  let lock: LockState;
  let started: string[];
  let events: EngineEvents;
  let changes: ScheduleStatus[];
  let logs: string[];

  function summary(startedAt: number): RunSummary {
    return { id: 'r', startedAt, finishedAt: startedAt + MIN, durationMs: MIN, outcome: 'success', reason: null, imported: 1, categories: {}, peersOk: 1, peersTotal: 1 };
  }

  function ctx(): EngineContext {
    const config = makeConfig({ clock: () => Date.now(), dataDir: '/nonexistent' });
    const log = new Logger(events, config.clock);
    events.on('app.log', (l) => logs.push(l.msg));
    return {
      config,
      events,
      log,
      settings: () => settings,
      store: () => { throw new Error('no store in this test'); },
      station: {} as EngineContext['station'],
      tunnels: {} as EngineContext['tunnels'],
      profiles: {} as EngineContext['profiles'],
      graph: {} as EngineContext['graph'],
      history: { add: async () => undefined, list: async () => [], get: async () => null, last: async () => last },
      sync: {
        start: async (o) => {
          started.push(o.trigger ?? '?');
          last = summary(Date.now());
          return { runId: `run-${started.length}`, done: new Promise(() => undefined) };
        },
        cancel: async () => false,
        status: () => ({ running: false, progress: null, lastRun: null }),
      },
    };
  }

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(T0);
    settings = { ...defaultSettings('/home/captain'), fallbackRelays: [] };
    last = summary(T0 - 30 * MIN);
    lock = free;
    started = [];
    logs = [];
    changes = [];
    events = new EngineEvents();
    events.on('schedule.changed', (s) => changes.push(s));
  });
  afterEach(() => vi.useRealTimers());

  it('plans after the last run, then runs when due, and plans the next', async () => {
    const s = createScheduler(ctx(), { lock: async () => lock, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status().nextRunAt).toBe(T0 + 30 * MIN);
    expect(changes.length).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(29 * MIN);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * MIN);
    expect(started).toEqual(['schedule']);
    expect(s.status().nextRunAt).toBe(T0 + 30 * MIN + 60 * MIN);
    expect(s.status().lastDecision).toMatch(/run run-1 started/);
    s.stop();
  });

  it('skips while the lock is held and says so', async () => {
    last = summary(T0 - 120 * MIN);
    lock = { held: true, detail: reason('lock.pid', { pid: 777 }) };
    const s = createScheduler(ctx(), { lock: async () => lock, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(3 * MIN);
    expect(started).toEqual([]);
    expect(logs.some((l) => /run skipped: the station lock is held \(PID 777\)/.test(l))).toBe(true);
    expect(s.status().nextRunAt).toBe(T0 + 2 * MIN + 60 * MIN);
    lock = free;
    await vi.advanceTimersByTimeAsync(61 * MIN);
    expect(started).toEqual(['schedule']);
    s.stop();
  });

  it('does not run while paused, and runs an overdue slot after resume', async () => {
    const s = createScheduler(ctx(), { lock: async () => lock, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(0);
    const paused = s.pause();
    expect(paused).toMatchObject({ paused: true, nextRunAt: null });
    expect(changes.at(-1)?.paused).toBe(true);
    await vi.advanceTimersByTimeAsync(90 * MIN);
    expect(started).toEqual([]);
    expect(s.resume().paused).toBe(false);
    await vi.advanceTimersByTimeAsync(MIN);
    expect(started).toEqual(['schedule']);
    s.stop();
  });

  it('after the machine slept past the planned time, runs on resume', async () => {
    const s = createScheduler(ctx(), { lock: async () => lock, random: () => 0.5, resumeDelayMs: 20_000 });
    await vi.advanceTimersByTimeAsync(0);
    // Suspend: the wall clock moves 3 hours, no timer fires meanwhile.
    vi.setSystemTime(T0 + 180 * MIN);
    s.onResume();
    await vi.advanceTimersByTimeAsync(19_000);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toEqual(['schedule']);
    expect(logs.some((l) => /woke up/.test(l))).toBe(true);
    s.stop();
  });

  it('notices a clock jump from its heartbeat alone', async () => {
    const s = createScheduler(ctx(), { lock: async () => lock, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(0);
    vi.setSystemTime(T0 + 240 * MIN);
    await vi.advanceTimersByTimeAsync(MIN);
    expect(logs.some((l) => /the clock jumped 24\d min/.test(l))).toBe(true);
    expect(started).toEqual(['schedule']);
    s.stop();
  });

  it('follows the interval and the switch in the settings', async () => {
    const s = createScheduler(ctx(), { lock: async () => lock, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(0);
    settings = { ...settings, scheduleMinutes: 120 };
    events.emit('settings.changed', settings);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status()).toMatchObject({ intervalMinutes: 120, nextRunAt: T0 + 90 * MIN });
    settings = { ...settings, scheduleEnabled: false };
    events.emit('settings.changed', settings);
    expect(changes.at(-1)).toMatchObject({ enabled: false, nextRunAt: null });
    await vi.advanceTimersByTimeAsync(200 * MIN);
    expect(started).toEqual([]);
    s.stop();
  });

  it('stops its timers', async () => {
    const s = createScheduler(ctx(), { lock: async () => lock, random: () => 0.5 });
    await vi.advanceTimersByTimeAsync(0);
    s.stop();
    await vi.advanceTimersByTimeAsync(300 * MIN);
    expect(started).toEqual([]);
  });
});
