/**
 * The WebSocket client of the web host (`constellation serve`): the same object as the Electron preload's
 * `window.constellation`, one method per call of the contract plus `on(event, cb)`, so the renderer cannot
 * tell the two apart.
 *
 * Requests carry ids; answers and events are validated here with the contract (the host validated inputs).
 * The socket reconnects with a growing delay; a call made while disconnected waits in a queue until the socket
 * opens or its timeout runs out. A call already sent when the socket drops is failed, not re-sent: the host may
 * have run it (sync.start twice would be wrong).
 */
import { CALL_NAMES, ContractError, fromCallFailure, isEventName, parseEvent, parseOutput } from '../../../shared/api';
import type { CallName, CallOutput, ConstellationApi, EventName, EventPayload, WireMessage } from '../../../shared/api';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The part of a browser WebSocket the client uses (a test passes its own). */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WebApiOptions {
  /** ws(s)://host/api?token=… */
  url: string;
  /** How long a call may wait for its answer (queue time included). */
  timeoutMs?: number;
  /** Longer limits for calls known to be slow. */
  callTimeoutMs?: Partial<Record<CallName, number>>;
  reconnect?: { minMs: number; maxMs: number };
  createSocket?: (url: string) => SocketLike;
  /** Where problems the renderer cannot see go (a bad event from the host, a listener that threw). */
  report?: (message: string) => void;
}

export type WebApi = ConstellationApi & {
  /** Connection state, for a banner ("reconnecting to the web host…"). */
  state(): ConnectionState;
  onState(listener: (state: ConnectionState, reason: string | null) => void): () => void;
  close(): void;
};

const OPEN = 1;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Answers longer than this (characters of JSON) get performance measures. */
const BIG_ANSWER = 100_000;
const SLOW_CALLS: Partial<Record<CallName, number>> = { 'graph.subgraph': 180_000, 'graph.reach': 180_000, 'history.exportHtml': 120_000 };

interface Pending {
  name: CallName;
  frame: string;
  sent: boolean;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createWebApi(opts: WebApiOptions): WebApi {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const callTimeouts = { ...SLOW_CALLS, ...(opts.callTimeoutMs ?? {}) };
  const backoff = opts.reconnect ?? { minMs: 500, maxMs: 10_000 };
  const createSocket = opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const report = opts.report ?? ((m: string) => console.error(`constellation web client: ${m}`));

  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState, reason: string | null) => void>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let lastReason: string | null = null;
  let delay = backoff.minMs;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let closedByUs = false;

  function setState(next: ConnectionState, reason: string | null): void {
    state = next;
    lastReason = reason;
    for (const l of stateListeners) l(next, reason);
  }

