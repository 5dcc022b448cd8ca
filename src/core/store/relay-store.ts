/**
 * The local store as any NIP-01 relay over WebSocket (settings.relayUrl).
 *
 * import = publish EVENTs, a bounded number in flight, reading the OK answers: `duplicate:` → duplicate,
 * `replaced:`/`deleted:` → superseded, other `false` → rejected (counted by reason). query = REQ paging (complete
 * past max_limit). ids = paging. has = REQ `{"ids":[…]}` in chunks. count = COUNT (NIP-45), else paging.
 */
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import type { ImportResult, LocalStore } from '../services';
import { RelayConnection, fetchRelayInfo, relayLimits, subscriptionBudget, pageEvents, fetchByIds, type Limits } from '../nostr';
import type { Timeouts } from '../config';
import { systemLookup } from '../util/net';
import { PackedEvents, type PackedImport } from './packed';
import { supersededInBatch, viewOf } from './batch-rules';
import { reasonKey } from './reasons';
import { forEachLimited } from '../util/limit';
import { reason, reasonOf, ReasonError } from '../../shared/i18n';

export { reasonKey };

const PUBLISH_IN_FLIGHT = 64;


export class RelayStore implements LocalStore, PackedImport {
  readonly kind = 'relay' as const;
  readonly packedImport = true as const;
  readonly description: string;
  private conn: Promise<RelayConnection> | null = null;
  private limits: Limits | null = null;

  constructor(
    readonly url: string,
    private readonly timeouts: Timeouts,
  ) {
    this.description = `relay ${url}`;
  }

  private async connection(signal?: AbortSignal): Promise<{ conn: RelayConnection; limits: Limits }> {
    if (!this.limits) {
      // the station's own relay, chosen by the captain: its name may well resolve to this machine's loopback
      const info = await fetchRelayInfo(this.url, { timeoutMs: this.timeouts.nip11, signal, lookup: systemLookup }).catch(() => null);
      this.limits = relayLimits(info);
    }
    const limits = this.limits;
    const existing = this.conn ? await this.conn.catch(() => null) : null;
    if (!existing || existing.closed) {
      this.conn = RelayConnection.connect(this.url, {
        timeoutMs: this.timeouts.connect,
        maxSubscriptions: subscriptionBudget(limits),
        maxMessageLength: limits.maxMessageLength,
        // the station's own relay, on this machine: compressing would only cost CPU
        deflate: false,
        lookup: systemLookup,
      }).catch((err: unknown) => {
        this.conn = null;
        throw new ReasonError(reason('store.local', { why: reasonOf(err) }));
      });
    }
    return { conn: await (this.conn as Promise<RelayConnection>), limits };
  }

  async *query(filter: Filter, signal?: AbortSignal): AsyncIterable<NostrEvent> {
    const { conn, limits } = await this.connection(signal);
    yield* pageEvents(conn, filter, { pageSize: limits.maxLimit, idleMs: this.timeouts.idle, signal });
  }

  async ids(filter: Filter, signal?: AbortSignal): Promise<Array<{ id: string; created_at: number }>> {
    const out: Array<{ id: string; created_at: number }> = [];
    for await (const e of this.query(filter, signal)) out.push({ id: e.id, created_at: e.created_at });
    return out;
  }

  async has(ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    if (ids.length === 0) return found;
    const { conn, limits } = await this.connection();
    const chunk = Math.min(limits.maxLimit, limits.maxFilterElements);
    for await (const e of fetchByIds(conn, ids, { chunk, inFlight: 4, idleMs: this.timeouts.idle })) found.add(e.id);
    return found;
  }

  async count(filter: Filter): Promise<number | null> {
    const { conn } = await this.connection();
    const n = await conn.count([filter], { idleMs: this.timeouts.negProbe });
    if (n !== null) return n;
    let c = 0;
    for await (const _ of this.query(filter)) c++;
    return c;
  }

  /**
   * Events, or a packed batch (each event parsed back just before it is published). Versions and deleted events
   * the batch itself supersedes are not sent (batch-rules.ts: otherwise the order of the OKs would decide);
   * `replaced:` and `deleted:` answers (strfry: `replaced: have newer event`, `deleted: user requested
   * deletion`) are superseded events, answered for like strfry import's `replaced`/`deleted`.
   */
  async import(events: readonly NostrEvent[] | PackedEvents, _opts: { verify: boolean }, signal?: AbortSignal): Promise<ImportResult> {
    // A relay verifies ids and signatures itself on EVENT: `verify` changes nothing here.
    const result: ImportResult = { added: 0, duplicates: 0, rejected: 0, superseded: 0, reasons: {}, bytes: 0 };
    if (events.length === 0) return result;
    const packed = events instanceof PackedEvents ? events : null;
    const skip = new Set(supersededInBatch(packed ?? viewOf(events as readonly NostrEvent[])));
    result.superseded = skip.size;
    const { conn } = await this.connection(signal);
    const before = conn.payloadOut;
    const indexes = Array.from({ length: events.length }, (_, i) => i);
    await forEachLimited(indexes, PUBLISH_IN_FLIGHT, async (i) => {
      // (a packed batch released by the caller after a failure has length 0: nothing left to publish)
      if (i >= events.length || skip.has(i)) return;
      const e = packed ? packed.event(i) : ((events as readonly NostrEvent[])[i] as NostrEvent);
      const ok = await conn.publish(e, { timeoutMs: this.timeouts.idle, signal });
      if (/^duplicate:/i.test(ok.message)) result.duplicates++;
      else if (ok.ok) result.added++;
      else if (/^(replaced|deleted):/i.test(ok.message)) result.superseded++;
      else {
        result.rejected++;
        const key = reasonKey(ok.message);
        result.reasons[key] = (result.reasons[key] ?? 0) + 1;
      }
    }, signal);
    result.bytes = conn.payloadOut - before;
    return result;
  }

  async close(): Promise<void> {
    const c = this.conn ? await this.conn.catch(() => null) : null;
    c?.close();
    this.conn = null;
  }
}

