/**
 * The preload: `window.constellation` with one method per call of the contract (an allow-list; the page never
 * gets ipcRenderer), `on(event, cb)` for the event channel only, and `transport: 'electron'`.
 *
 * No validation here, on purpose: the preload must stay one small CommonJS file (a sandboxed preload cannot load
 * modules) and zod would bloat it. Main validates every input and output (Engine.call); the renderer's
 * getApi() validates the outputs and events again with the contract.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, PRELOAD_CALLS, PRELOAD_EVENTS, channelOf } from './names';

type Answer = { ok: true; output: unknown } | { ok: false; error: string; code: string; reason?: unknown };

class ContractCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** The engine's reason as a code, unchecked here: the renderer checks it against the contract. */
    readonly reason: unknown,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

const eventNames = new Set<string>(PRELOAD_EVENTS);
const listeners = new Map<string, Set<(payload: unknown) => void>>();

// One IPC listener for all events, fanned out here, so the page's subscriptions never pile up in ipcRenderer.
ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const l of listeners.get(name) ?? []) {
    try {
      l(payload);
    } catch (err) {
      console.error(`constellation: a listener of ${name} threw`, err);
    }
  }
});

const api: Record<string, unknown> = {
  transport: 'electron',
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!eventNames.has(event)) throw new Error(`unknown event ${String(event)}`);
    if (typeof listener !== 'function') throw new Error('on(event, listener): listener must be a function');
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  },
};

for (const name of PRELOAD_CALLS) {
  api[name] = async (input?: unknown): Promise<unknown> => {
    const answer = (await ipcRenderer.invoke(channelOf(name), input)) as Answer;
    if (answer.ok) return answer.output;
    // A ContractError-like error: the renderer shows `message` and may branch on `code`.
    throw new ContractCallError(answer.error, answer.code, answer.reason);
  };
}

contextBridge.exposeInMainWorld('constellation', api);
