/**
 * One WebSocket connection to a Nostr relay (NIP-01, NIP-45 COUNT, NIP-77 NEG-*), with byte counters.
 *
 * Public API (stable; the sync, the store and the profile phase use it):
 *   const conn = await RelayConnection.connect(url, { timeoutMs, signal, maxPayload, maxSubscriptions,
 *                                                      maxEventFrame, maxBytesIn });  // bounds: see bounds.ts
 *   for await (const ev of conn.req([filter], { idleMs, signal })) …   // ends at EOSE; throws RelayRefusal on CLOSED/NOTICE
 *   await conn.count([filter], { idleMs, signal })                       // number, or null when COUNT is not answered
 *   await conn.publish(event, { timeoutMs, signal })                     // { ok, message } from the OK answer
 *   conn.openNeg(filter, initialHex, { onMessage, onError })             // raw NEG-OPEN; see negentropy.ts for the session
 *   conn.bytesIn / conn.bytesOut        // bytes on the wire (TCP: handshake, framing, compressed payloads)
 *   conn.payloadIn / conn.payloadOut    // the messages themselves, uncompressed (the bytes bound counts these)
 *   conn.notices / conn.closed / conn.garbage / conn.tooLarge
 *   conn.close()                                                         // idempotent; also done when `signal` aborts
 *
 * Why our own client and not nostr-tools' Relay: we need exact byte counts, backpressure (pause the socket
 * while the consumer is busy), NEG-ERR reasons (nostr-tools' NegentropySync drops them), a bounded number of
 * concurrent subscriptions and every wait tied to an AbortSignal.
 */
import type { Socket } from 'node:net';
import WebSocket, { type PerMessageDeflateOptions } from 'ws';
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import { abortReason } from '../util/limit';
import { reason, reasonText, ReasonError, type Reason } from '../../shared/i18n';
import { peerLookup, type LookupFn } from '../util/net';

/** A relay's refusal (CLOSED, NOTICE, NEG-ERR, OK false), with the machine-readable prefix when it has one. */
export class RelayRefusal extends Error {
  override name = 'RelayRefusal';
  constructor(
    readonly url: string,
    readonly via: 'CLOSED' | 'NOTICE' | 'NEG-ERR',
    readonly reason: string,
  ) {
    super(`${url}: ${via} ${reason}`);
  }
  /** The refusal as a reason (the relay's own words inside). */
  get why(): Reason {
    return reason('relay.at', { url: this.url, why: reason('relay.refusal', { via: this.via, text: this.reason }) });
  }
  /** `auth-required`, `blocked`, `rate-limited`, `error`, … (after an optional `ERROR: `), or '' */
  get prefix(): string {
    return parseReason(this.reason).prefix;
  }
}

/** A wait that ran out (connect, idle subscription, OK answer). */
export class RelayTimeout extends ReasonError {
  override name = 'RelayTimeout';
}

/**
 * The connection ended under us: closed or reset by the other end (which may pass), or dropped by us because the
 * relay broke our limits or the WebSocket protocol (`byRule`: asking again brings the same).
 */
export class ConnectionLost extends ReasonError {
  override name = 'ConnectionLost';
  constructor(
    why: Reason,
    readonly byRule: boolean,
  ) {
    super(why);
  }
}

/** `<url>: <why>`: a relay named before its reason. */
const at = (url: string, why: Reason): Reason => reason('relay.at', { url, why });

/** ws error codes for a relay that broke our limits or the protocol (see socketErrorText). */
const RULE_BREAKS = /^WS_ERR_/;

/** Splits `ERROR: blocked: too many` into { prefix: 'blocked', text: 'too many' } (NIP-01 machine-readable prefixes). */
export function parseReason(reason: string): { prefix: string; text: string } {
  const body = reason.replace(/^ERROR:\s*/i, '');
  const m = /^([a-z][a-z-]*):\s?(.*)$/s.exec(body);
  if (m) return { prefix: m[1] ?? '', text: m[2] ?? '' };
  return { prefix: /^ERROR:/i.test(reason) ? 'error' : '', text: body };
}

