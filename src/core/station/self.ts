/**
 * The station's own PeerID, from the most to the least authoritative source:
 *   1. kubo's `POST /api/v0/id` (the running node);
 *   2. `Identity.PeerID` in the IPFS config — `$IPFS_PATH/config` when IPFS_PATH is set (kubo's own rule),
 *      else `<parent of the station root>/.ipfs/config` (the station root is `~/.zen`, so this is
 *      `~/.ipfs/config`; a test station in a temp folder points at a harmless absent path). The file also
 *      holds the node's private key: only Identity.PeerID is taken, nothing else is kept or logged;
 *   3. the own beacon folder `tmp/<PeerID>/` (a folder of tmp/ named like a PeerID, other than swarm).
 */
import { dirname, join } from 'node:path';
import type { StationProblem } from '../../shared/schemas';
import { reason, reasonOf, type Reason } from '../../shared/i18n';
import { isPeerId } from './card';
import { problem } from './problem';
import { LIMITS, readBoundedFile, type StationReader } from './read';

export type SelfSource = 'kubo' | 'ipfs-config' | 'beacon';

export function ipfsConfigPath(zenRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const ipfsPath = env.IPFS_PATH?.trim();
  return ipfsPath ? join(ipfsPath, 'config') : join(dirname(zenRoot), '.ipfs', 'config');
}

export async function peerIdFromIpfsConfig(path: string): Promise<{ peerId: string | null; why: Reason | null }> {
  const r = await readBoundedFile(path, LIMITS.ipfsConfig).catch((err: unknown) => ({ ok: false as const, missing: false, why: reasonOf(err) }));
  if (!r.ok) return { peerId: null, why: r.missing ? null : r.why };
  try {
    const id = (JSON.parse(r.text) as { Identity?: { PeerID?: unknown } })?.Identity?.PeerID;
    if (typeof id === 'string' && isPeerId(id)) return { peerId: id, why: null };
    return { peerId: null, why: reason('self.noPeerId') };
  } catch {
    return { peerId: null, why: reason('self.invalidJson') };
  }
}

/** Folders of tmp/ named like a PeerID (the own beacon), excluding swarm. */
export async function beaconFolders(reader: StationReader): Promise<string[]> {
  const listing = await reader.list('tmp');
  if (!('entries' in listing)) return [];
  return listing.entries.filter((e) => e.type === 'dir' && !e.refused && e.name !== 'swarm' && isPeerId(e.name)).map((e) => e.name);
}

export interface SelfLookup {
  kuboId: () => Promise<string>;
  ipfsConfig: string;
}

export async function resolveSelfId(
  reader: StationReader,
  lookup: SelfLookup,
  problems: StationProblem[],
): Promise<{ peerId: string | null; source: SelfSource | null }> {
  try {
    const id = await lookup.kuboId();
    if (isPeerId(id)) return { peerId: id, source: 'kubo' };
  } catch {
    // kubo not running is normal for a window opened without the node: the next sources answer.
  }
  const fromConfig = await peerIdFromIpfsConfig(lookup.ipfsConfig);
  if (fromConfig.peerId) return { peerId: fromConfig.peerId, source: 'ipfs-config' };
  if (fromConfig.why) problems.push(problem(lookup.ipfsConfig, fromConfig.why));
  const beacons = await beaconFolders(reader);
  if (beacons.length === 0) return { peerId: null, source: null };
  let chosen = beacons[0] ?? null;
  if (beacons.length > 1) {
    const withCard: string[] = [];
    for (const b of beacons) if (await reader.isFile(join('tmp', b, '12345.json'))) withCard.push(b);
    chosen = withCard[0] ?? chosen;
    problems.push(problem('tmp', reason('self.severalBeacons', { folders: beacons, chosen: chosen ?? '' })));
  }
  return { peerId: chosen, source: 'beacon' };
}
