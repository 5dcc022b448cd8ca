/**
 * A live stream of new events: one REQ per filter group, each new event handed on. The REQs carry `limit: 0`
 * and no `since`: the relay answers no stored event, then streams every event it stores from now on, whatever
 * its created_at (an event written late, or relayed from elsewhere, is new to the relay too; a `since` would
 * hide it). What was stored before is the catch-up's. `update()` follows a changed member set: the REQs of new
 * groups are opened before those of vanished groups are closed, so no moment goes uncovered.
 */
import type { Filter } from 'nostr-tools';
import type { RelayConnection } from '../nostr';
import type { FilterGroup } from './plan';

interface OpenGroup {
  group: FilterGroup;
  filters: Filter[];
  close: () => void;
}

export interface DownHandlers {
  /** One event from the peer on `filters`. */
  onEvent(raw: unknown, filters: readonly Filter[]): void;
  /** A subscription ended (the relay closed it, or the connection went): the stream is broken. */
  onEnd(err: Error): void;
}

export class DownStream {
  private readonly open = new Map<string, OpenGroup>();
  private ended = false;

  constructor(
    private readonly conn: RelayConnection,
    private readonly handlers: DownHandlers,
  ) {}

  get groups(): number {
    return this.open.size;
  }

  /** Subscribes the groups not open yet, then closes the ones no longer wanted. */
  async update(groups: readonly FilterGroup[], signal?: AbortSignal): Promise<void> {
    const wanted = new Set(groups.map((g) => g.key));
    for (const g of groups) {
      if (this.open.has(g.key) || this.ended) continue;
      const filters = g.filters.map((f) => ({ ...f, limit: 0 }));
      const entry: OpenGroup = { group: g, filters, close: () => undefined };
      this.open.set(g.key, entry);
      try {
        const s = await this.conn.subscribe(
          filters,
          {
            onEvent: (raw) => this.handlers.onEvent(raw, filters),
            onEnd: (err) => {
              if (this.open.get(g.key) !== entry) return;
              this.open.delete(g.key);
              this.fail(err);
            },
          },
          signal,
        );
        entry.close = s.close;
        if (this.open.get(g.key) !== entry) s.close();
      } catch (err) {
        if (this.open.get(g.key) === entry) this.open.delete(g.key);
        throw err;
      }
    }
    for (const [key, o] of [...this.open]) {
      if (wanted.has(key)) continue;
      this.open.delete(key);
      o.close();
    }
  }

  private fail(err: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.handlers.onEnd(err);
  }

  close(): void {
    this.ended = true;
    for (const o of this.open.values()) o.close();
    this.open.clear();
  }
}

const ZERO_ID = '0'.repeat(64);

/**
 * Proves a connection alive: one REQ the relay answers at once (an id nobody holds) within `timeoutMs`. An
 * idle WebSocket through a dead tunnel, or after the machine slept, shows nothing until something is sent.
 */
export async function proveAlive(conn: RelayConnection, timeoutMs: number, signal: AbortSignal): Promise<void> {
  for await (const _ of conn.req([{ ids: [ZERO_ID], limit: 1 }], { idleMs: timeoutMs, signal })) void _;
}
