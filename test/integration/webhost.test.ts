/**
 * The web host as a captain runs it: the real `constellation serve` process on a temporary data folder and an
 * empty station root, reached over real HTTP and WebSocket on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const ROOT = resolve(__dirname, '../..');
const CSP = "default-src 'self'; script-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'";

interface Served {
  child: ChildProcess;
  url: URL;
  port: number;
  token: string;
  stderr: () => string;
}

async function startServe(args: string[], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/constellation.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not print its URL within 30 s; stderr: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Constellation is served at (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`serve exited with ${code}; stderr: ${err}`));
    });
  });
  const url = new URL(line);
  return { child, url, port: Number(url.port), token: url.searchParams.get('token')!, stderr: () => err };
}

function stop(s: Served): Promise<number | null> {
  return new Promise((ok) => {
    if (s.child.exitCode !== null) return ok(s.child.exitCode);
    s.child.once('exit', (code) => ok(code));
    s.child.kill('SIGTERM');
  });
}

/** Opens a WebSocket; resolves with it when open, or with the HTTP status that refused the upgrade. */
function connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, opts);
    ws.once('open', () => ok({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      ok({ status: res.statusCode });
      ws.terminate();
    });
    ws.once('error', (e) => fail(e));
  });
}

type Msg = { type: string; id?: number; ok?: boolean; output?: unknown; error?: string; code?: string; event?: string; payload?: unknown };

function collect(ws: WebSocket): Msg[] {
  const got: Msg[] = [];
  ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as Msg));
  return got;
}

async function waitFor<T>(fn: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let tmp: string;
let served: Served;
let api: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'constellation-webhost-'));
  const renderer = join(tmp, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await mkdir(join(tmp, 'zen'));
  await writeFile(
    join(renderer, 'index.html'),
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${CSP}" /></head><body><div id="app"></div><script type="module" src="/assets/app.js"></script></body></html>`,
  );
  await writeFile(join(renderer, 'assets/app.js'), 'console.log("app")\n');
  await writeFile(join(renderer, 'assets/app.css'), 'body{}\n');
  await writeFile(join(tmp, 'secret.txt'), 'outside the renderer\n');
  served = await startServe([
    '--data-dir', join(tmp, 'data'),
    '--zen-root', join(tmp, 'zen'),
    // Nothing listens on port 1 of the loopback: the service checks fail at once, and nothing leaves the machine.
    '--relay-url', 'ws://127.0.0.1:1',
    '--kubo-api', 'http://127.0.0.1:1',
    'serve', '--port', '0', '--renderer-dir', renderer,
  ]);
  api = `ws://127.0.0.1:${served.port}/api`;
}, 60_000);

afterAll(async () => {
  if (served) expect(await stop(served)).toBe(0);
  await rm(tmp, { recursive: true, force: true });
});

