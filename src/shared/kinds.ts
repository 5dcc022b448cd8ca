/**
 * The kinds registry: which event kinds a sync asks for, and how they are counted.
 *
 * The categories and their order are those of the station's `SYNC_STATS:` log line (other station tools parse
 * it); categories this app adds for kinds the old script did not count come after them, so existing parsers
 * keep working.
 */

export const DEFAULT_KINDS: readonly number[] = [
  0, 1, 3, 4, 5, 6, 7, 8, 21, 22, 40, 41, 42, 44, 1063, 1111, 1222, 1244, 1506, 1984, 1985, 1986, 9735, 22242,
  30001, 30005, 30008, 30009, 10001, 30023, 30024, 30078, 30303, 30312, 30313, 30315, 30500, 30501, 30502, 30503,
  30504, 30505, 30506, 30508, 30800, 30850, 30851, 30904, 31900, 31901, 31902, 31910, 31922, 31923, 31924, 31925,
  10000,
];

/** Kinds of the station pass: asked without authors (station-level documents). */
export const STATION_PASS_KINDS: readonly number[] = [30800, 30850, 30851];

export const DM_KIND = 4;
export const DELETION_KIND = 5;
export const PROFILE_KIND = 0;
export const CONTACTS_KIND = 3;

/** Content of the automatic welcome notes the old script dropped (a regular expression, as it used it). */
export const WELCOME_NOTE_PATTERN = /Hello NOSTR visitor./;

export interface EventLike {
  kind: number;
  content: string;
  tags: string[][];
}

export interface KindCategory {
  /** Key in the SYNC_STATS line. */
  key: string;
  /** Kinds it groups (for the settings screen); a category with `match` may count only some of them. */
  kinds: readonly number[];
  /** Finer test when a category counts only some events of its kinds. */
  match?: (e: EventLike) => boolean;
  /** Added by Constellation (not in the old script's line). */
  added?: boolean;
}

const hasTag = (e: EventLike, name: string, value?: string): boolean =>
  e.tags.some((t) => t[0] === name && (value === undefined || t[1] === value));
const isEncryptedList = (e: EventLike): boolean => hasTag(e, 't', 'encrypted') || e.content.startsWith('nip44');

/**
 * SYNC_STATS categories, in the station's order. `events` (total), `dms` (kind 4) and `public` (all but kind 4)
 * are computed, not listed here.
 */
export const CATEGORIES: readonly KindCategory[] = [
  { key: 'deletions', kinds: [5] },
  { key: 'videos', kinds: [21, 22] },
  { key: 'files', kinds: [1063] },
  { key: 'comments', kinds: [1111] },
  { key: 'voice', kinds: [1222, 1244] },
  { key: 'tags', kinds: [1985] },
  { key: 'tmdb', kinds: [1986, 30001] },
  { key: 'channels', kinds: [40, 41, 42, 44] },
  { key: 'playlists', kinds: [30005, 10001], match: (e) => e.kind === 30005 || hasTag(e, 'a') || hasTag(e, 'd') },
  { key: 'status', kinds: [30315] },
  { key: 'did', kinds: [30800] },
  { key: 'ore_spaces', kinds: [30312] },
  { key: 'ore_meetings', kinds: [30313] },
  { key: 'oracle', kinds: [30500, 30501, 30502, 30503] },
  { key: 'workflows', kinds: [31900, 31901, 31902] },
  { key: 'profiles', kinds: [0] },
  { key: 'text', kinds: [1] },
  { key: 'contacts', kinds: [3] },
  { key: 'reposts', kinds: [6] },
  { key: 'reactions', kinds: [7] },
  { key: 'blog', kinds: [30023] },
  { key: 'calendar', kinds: [30024] },
  { key: 'analytics', kinds: [10000], match: (e) => hasTag(e, 't', 'analytics') && !isEncryptedList(e) },
  { key: 'encrypted_analytics', kinds: [10000], match: isEncryptedList },
  { key: 'badge_awards', kinds: [8] },
  { key: 'profile_badges', kinds: [30008] },
  { key: 'badge_definitions', kinds: [30009] },
  { key: 'zaps', kinds: [9735], added: true },
  { key: 'reports', kinds: [1984], added: true },
  { key: 'calendar_events', kinds: [31922, 31923, 31924, 31925], added: true },
  { key: 'market', kinds: [30504, 30505, 30506, 30508], added: true },
  { key: 'station', kinds: [30850, 30851, 30904, 31910], added: true },
  { key: 'apps', kinds: [1506, 22242, 30078, 30303], added: true },
];

