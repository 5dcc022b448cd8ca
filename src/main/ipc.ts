/**
 * The engine bound to IPC: one `ipcMain.handle` per call of the contract, each refusing callers that are not
 * the app's own window and page. Answers travel as envelopes ({ok, output} | {ok: false, error, code, reason?}) so
 * the renderer gets the engine's own message, code and reason instead of Electron's "Error invoking remote method…".
 */
import type { IpcMainInvokeEvent } from 'electron';
import { CALL_NAMES, IPC_EVENT_CHANNEL, callFailure, ipcChannel } from '../shared/api';
import type { CallFailure, CallName, EventName } from '../shared/api';

export type IpcAnswer = { ok: true; output: unknown } | ({ ok: false } & CallFailure);

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface EngineLike {
  call(name: CallName, input: unknown): Promise<unknown>;
  events: { onAny(listener: (event: EventName, payload: unknown) => void): () => void };
}

/** Binds every call; returns a function that unbinds them. */
export function bindIpc(
  ipcMain: IpcMainLike,
  engine: EngineLike,
  refusal: (event: IpcMainInvokeEvent) => string | null,
  warn: (message: string) => void,
): () => void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(ipcChannel(name), async (event, input): Promise<IpcAnswer> => {
      const why = refusal(event);
      if (why) {
        warn(`IPC call ${name} refused: ${why}`);
        return { ok: false, error: `${name}: refused: ${why}`, code: 'forbidden' };
      }
      try {
        return { ok: true, output: await engine.call(name, input) };
      } catch (err) {
        return { ok: false, ...callFailure(err) };
      }
    });
  }
  return () => {
    for (const name of CALL_NAMES) ipcMain.removeHandler(ipcChannel(name));
  };
}

export interface EventTarget {
  isDestroyed(): boolean;
  webContents: { isDestroyed(): boolean; send(channel: string, ...args: unknown[]): void };
}

/** Forwards every engine event to the window (when there is one alive). */
export function forwardEvents(engine: EngineLike, target: () => EventTarget | null): () => void {
  return engine.events.onAny((event, payload) => {
    const win = target();
    if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
    win.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  });
}