describe('constellation serve', () => {
  it('prints one URL on 127.0.0.1 with a 32-byte hex token', () => {
    expect(served.url.hostname).toBe('127.0.0.1');
    expect(served.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('listens on 127.0.0.1 only', async () => {
    const tcp = await readFile('/proc/net/tcp', 'utf8').catch(() => null);
    if (tcp) {
      const hexPort = served.port.toString(16).toUpperCase().padStart(4, '0');
      const listening = tcp.split('\n').filter((l) => l.includes(`:${hexPort} `) && / 0A /.test(l));
      expect(listening.map((l) => l.trim().split(/\s+/)[1])).toEqual([`0100007F:${hexPort}`]);
    }
    // Another loopback address of the same machine is refused: the socket is bound to 127.0.0.1 alone.
    const reach = (host: string): Promise<string> =>
      new Promise((ok) => {
        const s = createConnection({ host, port: served.port });
        s.once('connect', () => (s.destroy(), ok('connected')));
        s.once('error', (e: NodeJS.ErrnoException) => ok(e.code ?? 'error'));
      });
    expect(await reach('127.0.0.1')).toBe('connected');
    expect(await reach('127.0.0.2')).toBe('ECONNREFUSED');
  });

  it('refuses the API without the token, with a wrong token, from a foreign Origin or a foreign Host', async () => {
    expect((await connect(api)).status).toBe(401);
    expect((await connect(`${api}?token=${'0'.repeat(64)}`)).status).toBe(403);
    expect((await connect(`${api}?token=${served.token.slice(0, 10)}`)).status).toBe(403);
    expect((await connect(`${api}?token=${served.token}`, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await connect(`${api}?token=${served.token}`, { origin: `http://127.0.0.1:${served.port + 1}` })).status).toBe(403);
    expect((await connect(`${api}?token=${served.token}`, { headers: { Host: `rebound.example:${served.port}` } })).status).toBe(421);
    const plain = await fetch(`http://127.0.0.1:${served.port}/api`);
    expect(plain.status).toBe(401);
    const wrong = await fetch(`http://127.0.0.1:${served.port}/api?token=nope`);
    expect(wrong.status).toBe(403);
    expect(served.stderr()).toMatch(/API connection refused \(403\): foreign Origin http:\/\/evil\.example/);
  });

  it('answers app.info from the real engine to a client of its own Origin', async () => {
    const { ws } = await connect(`${api}?token=${served.token}`, { origin: `http://localhost:${served.port}` });
    const got = collect(ws!);
    ws!.send(JSON.stringify({ id: 7, call: 'app.info' }));
    const answer = await waitFor(() => got.find((m) => m.type === 'result' && m.id === 7), 'the app.info answer');
    expect(answer.ok).toBe(true);
    const info = answer.output as { host: string; stationRoot: string; dataDir: string; stationFound: boolean; services: { relay: { reachable: boolean } } };
    expect(info.host).toBe('web');
    expect(info.stationRoot).toBe(join(tmp, 'zen'));
    expect(info.dataDir).toBe(join(tmp, 'data'));
    expect(info.stationFound).toBe(false);
    expect(info.services.relay.reachable).toBe(false);
    ws!.close();
  });

  it('answers bad requests with a reason, and validates inputs', async () => {
    const { ws } = await connect(`${api}?token=${served.token}`);
    const got = collect(ws!);
    ws!.send('not json');
    ws!.send(JSON.stringify({ id: 1, call: 'no.such.call' }));
    ws!.send(JSON.stringify({ id: 2, call: 'history.get', input: { id: 42 } }));
    await waitFor(() => (got.length >= 3 ? true : undefined), 'three answers');
    expect(got.find((m) => m.id === -1)).toMatchObject({ ok: false, code: 'bad-input' });
    expect(got.find((m) => m.id === 1)).toMatchObject({ ok: false, code: 'unknown-call' });
    expect(got.find((m) => m.id === 2)).toMatchObject({ ok: false, code: 'bad-input' });
    expect(got.find((m) => m.id === 2)?.error).toMatch(/history\.get: invalid input: id/);
    ws!.close();
  });

  it('delivers events to every client', async () => {
    const a = (await connect(`${api}?token=${served.token}`)).ws!;
    const b = (await connect(`${api}?token=${served.token}`)).ws!;
    const gotA = collect(a);
    const gotB = collect(b);
    a.send(JSON.stringify({ id: 1, call: 'settings.set', input: { theme: 'dark' } }));
    const answer = await waitFor(() => gotA.find((m) => m.type === 'result' && m.id === 1), 'the settings.set answer');
    expect(answer).toMatchObject({ ok: true });
    for (const got of [gotA, gotB]) {
      const ev = await waitFor(() => got.find((m) => m.type === 'event' && m.event === 'settings.changed'), 'settings.changed');
      expect((ev.payload as { theme: string }).theme).toBe('dark');
    }
    a.close();
    b.close();
  });

  it('refuses an oversized message by closing the socket (1009)', async () => {
    const { ws } = await connect(`${api}?token=${served.token}`);
    const closed = new Promise<number>((ok) => ws!.once('close', (code) => ok(code)));
    ws!.send(JSON.stringify({ id: 1, call: 'app.info', input: 'x'.repeat(2 * 1024 * 1024) }));
    expect(await closed).toBe(1009);
    // The host is still up for everyone else.
    expect((await connect(`${api}?token=${served.token}`)).ws?.close()).toBeUndefined();
  });

  it('bounds the number of clients', async () => {
    const open: WebSocket[] = [];
    let refused: number | undefined;
    for (let i = 0; i < 20 && refused === undefined; i++) {
      const r = await connect(`${api}?token=${served.token}`);
      if (r.ws) open.push(r.ws);
      else refused = r.status;
    }
    expect(refused).toBe(503);
    expect(open.length).toBeLessThanOrEqual(16);
    await Promise.all(open.map((ws) => new Promise((ok) => (ws.once('close', ok), ws.close()))));
  });

  it('serves the shell with security headers, correct types, and refuses paths outside the app', async () => {
    const base = `http://127.0.0.1:${served.port}`;
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The page's policy, plus frame-ancestors, which only a header may carry (a <meta> one logs a console error).
    expect(page.headers.get('content-security-policy')).toBe(`${CSP}; frame-ancestors 'none'`);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect((await fetch(`${base}/assets/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${base}/assets/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/?token=${served.token}`)).status).toBe(200);
    expect((await fetch(`${base}/?token=stale`)).status).toBe(403);
    expect((await fetch(`${base}/..%2fsecret.txt`)).status).toBe(403);
    expect((await fetch(`${base}/assets/..%2f..%2fsecret.txt`)).status).toBe(403);
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});

describe('constellation serve without a built renderer', () => {
  it('says to run npm run build and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'constellation-webhost-empty-'));
    try {
      const child = spawn(process.execPath, [join(ROOT, 'bin/constellation.mjs'), '--data-dir', join(dir, 'data'), '--zen-root', dir, 'serve', '--port', '0', '--renderer-dir', join(dir, 'nothing')], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((ok) => child.on('exit', ok));
      expect(code).toBe(1);
      expect(err).toMatch(/built renderer is missing .*run npm run build/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to bind anything but 127.0.0.1', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/constellation.mjs'), 'serve', '--host', '0.0.0.0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((ok) => child.on('exit', ok));
    expect(code).toBe(2);
    expect(err).toMatch(/binds 127\.0\.0\.1 only/);
  });
});
