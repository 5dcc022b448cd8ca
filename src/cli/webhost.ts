/**
 * The web host: serves the built renderer and the contract over a WebSocket (`/api`) on 127.0.0.1, for a
 * station without a screen and for browser tests. The same Engine answers as in the desktop app.
 *
 * Who may use it: whoever holds the random token printed at start (it is in the URL the captain opens).
 * - The API (`/api`, WebSocket) needs the token, a Host naming this loopback port, and, when the client is a
 *   browser, an Origin of this very host (http://127.0.0.1:<port> or http://localhost:<port>); anything else is
 *   refused before the upgrade (401 no token, 403 wrong token / foreign Origin / foreign Host).
 * - The static shell (index.html and its assets) is served without the token: it is the same public code as the
 *   installed app, it holds no station data, and the page must survive a reload after it removed the token from
 *   its visible URL (the token then lives in sessionStorage, which the server never sees). A page request that
 *   carries a WRONG token is refused (403) so a stale URL from an earlier run says so at once.
 *   The Host check also applies to static files, which defeats DNS rebinding.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket, RawData } from 'ws';
import { WireRequest, callFailure, isCallName, parseInput } from '../shared/api';
import { FALLBACK_CSP, cspOf, headerCsp } from '../shared/csp';
import { mimeType, resolveInside } from '../core/util/static-files';
import type { CallName, EventName, WireMessage } from '../shared/api';
import { LOOPBACK } from './loopback';
import { reason, ReasonError } from '../shared/i18n';

/** What the web host needs from the engine (the Engine class fits). */
export interface ContractEndpoint {
  call(name: CallName, input: unknown): Promise<unknown>;
  events: { onAny(listener: (event: EventName, payload: unknown) => void): () => void };
}

export interface WebHostOptions {
  engine: ContractEndpoint;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Generated when absent (32 random bytes, hex). */
  token?: string;
  maxClients?: number;
  /** Largest accepted WebSocket message, bytes. */
  maxPayload?: number;
  /** Calls one client may have running at once. */
  maxInFlight?: number;
  /** Bytes of replies and events waiting unsent to one client past which it is cut off (it stopped reading). */
  maxBuffered?: number;
  /** Where the host's own warnings go. */
  warn?: (message: string) => void;
}

export interface WebHost {
  readonly port: number;
  readonly token: string;
  /** http://127.0.0.1:<port>/?token=<token> */
  readonly url: string;
  clients(): number;
  close(): Promise<void>;
}

export { LOOPBACK };
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
export const DEFAULT_MAX_CLIENTS = 16;
/**
 * A client that lets this much pile up unread (replies and events it does not read) is cut off rather than let
 * the host's memory grow (issue 15, attack 9: a client that calls and never reads). Checked before each frame,
 * so one client holds at most this plus one frame.
 */
export const DEFAULT_MAX_BUFFERED = 8 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export { FALLBACK_CSP, cspOf } from '../shared/csp';
export { mimeType, resolveInside } from '../core/util/static-files';

export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

export function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The only Hosts and Origins this server answers: its own loopback port under either name. */
export function ownOrigins(port: number): string[] {
  return [`http://${LOOPBACK}:${port}`, `http://localhost:${port}`];
}

export type Refusal = { status: 401 | 403 | 404 | 421 | 503; reason: string };

/**
 * How long the browser may keep a file. The build's scripts and styles carry a hash of their content in their
 * name (`assets/index-uKbklSxm.js`): a new build has new names, so they are kept for good and the browser keeps
 * its compiled code for them too (a window opened again starts from its cache instead of fetching and compiling
 * 0.6 MB of script). The page itself is never stored (it names the current build's files); anything else is
 * checked again each time.
 */
