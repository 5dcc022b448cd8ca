/**
 * The up path's source: a live subscription on the station's own relay for the members' events. Whatever
 * appears there — written by a local user, imported by the hourly run or by live sync from another peer —
 * is handed on (the links decide which peers lack it). strfry streams events written by any process, `strfry
 * import` included (its ReqMonitor watches the database file), so imports show up here too.
 *
 * It asks for new events only (`limit: 0`): what appeared while it was away is not replayed here but
 * reconciled with each peer (the links' catch-up, from `onGap`), which knows what each peer lacks.
 */
import type { Event as NostrEvent } from 'nostr-tools';
import { RelayConnection, fetchRelayInfo, isWellFormed, relayLimits, type Limits } from '../nostr';
import type { Logger } from '../log';
import { reason, reasonOf, textReason, type Reason } from '../../shared/i18n';
import { Backoff, pause } from './backoff';
import { DownStream, proveAlive } from './down';
import { groupFilters, reqBudget, type LivePlan } from './plan';
import type { LiveTiming } from './timing';

export interface LocalWatchDeps {
  url: () => string;
  timing: LiveTiming;
  connectTimeoutMs: number;
  nip11TimeoutMs: number;
  clock: () => number;
  log: Logger;
  plan: () => LivePlan;
  onEvent(e: NostrEvent): void;
  /** The watch was away from `sinceSec` (relay restart, sleep): the links reconcile that gap. */
  onGap(sinceSec: number): void;
  changed(): void;
}


export class LocalWatch {
  connected = false;
  /** why the local subscription is down, null while it runs */
  why: Reason | null = null;
  private readonly stop$ = new AbortController();
  private conn: RelayConnection | null = null;
  private down: DownStream | null = null;
  private limits: Limits | null = null;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** last moment (s) the subscription was known to be live */
  private aliveAt: number | null = null;
  private readyNow: () => void = () => undefined;
  /** Resolves once the subscription is open or its first try failed (links start after it: an event a link's
   * first catch-up imports must be seen here to go up to the other peers). */
  readonly ready = new Promise<void>((r) => (this.readyNow = r));

  constructor(private readonly d: LocalWatchDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stop$.abort();
    this.readyNow();
    this.down?.close();
    this.conn?.close();
    this.wakeUp?.();
    await this.loop;
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** The member set changed: subscribe the new groups (the old ones close). */
  async replan(): Promise<void> {
    if (!this.down || !this.limits) return;
    try {
      await this.down.update(this.groups(this.limits), this.stop$.signal);
    } catch (err) {
      // a refused REQ or a dropped connection: the loop reconnects with the new plan
      this.d.log.warn(reason('live.log', { why: reason('live.localRelay', { url: this.d.url(), why: reasonOf(err) }) }));
      this.conn?.close();
    }
  }

  private groups(limits: Limits) {
    return groupFilters(this.d.plan().up, reqBudget(limits.maxMessageLength));
  }

  private async run(): Promise<void> {
    const signal = this.stop$.signal;
    const backoff = new Backoff(this.d.timing.backoffFirstMs, this.d.timing.backoffMaxMs);
    while (!signal.aborted) {
      const url = this.d.url();
      let ended: Promise<Error> | null = null;
      let upAt = 0;
      try {
        const info = await fetchRelayInfo(url, { timeoutMs: this.d.nip11TimeoutMs, signal }).catch(() => null);
        this.limits = relayLimits(info);
        const conn = await RelayConnection.connect(url, { timeoutMs: this.d.connectTimeoutMs, signal, maxSubscriptions: 100, maxMessageLength: this.limits.maxMessageLength });
        this.conn = conn;
        let endWith: (err: Error) => void = () => undefined;
        ended = new Promise<Error>((r) => (endWith = r));
        this.down = new DownStream(conn, { onEvent: (raw) => this.take(raw), onEnd: endWith });
        await this.down.update(this.groups(this.limits), signal);
        upAt = this.d.clock();
        if (this.aliveAt !== null) this.d.onGap(this.aliveAt);
        this.aliveAt = Math.floor(upAt / 1000);
        this.connected = true;
        this.why = null;
        this.readyNow();
        this.d.changed();
        const err = await this.keepAlive(conn, ended);
        if (!signal.aborted) throw err;
      } catch (err) {
        if (signal.aborted) break;
        this.why = reason('live.localRelay', { url, why: textReason((err as Error).message.replace(`${url}: `, '')) });
        if (this.connected || backoff.tries === 0) this.d.log.warn(reason('live.log', { why: this.why }));
        this.readyNow();
      } finally {
        this.down?.close();
        this.conn?.close();
        this.down = null;
        this.conn = null;
        if (this.connected) {
          this.connected = false;
          this.d.changed();
        }
      }
      if (upAt && this.d.clock() - upAt >= this.d.timing.stableMs) backoff.reset();
      const p = pause(backoff.next(), signal);
      this.wakeUp = p.wake;
      await p.done;
      this.wakeUp = null;
    }
  }

  /** Proves the subscription alive now and then; resolves with the reason it ended. */
  private async keepAlive(conn: RelayConnection, ended: Promise<Error>): Promise<Error> {
    const signal = this.stop$.signal;
    for (;;) {
      const p = pause(this.d.timing.keepaliveMs, signal);
      this.wakeUp = p.wake;
      const r = await Promise.race([ended, p.done.then(() => null)]);
      this.wakeUp = null;
      if (r) return r;
      if (signal.aborted) return new Error('stopped');
      try {
        await proveAlive(conn, this.d.timing.keepaliveTimeoutMs, signal);
        this.aliveAt = Math.floor(this.d.clock() / 1000);
      } catch (err) {
        conn.close();
        return err as Error;
      }
    }
  }

  private take(raw: unknown): void {
    if (!isWellFormed(raw)) return;
    this.aliveAt = Math.floor(this.d.clock() / 1000);
    this.d.onEvent(raw);
  }
}
