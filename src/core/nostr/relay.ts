/**
 * One WebSocket connection to a Nostr relay (NIP-01, NIP-45 COUNT, NIP-77 NEG-*), with byte counters.
 *
 * Public API (stable; the sync, the store and the profile phase use it):
 *   const conn = await RelayConnection.connect(url, { timeoutMs, signal, maxPayload, maxSubscriptions });
 *   for await (const ev of conn.req([filter], { idleMs, signal })) …   // ends at EOSE; throws RelayRefusal on CLOSED/NOTICE
 *   await conn.count([filter], { idleMs, signal })                       // number, or null when COUNT is not answered
 *   await conn.publish(event, { timeoutMs, signal })                     // { ok, message } from the OK answer
 *   conn.openNeg(filter, initialHex, { onMessage, onError })             // raw NEG-OPEN; see negentropy.ts for the session
 *   conn.bytesIn / conn.bytesOut / conn.notices / conn.closed
 *   conn.close()                                                         // idempotent; also done when `signal` aborts
 *
 * Why our own client and not nostr-tools' Relay: we need exact byte counts, backpressure (pause the socket
 * while the consumer is busy), NEG-ERR reasons (nostr-tools' NegentropySync drops them), a bounded number of
 * concurrent subscriptions and every wait tied to an AbortSignal.
 */
import WebSocket from 'ws';
import type { Event as NostrEvent, Filter } from 'nostr-tools';

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
  /** `auth-required`, `blocked`, `rate-limited`, `error`, … (after an optional `ERROR: `), or '' */
  get prefix(): string {
    return parseReason(this.reason).prefix;
  }
}

/** A wait that ran out (connect, idle subscription, OK answer). */
export class RelayTimeout extends Error {
  override name = 'RelayTimeout';
}

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
}

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
const HIGH_WATER = 2000;
const LOW_WATER = 200;

function abortError(signal: AbortSignal | undefined): Error {
  const r: unknown = signal?.reason;
  return r instanceof Error ? r : new Error('cancelled');
}

/** A NOTICE that refuses the request it follows (strfry sends bad-req and too-many-REQ errors as NOTICE). */
function isErrorNotice(message: string): boolean {
  return /^ERROR:|bad req|too many|invalid|unsupported|not supported|unknown|blocked|rate-limited/i.test(message);
}

export class RelayConnection {
  bytesIn = 0;
  bytesOut = 0;
  /** The last NOTICEs received (bounded). */
  readonly notices: string[] = [];
  private readonly listeners = new Map<string, Listener>();
  private readonly okWaiters = new Map<string, { resolve: (r: { ok: boolean; message: string }) => void; reject: (err: Error) => void }>();
  private nextSub = 0;
  private active = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private closedWith: Error | null = null;
  private paused = false;
  private readonly prefix = Math.random().toString(36).slice(2, 6);

  private constructor(
    readonly url: string,
    private readonly ws: WebSocket,
    private readonly maxSubscriptions: number,
    private readonly maxMessageLength: number,
  ) {
    ws.on('message', (data: WebSocket.RawData) => this.receive(data));
    ws.on('close', (code, reason) => this.shutdown(new Error(`${url}: connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`)));
    ws.on('error', (err) => this.shutdown(new Error(`${url}: ${err.message}`)));
  }

