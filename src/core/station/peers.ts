/**
 * The peers: one per `tmp/swarm/<folder>/12345.json`, with the status and route that decide whether the sync
 * uses it. The beacon's `x_strfry.sh` is only checked for existence: it is code written by another station and
 * is never read nor executed (defect 1 of the old script).
 */
import { join } from 'node:path';
import type { Peer, PeerStatus, Route, StationProblem } from '../../shared/schemas';
import { reason, reasonText, type Reason } from '../../shared/i18n';
import { parseCard, type StationCard } from './card';
import { parseMoats } from './moats';
import { problem } from './problem';
import { LIMITS, type StationReader } from './read';
import { classifyRelayUrl, isListedDirect, resolveRelayUrl, type RouteVerdict } from './route';
import type { Resolver } from '../util/net';

export const SWARM_DIR = join('tmp', 'swarm');
/** A constellation has tens of stations; a swarm folder with thousands is broken or hostile. */
export const MAX_PEERS = 2000;

export interface PeerReadOptions {
  selfId: string | null;
  staleHours: number;
  /** Unix seconds. */
  now: number;
  /** Loopback relay URLs reached directly, not through a tunnel (Settings.directRelays: demo/test on one machine). */
  directRelays?: readonly string[];
  /** Resolves relay host names, so a route follows what a name IS; without it names are judged by their text. */
  resolve?: Resolver;
}

export interface SwarmRead {
  peers: Peer[];
  /** Every parsed card (any status), for the members' "swarm" source. */
  cards: Array<{ folder: string; card: StationCard }>;
  problems: StationProblem[];
}

function emptyPeer(folder: string): Peer {
  return {
    id: folder,
    peerId: null,
    hostname: null,
    captain: null,
    captainHex: null,
    nodeHex: null,
    relayUrl: null,
    city: null,
    lat: null,
    lon: null,
    uplanet: null,
    services: [],
    servesStrfry: false,
    cardVersion: null,
    updatedAt: null,
    ageSeconds: null,
    status: 'invalid',
    reason: null,
    route: 'none',
    syncable: false,
  };
}

/** Status, reason (a code) and route of a peer whose card parsed, in order of precedence. */
export function judgePeer(
  p: Peer,
  card: StationCard,
  opts: PeerReadOptions,
  /** the relay URL's verdict when already made (resolved); else judged from its text */
  relayVerdict?: RouteVerdict,
): { status: PeerStatus; why: Reason | null; route: Route } {
  const none = (status: PeerStatus, why: Reason): { status: PeerStatus; why: Reason; route: Route } => ({ status, why, route: 'none' });
  if (opts.selfId && (p.id === opts.selfId || p.peerId === opts.selfId)) return none('self', reason('peer.self'));
  if (card.fallbackStatus) return none('fallback', reason('peer.fallbackCard', { status: card.fallbackStatus }));
  if (card.picoport) return none('picoport', reason('peer.picoport', { version: card.version ?? 'picoport' }));
  if (p.ageSeconds !== null && p.ageSeconds > opts.staleHours * 3600) {
    return none('stale', reason('peer.stale', { age: p.ageSeconds, staleHours: opts.staleHours }));
  }
  if (!card.relayUrl) return none('no-relay', reason('peer.noRelay'));
  const verdict = relayVerdict ?? classifyRelayUrl(card.relayUrl);
  if (!verdict.ok) return none('bad-url', verdict.why);
  // A demo or test constellation on one machine: this loopback relay is really ours to dial, not the peer's.
  if (verdict.route === 'tunnel' && isListedDirect(card.relayUrl, opts.directRelays)) return { status: 'ok', why: null, route: 'direct' };
  if (verdict.route === 'tunnel' && !p.servesStrfry) {
    return none(
      'no-relay',
      verdict.addresses
        ? reason('peer.resolvesToLoopbackNoTunnel', { url: card.relayUrl, addresses: verdict.addresses })
        : reason('peer.loopbackNoTunnel', { url: card.relayUrl }),
    );
  }
  return { status: 'ok', why: null, route: verdict.route };
}

/** Sets why a peer is kept out (a code, and its English for logs and scripts). */
function setWhy(p: Peer, why: Reason | null): void {
  p.reason = why ? reasonText(why) : null;
  if (why) p.why = why;
  else delete p.why;
}

