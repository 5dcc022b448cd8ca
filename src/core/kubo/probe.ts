/**
 * Proofs that a relay answers at a URL. kubo's p2p/forward never contacts the peer, so a tunnel is only proven
 * by a real Nostr round trip through it: a REQ with limit 1 answered by EOSE (or CLOSED: a relay that refuses
 * the filter has still answered).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { NEG_FRAME_MAX, closeReason, socketErrorReason } from '../nostr/relay';
import { reason, ReasonError, type Reason } from '../../shared/i18n';
import { peerLookup } from '../util/net';

/** The proof reads one REQ answer: no frame larger than a session would take (a peer's huge event fails it here). */
const MAX_PAYLOAD = NEG_FRAME_MAX;

function codeOf(err: unknown): string {
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
  what: 'relay' | 'websocket',
  talk: (ws: WebSocket, done: (why: Reason | null) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ReasonError(reason('cancelled')));
      return;
    }
    let ws: WebSocket;
    try {
      // a peer's address (a LAN relay, or the tunnel's loopback port): a name resolving to loopback is refused
      // no permessage-deflate: one small REQ and its EOSE; compression contexts on both ends would cost more than they save
      ws = new WebSocket(url, { handshakeTimeout: timeoutMs, maxPayload: MAX_PAYLOAD, lookup: peerLookup, perMessageDeflate: false } as WebSocket.ClientOptions);
    } catch (err) {
      reject(new ReasonError(reason('probe.invalidUrl', { url, detail: (err as Error).message })));
      return;
    }
    let settled = false;
    const finish = (why: Reason | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      if (why === null) resolve();
      else reject(new ReasonError(why));
    };
    const onAbort = (): void => finish(reason('cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish(reason('probe.noAnswer', { what, ms: timeoutMs })), timeoutMs);
    // ws error codes (WS_ERR_…) and socket codes said in words (e.g. an oversized frame)
    ws.on('error', (err) => {
      const said = socketErrorReason(err, MAX_PAYLOAD);
      finish(said.code === 'text' && !said.params?.text ? reason('probe.failed', { detail: codeOf(err) }) : said);
    });
    ws.on('unexpected-response', (_req, res) => finish(reason('relay.notRelay', { status: res.statusCode ?? 0 })));
    ws.on('close', (code, detail) => finish(reason('probe.closedBefore', { what, why: closeReason(code, detail.toString()) })));
    ws.on('open', () => talk(ws, finish));
  });
}

/** Resolves when a WebSocket to url opens within timeoutMs. */
export function webSocketOpens(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  return withSocket(url, timeoutMs, signal, 'websocket', (_ws, done) => done(null));
}

/** Resolves when the relay at url answers a REQ (limit 1) with EOSE or CLOSED within timeoutMs. */
export function relayRoundTrip(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const sub = `constellation-probe-${randomBytes(4).toString('hex')}`;
  return withSocket(url, timeoutMs, signal, 'relay', (ws, done) => {
    ws.on('message', (data) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        done(reason('probe.notNostr'));
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
