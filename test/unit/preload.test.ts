import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CALL_NAMES, EVENT_NAMES, IPC_EVENT_CHANNEL, ipcChannel } from '../../src/shared/api';
import { EVENT_CHANNEL, PRELOAD_CALLS, PRELOAD_EVENTS, channelOf } from '../../src/preload/names';

const fake = vi.hoisted(() => {
  const state = {
    exposed: new Map<string, Record<string, unknown>>(),
    invoked: [] as Array<{ channel: string; input: unknown }>,
    listeners: new Map<string, (...a: unknown[]) => void>(),
    answer: { ok: true, output: { hello: 'world' } } as unknown,
  };
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => void state.exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, input: unknown) => {
        state.invoked.push({ channel, input });
        return state.answer;
      },
      on: (channel: string, fn: (...a: unknown[]) => void) => void state.listeners.set(channel, fn),
    },
  };
  return { state, electron };
});
vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

describe('preload names', () => {
  it('are exactly the contract calls and events, on the same channels', () => {
    expect([...PRELOAD_CALLS].sort()).toEqual([...CALL_NAMES].sort());
    expect([...PRELOAD_EVENTS].sort()).toEqual([...EVENT_NAMES].sort());
    expect(EVENT_CHANNEL).toBe(IPC_EVENT_CHANNEL);
    for (const name of CALL_NAMES) expect(channelOf(name)).toBe(ipcChannel(name));
  });
});

describe('window.constellation from the preload', () => {
  let api: Record<string, unknown>;
  beforeAll(async () => {
    await import('../../src/preload/index');
    api = fake.state.exposed.get('constellation')!;
  });

  it('exposes one method per call, on(), transport, and nothing else (no ipcRenderer)', () => {
    expect(Object.keys(api).sort()).toEqual([...CALL_NAMES, 'on', 'transport'].sort());
    expect(api.transport).toBe('electron');
    for (const name of CALL_NAMES) expect(typeof api[name]).toBe('function');
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|send|invoke/i);
  });

  it('a call invokes its own channel and answers the output, or throws the engine message', async () => {
    fake.state.answer = { ok: true, output: { hello: 'world' } };
    await expect((api['settings.set'] as (i: unknown) => Promise<unknown>)({ theme: 'dark' })).resolves.toEqual({ hello: 'world' });
    expect(fake.state.invoked.at(-1)).toEqual({ channel: 'constellation:settings.set', input: { theme: 'dark' } });
    fake.state.answer = { ok: false, error: 'settings.set: refused: the sender is not the app window', code: 'forbidden' };
    await expect((api['settings.set'] as (i: unknown) => Promise<unknown>)({})).rejects.toThrow('settings.set: refused: the sender is not the app window');
  });

  it('on() listens to the event channel only, for known events, and unsubscribes', () => {
    const got: unknown[] = [];
    const on = api.on as (e: string, fn: (p: unknown) => void) => () => void;
    const off = on('sync.progress', (p) => got.push(p));
    expect(() => on('not.an.event', () => undefined)).toThrow(/unknown event/);
    const dispatch = fake.state.listeners.get(IPC_EVENT_CHANNEL)!;
    dispatch({}, 'sync.progress', { n: 1 });
    dispatch({}, 'app.log', { n: 2 });
    off();
    dispatch({}, 'sync.progress', { n: 3 });
    expect(got).toEqual([{ n: 1 }]);
    expect([...fake.state.listeners.keys()]).toEqual([IPC_EVENT_CHANNEL]);
  });
});

describe('preload bundle', () => {
  it('is one CommonJS file that requires nothing but electron (and carries no zod)', async () => {
    const { build } = await import('vite');
    const out = await mkdtemp(join(tmpdir(), 'constellation-preload-'));
    try {
      // The same output settings as electron.vite.config.ts's preload section.
      await build({
        configFile: false,
        logLevel: 'silent',
        build: {
          ssr: true,
          outDir: out,
          emptyOutDir: true,
          minify: false,
          rollupOptions: {
            input: { index: resolve(__dirname, '../../src/preload/index.ts') },
            external: ['electron'],
            output: { format: 'cjs', entryFileNames: '[name].cjs' },
          },
        },
      });
      const code = await readFile(join(out, 'index.cjs'), 'utf8');
      const required = [...code.matchAll(/require\((["'])([^"']+)\1\)/g)].map((m) => m[2]);
      expect([...new Set(required)]).toEqual(['electron']);
      expect(code).not.toMatch(/\bimport\s*\(|^import /m);
      expect(code).not.toMatch(/ZodError|safeParse/);
      expect(code.length).toBeLessThan(20_000);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
