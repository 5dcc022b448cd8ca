/**
 * The contract between the engine and every front end (Electron IPC, the web host's WebSocket, the CLI).
 *
 * Every call has an input and an output schema; both ends validate. Events flow from the engine only.
 * The renderer talks to `window.constellation`, an object with one method per call plus `on(event, cb)`;
 * the preload (IPC) and the web client (WebSocket) build that object from this table, so the renderer
 * cannot tell them apart.
 */
import { z } from 'zod';
import * as S from './schemas';

const none = z.undefined().optional();

export const calls = {
  // app
  'app.info': { input: none, output: S.AppInfo },
  'settings.get': { input: none, output: S.Settings },
  'settings.set': { input: S.SettingsPatch, output: S.Settings },
  'log.tail': { input: z.object({ limit: z.number().int().min(1).max(2000).default(200) }).optional(), output: z.array(S.LogLine) },
  // station
  'station.snapshot': { input: none, output: S.StationSnapshot },
  'station.members': { input: none, output: S.MemberList },
  'station.stats': { input: none, output: S.StoreStats },
  'tunnels.list': { input: none, output: z.array(S.Tunnel) },
  // sync
  'sync.start': { input: S.SyncOptions.optional(), output: z.object({ runId: z.string() }) },
  'sync.cancel': { input: none, output: z.object({ cancelled: z.boolean() }) },
  'sync.status': { input: none, output: S.SyncStatus },
  'history.list': { input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).optional(), output: z.array(S.RunSummary) },
  'history.get': { input: z.object({ id: z.string().max(100) }), output: S.RunReport.nullable() },
  'history.exportHtml': { input: z.object({ id: z.string().max(100) }), output: z.object({ filename: z.string(), html: z.string() }) },
  'schedule.status': { input: none, output: S.ScheduleStatus },
  'schedule.pause': { input: none, output: S.ScheduleStatus },
  'schedule.resume': { input: none, output: S.ScheduleStatus },
  // profiles
  'profiles.search': { input: S.ProfileSearch.optional(), output: S.ProfilePage },
  'profiles.get': { input: z.object({ hex: z.string().max(100) }), output: S.ProfileDetail.nullable() },
  'profiles.missing': { input: none, output: z.object({ hexes: z.array(z.string()) }) },
  // graph
  'graph.reach': { input: none, output: S.Reach.nullable() },
  'graph.subgraph': {
    input: z.object({ depth: z.number().int().min(0).max(2).default(2), limit: z.number().int().min(1).max(100000).default(20000) }).optional(),
    output: S.Subgraph,
  },
  'graph.neighbors': { input: z.object({ hex: z.string().max(100) }), output: S.Neighbors },
} as const;

export const events = {
  'app.log': S.LogLine,
  'settings.changed': S.Settings,
  'station.changed': S.StationSnapshot,
  'tunnel.changed': S.Tunnel,
  'sync.progress': S.SyncProgress,
  'sync.finished': S.RunReport,
  'graph.changed': z.object({ computedAt: z.number() }),
  'graph.progress': S.GraphProgress,
  'schedule.changed': S.ScheduleStatus,
} as const;

export type CallName = keyof typeof calls;
export type EventName = keyof typeof events;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = z.output<(typeof calls)[K]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const CALL_NAMES = Object.keys(calls) as CallName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** What `window.constellation` is, in Electron and in the browser alike. */
export type ConstellationApi = {
  [K in CallName]: (input?: CallInput<K>) => Promise<CallOutput<K>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  /** 'electron' or 'web': for display only. */
  readonly transport: string;
};

/** The engine side: one handler per call. */
export type Handlers = { [K in CallName]: (input: z.output<(typeof calls)[K]['input']>) => Promise<CallOutput<K>> };

export class ContractError extends Error {
  constructor(
    message: string,
    readonly code: 'bad-input' | 'bad-output' | 'unknown-call' | 'forbidden' | 'failed' | 'transport',
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

function describe(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : 'value'}: ${i.message}`).join('; ');
}

export function parseInput<K extends CallName>(name: K, input: unknown): z.output<(typeof calls)[K]['input']> {
  const r = calls[name].input.safeParse(input);
  if (!r.success) throw new ContractError(`${name}: invalid input: ${describe(r.error)}`, 'bad-input');
  return r.data as z.output<(typeof calls)[K]['input']>;
}

export function parseOutput<K extends CallName>(name: K, output: unknown): CallOutput<K> {
  const r = calls[name].output.safeParse(output);
  if (!r.success) throw new ContractError(`${name}: invalid answer from the engine: ${describe(r.error)}`, 'bad-output');
  return r.data as CallOutput<K>;
}

export function parseEvent<E extends EventName>(name: E, payload: unknown): EventPayload<E> {
  const r = events[name].safeParse(payload);
  if (!r.success) throw new ContractError(`${name}: invalid event payload: ${describe(r.error)}`, 'bad-output');
  return r.data as EventPayload<E>;
}

/** Wire messages of the WebSocket transport (the web host). */
export const WireRequest = z.object({ id: z.number().int(), call: z.string().max(64), input: z.unknown().optional() });
export type WireRequest = z.infer<typeof WireRequest>;
export type WireMessage =
  | { type: 'result'; id: number; ok: true; output: unknown }
  | { type: 'result'; id: number; ok: false; error: string; code: string }
  | { type: 'event'; event: EventName; payload: unknown };

/** IPC channel names: one per call, and one for events. */
export const IPC_EVENT_CHANNEL = 'constellation:event';
export const ipcChannel = (name: CallName): string => `constellation:${name}`;
