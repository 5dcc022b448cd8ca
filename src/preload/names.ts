/**
 * The call and event names the preload exposes, as plain strings: the preload must stay one small CommonJS
 * file without zod, so it cannot import the contract's schemas. The type checks below fail the build when this
 * list and the contract (src/shared/api.ts) differ, and a unit test compares them at run time too.
 */
import type { CallName, EventName } from '../shared/api';

export const PRELOAD_CALLS = [
  'app.info',
  'settings.get',
  'settings.set',
  'log.tail',
  'station.snapshot',
  'station.members',
  'station.stats',
  'tunnels.list',
  'sync.start',
  'sync.cancel',
  'sync.status',
  'history.list',
  'history.get',
  'history.exportHtml',
  'schedule.status',
  'schedule.pause',
  'schedule.resume',
  'profiles.search',
  'profiles.get',
  'profiles.missing',
  'graph.reach',
  'graph.subgraph',
  'graph.neighbors',
] as const satisfies readonly CallName[];

export const PRELOAD_EVENTS = [
  'app.log',
  'settings.changed',
  'station.changed',
  'tunnel.changed',
  'sync.progress',
  'sync.finished',
  'graph.changed',
  'graph.progress',
  'schedule.changed',
] as const satisfies readonly EventName[];

// Every name of the contract is listed (a missing one is a type error here).
type Missing<All, Listed> = Exclude<All, Listed>;
const _allCalls: Missing<CallName, (typeof PRELOAD_CALLS)[number]> extends never ? true : never = true;
const _allEvents: Missing<EventName, (typeof PRELOAD_EVENTS)[number]> extends never ? true : never = true;
void _allCalls;
void _allEvents;

/** Same strings as src/shared/api.ts (ipcChannel, IPC_EVENT_CHANNEL); a unit test keeps them equal. */
export const EVENT_CHANNEL = 'constellation:event';
export const channelOf = (name: string): string => `constellation:${name}`;
