import { describe, expect, it, vi } from 'vitest';
import { bindIpc, forwardEvents } from '../../src/main/ipc';
import type { IpcAnswer, IpcMainLike } from '../../src/main/ipc';
import { senderRefusal } from '../../src/main/security';
import { CALL_NAMES, ContractError, IPC_EVENT_CHANNEL, ipcChannel } from '../../src/shared/api';
import type { EventName } from '../../src/shared/api';

vi.mock('electron', () => ({}));

const APP = 'file:///app/out/renderer/index.html';
const isApp = (u: string): boolean => u.startsWith(APP);

function fakeWindow() {
  const mainFrame = { url: APP, parent: null };
  const webContents = { mainFrame, isDestroyed: () => false, send: vi.fn() };
  return { isDestroyed: () => false, webContents };
}

function fakeIpc() {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
  const ipc: IpcMainLike = {
    handle: (ch, fn) => void handlers.set(ch, fn as never),
    removeHandler: (ch) => void handlers.delete(ch),
  };
  return { ipc, handlers };
}

describe('IPC sender check', () => {
  const win = fakeWindow();
  it('accepts the app window main frame on the app page', () => {
    expect(senderRefusal({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, win, isApp)).toBeNull();
  });
  it('refuses another webContents, a sub-frame, a foreign page, a gone frame, no window', () => {
    const other = fakeWindow();
    expect(senderRefusal({ sender: other.webContents, senderFrame: other.webContents.mainFrame }, win, isApp)).toBe('the sender is not the app window');
    expect(senderRefusal({ sender: win.webContents, senderFrame: { url: APP, parent: win.webContents.mainFrame } }, win, isApp)).toBe('the sender is not the main frame');
    const foreign = { url: 'https://evil.example/', parent: null };
    const w2 = { isDestroyed: () => false, webContents: { ...win.webContents, mainFrame: foreign } };
    expect(senderRefusal({ sender: w2.webContents, senderFrame: foreign }, w2, isApp)).toMatch(/https:\/\/evil\.example\/ is not the app's own/);
    expect(senderRefusal({ sender: win.webContents, senderFrame: null }, win, isApp)).toBe('the sending frame is gone');
    expect(senderRefusal({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, null, isApp)).toBe('no app window');
  });
});

describe('bindIpc', () => {
  it('binds one handler per call, refuses an unknown sender without calling the engine', async () => {
    const win = fakeWindow();
    const { ipc, handlers } = fakeIpc();
    const engine = { call: vi.fn(async (name: string) => ({ name })), events: { onAny: () => () => undefined } };
    const warnings: string[] = [];
    const unbind = bindIpc(ipc, engine, (e) => senderRefusal(e as never, win, isApp), (m) => warnings.push(m));
    expect([...handlers.keys()].sort()).toEqual(CALL_NAMES.map(ipcChannel).sort());

    const stranger = fakeWindow();
    const refused = (await handlers.get(ipcChannel('settings.set'))!({ sender: stranger.webContents, senderFrame: stranger.webContents.mainFrame }, { theme: 'dark' })) as IpcAnswer;
    expect(refused).toEqual({ ok: false, error: 'settings.set: refused: the sender is not the app window', code: 'forbidden' });
    expect(engine.call).not.toHaveBeenCalled();
    expect(warnings[0]).toMatch(/IPC call settings\.set refused/);

    const ok = (await handlers.get(ipcChannel('app.info'))!({ sender: win.webContents, senderFrame: win.webContents.mainFrame })) as IpcAnswer;
    expect(ok).toEqual({ ok: true, output: { name: 'app.info' } });
    expect(engine.call).toHaveBeenCalledWith('app.info', undefined);

    unbind();
    expect(handlers.size).toBe(0);
  });

  it('answers engine errors with their message and code', async () => {
    const win = fakeWindow();
    const { ipc, handlers } = fakeIpc();
    const engine = {
      call: vi.fn(async (name: string) => {
        if (name === 'history.get') throw new ContractError('history.get: invalid input: id: expected string', 'bad-input');
        throw new Error('peer 12D3…xyz: tunnel refused by kubo');
      }),
      events: { onAny: () => () => undefined },
    };
    bindIpc(ipc, engine, (e) => senderRefusal(e as never, win, isApp), () => undefined);
    const ev = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
    expect(await handlers.get(ipcChannel('history.get'))!(ev, { id: 1 })).toEqual({ ok: false, error: 'history.get: invalid input: id: expected string', code: 'bad-input' });
    expect(await handlers.get(ipcChannel('sync.start'))!(ev)).toEqual({ ok: false, error: 'peer 12D3…xyz: tunnel refused by kubo', code: 'failed' });
  });

  it('forwards engine events to the live window only', () => {
    let emit: ((e: EventName, p: unknown) => void) | null = null;
    const engine = { call: vi.fn(), events: { onAny: (fn: (e: EventName, p: unknown) => void) => ((emit = fn), () => undefined) } };
    const win = fakeWindow();
    let target: typeof win | null = win;
    forwardEvents(engine, () => target);
    emit!('app.log', { time: 1, level: 'info', msg: 'x' });
    expect(win.webContents.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, 'app.log', { time: 1, level: 'info', msg: 'x' });
    target = null;
    emit!('app.log', { time: 2, level: 'info', msg: 'y' });
    expect(win.webContents.send).toHaveBeenCalledTimes(1);
  });
});