export const STAT_KEYS: readonly string[] = ['events', 'dms', 'public', ...CATEGORIES.map((c) => c.key)];

export type CategoryCounts = Record<string, number>;

export function emptyCounts(): CategoryCounts {
  const out: CategoryCounts = {};
  for (const k of STAT_KEYS) out[k] = 0;
  return out;
}

const byKind = new Map<number, KindCategory[]>();
for (const c of CATEGORIES) {
  for (const k of c.kinds) {
    const list = byKind.get(k) ?? [];
    list.push(c);
    byKind.set(k, list);
  }
}

/** Adds one event to the counts, as the station's SYNC_STATS line counts it. */
export function countEvent(counts: CategoryCounts, e: EventLike): void {
  counts.events = (counts.events ?? 0) + 1;
  if (e.kind === DM_KIND) counts.dms = (counts.dms ?? 0) + 1;
  else counts.public = (counts.public ?? 0) + 1;
  for (const c of byKind.get(e.kind) ?? []) {
    if (!c.match || c.match(e)) counts[c.key] = (counts[c.key] ?? 0) + 1;
  }
}

export function addCounts(into: CategoryCounts, from: CategoryCounts): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * Every key the station's `sync_report.sh` reads from the last `SYNC_STATS:` line, in its order
 * (../shared/spec/station.md). Some count kinds Constellation does not sync or group otherwise (e.g.
 * `economic_health`, `love_ledger`, `nip52_calendar`): they are written as 0.
 */
export const STATION_STAT_KEYS: readonly string[] = [
  'events', 'dms', 'public', 'deletions', 'videos', 'files', 'comments', 'voice', 'tags', 'tmdb', 'channels',
  'playlists', 'status', 'did', 'ore_spaces', 'ore_meetings', 'oracle', 'economic_health', 'workflows', 'n2_memory',
  'nip52_calendar', 'profiles', 'text', 'contacts', 'reposts', 'reactions', 'blog', 'drafts', 'analytics',
  'encrypted_analytics', 'badge_awards', 'profile_badges', 'badge_definitions', 'love_ledger', 'wotx2_objects',
  'wotx2_justice', 'vibration_matches', 'friction_reports', 'zaps', 'crowdfunding',
];

/** The keys of the `SYNC_STATS:` line: the station's, in its order, then the categories Constellation adds. */
export const SYNC_STATS_KEYS: readonly string[] = [...STATION_STAT_KEYS, ...STAT_KEYS.filter((k) => !STATION_STAT_KEYS.includes(k))];

/** The `SYNC_STATS: events=… dms=… …` line body: every station key (0 where nothing is counted), then ours. */
export function formatSyncStats(counts: CategoryCounts): string {
  return 'SYNC_STATS: ' + SYNC_STATS_KEYS.map((k) => `${k}=${counts[k] ?? 0}`).join(' ');
}

/** The category a kind is shown under in settings (first match), or `other`. */
export function categoryOfKind(kind: number): string {
  if (kind === DM_KIND) return 'dms';
  return byKind.get(kind)?.[0]?.key ?? 'other';
}

/** Kinds grouped by category for the settings screen: every default kind appears exactly once. */
export function kindsByCategory(kinds: readonly number[] = DEFAULT_KINDS): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const k of kinds) (out[categoryOfKind(k)] ??= []).push(k);
  return out;
}
