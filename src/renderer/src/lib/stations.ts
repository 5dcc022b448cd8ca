/**
 * The rows of the Stations screen: each peer of the snapshot joined with its tunnel and with what the last run
 * did with it. Pure functions so they are unit-tested without a window.
 */
import type { Peer, PeerOutcome, RunReport, Tunnel } from '../../../shared/schemas';

export interface StationRow {
  peer: Peer;
  tunnel: Tunnel | null;
  last: PeerOutcome | null;
}

export type StationSortKey = 'hostname' | 'captain' | 'city' | 'route' | 'status' | 'age' | 'imported';

/** A run names its peers by folder id; a tunnel by PeerID. Both are tried. */
export function buildStationRows(peers: readonly Peer[], tunnels: ReadonlyMap<string, Tunnel>, lastReport: RunReport | null): StationRow[] {
  const outcomes = new Map<string, PeerOutcome>();
  for (const o of lastReport?.peers ?? []) outcomes.set(o.peer, o);
  return peers.map((peer) => ({
    peer,
    tunnel: tunnels.get(peer.peerId ?? peer.id) ?? tunnels.get(peer.id) ?? null,
    last: outcomes.get(peer.id) ?? (peer.peerId ? outcomes.get(peer.peerId) : undefined) ?? null,
  }));
}

/** Case-insensitive match of every word of the filter against the row's visible text. */
export function filterStationRows(rows: readonly StationRow[], filter: string): StationRow[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const p = r.peer;
    const text = [p.id, p.peerId, p.hostname, p.captain, p.city, p.relayUrl, p.route, p.status, p.reason, r.last?.reason, r.tunnel?.state]
      .filter(Boolean)
      .join(' ')
      .toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

function sortValue(r: StationRow, key: StationSortKey): string | number {
  switch (key) {
    case 'hostname':
      return (r.peer.hostname ?? r.peer.id).toLowerCase();
    case 'captain':
      return (r.peer.captain ?? '').toLowerCase();
    case 'city':
      return (r.peer.city ?? '').toLowerCase();
    case 'route':
      return r.peer.route;
    case 'status':
      return r.peer.status;
    case 'age':
      return r.peer.ageSeconds ?? Number.POSITIVE_INFINITY;
    case 'imported':
      return r.last?.imported ?? -1;
  }
}

export function sortStationRows(rows: readonly StationRow[], key: StationSortKey, ascending: boolean): StationRow[] {
  const dir = ascending ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va < vb) return -dir;
    if (va > vb) return dir;
    return 0;
  });
}

/**
 * A reason shown next to its peer (Stations row, Sync and History cards): the engine names the peer first
 * ("peer 12D3…: tunnel refused…", "alpha.e2e: not syncable: …") because its reasons also go to logs; next to
 * the peer that name is noise.
 */
export function reasonWithoutPeer(reason: string, peer: Pick<Peer, 'id' | 'peerId' | 'hostname'>): string {
  let text = reason.trim();
  const names = [peer.peerId, peer.id, peer.hostname].filter((n): n is string => Boolean(n));
  for (let again = true; again; ) {
    again = false;
    for (const name of names) {
      for (const prefix of [`peer ${name}: `, `${name}: `]) {
        if (text.startsWith(prefix) && text.length > prefix.length) {
          text = text.slice(prefix.length);
          again = true;
        }
      }
    }
  }
  return text;
}

/** A card's city as people write it: "Toulouse,France" (as IPCity comes) reads "Toulouse, France". */
export function formatCity(city: string | null): string | null {
  if (!city) return null;
  return city.trim().replace(/\s*,\s*/g, ', ');
}

/** Peers counted by a field, for the Overview. */
export function countBy<T extends string>(peers: readonly Peer[], field: (p: Peer) => T): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of peers) {
    const k = field(p);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
