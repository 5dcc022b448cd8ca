// Placeholder until issue 8 lands.
import type { EngineContext, Scheduler } from '../services';
export function createScheduler(ctx: EngineContext): Scheduler {
  const s = { enabled: false, paused: false, intervalMinutes: ctx.settings().scheduleMinutes, nextRunAt: null, lastDecision: null };
  return { status: () => s, pause: () => s, resume: () => s, stop: () => undefined };
}
