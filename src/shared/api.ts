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
import { reason, reasonText, type Reason } from './i18n/reason';
import { ReasonSchema } from './i18n/reason-schema';

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
  /** `lang`: the window asks in its own language; without it, the engine's resolution (settings, then locale). */
  'history.exportHtml': {
    input: z.object({ id: z.string().max(100), lang: z.enum(['en', 'fr']).optional() }),
    output: z.object({ filename: z.string(), html: z.string() }),
  },
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

export type ContractErrorCode = 'bad-input' | 'bad-output' | 'unknown-call' | 'forbidden' | 'failed' | 'transport';

/**
 * A failed call as both transports hand it to the window: the message (English), a code to branch on, and —
 * when the engine gave one — its reason as a code with parameters, for the window's language.
 */
export class ContractError extends Error {
  constructor(
    message: string,
    readonly code: ContractErrorCode,
    readonly reason?: Reason,
  ) {
    super(message);
    this.name = 'ContractError';
  }

  /** A contract error whose message is the reason's English. */
  static of(why: Reason, code: ContractErrorCode): ContractError {
    return new ContractError(reasonText(why), code, why);
  }
}

/** What a failed call carries over a transport (IPC envelope, WebSocket result). */
export interface CallFailure {
  error: string;
  code: string;
  reason?: Reason;
}

/** Anything thrown by a call, as its transport carries it: message, code, and the reason when it has one. */
export function callFailure(err: unknown): CallFailure {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof ContractError ? err.code : 'failed';
  const r = (err as { reason?: unknown } | null)?.reason;
  const parsed = r === undefined ? null : ReasonSchema.safeParse(r);
  return { error: message, code, ...(parsed?.success ? { reason: parsed.data } : {}) };
}

/** A failure received from a transport, as the ContractError the window handles (its reason checked). */
export function fromCallFailure(f: { error?: unknown; code?: unknown; reason?: unknown }): ContractError {
  const parsed = f.reason === undefined ? null : ReasonSchema.safeParse(f.reason);
  return new ContractError(String(f.error ?? 'failed'), (typeof f.code === 'string' ? f.code : 'failed') as ContractErrorCode, parsed?.success ? parsed.data : undefined);
}

const issues = (err: z.ZodError): Reason[] => err.issues.map((i) => S.issueReason(i));

export function parseInput<K extends CallName>(name: K, input: unknown): z.output<(typeof calls)[K]['input']> {
  const r = calls[name].input.safeParse(input);
  if (!r.success) throw ContractError.of(reason('contract.invalidInput', { call: name, issues: issues(r.error) }), 'bad-input');
  return r.data as z.output<(typeof calls)[K]['input']>;
}

export function parseOutput<K extends CallName>(name: K, output: unknown): CallOutput<K> {
  const r = calls[name].output.safeParse(output);
  if (!r.success) throw ContractError.of(reason('contract.invalidOutput', { call: name, issues: issues(r.error) }), 'bad-output');
  return r.data as CallOutput<K>;
}

export function parseEvent<E extends EventName>(name: E, payload: unknown): EventPayload<E> {
  const r = events[name].safeParse(payload);
  if (!r.success) throw ContractError.of(reason('contract.invalidEvent', { event: name, issues: issues(r.error) }), 'bad-output');
  return r.data as EventPayload<E>;
}

/** Wire messages of the WebSocket transport (the web host). */
export const WireRequest = z.object({ id: z.number().int(), call: z.string().max(64), input: z.unknown().optional() });
export type WireRequest = z.infer<typeof WireRequest>;
export type WireMessage =
  | { type: 'result'; id: number; ok: true; output: unknown }
  | ({ type: 'result'; id: number; ok: false } & CallFailure)
  | { type: 'event'; event: EventName; payload: unknown };

/** IPC channel names: one per call, and one for events. */
export const IPC_EVENT_CHANNEL = 'constellation:event';
export const ipcChannel = (name: CallName): string => `constellation:${name}`;
