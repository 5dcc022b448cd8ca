// A bare WebSocket Nostr client for tests: sends raw frames and waits for raw answers, so tests see exactly
// what a relay (healthy or faulty) sends.
import WebSocket from 'ws';
import type { NostrEvent } from '../../src/devkit/events';

export type RelayMessage = [string, ...unknown[]];

export class RawClient {
  readonly messages: unknown[] = [];
  /** Frames that were not valid JSON. */
  readonly garbage: string[] = [];
  closed = false;
  closeCode: number | null = null;
  error: Error | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      try {
        this.messages.push(JSON.parse(text));
      } catch {
        this.garbage.push(text);
      }
      this.wake();
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.wake();
    });
    ws.on('error', (err) => {
      this.error = err;
      this.wake();
    });
  }

  static connect(url: string, opts: { timeoutMs?: number; maxPayload?: number } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: opts.maxPayload });
      const client = new RawClient(ws);
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`connect ${url}: timed out`));
      }, opts.timeoutMs ?? 5000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(client);
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.once('close', () => {
        clearTimeout(timer);
        reject(new Error(`connect ${url}: closed before open`));
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first message (from `from` on) matching `pred`; rejects on timeout or close. */
  async waitFor(pred: (m: RelayMessage) => boolean, timeoutMs = 5000, from = 0): Promise<RelayMessage> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < this.messages.length; i++) {
        const m = this.messages[i];
        if (Array.isArray(m) && pred(m as RelayMessage)) return m as RelayMessage;
      }
      if (this.closed) throw new Error(`connection closed (code ${this.closeCode}) while waiting`);
      const left = end - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** REQ and collect events until EOSE (or CLOSED). */
  async req(sub: string, filters: object[], timeoutMs = 10_000): Promise<{ events: NostrEvent[]; end: RelayMessage }> {
    const from = this.messages.length;
    this.send(['REQ', sub, ...filters]);
    const end = await this.waitFor((m) => (m[0] === 'EOSE' || m[0] === 'CLOSED') && m[1] === sub, timeoutMs, from);
    const events = this.messages
      .slice(from)
      .filter((m): m is ['EVENT', string, NostrEvent] => Array.isArray(m) && m[0] === 'EVENT' && m[1] === sub)
      .map((m) => m[2]);
    return { events, end };
  }

  async publish(event: NostrEvent, timeoutMs = 5000): Promise<RelayMessage> {
    const from = this.messages.length;
    this.send(['EVENT', event]);
    return this.waitFor((m) => m[0] === 'OK' && m[1] === event.id, timeoutMs, from);
  }

  close(): void {
    this.ws.terminate();
  }
}
