/**
 * The web host's rules (pure) and the renderer's WebSocket client against a real in-process web host bound to
 * 127.0.0.1 with a real Engine on a temporary data folder.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConfig } from '../../src/core/config';
import { Engine } from '../../src/core/engine';
import { FALLBACK_CSP, cacheControl, checkUpgrade, cspOf, mimeType, resolveInside, startWebHost } from '../../src/cli/webhost';
import type { ContractEndpoint, WebHost } from '../../src/cli/webhost';
import { FALLBACK_CSP as MAIN_CSP } from '../../src/main/security';
import { apiUrl, createWebApi } from '../../src/renderer/src/transport/web';
import type { SocketLike, WebApi } from '../../src/renderer/src/transport/web';
import { TOKEN_KEY, takeToken } from '../../src/renderer/src/transport/token';

const TOKEN = 'a'.repeat(64);
const ctx = { port: 4000, token: TOKEN, clients: 0, maxClients: 2 };
const req = (url: string, headers: Record<string, string> = { host: '127.0.0.1:4000' }) => ({ url, headers });

describe('upgrade check', () => {
  it('lets in the right token from the own origin or no origin', () => {
    expect(checkUpgrade(req(`/api?token=${TOKEN}`), ctx)).toBeNull();
    expect(checkUpgrade(req(`/api?token=${TOKEN}`, { host: 'localhost:4000', origin: 'http://localhost:4000' }), ctx)).toBeNull();
    expect(checkUpgrade(req(`/api?token=${TOKEN}`, { host: '127.0.0.1:4000', origin: 'http://127.0.0.1:4000' }), ctx)).toBeNull();
  });
  it('refuses missing and wrong tokens, foreign origins and hosts, other paths, too many clients', () => {
    expect(checkUpgrade(req('/api'), ctx)?.status).toBe(401);
    expect(checkUpgrade(req('/api?token=abc'), ctx)?.status).toBe(403);
    expect(checkUpgrade(req(`/api?token=${TOKEN}`, { host: '127.0.0.1:4000', origin: 'https://evil.example' }), ctx)?.status).toBe(403);
    expect(checkUpgrade(req(`/api?token=${TOKEN}`, { host: '127.0.0.1:4000', origin: 'null' }), ctx)?.status).toBe(403);
    expect(checkUpgrade(req(`/api?token=${TOKEN}`, { host: 'evil.example:4000' }), ctx)?.status).toBe(421);
    expect(checkUpgrade(req(`/other?token=${TOKEN}`), ctx)?.status).toBe(404);
    expect(checkUpgrade(req(`/api?token=${TOKEN}`), { ...ctx, clients: 2 })?.status).toBe(503);
  });
});

describe('static files', () => {
  it('stay inside the renderer folder', () => {
    expect(resolveInside('/r', '/assets/a.js')).toBe('/r/assets/a.js');
    expect(resolveInside('/r', '/')).toBe('/r');
    expect(resolveInside('/r', '/..%2f..%2fetc/passwd')).toBeNull();
    expect(resolveInside('/r', '/%2e%2e/x')).toBeNull();
    expect(resolveInside('/r', '/a%00b')).toBeNull();
    expect(resolveInside('/r', '/a%5c..%5cb')).toBeNull();
    expect(resolveInside('/r', '/%E0%A4%A')).toBeNull();
  });
  it('have their MIME types', () => {
    expect(mimeType('a.js')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('a.CSS')).toBe('text/css; charset=utf-8');
    expect(mimeType('a.wasm')).toBe('application/wasm');
    expect(mimeType('a.svg')).toBe('image/svg+xml');
    expect(mimeType('a.unknown')).toBe('application/octet-stream');
  });
  it('the CSP comes from the page; both hosts fall back to the same policy', async () => {
    const html = await readFile(resolve(__dirname, '../../src/renderer/index.html'), 'utf8');
    expect(cspOf(html)).toMatch(/^default-src 'self'/);
    expect(cspOf(`<meta http-equiv='Content-Security-Policy' content='default-src "self"'>`)).toBe('default-src "self"');
    expect(cspOf('<html></html>')).toBeNull();
    expect(FALLBACK_CSP).toBe(MAIN_CSP);
  });
});

describe('token handling in the page', () => {
  it('takes the token from the URL, keeps it in sessionStorage and removes it from the address bar', () => {
    const store = new Map<string, string>();
    const replaced: string[] = [];
    const place = {
      location: { href: `http://127.0.0.1:7790/?token=${TOKEN}&x=1#/graph` },
      history: { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
      storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
    };
    expect(takeToken(place)).toBe(TOKEN);
    expect(store.get(TOKEN_KEY)).toBe(TOKEN);
    expect(replaced).toEqual(['/?x=1#/graph']);
    // After a reload, the URL has no token: the stored one is used.
    place.location.href = 'http://127.0.0.1:7790/?x=1#/graph';
    expect(takeToken(place)).toBe(TOKEN);
    expect(replaced).toHaveLength(1);
    expect(apiUrl({ protocol: 'http:', host: '127.0.0.1:7790' }, TOKEN)).toBe(`ws://127.0.0.1:7790/api?token=${TOKEN}`);
    expect(apiUrl({ protocol: 'https:', host: 'h' }, null)).toBe('wss://h/api');
  });
});

describe('the web client against a real web host and engine', () => {
  let tmp: string;
  let engine: Engine;
  let host: WebHost;
  let corrupt = false;
  let endpoint: ContractEndpoint;
  const clients: WebApi[] = [];

  const client = (over: Partial<Parameters<typeof createWebApi>[0]> = {}): WebApi => {
    const c = createWebApi({
      url: `ws://127.0.0.1:${host.port}/api?token=${host.token}`,
      createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      reconnect: { minMs: 50, maxMs: 200 },
      report: () => undefined,
      ...over,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'constellation-webclient-'));
    await mkdir(join(tmp, 'renderer'));
    await mkdir(join(tmp, 'zen'));
    await writeFile(join(tmp, 'renderer/index.html'), '<!doctype html><title>t</title>');
    await mkdir(join(tmp, 'renderer/assets'));
    await writeFile(join(tmp, 'renderer/assets/index-uKbklSxm.js'), 'export {};');
    await writeFile(join(tmp, 'renderer/assets/notes.js'), 'export {};');
    await writeFile(join(tmp, 'renderer/favicon.png'), 'png');
    engine = new Engine(
      makeConfig({ host: 'web', dataDir: join(tmp, 'data'), overrides: { zenRoot: join(tmp, 'zen'), relayUrl: 'ws://127.0.0.1:1', kuboApi: 'http://127.0.0.1:1', fallbackRelays: [] } }),
    );
    await engine.start();
    // The real engine, except that on demand its sync.status answer is broken (to prove the client validates).
    endpoint = {
      call: async (name, input) => (corrupt && name === 'sync.status' ? { running: 'yes' } : engine.call(name, input)),
      events: engine.events,
    };
    host = await startWebHost({ engine: endpoint, rendererDir: join(tmp, 'renderer'), port: 0, token: TOKEN, warn: () => undefined });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await host?.close();
    await engine?.stop();
    await rm(tmp, { recursive: true, force: true });
  });

  it("lets the browser keep the build's hashed scripts for good, never the page, and check anything else again", async () => {
    const headerOf = async (path: string): Promise<string | null> => {
      // no keep-alive socket left for the host's close() to reset under an idle client (ECONNRESET, uncaught)
      const res = await fetch(`http://127.0.0.1:${host.port}${path}`, { headers: { connection: 'close' } });
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
      return res.headers.get('cache-control');
    };
    expect(await headerOf('/assets/index-uKbklSxm.js')).toBe('public, max-age=31536000, immutable');
    expect(await headerOf('/')).toBe('no-store');
    expect(await headerOf('/favicon.png')).toBe('no-cache');
    // A script without a content hash in its name may change under the same name.
    expect(await headerOf('/assets/notes.js')).toBe('no-cache');
    expect(cacheControl('/r', '/r/index-uKbklSxm.js')).toBe('no-cache');
    expect(cacheControl('/r', '/r/assets/sub/index-uKbklSxm.js')).toBe('no-cache');
  });

  it('calls round trip with validated answers; events arrive through on()', async () => {
    const api = client();
    expect(api.transport).toBe('web');
    const info = await api['app.info']();
    expect(info.host).toBe('web');
    expect(info.stationRoot).toBe(join(tmp, 'zen'));
    const seen: string[] = [];
    const off = api.on('settings.changed', (s) => seen.push(s.theme));
    const saved = await api['settings.set']({ theme: 'light' });
    expect(saved.theme).toBe('light');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['light']);
    off();
    await api['settings.set']({ theme: 'dark' });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['light']);
    expect(api.state()).toBe('open');
  });

  it('rejects an engine error with its message and code, and an invalid answer', async () => {
    const api = client();
    await expect(api['history.get']({ id: 5 as unknown as string })).rejects.toMatchObject({ code: 'bad-input' });
    corrupt = true;
    try {
      await expect(api['sync.status']()).rejects.toThrow(/sync\.status: invalid answer from the engine: running/);
    } finally {
      corrupt = false;
    }
  });

  it('queues calls while disconnected, reconnects, and times out when the host stays away', async () => {
    const api = client({ timeoutMs: 1500 });
    await api['settings.get']();
    const port = host.port;
    await host.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(api.state()).not.toBe('open');
    await expect(api['settings.get']()).rejects.toThrow(/settings\.get: not connected to the web host .* within 2 s/);
    const pending = api['settings.get']();
    host = await startWebHost({ engine: endpoint, rendererDir: join(tmp, 'renderer'), port, token: TOKEN, warn: () => undefined });
    await expect(pending).resolves.toMatchObject({ theme: 'dark' });
    expect(api.state()).toBe('open');
  });

  it('a wrong token never connects and says why', async () => {
    const api = client({ url: `ws://127.0.0.1:${host.port}/api?token=wrong`, timeoutMs: 800 });
    await expect(api['app.info']()).rejects.toThrow(/wrong or missing token is refused/);
  });
});
