/**
 * Sends events up to one peer over its connection: `EVENT`s in order, at most `inFlight` unanswered, a bounded
 * queue, each answer counted. An `OK false` about the event itself (invalid:, pow:, deleted:, replaced:,
 * error:) is counted by its reason; any other refusal (auth-required:, blocked:, restricted:, rate-limited:, a
 * write-policy message) means the peer refuses this station's writes: it is shown as such and left alone for
 * a while (doubling), not hammered — the next catch-up or hourly reconciliation sends what it missed.
 */
import type { Event as NostrEvent } from 'nostr-tools';
import { parseReason, type RelayConnection } from '../nostr';
import { reasonKey } from '../store/relay-store';
import type { Holders } from './holders';

/** OK-false prefixes that concern the event, not the peer's will to take this station's events. */
const PER_EVENT = new Set(['invalid', 'pow', 'deleted', 'replaced', 'error', 'duplicate']);

export type Answer =
  | { outcome: 'accepted' | 'duplicate'; event: NostrEvent }
  | { outcome: 'rejected'; event: NostrEvent; reason: string }
  | { outcome: 'refusing'; event: NostrEvent; reason: string; retryAt: number }
  | { outcome: 'unanswered'; event: NostrEvent; reason: string };

export interface PublisherOptions {
  peer: string;
  inFlight: number;
  maxQueue: number;
  timeoutMs: number;
  refuseBackoffMs: number;
  refuseBackoffMaxMs: number;
  clock: () => number;
  holders?: Holders;
  onAnswer(a: Answer): void;
}

/** Does this OK-false reason say the peer refuses our writes (rather than this one event)? */
export function refusesWrites(message: string): boolean {
  const { prefix } = parseReason(message);
  return !PER_EVENT.has(prefix);
}

export class Publisher {
  private readonly queue: NostrEvent[] = [];
  private head = 0;
  private active = 0;
  private closed = false;
  private refusedUntil = 0;
  private refuseWait: number;
  private idleWaiters: Array<{ n: number; wake: () => void }> = [];
  /** ids queued or unanswered (one EVENT per id at a time: OK answers are matched by id) */
  private readonly pendingIds = new Set<string>();
  /** events not sent because the queue was full or the peer refused writes */
  skipped = 0;

  constructor(
    private readonly conn: RelayConnection,
    private readonly o: PublisherOptions,
  ) {
    this.refuseWait = o.refuseBackoffMs;
  }

  /** True while the peer refuses writes (until the back-off ends). */
  get refusing(): boolean {
    return this.o.clock() < this.refusedUntil;
  }

  get waiting(): number {
    return this.queue.length - this.head + this.active;
  }

  /** Queues one event; false when it is not going to be sent (peer refusing, queue full, closed, held). */
  enqueue(e: NostrEvent): boolean {
    if (this.closed || this.refusing || this.pendingIds.has(e.id) || this.o.holders?.has(e.id, this.o.peer)) return false;
    if (this.queue.length - this.head >= this.o.maxQueue) {
      this.skipped++;
      return false;
    }
    this.queue.push(e);
    this.pendingIds.add(e.id);
    this.pump();
    return true;
  }

  /** Resolves when nothing is queued or unanswered. */
  idle(): Promise<void> {
    return this.atMost(0);
  }

  /** Resolves when at most `n` events are queued or unanswered (a reader feeding the queue waits on it). */
  atMost(n: number): Promise<void> {
    if (this.waiting <= n || this.closed) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push({ n, wake: r }));
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.head = 0;
    this.pendingIds.clear();
    this.wakeIdle();
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const waiting = this.waiting;
    const still = this.idleWaiters.filter((w) => waiting > w.n && !this.closed);
    const woken = this.idleWaiters.filter((w) => !still.includes(w));
    this.idleWaiters = still;
    for (const w of woken) w.wake();
  }

  private pump(): void {
    while (!this.closed && this.active < this.o.inFlight && this.head < this.queue.length) {
      if (this.refusing) {
        this.skipped += this.queue.length - this.head;
        for (let i = this.head; i < this.queue.length; i++) this.pendingIds.delete((this.queue[i] as NostrEvent).id);
        this.queue.length = 0;
        this.head = 0;
        break;
      }
      const e = this.queue[this.head] as NostrEvent;
      this.queue[this.head++] = undefined as unknown as NostrEvent;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      // it may have come from this peer meanwhile
      if (this.o.holders?.has(e.id, this.o.peer)) {
        this.pendingIds.delete(e.id);
        continue;
      }
      this.active++;
      void this.send(e).finally(() => {
        this.pendingIds.delete(e.id);
        this.active--;
        this.pump();
        this.wakeIdle();
      });
    }
    if (this.head >= this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    }
  }

  private async send(e: NostrEvent): Promise<void> {
    let ok: { ok: boolean; message: string };
    try {
      ok = await this.conn.publish(e, { timeoutMs: this.o.timeoutMs });
    } catch (err) {
      this.o.onAnswer({ outcome: 'unanswered', event: e, reason: (err as Error).message });
      return;
    }
    if (ok.ok || /^duplicate:/i.test(ok.message)) {
      this.o.holders?.add(e.id, this.o.peer);
      this.refuseWait = this.o.refuseBackoffMs;
      this.o.onAnswer({ outcome: ok.ok && !/^duplicate:/i.test(ok.message) ? 'accepted' : 'duplicate', event: e });
      return;
    }
    const reason = reasonKey(ok.message);
    if (!refusesWrites(ok.message)) {
      this.o.onAnswer({ outcome: 'rejected', event: e, reason });
      return;
    }
    if (!this.refusing) {
      this.refusedUntil = this.o.clock() + this.refuseWait;
      this.refuseWait = Math.min(this.o.refuseBackoffMaxMs, this.refuseWait * 2);
    }
    this.o.onAnswer({ outcome: 'refusing', event: e, reason, retryAt: this.refusedUntil });
  }
}