  function connect(): void {
    setState('connecting', lastReason);
    let ws: SocketLike;
    try {
      ws = createSocket(opts.url);
    } catch (err) {
      scheduleReconnect(`cannot open the WebSocket: ${(err as Error).message}`);
      return;
    }
    socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      delay = backoff.minMs;
      setState('open', null);
      for (const p of pending.values()) {
        if (!p.sent) {
          ws.send(p.frame);
          p.sent = true;
        }
      }
    };
    ws.onmessage = (ev) => handleMessage(ev.data);
    ws.onerror = () => undefined; // the close event that follows carries what we can know
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      const reason = opened
        ? `the connection to the web host was lost (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`
        : 'the web host refused the connection or is not running (a wrong or missing token is refused: open the URL printed by `constellation serve`)';
      for (const [id, p] of pending) {
        if (p.sent) {
          pending.delete(id);
          clearTimeout(p.timer);
          p.reject(new ContractError(`${p.name}: ${reason}; the call may or may not have run`, 'transport'));
        }
      }
      if (closedByUs) setState('closed', 'closed');
      else scheduleReconnect(reason);
    };
  }

  function scheduleReconnect(reason: string): void {
    setState('closed', reason);
    if (closedByUs || reconnectTimer) return;
    const wait = delay;
    delay = Math.min(backoff.maxMs, delay * 2);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (!closedByUs) connect();
    }, wait);
  }

  function handleMessage(data: unknown): void {
    if (typeof data !== 'string') return report('a binary frame from the web host was ignored');
    let msg: WireMessage;
    const t0 = performance.now();
    try {
      msg = JSON.parse(data) as WireMessage;
    } catch {
      return report('a frame from the web host is not JSON');
    }
    if (msg.type === 'result') {
      const p = pending.get(msg.id);
      if (!p) return; // answered after its timeout: the caller already has its error
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (!msg.ok) {
        p.reject(fromCallFailure(msg));
        return;
      }
      try {
        const t1 = performance.now();
        const out = parseOutput(p.name, msg.output);
        if (data.length > BIG_ANSWER) {
          // Where a big answer's time goes (bench/ui reads these, DevTools shows them): only big ones, or the
          // window's performance timeline would grow with every call.
          performance.measure(`wire:JSON.parse ${p.name}`, { start: t0, end: t1 });
          performance.measure(`wire:validate ${p.name}`, { start: t1 });
        }
        p.resolve(out);
      } catch (err) {
        p.reject(err as Error);
      }
      return;
    }
    if (msg.type === 'event') {
      if (!isEventName(msg.event)) return report(`unknown event ${String(msg.event)} from the web host`);
      let payload: unknown;
      try {
        payload = parseEvent(msg.event, msg.payload);
      } catch (err) {
        return report((err as Error).message);
      }
      for (const l of listeners.get(msg.event) ?? []) {
        try {
          l(payload);
        } catch (err) {
          report(`a listener of ${msg.event} threw: ${(err as Error).message}`);
        }
      }
      return;
    }
    report('a frame of unknown type from the web host was ignored');
  }

  function call<K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> {
    return new Promise<CallOutput<K>>((resolve, reject) => {
      if (closedByUs) {
        reject(new ContractError(`${name}: the web client is closed`, 'transport'));
        return;
      }
      const id = nextId++;
      const frame = JSON.stringify(input === undefined ? { id, call: name } : { id, call: name, input });
      const limit = callTimeouts[name] ?? timeoutMs;
      const timer = setTimeout(() => {
        const p = pending.get(id);
        if (!p) return;
        pending.delete(id);
        const why = p.sent ? 'no answer from the web host' : `not connected to the web host${lastReason ? ` (${lastReason})` : ''}`;
        reject(new ContractError(`${name}: ${why} within ${Math.round(limit / 1000)} s`, 'transport'));
      }, limit);
      const p: Pending = { name, frame, sent: false, resolve: resolve as (v: unknown) => void, reject, timer };
      pending.set(id, p);
      if (socket && socket.readyState === OPEN) {
        socket.send(frame);
        p.sent = true;
      }
    });
  }

  const api: Record<string, unknown> = {};
  for (const name of CALL_NAMES) api[name] = (input?: unknown) => call(name, input);
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    if (!isEventName(event)) throw new ContractError(`unknown event ${String(event)}`, 'unknown-call');
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => void set.delete(l);
  };
  api.state = () => state;
  api.onState = (listener: (s: ConnectionState, reason: string | null) => void) => {
    stateListeners.add(listener);
    return () => void stateListeners.delete(listener);
  };
  api.close = () => {
    closedByUs = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    for (const [id, p] of pending) {
      pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new ContractError(`${p.name}: the web client was closed`, 'transport'));
    }
    socket?.close(1000, 'closed by the page');
  };
  Object.defineProperty(api, 'transport', { value: 'web', enumerable: true });

  connect();
  return api as unknown as WebApi;
}

/** ws(s)://<host>/api?token=… for the page's own origin. */
export function apiUrl(location: { protocol: string; host: string }, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${location.host}/api${query}`;
}
