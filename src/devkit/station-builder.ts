// Writes an Astroport station root (station.md) from a short description, for tests, benches and the demo.
//
// Layout written under `root`:
//   tmp/<SELF>/{12345.json,HEX,HEX_CAPTAIN,_MySwarm.moats}        own beacon
//   tmp/swarm/<PEER>/{12345.json,HEX,HEX_CAPTAIN,_MySwarm.moats,amisOfAmis.txt,blacklist.txt[,x_strfry.sh]}
//   game/nostr/<email>/HEX, CAPTAIN/HEX, UMAP_<lat>_<lon>/HEX, UNODE_<id>/HEX, SECTOR_…/HEX, REGION_…/HEX
//   game/nostr/.hidden/HEX (not a member), secret files in member folders (never to be read)
//   strfry/amisOfAmis.txt, strfry/blacklist.txt, flashmem/<x>/HEX
//   ipfs config: `<root>/../.ipfs/config` by default (like ~/.ipfs next to ~/.zen), or `ipfsConfig: <path>`.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { keyFromSeed, peerIdFromSeed, type Keypair } from './keys';

export type CardVariant = 'normal' | 'picoport' | 'fallback' | 'invalid' | 'no-relay';
export type MoatsFormat = 'unix' | 'datetime';

export interface PeerDesc {
  /** PeerID; default derived from the station seed and the peer index. */
  peerId?: string;
  /** `myRELAY` of the card; default `ws://127.0.0.1:7777` (reachable only through a tunnel). */
  relayUrl?: string;
  card?: CardVariant;
  /** Beacon freshness: fresh (default, 10 min old) or stale (13 h old), or an explicit age in seconds. */
  moats?: 'fresh' | 'stale' | number;
  moatsFormat?: MoatsFormat;
  /** Write a peer-published `x_strfry.sh` (must never be executed: it writes a marker file if it is). */
  xStrfry?: boolean;
  hostname?: string;
  /** UPLANETG1PUB (the constellation); default the station's. */
  uplanet?: string;
  /** Extra 12345.json fields (merged over the generated ones). */
  extra?: Record<string, unknown>;
}

export interface MemberDesc {
  /** MULTIPASS e-mails, or how many to generate. Default 3. */
  emails?: string[] | number;
  captain?: boolean;
  umaps?: Array<[string, string]>;
  unode?: boolean;
  sector?: boolean;
  region?: boolean;
  /** A hidden folder with a HEX (must not count as a member). Default true. */
  hidden?: boolean;
  /** Secret files with junk content in member folders. Default true. */
  secrets?: boolean;
  /** chmod 000 the secret files (a reader that opens them fails loudly). */
  unreadableSecrets?: boolean;
}

export interface StationDesc {
  root?: string;
  /** Seed of every key and PeerID. Default 'station'. */
  seed?: string;
  self?: { peerId?: string; hostname?: string; relayUrl?: string; moatsFormat?: MoatsFormat };
  /** Peers, or how many normal ones. Default 2. */
  peers?: PeerDesc[] | number;
  members?: MemberDesc;
  /** Extra friends-of-friends written in strfry/amisOfAmis.txt, or how many to generate. Default 5. */
  amisOfAmis?: string[] | number;
  /** Pubkeys in strfry/blacklist.txt (default none). */
  blacklist?: string[];
  /** flashmem/<x>/HEX entries to generate. Default 0. */
  flashmem?: number;
  /** Write an ipfs config with Identity.PeerID: true (default, `<root>/../.ipfs/config`), false, or a path. */
  ipfsConfig?: boolean | string;
  /** UPLANETG1PUB of the constellation. */
  uplanet?: string;
  /** Clock (Unix seconds) used for moats and created. Default now. */
  now?: number;
}

export interface BuiltPeer {
  index: number;
  /** Folder name in tmp/swarm (the PeerID). */
  id: string;
  peerId: string;
  relayUrl: string | null;
  card: CardVariant;
  dir: string;
  captain: Keypair;
  node: Keypair;
  /** Present when x_strfry.sh was written: this file appears if the script is ever executed. */
  markerFile?: string;
  stale: boolean;
}