async function readPeer(
  reader: StationReader,
  folder: string,
  opts: PeerReadOptions,
  out: SwarmRead,
  judging: Array<{ p: Peer; card: StationCard }>,
): Promise<void> {
  const dir = join(SWARM_DIR, folder);
  const cardPath = join(dir, '12345.json');
  const p = emptyPeer(folder);
  const cardText = await reader.readText(cardPath, LIMITS.card);
  if (!cardText.ok) {
    if (cardText.missing) {
      out.problems.push(problem(dir, reason('peer.noCard')));
      return;
    }
    setWhy(p, reason('peer.badCard', { why: cardText.why }));
    out.problems.push(problem(cardPath, cardText.why));
    out.peers.push(p);
    return;
  }
  const parsed = parseCard(cardText.text);
  if (!parsed.ok) {
    setWhy(p, reason('peer.badCard', { why: parsed.why }));
    out.problems.push(problem(cardPath, parsed.why));
    out.peers.push(p);
    return;
  }
  const card = parsed.card;
  out.cards.push({ folder, card });
  for (const [field, raw, key] of [
    ['captainHEX', card.captainHexRaw, card.captainHex],
    ['NODEHEX', card.nodeHexRaw, card.nodeHex],
  ] as const) {
    if (raw && !key) out.problems.push(problem(cardPath, reason('card.badKey', { field })));
  }
  Object.assign(p, {
    peerId: card.peerId,
    hostname: card.hostname,
    captain: card.captain,
    captainHex: card.captainHex,
    nodeHex: card.nodeHex,
    relayUrl: card.relayUrl,
    city: card.city,
    lat: card.lat,
    lon: card.lon,
    uplanet: card.uplanet,
    services: card.services,
    cardVersion: card.version,
  });
  if (card.peerId && card.peerId !== folder) {
    out.problems.push(problem(cardPath, reason('card.peerIdMismatch', { peerId: card.peerId })));
  }
  const moatsPath = join(dir, '_MySwarm.moats');
  const moats = await reader.readText(moatsPath, LIMITS.small);
  if (moats.ok) {
    const m = parseMoats(moats.text);
    if (m.ok) {
      p.updatedAt = m.seconds;
      p.ageSeconds = Math.max(0, opts.now - m.seconds);
    } else {
      out.problems.push(problem(moatsPath, reason('moats.unusable', { why: m.why })));
    }
  } else {
    out.problems.push(problem(moatsPath, reason('moats.unusable', { why: moats.why })));
  }
  // Stat only: the script is another station's code.
  p.servesStrfry = card.services.includes('strfry') || (await reader.isFile(join(dir, 'x_strfry.sh')));
  out.peers.push(p);
  // judged once every card is read, so that the relay names are resolved all at once (readSwarm)
  judging.push({ p, card });
}

function applyJudgement(p: Peer, card: StationCard, opts: PeerReadOptions, verdict?: RouteVerdict): void {
  const judged = judgePeer(p, card, opts, verdict);
  p.status = judged.status;
  setWhy(p, judged.why);
  p.route = judged.route;
  p.syncable = judged.status === 'ok' && judged.route !== 'none';
}

export async function readSwarm(reader: StationReader, opts: PeerReadOptions): Promise<SwarmRead> {
  const out: SwarmRead = { peers: [], cards: [], problems: [] };
  const listing = await reader.list(SWARM_DIR);
  if (!('entries' in listing)) {
    if (!listing.missing) out.problems.push(problem(SWARM_DIR, listing.why));
    return out;
  }
  let counted = 0;
  const judging: Array<{ p: Peer; card: StationCard }> = [];
  for (const e of listing.entries) {
    if (e.name.startsWith('.')) continue;
    if (++counted > MAX_PEERS) {
      out.problems.push(problem(SWARM_DIR, reason('swarm.tooMany', { max: MAX_PEERS })));
      break;
    }
    if (e.refused) {
      out.problems.push(problem(join(SWARM_DIR, e.name), e.refused));
      continue;
    }
    if (e.type !== 'dir') {
      // Only folders are beacons; say so, since a beacon replaced by a file is how a broken copy looks.
      out.problems.push(problem(join(SWARM_DIR, e.name), reason('swarm.notFolder', { entry: e.type === 'file' ? 'file' : 'other' })));
      continue;
    }
    await readPeer(reader, e.name, opts, out, judging);
  }
  // The relay names, resolved in parallel (each bounded in time, answers cached): a swarm of tens of peers
  // must not wait for each name in turn.
  const resolve = opts.resolve;
  await Promise.all(
    judging.map(async ({ p, card }) => {
      const verdict = resolve && card.relayUrl ? await resolveRelayUrl(card.relayUrl, resolve) : undefined;
      applyJudgement(p, card, opts, verdict);
    }),
  );
  return out;
}