export interface ConnectOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Largest frame accepted from the relay, in bytes (a bigger one closes the connection). Default 16 MiB. */
  maxPayload?: number;
  /** Concurrent subscriptions allowed on this connection (keep well under the relay's max_subscriptions). */
  maxSubscriptions?: number;
  /** Largest message we send (the relay's max_message_length); a bigger one is refused before sending. */
  maxMessageLength?: number;
  /**
   * Frames larger than this that are not NEG-MSG are dropped before they are parsed, and counted (`tooLarge`):
   * events the local store would refuse anyway (see eventFrameLimit). Default: no such check.
   */
  maxEventFrame?: number;
  /** Bytes the relay may send over this connection; past them it is cut (a bound, said in `boundName`). */
  maxBytesIn?: number;
  /** The setting that bounds maxBytesIn, named in the reason when the relay is cut. */
  bytesBoundName?: string;
  /** Offer permessage-deflate (default true; off for the station's own relay on loopback: CPU for nothing). */
  deflate?: boolean;
  /**
   * How long bytes the relay sent may wait to come out of the WebSocket as a message before its silence counts
   * again (default DECODE_GRACE_MS). Bounds the wait a half-sent frame could otherwise hold forever.
   */
  decodeGraceMs?: number;
  /**
   * How the host name is resolved. Default peerLookup (util/net.ts): a name resolving to this machine's
   * loopback is refused, a peer cannot steer us to a local service. The local store passes systemLookup.
   */
  lookup?: LookupFn;
}

/**
 * permessage-deflate as we offer it to relays. strfry (default `relay.compression`: enabled, sliding window)
 * always answers `client_no_context_takeover` and ignores window sizes (it inflates with 15 bits, one reset
 * stream for every message; see the devkit relay's strfryDeflate for where this was read). So:
 * - our messages are compressed without context (what strfry demands), from a 12-bit window and memLevel 4 (about
 *   24 KiB of zlib state per connection instead of 256 KiB; our messages are hex ids and filters, where a bigger
 *   window gains 1–2 %) at level 1 (level 9 gains nothing on hex), from 256 bytes up (below, deflate saves little);
 * - the relay's messages (events) may keep their context: we do not ask server_no_context_takeover, so strfry's
 *   sliding window compresses each event against the ones before it (its own `strfry sync` asks no context);
 * - no server_max_window_bits is asked: strfry would not honour it.
 * ws's maxPayload bounds a message after inflation: a small compressed frame cannot grow past it.
 */
export const CLIENT_DEFLATE: PerMessageDeflateOptions = {
  clientNoContextTakeover: true,
  clientMaxWindowBits: 12,
  zlibDeflateOptions: { level: 1, memLevel: 4 },
  threshold: 256,
};

/**
 * strfry answers NIP-77 in frames of up to 500,000 bytes (RelayNegentropy.cpp: `Negentropy ne(storage, 500'000)`),
 * sent as hex: a NEG-MSG frame reaches about 1,000,000 bytes. The largest frame we take must let those through.
 */
export const NEG_FRAME_MAX = 1_000_000 + 4096;

/**
 * The largest frame that can carry an event the local store takes: the event (its JSON may grow up to three times
 * on the wire when a relay escapes non-ASCII text as \uXXXX) and the envelope.
 */
export function eventFrameLimit(maxEventSize: number): number {
  return 3 * maxEventSize + 4096;
}

/** The socket's largest frame for a local store taking events of maxEventSize: near it, or NIP-77's frames. */
export function maxPayloadFor(maxEventSize: number): number {
  return Math.max(eventFrameLimit(maxEventSize), NEG_FRAME_MAX);
}