  /** Opens the connection; rejects with a reason naming the URL on timeout, abort or refusal. */
  static connect(url: string, opts: ConnectOptions = {}): Promise<RelayConnection> {
    const timeoutMs = opts.timeoutMs ?? 8000;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) return reject(abortError(opts.signal));
      let ws: WebSocket;
      try {
        ws = new WebSocket(url, { maxPayload: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD, handshakeTimeout: timeoutMs, perMessageDeflate: false });
      } catch (err) {
        return reject(new Error(`${url}: cannot connect: ${(err as Error).message}`));
      }
      const timer = setTimeout(() => fail(new RelayTimeout(`${url}: no connection after ${timeoutMs} ms`)), timeoutMs);
      const onAbort = (): void => fail(abortError(opts.signal));
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
      const onError = (err: Error): void => fail(new Error(`${url}: cannot connect: ${err.message}`));
      const onOpen = (): void => {
        cleanup();
        const conn = new RelayConnection(url, ws, Math.max(1, opts.maxSubscriptions ?? 20), opts.maxMessageLength ?? Infinity);
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

  /** Closes the socket and fails every pending wait. Idempotent. */
  close(): void {
    this.shutdown(new Error(`${this.url}: connection closed by us`));
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }

  send(frame: Frame): void {
    if (this.closedWith) throw this.closedWith;
    const text = JSON.stringify(frame);
    const size = Buffer.byteLength(text);
    if (size > this.maxMessageLength) throw new Error(`${this.url}: message of ${size} bytes is over the relay's max_message_length ${this.maxMessageLength}`);
    this.bytesOut += size;
    this.ws.send(text);
  }

  /** Events of a REQ until EOSE. Throws RelayRefusal on CLOSED or an error NOTICE, RelayTimeout on silence. */
  async *req(filters: Filter[], opts: WaitOptions = {}): AsyncGenerator<NostrEvent> {
    const sub = await this.acquire(opts.signal);
    const queue: NostrEvent[] = [];
    let done = false;
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    let answered = false;
    const idleMs = opts.idleMs ?? 20_000;
    let timer: NodeJS.Timeout | null = null;
    const poke = (): void => {
      const w = wake;
      wake = null;
      w?.();
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        failure = new RelayTimeout(`${this.url}: no answer to a REQ for ${idleMs} ms`);
        poke();
      }, idleMs);
    };
    const onAbort = (): void => {
      failure = abortError(opts.signal);
      poke();
    };
    this.listeners.set(sub, {
      onFrame: (f) => {
        answered = true;
        arm();
        if (f[0] === 'EVENT' && f[2] && typeof f[2] === 'object') {
          queue.push(f[2] as NostrEvent);
          if (queue.length > HIGH_WATER) this.pause();
        } else if (f[0] === 'EOSE') done = true;
        else if (f[0] === 'CLOSED') failure = new RelayRefusal(this.url, 'CLOSED', String(f[2] ?? ''));
        poke();
      },
      onNotice: (m) => {
        if (!answered && isErrorNotice(m)) {
          failure = new RelayRefusal(this.url, 'NOTICE', m);
          poke();
        }
      },
      onClose: (err) => {
        failure = err;
        poke();
      },
    });
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      this.send(['REQ', sub, ...filters]);
      arm();
      for (;;) {
        while (queue.length > 0) {
          if (opts.signal?.aborted) throw abortError(opts.signal);
          if (this.paused && queue.length < LOW_WATER) this.resume();
          yield queue.shift() as NostrEvent;
        }
        if (failure) throw failure;
        if (done) return;
        if (this.paused) this.resume();
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      this.listeners.delete(sub);
      const ended = failure as Error | null;
      if (!this.closedWith && !(ended instanceof RelayRefusal && ended.via === 'CLOSED')) {
        try {
          this.send(['CLOSE', sub]);
        } catch {
          // the connection went away meanwhile: nothing left to close
        }
      }
      if (this.paused) this.resume();
      this.release();
    }
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
          reject(abortError(opts.signal));
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
            if (isErrorNotice(m)) finish(null);
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
      if (opts.signal?.aborted) return reject(abortError(opts.signal));
      const timeoutMs = opts.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        cleanup();
        reject(new RelayTimeout(`${this.url}: no OK for event ${event.id} after ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = (): void => {
        cleanup();
        reject(abortError(opts.signal));
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
      this.listeners.delete(sub);
      if (!this.closedWith && !endedByRelay) {
        try {
          this.send(['NEG-CLOSE', sub]);
        } catch {
          // connection already gone
        }
      }
      this.release();
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
        if (!answered) {
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
        const onAbort = (): void => reject(abortError(signal));
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

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.ws.pause();
    }
  }

  private resume(): void {
    if (this.paused) {
      this.paused = false;
      this.ws.resume();
    }
  }

  private receive(data: WebSocket.RawData): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    this.bytesIn += buf.length;
    let frame: unknown;
    try {
      frame = JSON.parse(buf.toString('utf8'));
    } catch {
      return; // a relay's garbage frame: nothing to route it to
    }
    if (!Array.isArray(frame) || typeof frame[0] !== 'string') return;
    const type = frame[0];
    if (type === 'NOTICE') {
      const m = String(frame[1] ?? '');
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
    l?.onFrame(frame);
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
