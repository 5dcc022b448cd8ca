/**
 * What one peer may cost a run (issue 15). Every bound is a named setting whose default a real station never
 * meets (README, "What a peer may cost"); a peer that meets one is cut, reported with the bound's name, and the
 * run goes on with the others:
 *   peerMaxEvents, peerMaxMegabytes   events and bytes one peer may send in a run (all its attempts together)
 *   negMaxRounds, negMaxNeed          one NIP-77 reconciliation; past them the filter's window is paged instead
 *   runDeadlineSeconds                the whole run; unfinished peers are cut, the run ends
 * and one taken from the local store itself: an event larger than the store takes (strfry's maxEventSize) is
 * dropped before it is parsed, and the socket's largest frame is kept near that size (relay.ts).
 */
import { readFile } from 'node:fs/promises';
import type { Settings } from '../../shared/schemas';
import type { LocalStore } from '../services';
import { fetchRelayInfo, relayLimits } from '../nostr';
import { readMaxEventSize, STRFRY_DEFAULT_MAX_EVENT_SIZE } from '../store/strfry-store';
import { reason, ReasonError } from '../../shared/i18n';

/** A bound met: the peer is cut (no retry in this run). */
export class PeerCut extends ReasonError {
  override name = 'PeerCut';
}

export interface PeerBounds {
  maxEvents: number;
  maxBytes: number;
  negMaxRounds: number;
  negMaxNeed: number;
  /** the local store's largest event, in bytes */
  maxEventSize: number;
}

export function peerBounds(s: Settings, maxEventSize: number): PeerBounds {
  return {
    maxEvents: s.peerMaxEvents,
    maxBytes: Math.floor(s.peerMaxMegabytes * 1024 * 1024),
    negMaxRounds: s.negMaxRounds,
    negMaxNeed: s.negMaxNeed,
    maxEventSize,
  };
}

/** One peer's spending over a run, across its attempts. */
export class PeerBudget {
  events = 0;
  bytes = 0;

  constructor(readonly bounds: PeerBounds) {}

  /** One more event from the peer; throws PeerCut past peerMaxEvents. */
  event(): void {
    if (++this.events > this.bounds.maxEvents) {
      throw new PeerCut(reason('bound.peerMaxEvents', { max: this.bounds.maxEvents }));
    }
  }

  /** Bytes the peer may still send in this run (the next connection's limit). */
  get bytesLeft(): number {
    return Math.max(0, this.bounds.maxBytes - this.bytes);
  }
}

/**
 * The local store's largest event: strfry's `events.maxEventSize` (read from strfry.conf at each run: the captain
 * may change it), or a relay store's NIP-11 max_message_length (an EVENT message must fit in it).
 */
export async function localMaxEventSize(store: LocalStore, settings: Settings, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  if (store.kind === 'strfry') {
    try {
      return readMaxEventSize(await readFile(settings.strfryConf, 'utf8'));
    } catch {
      return STRFRY_DEFAULT_MAX_EVENT_SIZE; // strfry itself will say what is wrong with its config
    }
  }
  const info = await fetchRelayInfo(settings.relayUrl, { timeoutMs, signal }).catch(() => null);
  return relayLimits(info).maxMessageLength;
}
