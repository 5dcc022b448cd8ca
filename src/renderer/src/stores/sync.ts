import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LogLine, RunReport, ScheduleStatus, SyncOptions, SyncProgress, SyncStatus } from '../../../shared/schemas';
import { summarizeRun } from '../../../shared/schemas';
import { getApi } from '../transport';

const LOG_KEEP = 500;

/** The running sync (progress), the last finished run, the schedule and the live log tail. */
export const useSyncStore = defineStore('sync', () => {
  const status = ref<SyncStatus | null>(null);
  const progress = ref<SyncProgress | null>(null);
  const running = ref(false);
  const cancelling = ref(false);
  const lastReport = ref<RunReport | null>(null);
  const schedule = ref<ScheduleStatus | null>(null);
  const log = ref<LogLine[]>([]);

  const lastRun = computed(() => status.value?.lastRun ?? null);

  async function load(): Promise<void> {
    const s = await getApi()['sync.status']();
    status.value = s;
    running.value = s.running;
    if (s.progress) progress.value = s.progress;
  }
  async function loadSchedule(): Promise<void> {
    schedule.value = await getApi()['schedule.status']();
  }
  async function loadLog(): Promise<void> {
    log.value = await getApi()['log.tail']({ limit: 200 });
  }
  async function start(options: SyncOptions = { trigger: 'manual' }): Promise<string> {
    const { runId } = await getApi()['sync.start'](options);
    running.value = true;
    cancelling.value = false;
    return runId;
  }
  async function cancel(): Promise<void> {
    cancelling.value = true;
    try {
      await getApi()['sync.cancel']();
    } catch (err) {
      cancelling.value = false;
      throw err;
    }
  }
  async function pauseSchedule(): Promise<void> {
    schedule.value = await getApi()['schedule.pause']();
  }
  async function resumeSchedule(): Promise<void> {
    schedule.value = await getApi()['schedule.resume']();
  }

  function onProgress(p: SyncProgress): void {
    progress.value = p;
    running.value = p.stage !== 'done';
  }
  function onFinished(r: RunReport): void {
    lastReport.value = r;
    running.value = false;
    cancelling.value = false;
    status.value = {
      running: false,
      progress: progress.value,
      lastRun: summarizeRun(r),
    };
  }
  function onLog(line: LogLine): void {
    const next = log.value.length >= LOG_KEEP ? log.value.slice(-(LOG_KEEP - 1)) : log.value.slice();
    next.push(line);
    log.value = next;
  }
  function onSchedule(s: ScheduleStatus): void {
    schedule.value = s;
  }
  return {
    status,
    progress,
    running,
    cancelling,
    lastReport,
    lastRun,
    schedule,
    log,
    load,
    loadSchedule,
    loadLog,
    start,
    cancel,
    pauseSchedule,
    resumeSchedule,
    onProgress,
    onFinished,
    onLog,
    onSchedule,
  };
});