const NEG_MSG_HEAD = /^\s*\[\s*"NEG-MSG"/;
/** NOTICE texts kept are cut to this length (a relay may send long ones) */
const NOTICE_KEEP = 300;

export interface WaitOptions {
  /** Silence after which the subscription is given up. */
  idleMs?: number;
  signal?: AbortSignal;
}

type Frame = unknown[];
interface Listener {
  onFrame(frame: Frame): void;
  onNotice(message: string): void;
  onClose(err: Error): void;
}

const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
/**
 * Bytes on the wire not decoded yet are not the relay's silence for this long after the wire last moved: a
 * compressed frame waits for zlib on libuv's thread pool, which a slow disk's fsyncs can hold for seconds. Past it,
 * what is left is a frame the relay never finished (a broken or hostile relay), and its silence counts again.
 */
export const DECODE_GRACE_MS = 5_000;
const HIGH_WATER = 500;
const LOW_WATER = 100;

/** A NOTICE that reads as an error (strfry sends bad-req and too-many-REQ errors as NOTICE). */
export function isErrorNotice(message: string): boolean {
  return /^ERROR:|bad req|too many|invalid|unsupported|not supported|unknown|blocked|rate-limited/i.test(message);
}

/**
 * A NOTICE carries no subscription id, so it is attributed by what it says. One that names a NIP-77 command
 * (a relay without NIP-77 answering NEG-OPEN/NEG-MSG/NEG-CLOSE: `ERROR: bad msg: unknown cmd: NEG-CLOSE`)
 * concerns the negentropy side only and never fails a REQ.
 */
export function isNegNotice(message: string): boolean {
  return /NEG-(OPEN|MSG|CLOSE|ERR)|negentropy/i.test(message);
}

/** A NOTICE that refuses a REQ (strfry: `bad req: …`, `too many concurrent REQs`, `arr too big`, too many tags/filters). */
export function isReqRefusalNotice(message: string): boolean {
  if (isNegNotice(message)) return false;
  return /bad req|too many concurrent|concurrent REQ|arr too big|too many (tags|filters)|\bREQ\b|filter|rate-limited|blocked|auth-required|restricted/i.test(message);
}

/** A captain-readable reason for a WebSocket-level failure (ws error codes, socket errors, close codes). */
export function socketErrorReason(err: Error & { code?: string }, maxPayload: number): Reason {
  switch (err.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return reason('relay.tooLargeMessage', { max: maxPayload });
    case 'WS_ERR_INVALID_UTF8':
      return reason('relay.badUtf8');
    case 'WS_ERR_INVALID_CLOSE_CODE':
    case 'WS_ERR_INVALID_OPCODE':
    case 'WS_ERR_EXPECTED_FIN':
    case 'WS_ERR_EXPECTED_MASK':
    case 'WS_ERR_UNEXPECTED_MASK':
    case 'WS_ERR_UNEXPECTED_RSV_1':
    case 'WS_ERR_UNEXPECTED_RSV_2_3':
    case 'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH':
    case 'WS_ERR_TOO_MANY_BUFFERED_PARTS':
      return reason('relay.protocol', { detail: err.message });
    case 'ECONNRESET':
      return reason('relay.reset');
    case 'ECONNREFUSED':
      return reason('relay.refused');
    case 'EPIPE':
      return reason('relay.brokenPipe');
    case 'ETIMEDOUT':
      return reason('relay.netTimeout');
    default:
      // an error that carries its reason (a name our lookup refused, util/net.ts) keeps it
      return err instanceof ReasonError ? err.reason : reason('text', { text: err.message || String(err.code ?? 'unknown socket error') });
  }
}

/** The same, as English text. */
export function socketErrorText(err: Error & { code?: string }, maxPayload: number): string {
  return reasonText(socketErrorReason(err, maxPayload));
}

/** What a WebSocket close code means, as a reason. */
export function closeReason(code: number, detail: string): Reason {
  switch (code) {
    case 1000:
      return reason('relay.closedByRelay', { detail });
    case 1001:
      return reason('relay.goingAway', { detail });
    case 1006:
      return reason('relay.closedAbruptly');
    case 1008:
      return reason('relay.policy', { detail });
    case 1009:
      return reason('relay.tooBigForIt', { detail });
    case 1011:
      return reason('relay.internalError', { detail });
    default:
      return reason('relay.closedCode', { code, detail });
  }
}

/** What a WebSocket close code means, in words. */
export function closeText(code: number, detail: string): string {
  return reasonText(closeReason(code, detail));
}

/**
 * Measures the PEER's silence on one subscription: one timer, re-armed only when it fires (cheap per frame).
 * Time spent while our side holds the data back (the socket paused for back-pressure, or the consumer still
 * busy with what arrived) is not silence: the countdown restarts from there. Neither is time the peer spends
 * answering our other requests on the same connection (`lastFrame`): a relay answers a connection's requests in
 * turn, and a REQ queued behind others' events (a compressing relay sends them one after the other) is waiting,
 * not ignored.
 */
export class Silence {
  private last = Date.now();
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private readonly idleMs: number,
    private readonly held: () => boolean,
    private readonly onSilent: () => void,
    /** when the connection last brought an answer to one of our subscriptions (ms, Date.now()) */
    private readonly lastFrame: () => number = () => 0,
  ) {}

  start(): void {
    this.last = Date.now();
    this.schedule(this.idleMs);
  }

  heard(): void {
    this.last = Date.now();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.stop();
    this.timer = setTimeout(() => this.check(), Math.max(1, ms));
  }

  private check(): void {
    this.timer = null;
    const now = Date.now();
    if (this.held()) {
      this.last = now;
      this.schedule(this.idleMs);
      return;
    }
    const quiet = now - Math.max(this.last, this.lastFrame());
    if (quiet >= this.idleMs) this.onSilent();
    else this.schedule(this.idleMs - quiet);
  }
}

