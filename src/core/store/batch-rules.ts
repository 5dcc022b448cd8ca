/**
 * Events of one import batch that the batch itself makes superseded, kept out of it before the store sees it.
 *
 * strfry writes a batch sorted by created_at: an older version of a replaceable or addressable event is written
 * and removed at once by the newer one of the same batch, and an event a kind 5 of the same batch deletes is
 * written then deleted (or never written) — and `strfry import` counts the removed ones as added
 * (../shared/spec/strfry-import.md). A relay answers them `OK true` or `replaced:`/`deleted:` depending on the
 * order they arrive in. Either way the store will not hold them; left in, they would be counted as imported.
 * So each store drops them first and answers for them as superseded, the way strfry decides (events.cpp
 * writeEvents, 1.1.1-144):
 * - replaceable kinds (0, 3, 41, 10000–19999) by author and kind, addressable ones (30000–39999) by author, kind
 *   and first `d` tag: the newest is kept (same created_at: the smaller id);
 * - a kind 5 removes the events of its author its `e` tags name, and by `a` tag the addressable versions of its
 *   author no newer than itself.
 * Not covered (strfry also does it, rare enough to leave to its own counts): a gift wrap deleted by its
 * recipient, and a kind 5 that a kind 5 of the same batch deletes.
 */
import type { Event as NostrEvent } from 'nostr-tools';

export const isReplaceableKind = (k: number): boolean => k === 0 || k === 3 || k === 41 || (k >= 10_000 && k < 20_000);
export const isAddressableKind = (k: number): boolean => k >= 30_000 && k < 40_000;
const DELETION = 5;
/** strfry indexes tag values up to this many bytes; a longer `d` is as if absent. */
const MAX_INDEXED_TAG_VAL_SIZE = 255;

/** The address a replaceable or addressable event is kept under (`kind:author:d`), else null. */
export function addressOf(e: Pick<NostrEvent, 'kind' | 'pubkey' | 'tags'>): string | null {
  if (isReplaceableKind(e.kind)) return `${e.kind}:${e.pubkey}:`;
  if (!isAddressableKind(e.kind)) return null;
  const d = e.tags.find((t) => t[0] === 'd' && Buffer.byteLength(t[1] ?? '') <= MAX_INDEXED_TAG_VAL_SIZE);
  return `${e.kind}:${e.pubkey}:${d?.[1] ?? ''}`;
}

/** NIP-01: `a` loses to `b` when older, or as old with a larger id. */
const loses = (a: NostrEvent, b: NostrEvent): boolean => a.created_at < b.created_at || (a.created_at === b.created_at && a.id > b.id);

/** The batch as the rules need it: its size, each event's kind, id and author, and the event when asked. */
export interface BatchView {
  length: number;
  kind(i: number): number;
  idHex(i: number): string;
  pubkeyHex(i: number): string;
  event(i: number): NostrEvent;
}

export function viewOf(events: readonly NostrEvent[]): BatchView {
  return {
    length: events.length,
    kind: (i) => (events[i] as NostrEvent).kind,
    idHex: (i) => (events[i] as NostrEvent).id,
    pubkeyHex: (i) => (events[i] as NostrEvent).pubkey,
    event: (i) => events[i] as NostrEvent,
  };
}

/** Indexes (ascending) of the batch's events that other events of the batch supersede or delete. */
export function supersededInBatch(b: BatchView): number[] {
  // Only replaceable, addressable and kind 5 events are parsed back; regular ones are judged by id and author.
  const parsed = new Map<number, NostrEvent>();
  const newest = new Map<string, number>();
  const deletesById = new Set<string>();
  const deletesByAddress = new Map<string, number>();
  for (let i = 0; i < b.length; i++) {
    const k = b.kind(i);
    if (k !== DELETION && !isReplaceableKind(k) && !isAddressableKind(k)) continue;
    const e = b.event(i);
    parsed.set(i, e);
    if (k === DELETION) {
      for (const t of e.tags) {
        if (t[0] === 'e' && typeof t[1] === 'string' && /^[0-9a-f]{64}$/.test(t[1])) deletesById.add(`${t[1]}:${e.pubkey}`);
        else if (t[0] === 'a' && typeof t[1] === 'string') {
          const [kind, author] = t[1].split(':');
          if (author === e.pubkey && /^\d+$/.test(kind ?? '') && isAddressableKind(Number(kind))) {
            deletesByAddress.set(t[1], Math.max(deletesByAddress.get(t[1]) ?? -1, e.created_at));
          }
        }
      }
      continue;
    }
    const addr = addressOf(e) as string;
    const best = newest.get(addr);
    if (best === undefined || loses(parsed.get(best) as NostrEvent, e)) newest.set(addr, i);
  }
  const drop: number[] = [];
  for (let i = 0; i < b.length; i++) {
    if (deletesById.size > 0 && deletesById.has(`${b.idHex(i)}:${b.pubkeyHex(i)}`)) {
      drop.push(i);
      continue;
    }
    const e = parsed.get(i);
    if (!e || e.kind === DELETION) continue;
    const addr = addressOf(e) as string;
    if (newest.get(addr) !== i) drop.push(i);
    else if (isAddressableKind(e.kind) && e.created_at <= (deletesByAddress.get(addr) ?? -1)) drop.push(i);
  }
  return drop;
}