export interface BuiltStation {
  root: string;
  self: { peerId: string; beaconDir: string; captain: Keypair; node: Keypair; hostname: string; relayUrl: string };
  peers: BuiltPeer[];
  /** Every expected member pubkey → where it comes from (e.g. `game/nostr/a@b/HEX`, `amisOfAmis`, `swarm:<id>:captainHEX`). */
  members: Record<string, string[]>;
  keys: {
    /** Local users (MULTIPASS), by e-mail. */
    users: Record<string, Keypair>;
    /** Geographic/node members by folder name (CAPTAIN, UMAP_…, UNODE_…, SECTOR_…, REGION_…). */
    geo: Record<string, Keypair>;
    amis: Keypair[];
    flashmem: Keypair[];
    /** The hidden folder's key (not a member). */
    hidden?: Keypair;
  };
  /** Paths of secret files written (never to be opened by the app). */
  secretFiles: string[];
  ipfsConfigPath: string | null;
  cleanup(): Promise<void>;
}

const SECRET_NAMES = ['.secret.nostr', '.secret.ipns', '.ssss.head.captain.txt', '.pass', '.multipass.json', '.nostr.zine.html'];
const DEFAULT_UPLANET = 'g1xry7rUFCtmaW4cGw8W9tWjacfMqzVguozZUvcVzBpxXVHqG';

/** `_MySwarm.moats` content in one of the two formats stations write. */
export function moatsText(unixSeconds: number, format: MoatsFormat): string {
  if (format === 'unix') return `${unixSeconds}\n`;
  const d = new Date(unixSeconds * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  // The 4 trailing digits are the first digits of the fraction of a second (`date +%Y%m%d%H%M%S%4N`).
  return `${stamp}${p(d.getUTCMilliseconds() * 10, 4)}\n`;
}

interface CardInput {
  peerId: string;
  hostname: string;
  relayUrl: string | null;
  captainEmail: string;
  captain: Keypair;
  node: Keypair;
  uplanet: string;
  created: number;
  lat: string;
  lon: string;
}

/** A station card in the real `12345.0.2` format: nearly every value a string. */
export function cardJson(c: CardInput, variant: CardVariant, extra: Record<string, unknown> = {}): string {
  if (variant === 'invalid') return `{"version" : "12345.0.2", "hostname" : "${c.hostname}", "ipfsnodeid" : "${c.peerId}", "myRELAY" : `;
  if (variant === 'fallback') {
    return JSON.stringify({ version: '12345.0.2', hostname: c.hostname, ipfsnodeid: c.peerId, status: 'json_build_error', created: String(c.created) }, null, 4);
  }
  const base: Record<string, unknown> = {
    version: variant === 'picoport' ? 'picoport-12345-v2' : '12345.0.2',
    created: String(c.created),
    date: new Date(c.created * 1000).toUTCString(),
    hostname: c.hostname,
    myIP: '127.0.0.1',
    IPCity: 'Lyon,France',
    myASTROPORT: `http://127.0.0.1:12345`,
    ipfsnodeid: c.peerId,
    captain: c.captainEmail,
    captainHEX: c.captain.pk,
    NODEHEX: c.node.pk,
    STATION_LAT: c.lat,
    STATION_LON: c.lon,
    UPLANETG1PUB: c.uplanet,
    dragon_services: variant === 'picoport' ? 'ssh' : 'ssh,strfry,ollama',
    services: {
      ipfs: { active: true, size: '12G', peers_connected: 5 },
      nostr_relay: { active: variant !== 'picoport', engine: 'strfry', port: 7777 },
      ipfs_p2p_services: variant === 'picoport' ? ['x_ssh.sh'] : ['x_ssh.sh', 'x_strfry.sh'],
    },
    economy: { risk_level: 'GREEN' },
    uptime: '3 days, 1:02:03',
  };
  if (variant === 'normal' && c.relayUrl !== null) base.myRELAY = c.relayUrl;
  return JSON.stringify({ ...base, ...extra }, null, 4);
}

async function put(path: string, content: string, mode?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, mode === undefined ? undefined : { mode });
}

