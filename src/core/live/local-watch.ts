/**
 * The up path's source: a live subscription on the station's own relay for the members' events. Whatever
 * appears there — written by a local user, imported by the hourly run or by live sync from another peer —
 * is handed on (the links decide which peers lack it). strfry streams events written by any process, `strfry
 * import` included (its ReqMonitor watches the database file), so imports show up here too.
 *
 * It asks for new events only (`limit: 0`): what appeared while it was away is not replayed here but
 * reconciled with each peer (the links' catch-up, from `onGap`), which knows what each peer lacks.
 */
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import { isWellFormed, type RelayConnection } from '../nostr';
import type { Logger } from '../log';
import { reason, reasonOf, type Reason } from '../../shared/i18n';
import { Backoff } from './backoff';
import type { LivePlan } from './plan';
import { StreamLoop } from './stream-loop';
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


export class LocalWatch extends StreamLoop {
  connected = false;
  /** why the local subscription is down, null while it runs */
  why: Reason | null = null;
  /** last moment (s) the subscription was known to be live */
  private aliveAt: number | null = null;
  private readyNow: () => void = () => undefined;
  /** Resolves once the subscription is open or its first try failed (links start after it: an event a link's
   * first catch-up imports must be seen here to go up to the other peers). */
  readonly ready = new Promise<void>((r) => (this.readyNow = r));

  constructor(private readonly d: LocalWatchDeps) {
    super();
  }

  protected override stopping(): void {
    this.readyNow();
  }

  protected filters(): readonly Filter[] {
    return this.d.plan().up;
  }

  protected replanFailed(why: Reason): void {
    this.d.log.warn(reason('live.log', { why: reason('live.localRelay', { url: this.d.url(), why }) }));
  }

  protected async run(): Promise<void> {
    const signal = this.stop$.signal;
    const backoff = new Backoff(this.d.timing.backoffFirstMs, this.d.timing.backoffMaxMs);
    while (!signal.aborted) {
      const url = this.d.url();
      let upAt = 0;
      try {
        const { conn, ended } = await this.subscribe(
          url,
          this.d.nip11TimeoutMs,
          (limits) => ({ timeoutMs: this.d.connectTimeoutMs, maxSubscriptions: 100, maxMessageLength: limits.maxMessageLength }),
          (raw) => this.take(raw),
        );
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
        this.why = reason('live.localRelay', { url, why: withoutUrl(reasonOf(err), url) });
        if (this.connected || backoff.tries === 0) this.d.log.warn(reason('live.log', { why: this.why }));
        this.readyNow();
      } finally {
        this.unsubscribe();
        if (this.connected) {
          this.connected = false;
          this.d.changed();
        }
      }
      if (upAt && this.d.clock() - upAt >= this.d.timing.stableMs) backoff.reset();
      await this.sleep(backoff.next());
    }
  }

  /** Proves the subscription alive now and then; resolves with the reason it ended. */
  private async keepAlive(conn: RelayConnection, ended: Promise<Error>): Promise<Error> {
    for (;;) {
      const r = (await this.sleepOrEnd(this.d.timing.keepaliveMs, ended)) ?? (await this.proven(conn, this.d.timing.keepaliveTimeoutMs));
      if (r) return r;
      this.aliveAt = Math.floor(this.d.clock() / 1000);
    }
  }

  private take(raw: unknown): void {
    if (!isWellFormed(raw)) return;
    this.aliveAt = Math.floor(this.d.clock() / 1000);
    this.d.onEvent(raw);
  }
}

/** The local relay's reason without its URL first (the line names it already). */
function withoutUrl(why: Reason, url: string): Reason {
  const inner = why.code === 'relay.at' && why.params?.url === url ? why.params.why : undefined;
  if (inner && typeof inner === 'object' && !Array.isArray(inner)) return inner as Reason;
  const text = why.code === 'text' ? why.params?.text : undefined;
  return typeof text === 'string' && text.startsWith(`${url}: `) ? { code: 'text', params: { text: text.slice(url.length + 2) } } : why;
}
