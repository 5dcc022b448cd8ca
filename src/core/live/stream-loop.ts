/**
 * What a live subscription loop does whoever it listens to (a peer's relay: link.ts; the station's own: local-watch.ts):
 * open a connection within the relay's NIP-11 limits and subscribe its filters in groups, replace the groups
 * when the member set changes, wait between tries and keep-alives while staying wakeable (after a sleep) and
 * stoppable (stop closes the subscriptions and the connection, then waits for the loop to end).
 *
 * A subclass writes its loop (`run`), says which filters it subscribes (`filters`) and what a failed re-subscribe
 * means to it (`replanFailed`); `stopping` closes what else it holds before the connection goes.
 */
import type { Filter } from 'nostr-tools';
import { RelayConnection, fetchRelayInfo, relayLimits, type ConnectOptions, type Limits } from '../nostr';
import { reasonOf, type Reason } from '../../shared/i18n';
import { pause } from './backoff';
import { DownStream, proveAlive } from './down';
import { groupFilters, reqBudget } from './plan';

export abstract class StreamLoop {
  protected readonly stop$ = new AbortController();
  protected conn: RelayConnection | null = null;
  protected down: DownStream | null = null;
  protected limits: Limits | null = null;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;

  start(): void {
    this.loop ??= this.run();
  }

  /** Closes the subscriptions and the connection, and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stop$.abort();
    this.stopping();
    this.down?.close();
    this.conn?.close();
    this.wakeUp?.();
    await this.loop;
  }

  /** Reconnect now if waiting; prove the connection now if connected (after a sleep). */
  wake(): void {
    this.wakeUp?.();
  }

  /** The member set changed: the REQs of changed groups are replaced; on a failure the loop reconnects. */
  async replan(): Promise<void> {
    if (!this.down || !this.limits) return;
    try {
      await this.down.update(this.groups(this.limits), this.stop$.signal);
    } catch (err) {
      // a refused REQ or a dropped connection: the loop reconnects with the new plan
      this.replanFailed(reasonOf(err));
      this.conn?.close();
    }
  }

  protected abstract run(): Promise<void>;
  /** The filters to subscribe now. */
  protected abstract filters(): readonly Filter[];
  /** Says why re-subscribing after a change failed (the connection is then closed). */
  protected abstract replanFailed(why: Reason): void;
  /** Closes what the subclass holds besides the subscriptions and the connection (stop). */
  protected stopping(): void {}

  protected groups(limits: Limits) {
    return groupFilters(this.filters(), reqBudget(limits.maxMessageLength));
  }

  /**
   * Opens the connection within the relay's NIP-11 limits (its defaults when it has no document) and subscribes
   * the filters. `ended` resolves with why the stream broke (a subscription closed, the connection gone).
   */
  protected async subscribe(
    url: string,
    nip11Ms: number,
    connect: (limits: Limits) => Omit<ConnectOptions, 'signal'>,
    onEvent: (raw: unknown, filters: readonly Filter[]) => void,
  ): Promise<{ conn: RelayConnection; ended: Promise<Error> }> {
    const signal = this.stop$.signal;
    const info = await fetchRelayInfo(url, { timeoutMs: nip11Ms, signal }).catch(() => null);
    const limits = relayLimits(info);
    this.limits = limits;
    const conn = await RelayConnection.connect(url, { ...connect(limits), signal });
    this.conn = conn;
    let endWith: (err: Error) => void = () => undefined;
    const ended = new Promise<Error>((r) => (endWith = r));
    this.down = new DownStream(conn, { onEvent, onEnd: endWith });
    await this.down.update(this.groups(limits), signal);
    return { conn, ended };
  }

  /** Closes the subscriptions and the connection of the last try. */
  protected unsubscribe(): void {
    this.down?.close();
    this.down = null;
    this.conn?.close();
    this.conn = null;
  }

  /** Waits `ms` (wake or stop end it sooner). */
  protected async sleep(ms: number): Promise<void> {
    const p = pause(ms, this.stop$.signal);
    this.wakeUp = p.wake;
    await p.done;
    this.wakeUp = null;
  }

  /** Waits `ms` unless the stream ends first: why it ended, a stop (`stopped`), or null when the time came. */
  protected async sleepOrEnd(ms: number, ended: Promise<Error>): Promise<Error | null> {
    const p = pause(ms, this.stop$.signal);
    this.wakeUp = p.wake;
    const r = await Promise.race([ended, p.done.then(() => null)]);
    this.wakeUp = null;
    if (r) return r;
    return this.stop$.signal.aborted ? new Error('stopped') : null;
  }

  /** A relay round trip on the connection: null when it answered, else why (the connection is then closed). */
  protected async proven(conn: RelayConnection, timeoutMs: number): Promise<Error | null> {
    try {
      await proveAlive(conn, timeoutMs, this.stop$.signal);
      return null;
    } catch (err) {
      conn.close();
      return err as Error;
    }
  }
}
