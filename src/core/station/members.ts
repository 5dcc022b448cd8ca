/**
 * The member set (station.md, "Members"): the exact union of
 *   1. game/nostr/<folder>/HEX   (every non-hidden folder: e-mail named local users, CAPTAIN, UNODE_…, UMAP_…)
 *   2. strfry/amisOfAmis.txt
 *   3. captainHEX and NODEHEX of every tmp/swarm/<folder>/12345.json (whatever the card's status)
 *   4. flashmem/<folder>/HEX
 * each line trimmed and kept when it is a 64-hex key (upper case accepted, lower-cased), deduplicated.
 * Inside a member folder only the file named HEX is ever opened: the folders also hold private keys.
 * The blacklist is read separately and NOT removed here: the sync applies it (the union stays the spec's).
 */
import { join } from 'node:path';
import type { MemberSources, StationProblem } from '../../shared/schemas';
import { reason } from '../../shared/i18n';
import type { MemberSource } from '../services';
import type { StationCard } from './card';
import { badLinesReason, parseKeyBytes } from './keys';
import { problem } from './problem';
import { LIMITS, type StationReader } from './read';

export const GAME_NOSTR_DIR = join('game', 'nostr');
export const FLASHMEM_DIR = 'flashmem';
export const AMIS_FILE = join('strfry', 'amisOfAmis.txt');
export const BLACKLIST_FILE = join('strfry', 'blacklist.txt');

export interface MemberRead {
  members: Map<string, MemberSource[]>;
  bySource: MemberSources;
  /** Keys of e-mail named folders of game/nostr (the local users). */
  localUsers: string[];
  amisOfAmis: string[];
  problems: StationProblem[];
}

/**
 * Reads a one-key-per-line file; reports unreadable files and junk lines (judged line by line: a binary line
 * is one bad line). `requireKey`: a file that must name a key (a member folder's HEX) is a problem when empty.
 */
export async function readKeyFile(
  reader: StationReader,
  path: string,
  limit: number,
  problems: StationProblem[],
  opts: { requireKey?: boolean } = {},
): Promise<string[]> {
  const r = await reader.readBytes(path, limit);
  if (!r.ok) {
    if (!r.missing) problems.push(problem(path, r.why));
    return [];
  }
  const list = parseKeyBytes(r.bytes);
  if (list.badLines.length > 0) {
    problems.push(problem(path, badLinesReason(list.badLines, list.binaryLines)));
  } else if (opts.requireKey && list.keys.length === 0) {
    problems.push(problem(path, reason('members.emptyHex')));
  }
  return list.keys;
}

/** `<dir>/*` folders' HEX files; returns key lists by folder name. */
async function readHexFolders(reader: StationReader, dir: string, problems: StationProblem[]): Promise<Array<{ folder: string; keys: string[] }>> {
  const listing = await reader.list(dir);
  if (!('entries' in listing)) {
    if (!listing.missing) problems.push(problem(dir, listing.why));
    return [];
  }
  const out: Array<{ folder: string; keys: string[] }> = [];
  for (const e of listing.entries) {
    if (e.name.startsWith('.')) continue; // hidden folders are not members
    if (e.refused) {
      problems.push(problem(join(dir, e.name), e.refused));
      continue;
    }
    if (e.type !== 'dir') {
      problems.push(problem(join(dir, e.name), reason('members.notFolder', { entry: e.type === 'file' ? 'file' : 'other' })));
      continue;
    }
    out.push({ folder: e.name, keys: await readKeyFile(reader, join(dir, e.name, 'HEX'), LIMITS.small, problems, { requireKey: true }) });
  }
  return out;
}

/** A local user's folder is named by the e-mail address (the MULTIPASS). */
export function isEmailFolder(name: string): boolean {
  return /^[^@\s/]+@[^@\s/]+$/.test(name);
}

export async function readMembers(reader: StationReader, cards: ReadonlyArray<{ card: StationCard }>): Promise<MemberRead> {
  const problems: StationProblem[] = [];
  const members = new Map<string, MemberSource[]>();
  const bySource: MemberSources = { game: 0, amisOfAmis: 0, swarm: 0, flashmem: 0 };
  const add = (source: MemberSource, keys: Iterable<string>): void => {
    const seen = new Set<string>();
    for (const k of keys) {
      if (seen.has(k)) continue;
      seen.add(k);
      bySource[source]++;
      const sources = members.get(k);
      if (!sources) members.set(k, [source]);
      else if (!sources.includes(source)) sources.push(source);
    }
  };

  const game = await readHexFolders(reader, GAME_NOSTR_DIR, problems);
  add('game', game.flatMap((g) => g.keys));
  const localUsers = [...new Set(game.filter((g) => isEmailFolder(g.folder)).flatMap((g) => g.keys))];

  const amisOfAmis = [...new Set(await readKeyFile(reader, AMIS_FILE, LIMITS.keyList, problems))];
  add('amisOfAmis', amisOfAmis);

  add(
    'swarm',
    cards.flatMap(({ card }) => [card.captainHex, card.nodeHex].filter((k): k is string => k !== null)),
  );

  const flash = await readHexFolders(reader, FLASHMEM_DIR, problems);
  add('flashmem', flash.flatMap((f) => f.keys));

  return { members, bySource, localUsers, amisOfAmis, problems };
}

export async function readBlacklist(reader: StationReader, problems: StationProblem[]): Promise<Set<string>> {
  return new Set(await readKeyFile(reader, BLACKLIST_FILE, LIMITS.keyList, problems));
}