export function cacheControl(root: string, file: string): string {
  if (extname(file) === '.html') return 'no-store';
  if (dirname(file) === join(root, 'assets') && /-[A-Za-z0-9_-]{8,}\.(js|css)$/.test(basename(file))) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

/** Decides whether a WebSocket upgrade to the API is let in. Pure, for tests. */
export function checkUpgrade(
  req: { url?: string; headers: { host?: string; origin?: string } },
  ctx: { port: number; token: string; clients: number; maxClients: number },
): Refusal | null {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  if (url.pathname !== '/api') return { status: 404, reason: 'the API is at /api' };
  if (!ownOrigins(ctx.port).includes(`http://${req.headers.host ?? ''}`)) {
    return { status: 421, reason: `Host ${req.headers.host ?? '(none)'} is not this web host` };
  }
  const origin = req.headers.origin;
  // Browsers always send Origin on a WebSocket: a foreign page is refused here. Non-browser clients (scripts,
  // tests) send none and are let in on the token alone, which is the captain's own secret.
  if (origin !== undefined && !ownOrigins(ctx.port).includes(origin)) return { status: 403, reason: `foreign Origin ${origin}` };
  const given = url.searchParams.get('token');
  if (!given) return { status: 401, reason: 'missing token: open the URL printed by `constellation serve`' };
  if (!sameToken(given, ctx.token)) return { status: 403, reason: 'wrong token (it changes each time `constellation serve` starts)' };
  if (ctx.clients >= ctx.maxClients) return { status: 503, reason: `too many clients (at most ${ctx.maxClients})` };
  return null;
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  421: 'Misdirected Request',
  503: 'Service Unavailable',
};

function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = `${refusal.reason}\n`;
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status] ?? 'Refused'}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const root = await realpath(opts.rendererDir).catch(() => null);
  const indexPath = root ? join(root, 'index.html') : null;
  const indexHtml = indexPath ? await readFile(indexPath, 'utf8').catch(() => null) : null;
  if (!root || indexHtml === null) {
    throw new ReasonError(reason('cli.rendererMissing', { path: join(opts.rendererDir, 'index.html') }));
  }
  const token = opts.token ?? randomBytes(32).toString('hex');
  const maxClients = opts.maxClients ?? DEFAULT_MAX_CLIENTS;
  const maxInFlight = opts.maxInFlight ?? 32;
  const maxBuffered = opts.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  /** Sends one frame, or cuts the client off when too much already waits for it; false when cut or closed. */
  const sendTo = (ws: WebSocket, frame: string): boolean => {
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount > maxBuffered) {
      warn(`an API client stopped reading (${ws.bufferedAmount} bytes waiting, at most ${maxBuffered}): disconnected`);
      ws.terminate();
      return false;
    }
    ws.send(frame);
    return true;
  };
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`web host: ${m}\n`));
  const headers = securityHeaders(headerCsp(cspOf(indexHtml) ?? FALLBACK_CSP));
  let port = 0;

  const server: Server = createServer((req, res) => {
    serveStatic(req, res).catch((err: unknown) => {
      warn(`serving ${req.url ?? '?'}: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ownOrigins(port).includes(`http://${req.headers.host ?? ''}`)) {
      return send(res, 421, 'text/plain; charset=utf-8', `Host ${req.headers.host ?? '(none)'} is not this web host\n`);
    }
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const given = url.searchParams.get('token');
    if (url.pathname === '/api') {
      // A plain HTTP request on the API path: say what is wrong, in the same terms as the upgrade check.
      if (!given) return send(res, 401, 'text/plain; charset=utf-8', 'missing token\n');
      if (!sameToken(given, token)) return send(res, 403, 'text/plain; charset=utf-8', 'wrong token\n');
      return send(res, 426, 'text/plain; charset=utf-8', 'the API speaks WebSocket\n', { Upgrade: 'websocket' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
    }
    if (given !== null && !sameToken(given, token)) {
      return send(res, 403, 'text/plain; charset=utf-8', 'wrong token: this URL belongs to an earlier run of `constellation serve`\n');
    }
    const target = resolveInside(root!, url.pathname);
    if (!target) return send(res, 403, 'text/plain; charset=utf-8', 'path outside the app refused\n');
    let file = target;
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info && extname(url.pathname) === '') {
      // An app route (history mode) reloaded in the browser: the shell answers it.
      file = indexPath!;
      info = await stat(file).catch(() => null);
    }
    if (!info || !info.isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    // A symlink inside the build that points elsewhere is not followed out of the renderer folder.
    const real = await realpath(file);
    if (real !== root && !real.startsWith(root! + sep)) return send(res, 403, 'text/plain; charset=utf-8', 'path outside the app refused\n');
    const body = await readFile(real);
    send(res, 200, mimeType(real), body, { 'Cache-Control': cacheControl(root!, real) });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD, clientTracking: true });

  server.on('upgrade', (req, socket, head) => {
    const refusal = checkUpgrade(req, { port, token, clients: wss.clients.size, maxClients });
    if (refusal) {
      warn(`API connection refused (${refusal.status}): ${refusal.reason}`);
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (ws: WebSocket) => {
    alive.add(ws);
    let inFlight = 0;
    ws.on('pong', () => alive.add(ws));
    ws.on('error', (err) => warn(`API client: ${err.message}`));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(1003, 'text frames only');
        return;
      }
      const reply = (msg: WireMessage): void => {
        sendTo(ws, JSON.stringify(msg));
      };
      let req: WireRequest;
      try {
        const parsed = WireRequest.safeParse(JSON.parse(data.toString('utf8')));
        if (!parsed.success) throw new Error('not a request');
        req = parsed.data;
      } catch {
        reply({ type: 'result', id: -1, ok: false, error: 'not a request: expected {"id": <int>, "call": "<name>", "input": …}', code: 'bad-input' });
        return;
      }
      if (!isCallName(req.call)) {
        reply({ type: 'result', id: req.id, ok: false, error: `unknown call ${req.call}`, code: 'unknown-call' });
        return;
      }
      if (inFlight >= maxInFlight) {
        reply({ type: 'result', id: req.id, ok: false, error: `too many calls at once (at most ${maxInFlight})`, code: 'transport' });
        return;
      }
      const name = req.call;
      inFlight++;
      Promise.resolve()
        .then(() => opts.engine.call(name, parseInput(name, req.input)))
        .then(
          (output) => reply({ type: 'result', id: req.id, ok: true, output }),
          // The engine's reason travels with its message: the window says it in its own language.
          (err: unknown) => reply({ type: 'result', id: req.id, ok: false, ...callFailure(err) }),
        )
        .finally(() => inFlight--);
    });
  });

  const offEvents = opts.engine.events.onAny((event, payload) => {
    if (wss.clients.size === 0) return;
    const frame = JSON.stringify({ type: 'event', event, payload } satisfies WireMessage);
    for (const ws of wss.clients) sendTo(ws, frame);
  });

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, LOOPBACK, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : opts.port;

  return {
    port,
    token,
    url: `http://${LOOPBACK}:${port}/?token=${token}`,
    clients: () => wss.clients.size,
    close: async () => {
      clearInterval(heartbeat);
      offEvents();
      for (const ws of wss.clients) ws.close(1001, 'the web host is stopping');
      await new Promise<void>((ok) => wss.close(() => ok()));
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
