/**
 * Follows the station folder for live sync: the member set (game/nostr, amisOfAmis.txt, the swarm's captains
 * and nodes, flashmem, less the blacklist) and the syncable peers. The station service re-reads the folder
 * when its watcher sees a change (and at most every minute); this compares each new reading with the last one
 * — a cheap identity check first, a digest only for a new reading — and calls back with what changed.
 * `station.changed` alone is not enough: a key replaced by another in amisOfAmis.txt leaves the counts, and so
 * the snapshot, unchanged.
 */
import { reason, reasonOf } from '../../shared/i18n';
import { createHash } from 'node:crypto';
import type { Peer } from '../../shared/schemas';
import type { EngineContext, StationState } from '../services';

export interface Membership {
  members: string[];
  blacklist: ReadonlySet<string>;
  peers: Peer[];
  state: StationState;
}

export interface MembershipChange {
  membersChanged: boolean;
  peersChanged: boolean;
}

export function membershipOf(state: StationState): Membership {
  const members = [...state.members.keys()].filter((m) => !state.blacklist.has(m)).sort();
  const peers = state.snapshot.peers.filter((p) => p.syncable);
  return { members, blacklist: state.blacklist, peers, state };
}

const digest = (parts: readonly string[]): string => createHash('sha256').update(parts.join('\n')).digest('hex');
const peerKey = (p: Peer): string => [p.id, p.peerId, p.route, p.relayUrl, p.servesStrfry, p.hostname].join('|');

export class MembershipWatch {
  private timer: NodeJS.Timeout | null = null;
  private off: (() => void) | null = null;
  private last: StationState | null = null;
  private membersDigest = '';
  private peersDigest = '';
  private busy = false;
  current: Membership | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly pollMs: number,
    private readonly onChange: (m: Membership, c: MembershipChange) => void,
  ) {}

  /** Reads the station once (the first membership), then follows it. */
  async start(): Promise<Membership> {
    const state = await this.ctx.station.state();
    this.accept(state);
    this.off = this.ctx.events.on('station.changed', () => void this.check());
    this.timer = setInterval(() => void this.check(), this.pollMs);
    this.timer.unref();
    return this.current!;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.off?.();
    this.off = null;
  }

  private accept(state: StationState): MembershipChange {
    this.last = state;
    const m = membershipOf(state);
    const md = digest([...m.members, '', ...[...m.blacklist].sort()]);
    const pd = digest(m.peers.map(peerKey));
    const change = { membersChanged: md !== this.membersDigest, peersChanged: pd !== this.peersDigest };
    this.membersDigest = md;
    this.peersDigest = pd;
    this.current = m;
    return change;
  }

  /** Compares the station's current reading with the last one. */
  async check(): Promise<void> {
    if (this.busy || !this.timer) return;
    this.busy = true;
    try {
      const state = await this.ctx.station.state();
      if (state === this.last || !this.timer) return;
      const change = this.accept(state);
      if (change.membersChanged || change.peersChanged) this.onChange(this.current!, change);
    } catch (err) {
      this.ctx.log.warn(reason('live.log', { why: reason('live.stationUnreadable', { why: reasonOf(err) }) }));
    } finally {
      this.busy = false;
    }
  }
}