export async function buildStation(desc: StationDesc = {}): Promise<BuiltStation> {
  const seed = desc.seed ?? 'station';
  const ownsRoot = desc.root === undefined;
  // A temp root lives in its own parent folder so `<root>/../.ipfs/config` stays inside the temp area.
  const root = desc.root ?? join(await mkdtemp(join(tmpdir(), 'constellation-station-')), '.zen');
  await mkdir(root, { recursive: true });
  const now = desc.now ?? Math.floor(Date.now() / 1000);
  const uplanet = desc.uplanet ?? DEFAULT_UPLANET;
  const members: Record<string, string[]> = {};
  const addMember = (hex: string, source: string): void => {
    (members[hex] ??= []).push(source);
  };
  const secretFiles: string[] = [];

  // Own beacon.
  const selfPeerId = desc.self?.peerId ?? peerIdFromSeed(`${seed}:self`);
  const selfCaptain = keyFromSeed(`${seed}:self:captain`);
  const selfNode = keyFromSeed(`${seed}:self:node`);
  const selfHost = desc.self?.hostname ?? `${seed}-self.local`;
  const selfRelay = desc.self?.relayUrl ?? 'ws://127.0.0.1:7777';
  const beaconDir = join(root, 'tmp', selfPeerId);
  const selfCard: CardInput = {
    peerId: selfPeerId, hostname: selfHost, relayUrl: selfRelay, captainEmail: `captain@${selfHost}`,
    captain: selfCaptain, node: selfNode, uplanet, created: now - 300, lat: '45.76', lon: '4.83',
  };
  await put(join(beaconDir, '12345.json'), cardJson(selfCard, 'normal'));
  await put(join(beaconDir, 'HEX'), `${selfNode.pk}\n`);
  await put(join(beaconDir, 'HEX_CAPTAIN'), `${selfCaptain.pk}\n`);
  await put(join(beaconDir, '_MySwarm.moats'), moatsText(now - 300, desc.self?.moatsFormat ?? 'unix'));

  // Peers.
  const peerDescs: PeerDesc[] = typeof desc.peers === 'number' || desc.peers === undefined
    ? Array.from({ length: typeof desc.peers === 'number' ? desc.peers : 2 }, () => ({}))
    : desc.peers;
  const peers: BuiltPeer[] = [];
  for (const [index, p] of peerDescs.entries()) {
    const peerId = p.peerId ?? peerIdFromSeed(`${seed}:peer:${index}`);
    const captain = keyFromSeed(`${seed}:peer:${index}:captain`);
    const node = keyFromSeed(`${seed}:peer:${index}:node`);
    const card = p.card ?? 'normal';
    const relayUrl = card === 'normal' ? (p.relayUrl ?? 'ws://127.0.0.1:7777') : null;
    const hostname = p.hostname ?? `${seed}-peer${index}.local`;
    const age = p.moats === 'stale' ? 13 * 3600 : typeof p.moats === 'number' ? p.moats : 600;
    const dir = join(root, 'tmp', 'swarm', peerId);
    const input: CardInput = {
      peerId, hostname, relayUrl, captainEmail: `captain@${hostname}`, captain, node,
      uplanet: p.uplanet ?? uplanet, created: now - age, lat: (43 + index * 0.5).toFixed(2), lon: (1 + index * 0.5).toFixed(2),
    };
    await put(join(dir, '12345.json'), cardJson(input, card, p.extra));
    await put(join(dir, 'HEX'), `${node.pk}\n`);
    await put(join(dir, 'HEX_CAPTAIN'), `${captain.pk}\n`);
    await put(join(dir, '_MySwarm.moats'), moatsText(now - age, p.moatsFormat ?? (index % 2 === 0 ? 'unix' : 'datetime')));
    await put(join(dir, 'amisOfAmis.txt'), '');
    await put(join(dir, 'blacklist.txt'), '');
    const built: BuiltPeer = { index, id: peerId, peerId, relayUrl, card, dir, captain, node, stale: age > 12 * 3600 };
    if (p.xStrfry) {
      built.markerFile = join(root, `x_strfry-executed-${index}.marker`);
      await put(
        join(dir, 'x_strfry.sh'),
        `#!/bin/sh\n# Peer-published tunnel helper: Constellation must NEVER execute this.\necho "executed $0" > '${built.markerFile}'\n`,
        0o755,
      );
    }
    // The swarm's cards bring their captain and node keys into the member set (when the card parses).
    if (card === 'normal' || card === 'picoport' || card === 'no-relay') {
      addMember(captain.pk, `swarm:${peerId}:captainHEX`);
      addMember(node.pk, `swarm:${peerId}:NODEHEX`);
    }
    peers.push(built);
  }

  // Members: game/nostr/*/HEX.
  const m = desc.members ?? {};
  const emails = typeof m.emails === 'number' || m.emails === undefined
    ? Array.from({ length: typeof m.emails === 'number' ? m.emails : 3 }, (_, i) => `user${i}@${seed}.example`)
    : m.emails;
  const users: Record<string, Keypair> = {};
  const geo: Record<string, Keypair> = {};
  const nostrDir = join(root, 'game', 'nostr');
  const writeMember = async (folder: string, key: Keypair): Promise<void> => {
    const dir = join(nostrDir, folder);
    await put(join(dir, 'HEX'), `${key.pk}\n`);
    addMember(key.pk, `game/nostr/${folder}/HEX`);
    if (m.secrets ?? true) {
      for (const name of SECRET_NAMES) {
        const path = join(dir, name);
        await put(path, `JUNK-SECRET ${name} for ${folder}: if you can read this in a log, a secret leaked.\n`);
        if (m.unreadableSecrets) await chmod(path, 0o000);
        secretFiles.push(path);
      }
    }
  };
  for (const email of emails) {
    users[email] = keyFromSeed(`${seed}:user:${email}`);
    await writeMember(email, users[email]);
  }
  const geoFolders: string[] = [];
  if (m.captain ?? true) geoFolders.push('CAPTAIN');
  for (const [lat, lon] of m.umaps ?? [['43.60', '1.44']]) geoFolders.push(`UMAP_${lat}_${lon}`);
  if (m.unode ?? true) geoFolders.push(`UNODE_${selfPeerId}`);
  if (m.sector ?? true) geoFolders.push('SECTOR_43.6_1.4');
  if (m.region ?? true) geoFolders.push('REGION_43_1');
  for (const folder of geoFolders) {
    geo[folder] = folder === 'CAPTAIN' ? selfCaptain : keyFromSeed(`${seed}:geo:${folder}`);
    await writeMember(folder, geo[folder]);
  }
  let hidden: Keypair | undefined;
  if (m.hidden ?? true) {
    hidden = keyFromSeed(`${seed}:hidden`);
    await put(join(nostrDir, '.hidden', 'HEX'), `${hidden.pk}\n`);
  }

  // strfry/amisOfAmis.txt: the users' follows (generated friends) plus given ones.
  const amis = typeof desc.amisOfAmis === 'number' || desc.amisOfAmis === undefined
    ? Array.from({ length: typeof desc.amisOfAmis === 'number' ? desc.amisOfAmis : 5 }, (_, i) => keyFromSeed(`${seed}:amis`, i))
    : [];
  const amisHex = Array.isArray(desc.amisOfAmis) ? desc.amisOfAmis : amis.map((k) => k.pk);
  for (const hex of amisHex) if (/^[0-9a-f]{64}$/i.test(hex.trim())) addMember(hex.trim(), 'amisOfAmis');
  await put(join(root, 'strfry', 'amisOfAmis.txt'), amisHex.map((h) => `${h}\n`).join(''));
  await put(join(root, 'strfry', 'blacklist.txt'), (desc.blacklist ?? []).map((h) => `${h}\n`).join(''));

  const flashmem: Keypair[] = [];
  for (let i = 0; i < (desc.flashmem ?? 0); i++) {
    const key = keyFromSeed(`${seed}:flashmem`, i);
    flashmem.push(key);
    await put(join(root, 'flashmem', `f${i}`, 'HEX'), `${key.pk}\n`);
    addMember(key.pk, `flashmem/f${i}/HEX`);
  }

  let ipfsConfigPath: string | null = null;
  if (desc.ipfsConfig !== false) {
    ipfsConfigPath = typeof desc.ipfsConfig === 'string' ? desc.ipfsConfig : join(dirname(root), '.ipfs', 'config');
    await put(ipfsConfigPath, JSON.stringify({ Identity: { PeerID: selfPeerId }, Experimental: { Libp2pStreamMounting: true } }, null, 2));
  }

  return {
    root,
    self: { peerId: selfPeerId, beaconDir, captain: selfCaptain, node: selfNode, hostname: selfHost, relayUrl: selfRelay },
    peers,
    members,
    keys: { users, geo, amis, flashmem, ...(hidden ? { hidden } : {}) },
    secretFiles,
    ipfsConfigPath,
    async cleanup() {
      // chmod 000 files are still removable (the folder is writable).
      await rm(ownsRoot ? dirname(root) : root, { recursive: true, force: true });
    },
  };
}