export class RelayConnection {
  /** message bytes, uncompressed */
  payloadIn = 0;
  payloadOut = 0;
  /** when the relay last answered one of our subscriptions (Date.now()) */
  lastFrameAt = 0;
  /** the socket's bytesRead when the last message came out of the WebSocket */
  private wireAtLastMessage = 0;
  /** the socket's bytesRead when `behind` last looked, and when it saw it move (Date.now()) */
  private wireSeen = 0;
  private wireMovedAt = 0;
  /** the TCP socket under the WebSocket (its counters are the bytes on the wire) */
  private socket: Socket | null = null;
  /** The last NOTICEs received (bounded). */
  readonly notices: string[] = [];
  private readonly listeners = new Map<string, Listener>();
  private readonly okWaiters = new Map<string, { resolve: (r: { ok: boolean; message: string }) => void; reject: (err: Error) => void }>();
  private nextSub = 0;
  private active = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private closedWith: Error | null = null;
  /** subscriptions whose consumer is behind: the socket stays paused while any of them holds it */
  private readonly holders = new Set<string>();
  /** frames that were not JSON or not a Nostr message (a hostile or broken relay); skipped, counted */
  garbage = 0;
  /** frames over maxEventFrame that were not NEG-MSG: dropped unparsed, counted */
  tooLarge = 0;
  private readonly prefix = Math.random().toString(36).slice(2, 6);

  private constructor(
    readonly url: string,
    private readonly ws: WebSocket,
    private readonly maxSubscriptions: number,
    private readonly maxMessageLength: number,
    private readonly maxPayload: number,
    private readonly limits: { maxEventFrame: number; maxBytesIn: number; bytesBoundName: string; decodeGraceMs: number } = {
      maxEventFrame: Infinity,
      maxBytesIn: Infinity,
      bytesBoundName: '',
      decodeGraceMs: DECODE_GRACE_MS,
    },
  ) {
    ws.on('message', (data: WebSocket.RawData) => this.receive(data));
    // control frames are bytes the relay sent that come out as no message (strfry pings every 55 s)
    const decoded = (): void => {
      if (this.socket) this.wireAtLastMessage = this.socket.bytesRead;
    };
    ws.on('ping', decoded);
    ws.on('pong', decoded);
    ws.on('close', (code, reason) => this.shutdown(new ConnectionLost(at(url, closeReason(code, reason.toString())), false)));
    ws.on('error', (err: Error & { code?: string }) =>
      this.shutdown(new ConnectionLost(at(url, socketErrorReason(err, this.maxPayload)), RULE_BREAKS.test(err.code ?? ''))),
    );
  }

