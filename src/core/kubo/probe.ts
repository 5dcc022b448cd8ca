/**
 * Proofs that a relay answers at a URL. kubo's p2p/forward never contacts the peer, so a tunnel is only proven
 * by a real Nostr round trip through it: a REQ with limit 1 answered by EOSE (or CLOSED: a relay that refuses
 * the filter has still answered).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { NEG_FRAME_MAX, closeText, socketErrorText } from '../nostr/relay';
import { peerLookup } from '../util/net';

/** The proof reads one REQ answer: no frame larger than a session would take (a peer's huge event fails it here). */
const MAX_PAYLOAD = NEG_FRAME_MAX;

function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message;
}

/**
 * Runs `talk` on an open WebSocket to url and settles with its verdict, within timeoutMs; always closes the
 * socket. `talk` calls done(null) for success or done(reason).
 */
function withSocket(
  url: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  what: string,
  talk: (ws: WebSocket, done: (reason: string | null) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('cancelled'));
      return;
    }
    let ws: WebSocket;
    try {
      // a peer's address (a LAN relay, or the tunnel's loopback port): a name resolving to loopback is refused
      ws = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: MAX_PAYLOAD, lookup: peerLookup } as WebSocket.ClientOptions);
    } catch (err) {
      reject(new Error(`invalid URL ${url}: ${(err as Error).message}`));
      return;
    }
    let settled = false;
    const finish = (reason: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      if (reason === null) resolve();
      else reject(new Error(reason));
    };
    const onAbort = (): void => finish('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(`no ${what} within ${timeoutMs} ms`), timeoutMs);
    // ws error codes (WS_ERR_…) and socket codes said in words (e.g. an oversized frame)
    ws.on('error', (err) => finish(socketErrorText(err, MAX_PAYLOAD) || `connection failed (${reasonOf(err)})`));
    ws.on('unexpected-response', (_req, res) => finish(`not a relay (HTTP ${res.statusCode} instead of a WebSocket)`));
    ws.on('close', (code, why) => finish(`${closeText(code, why.toString())}, before the ${what}`));
    ws.on('open', () => talk(ws, finish));
  });
}

/** Resolves when a WebSocket to url opens within timeoutMs. */
export function webSocketOpens(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return withSocket(url, timeoutMs, signal, 'WebSocket answer', (_ws, done) => done(null));
}

/** Resolves when the relay at url answers a REQ (limit 1) with EOSE or CLOSED within timeoutMs. */
export function relayRoundTrip(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const sub = `constellation-probe-${randomBytes(4).toString('hex')}`;
  return withSocket(url, timeoutMs, signal, 'relay answer', (ws, done) => {
    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        done('the other end does not speak Nostr (a message that is not JSON)');
        return;
      }
      if (!Array.isArray(msg)) return;
      if ((msg[0] === 'EOSE' || msg[0] === 'CLOSED') && msg[1] === sub) {
        if (msg[0] === 'EOSE') ws.send(JSON.stringify(['CLOSE', sub]));
        done(null);
      }
    });
    ws.send(JSON.stringify(['REQ', sub, { limit: 1 }]));
  });
}
