/** One full read of the station root into what the engine knows: snapshot, members, blacklist, local users. */
import { join } from 'node:path';
import type { StationProblem, StationSnapshot } from '../../shared/schemas';
import type { StationState } from '../services';
import { parseCard, type StationCard } from './card';
import { readBlacklist, readMembers } from './members';
import { readSwarm, SWARM_DIR } from './peers';
import { LIMITS, StationReader } from './read';
import { resolveSelfId, type SelfLookup } from './self';
import type { Resolver } from '../util/net';

export interface ReadStationOptions extends SelfLookup {
  staleHours: number;
  /** Milliseconds (the engine's clock). */
  now: number;
  /** Settings.directRelays. */
  directRelays?: readonly string[];
  /** Resolves relay host names (EngineConfig.resolve). */
  resolve?: Resolver;
}

async function selfCard(reader: StationReader, peerId: string | null): Promise<StationCard | null> {
  if (!peerId) return null;
  for (const path of [join('tmp', peerId, '12345.json'), join(SWARM_DIR, peerId, '12345.json')]) {
    const r = await reader.readText(path, LIMITS.card);
    if (!r.ok) continue;
    const c = parseCard(r.text);
    if (c.ok) return c.card;
  }
  return null;
}

export async function readStation(root: string, opts: ReadStationOptions): Promise<StationState> {
  const reader = new StationReader(root);
  const found = await reader.init();
  const problems: StationProblem[] = [];
  const self = found ? await resolveSelfId(reader, opts, problems) : { peerId: null, source: null };
  const swarm = found
    ? await readSwarm(reader, { selfId: self.peerId, staleHours: opts.staleHours, now: Math.floor(opts.now / 1000), directRelays: opts.directRelays, resolve: opts.resolve })
    : { peers: [], cards: [], problems: [] };
  problems.push(...swarm.problems);
  const members = await readMembers(reader, swarm.cards);
  problems.push(...members.problems);
  const blacklist = await readBlacklist(reader, problems);
  const card = found ? await selfCard(reader, self.peerId) : null;
  const snapshot: StationSnapshot = {
    root,
    found,
    takenAt: opts.now,
    self: {
      peerId: self.peerId,
      source: self.source,
      hostname: card?.hostname ?? null,
      captain: card?.captain ?? null,
      captainHex: card?.captainHex ?? null,
      uplanet: card?.uplanet ?? null,
    },
    peers: swarm.peers,
    members: { count: members.members.size, bySource: members.bySource },
    blacklistCount: blacklist.size,
    problems: problems.slice(0, 500),
  };
  return {
    snapshot,
    members: members.members,
    blacklist,
    localUsers: members.localUsers,
    amisOfAmis: members.amisOfAmis,
  };
}