  /** Opens the connection; rejects with a reason naming the URL on timeout, abort or refusal. */
  static connect(url: string, opts: ConnectOptions = {}): Promise<RelayConnection> {
    const timeoutMs = opts.timeoutMs ?? 8000;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(abortReason(opts.signal));
      let ws: WebSocket;
      let socket: Socket | null = null;
      try {
        // (ws hands `lookup` on to net.connect; its types do not list it)
        const options = {
          maxPayload: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
          handshakeTimeout: timeoutMs,
          perMessageDeflate: opts.deflate === false ? false : CLIENT_DEFLATE,
          lookup: opts.lookup ?? peerLookup,
        };
        ws = new WebSocket(url, options as WebSocket.ClientOptions);
        ws.on('unexpected-response', (_req, res) => fail(new ReasonError(at(url, reason('relay.notRelay', { status: res.statusCode ?? 0 })))));
        ws.once('upgrade', (res) => (socket = res.socket));
      } catch (err) {
        return reject(new ReasonError(at(url, reason('relay.cannotConnect', { why: reason('text', { text: (err as Error).message }) }))));
      }
      const maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
      const timer = setTimeout(() => fail(new RelayTimeout(at(url, reason('relay.noConnection', { ms: timeoutMs })))), timeoutMs);
      const onAbort = (): void => fail(abortReason(opts.signal));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        ws.off('open', onOpen);
        ws.off('error', onError);
      };
      function fail(err: Error): void {
        cleanup();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(err);
      }
      const onError = (err: Error): void => fail(new ReasonError(at(url, reason('relay.cannotConnect', { why: socketErrorReason(err, maxPayload) }))));
      const onOpen = (): void => {
        cleanup();
        const conn = new RelayConnection(url, ws, Math.max(1, opts.maxSubscriptions ?? 20), opts.maxMessageLength ?? Infinity, maxPayload, {
          maxEventFrame: opts.maxEventFrame ?? Infinity,
          maxBytesIn: opts.maxBytesIn ?? Infinity,
          bytesBoundName: opts.bytesBoundName ?? 'maxBytesIn',
          decodeGraceMs: opts.decodeGraceMs ?? DECODE_GRACE_MS,
        });
        conn.socket = socket;
        conn.wireAtLastMessage = socket?.bytesRead ?? 0;
        if (opts.signal) {
          const sig = opts.signal;
          const onAbortLater = (): void => conn.close();
          sig.addEventListener('abort', onAbortLater, { once: true });
          ws.once('close', () => sig.removeEventListener('abort', onAbortLater));
        }
        resolve(conn);
      };
      ws.once('open', onOpen);
      ws.once('error', onError);
    });
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Bytes received on the wire: the handshake, the frames, compressed payloads as they came. */
  get bytesIn(): number {
    return this.socket?.bytesRead ?? this.payloadIn;
  }

  /** Bytes sent on the wire. */
  get bytesOut(): number {
    return this.socket?.bytesWritten ?? this.payloadOut;
  }

  /** Closes the socket and fails every pending wait. Idempotent. */
  close(): void {
    this.shutdown(new ReasonError(at(this.url, reason('relay.closedByUs'))));
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }

  send(frame: Frame): void {
    if (this.closedWith) throw this.closedWith;
    const text = JSON.stringify(frame);
    const size = Buffer.byteLength(text);
    if (size > this.maxMessageLength) throw new ReasonError(at(this.url, reason('relay.overMaxMessage', { size, max: this.maxMessageLength })));
    this.payloadOut += size;
    this.ws.send(text);
  }

  /**
   * Events of a REQ until EOSE. Throws RelayRefusal on CLOSED or a NOTICE refusing the REQ, RelayTimeout when
   * the relay stays silent for idleMs (its silence only: time our consumer holds the data back does not count).
   */
  async *req(filters: Filter[], opts: WaitOptions = {}): AsyncGenerator<NostrEvent> {
    const sub = await this.acquire(opts.signal);
    const queue: NostrEvent[] = [];
    let head = 0;
    let done = false;
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    let answered = false;
    let waiting = false;
    /** the last error NOTICE not clearly about a REQ: context for a timeout's reason */
    let lastNotice = '';
    const idleMs = opts.idleMs ?? 20_000;
    const poke = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const silence = new Silence(
      idleMs,
      // held back by us: the socket is paused, our consumer has not come back for more yet, or what the relay
      // sent is still being decoded
      () => this.held || !waiting,
      () => {
        failure ??= new RelayTimeout(at(this.url, reason('relay.silent', { eose: answered, ms: idleMs, notice: lastNotice ? lastNotice.slice(0, 160) : null })));
        poke();
      },
      () => this.lastFrameAt,
    );
    const onAbort = (): void => {
      failure ??= abortReason(opts.signal);
      poke();
    };
    this.listeners.set(sub, {
      onFrame: (f) => {
        answered = true;
        silence.heard();
        if (f[0] === 'EVENT') {
          if (f[2] && typeof f[2] === 'object') {
            queue.push(f[2] as NostrEvent);
            if (queue.length - head > HIGH_WATER) this.hold(sub);
          } else this.garbage++;
        } else if (f[0] === 'EOSE') done = true;
        else if (f[0] === 'CLOSED') failure ??= new RelayRefusal(this.url, 'CLOSED', String(f[2] ?? ''));
        poke();
      },
      onNotice: (m) => {
        if (!isErrorNotice(m) || isNegNotice(m)) return;
        if (!answered && isReqRefusalNotice(m)) {
          failure ??= new RelayRefusal(this.url, 'NOTICE', m);
          poke();
        } else lastNotice = m;
      },
      onClose: (err) => {
        failure ??= err;
        poke();
      },
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      this.send(['REQ', sub, ...filters]);
      silence.start();
      for (;;) {
        while (head < queue.length) {
          if (opts.signal?.aborted) throw abortReason(opts.signal);
          if (queue.length - head < LOW_WATER) this.unhold(sub);
          const ev = queue[head] as NostrEvent;
          queue[head++] = undefined as unknown as NostrEvent;
          if (head > 4096 && head * 2 > queue.length) {
            queue.splice(0, head);
            head = 0;
          }
          yield ev;
        }
        if (failure) throw failure;
        if (done) return;
        this.unhold(sub);
        waiting = true;
        silence.heard();
        await new Promise<void>((r) => (wake = r));
        waiting = false;
      }
    } finally {
      silence.stop();
      opts.signal?.removeEventListener('abort', onAbort);
      const ended = failure as Error | null;
      this.unhold(sub);
      this.endSub(sub, 'CLOSE', ended instanceof RelayRefusal && ended.via === 'CLOSED');
    }
  }

  /**
   * A subscription is over on our side: its listener goes, its close frame is sent unless the relay ended it
   * (strfry answers a close of a sub it ended with an error NOTICE that would hit the next request) or the
   * connection is gone, and its slot is freed.
   */
  private endSub(sub: string, frame: 'CLOSE' | 'NEG-CLOSE', endedByRelay: boolean): void {
    this.listeners.delete(sub);
    if (!this.closedWith && !endedByRelay) {
      try {
        this.send([frame, sub]);
      } catch {
        // the connection went away meanwhile: nothing left to close
      }
    }
    this.release();
  }

  /** NIP-45 COUNT. Null when the relay answers with CLOSED/NOTICE or not at all (it does not support COUNT). */
  async count(filters: Filter[], opts: WaitOptions = {}): Promise<number | null> {
    const sub = await this.acquire(opts.signal);
    try {
      return await new Promise<number | null>((resolve, reject) => {
        const idleMs = opts.idleMs ?? 5000;
        const timer = setTimeout(() => finish(null), idleMs);
        const onAbort = (): void => {
          cleanup();
          reject(abortReason(opts.signal));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          this.listeners.delete(sub);
        };
        const finish = (n: number | null): void => {
          cleanup();
          resolve(n);
        };
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        this.listeners.set(sub, {
          onFrame: (f) => {
            if (f[0] === 'COUNT') {
              const c = (f[2] as { count?: unknown } | undefined)?.count;
              finish(typeof c === 'number' ? c : null);
            } else if (f[0] === 'CLOSED') finish(null);
          },
          onNotice: (m) => {
            if (isErrorNotice(m) && !isNegNotice(m)) finish(null);
          },
          onClose: (err) => {
            cleanup();
            reject(err);
          },
        });
        try {
          this.send(['COUNT', sub, ...filters]);
        } catch (err) {
          cleanup();
          reject(err as Error);
        }
      });
    } finally {
      this.release();
    }
  }

  /** Publishes one event and waits for its OK answer. */
  publish(event: NostrEvent, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ ok: boolean; message: string }> {
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(abortReason(opts.signal));
      const timeoutMs = opts.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        cleanup();
        reject(new RelayTimeout(at(this.url, reason('relay.noOk', { id: event.id, ms: timeoutMs }))));
      }, timeoutMs);
      const onAbort = (): void => {
        cleanup();
        reject(abortReason(opts.signal));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.okWaiters.delete(event.id);
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.okWaiters.set(event.id, {
        resolve: (r) => {
          cleanup();
          resolve(r);
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
      });
      try {
        this.send(['EVENT', event]);
      } catch (err) {
        cleanup();
        reject(err as Error);
      }
    });
  }

  /**
   * A live subscription (live sync): the stored events until EOSE, then every new event the relay streams,
   * until `close()` or the relay ends it. Handlers run once per frame; `onEnd` runs once, with the CLOSED or
   * refusing NOTICE (RelayRefusal) or the connection's end. Events are few once past EOSE, so there is no
   * back-pressure here: the caller bounds what it keeps.
   */
  async subscribe(
    filters: Filter[],
    handlers: { onEvent: (event: unknown) => void; onEose?: () => void; onEnd: (err: Error) => void },
    signal?: AbortSignal,
  ): Promise<{ sub: string; close: () => void }> {
    const sub = await this.acquire(signal);
    let open = true;
    let eose = false;
    let endedByRelay = false;
    const end = (err: Error): void => {
      if (!open) return;
      open = false;
      this.listeners.delete(sub);
      this.release();
      handlers.onEnd(err);
    };
    const close = (): void => {
      if (!open) return;
      open = false;
      this.endSub(sub, 'CLOSE', endedByRelay);
    };
    this.listeners.set(sub, {
      onFrame: (f) => {
        if (f[0] === 'EVENT') {
          if (f[2] && typeof f[2] === 'object') handlers.onEvent(f[2]);
          else this.garbage++;
        } else if (f[0] === 'EOSE') {
          if (!eose) handlers.onEose?.();
          eose = true;
        } else if (f[0] === 'CLOSED') {
          endedByRelay = true;
          end(new RelayRefusal(this.url, 'CLOSED', String(f[2] ?? '')));
        }
      },
      onNotice: (m) => {
        // Before EOSE, a NOTICE refusing a REQ is about this one (strfry names no subscription in it).
        if (!eose && isErrorNotice(m) && isReqRefusalNotice(m)) {
          endedByRelay = true;
          end(new RelayRefusal(this.url, 'NOTICE', m));
        }
      },
      onClose: (err) => end(err),
    });
    try {
      this.send(['REQ', sub, ...filters]);
    } catch (err) {
      close();
      throw err;
    }
    return { sub, close };
  }

  /**
   * Opens a raw NIP-77 subscription. `onMessage(hex)` gets each NEG-MSG, `onError` a NEG-ERR, CLOSED, error
   * NOTICE or the connection's end. Returns the sub id and a close function (sends NEG-CLOSE, frees the slot).
   */
  async openNeg(
    filter: Filter,
    initialHex: string,
    handlers: { onMessage: (hex: string) => void; onError: (err: Error) => void },
    signal?: AbortSignal,
  ): Promise<{ sub: string; send: (hex: string) => void; close: () => void }> {
    const sub = await this.acquire(signal);
    let open = true;
    let answered = false;
    // NEG-ERR, CLOSED or a refusing NOTICE end the subscription on the relay's side: no NEG-CLOSE then
    // (strfry answers an unknown sub's NEG-CLOSE with an error NOTICE that would hit the next request).
    let endedByRelay = false;
    const close = (): void => {
      if (!open) return;
      open = false;
      this.endSub(sub, 'NEG-CLOSE', endedByRelay);
    };
    this.listeners.set(sub, {
      onFrame: (f) => {
        answered = true;
        if (f[0] === 'NEG-MSG' && typeof f[2] === 'string') handlers.onMessage(f[2]);
        else if (f[0] === 'NEG-ERR' || f[0] === 'CLOSED') {
          endedByRelay = true;
          handlers.onError(new RelayRefusal(this.url, f[0], String(f[2] ?? '')));
        }
      },
      onNotice: (m) => {
        // Before any answer, an error NOTICE that is not clearly about a REQ is the relay refusing NEG-OPEN
        // (relays without NIP-77 answer `unknown cmd: NEG-OPEN`); chatter (a NOTICE flood) is not.
        if (!answered && isErrorNotice(m) && (isNegNotice(m) || !isReqRefusalNotice(m))) {
          endedByRelay = true;
          handlers.onError(new RelayRefusal(this.url, 'NOTICE', m));
        }
      },
      onClose: (err) => handlers.onError(err),
    });
    try {
      this.send(['NEG-OPEN', sub, filter, initialHex]);
    } catch (err) {
      close();
      throw err;
    }
    return { sub, send: (hex) => this.send(['NEG-MSG', sub, hex]), close };
  }

  // ------------------------------------------------------------------ internals

  /** A subscription id, waiting while the connection already holds maxSubscriptions of them. */
  private async acquire(signal?: AbortSignal): Promise<string> {
    if (this.closedWith) throw this.closedWith;
    while (this.active >= this.maxSubscriptions) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => reject(abortReason(signal));
        signal?.addEventListener('abort', onAbort, { once: true });
        this.slotWaiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
      if (this.closedWith) throw this.closedWith;
    }
    this.active++;
    return `${this.prefix}${(this.nextSub++).toString(36)}`;
  }

  private release(): void {
    this.active--;
    this.slotWaiters.shift()?.();
  }

  /**
   * True while the relay's silence cannot be told: a consumer is behind and the socket is paused (nothing can
   * arrive), or bytes the relay sent are still on their way through the WebSocket (a compressed frame waits for
   * zlib, which runs on libuv's thread pool: behind a slow disk's fsyncs it can wait for seconds).
   */
  get held(): boolean {
    return this.holders.size > 0 || this.behind;
  }

  /**
   * Bytes the relay sent that have not come out as a message yet, for at most decodeGraceMs after the wire last
   * moved (seen when this is asked: the silence checks ask about once per idle period). A frame the relay began
   * and never finished is its silence, not ours to wait for.
   */
  private get behind(): boolean {
    if (this.socket === null) return false;
    const read = this.socket.bytesRead;
    if (read <= this.wireAtLastMessage) return false;
    const now = Date.now();
    if (read !== this.wireSeen) {
      this.wireSeen = read;
      this.wireMovedAt = now;
    }
    return now - this.wireMovedAt < this.limits.decodeGraceMs;
  }

  private hold(sub: string): void {
    if (this.holders.has(sub)) return;
    this.holders.add(sub);
    if (this.holders.size === 1) this.ws.pause();
  }

  private unhold(sub: string): void {
    if (!this.holders.delete(sub)) return;
    if (this.holders.size === 0) this.ws.resume();
  }

  private receive(data: WebSocket.RawData): void {
    // ws hands a Buffer (its default binaryType): read it where it is, no copy per frame
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    this.payloadIn += buf.length;
    if (this.socket) this.wireAtLastMessage = this.socket.bytesRead;
    if (this.closedWith) return;
    if (this.payloadIn > this.limits.maxBytesIn) {
      const mb = Math.round((this.limits.maxBytesIn / 1048576) * 100) / 100;
      this.shutdown(new ConnectionLost(at(this.url, reason('bound.peerMaxMegabytes', { mb, bound: this.limits.bytesBoundName })), true));
      this.ws.terminate();
      return;
    }
    // An event the local store would refuse is dropped here, before it is parsed and held (only NIP-77's answers
    // may be larger, up to the socket's maxPayload).
    if (buf.length > this.limits.maxEventFrame && !NEG_MSG_HEAD.test(buf.toString('latin1', 0, 32))) {
      this.tooLarge++;
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(buf.toString('utf8'));
    } catch {
      this.garbage++; // a relay's garbage frame: nothing to route it to; counted, the sync goes on
      return;
    }
    if (!Array.isArray(frame) || typeof frame[0] !== 'string') {
      this.garbage++;
      return;
    }
    const type = frame[0];
    if (type === 'NOTICE') {
      const m = String(frame[1] ?? '').slice(0, NOTICE_KEEP);
      this.notices.push(m);
      if (this.notices.length > 50) this.notices.shift();
      for (const l of [...this.listeners.values()]) l.onNotice(m);
      return;
    }
    if (type === 'OK') {
      const waiter = this.okWaiters.get(String(frame[1]));
      waiter?.resolve({ ok: frame[2] === true, message: String(frame[3] ?? '') });
      return;
    }
    const l = this.listeners.get(String(frame[1]));
    if (!l) return;
    // an answer to one of our requests: the relay is at work for us (NOTICEs and garbage do not count)
    this.lastFrameAt = Date.now();
    l.onFrame(frame);
  }

  private shutdown(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err;
    for (const l of [...this.listeners.values()]) l.onClose(err);
    this.listeners.clear();
    for (const w of this.slotWaiters.splice(0)) w();
    for (const w of [...this.okWaiters.values()]) w.reject(err);
    this.okWaiters.clear();
  }
}
