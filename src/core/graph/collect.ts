/**
 * What the graph reads from the local relay (never the network): follow lists, profiles, and which keys have
 * events. Authors go in batches of AUTHOR_BATCH per filter.
 *
 * Cost of the coverage passes, for K keys (N1 + N2, possibly 100k+), B = K / 200 batches:
 * - profiles: B queries `{kinds:[0], authors}`: at most one event per key is read (kind 0 is replaceable).
 * - recent event: B queries `{authors, since: now - 1 day}`: reads the keys' events of the last day only.
 * - any event: only for keys still unknown (no profile, no follow list, nothing recent), B' queries
 *   `{authors}` that stop after EVENTS_PER_BATCH events; when a batch hits that cap (a few prolific keys), its
 *   keys still unknown are settled one by one with COUNT (or a query stopped at the first event when the relay
 *   does not answer COUNT). Most N2 keys have no event at all locally, so these queries return nothing and are
 *   cheap, and no key's whole history is ever read.
 */
import type { Filter, LocalStore, NostrEvent } from '../services';
import { NewestLists, normalizeKey, replaces } from './model';

export const AUTHOR_BATCH = 200;
/** Events read per batch in the "any event" pass before falling back to per-key checks. */
export const EVENTS_PER_BATCH = 2_000;
export const DAY_SECONDS = 86_400;

export function batches<T>(items: readonly T[], size = AUTHOR_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads the kind 3 lists of `authors`, batch by batch, and hands the newest of each author to `sink` as soon as
 * its batch is complete (a batch holds all of its authors' lists, so the newest is final then).
 */
export async function collectFollowLists(
  store: LocalStore,
  authors: readonly string[],
  sink: (ev: NostrEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (const batch of batches(authors)) {
    const lists = new NewestLists();
    for await (const ev of store.query({ kinds: [3], authors: batch }, signal)) lists.add(ev);
    for (const [, ev] of lists.entries()) sink(ev as NostrEvent);
  }
}

/** The display name of a kind 0 (name, display_name or displayName), '' when none or unreadable. */
export function profileName(ev: Pick<NostrEvent, 'content'>): string {
  try {
    const p = JSON.parse(ev.content) as Record<string, unknown>;
    for (const field of ['name', 'display_name', 'displayName']) {
      const v = p[field];
      if (typeof v === 'string' && v.trim().length > 0) return v.trim().slice(0, 80);
    }
  } catch {
    // A profile whose content is not JSON still counts as a profile; it just has no name.
  }
  return '';
}

/** hex → name of every key with a kind 0 in the local relay (the newest kind 0 gives the name). */
export async function collectProfiles(store: LocalStore, authors: readonly string[], signal?: AbortSignal): Promise<Map<string, string>> {
  const newest = new Map<string, NostrEvent>();
  for (const batch of batches(authors)) {
    for await (const ev of store.query({ kinds: [0], authors: batch }, signal)) {
      const key = normalizeKey(ev.pubkey);
      if (key && replaces(ev, newest.get(key))) newest.set(key, ev);
    }
  }
  const names = new Map<string, string>();
  for (const [key, ev] of newest) names.set(key, profileName(ev));
  return names;
}

/** Whether one key has an event matching `base` (COUNT when the relay answers it, else the first event). */
async function hasEvent(store: LocalStore, key: string, base: Filter, signal?: AbortSignal): Promise<boolean> {
  const counted = await store.count({ ...base, authors: [key] });
  if (counted !== null) return counted > 0;
  for await (const _ev of store.query({ ...base, authors: [key] }, signal)) return true;
  return false;
}

/** The keys among `authors` with at least one event matching `base`, reading at most `cap` events per batch. */
export async function authorsWithEvents(
  store: LocalStore,
  authors: readonly string[],
  base: Filter,
  signal?: AbortSignal,
  cap = EVENTS_PER_BATCH,
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const batch of batches(authors)) {
    let read = 0;
    let capped = false;
    for await (const ev of store.query({ ...base, authors: batch }, signal)) {
      const key = normalizeKey(ev.pubkey);
      if (key) found.add(key);
      if (++read >= cap) {
        capped = true;
        break;
      }
    }
    if (!capped) continue;
    for (const key of batch) if (!found.has(key) && (await hasEvent(store, key, base, signal))) found.add(key);
  }
  return found;
}

export interface CoverageReading {
  names: Map<string, string>;
  withProfile: Set<string>;
  withEvent: Set<string>;
  withRecentEvent: Set<string>;
}

/**
 * Profiles and coverage of `keys` (profiles also for `alsoNames`, e.g. the members, whose names the figures
 * show). `known` are keys already seen with an event (their follow list), spared the "any event" pass.
 */
export async function collectCoverage(
  store: LocalStore,
  opts: { keys: readonly string[]; alsoNames: readonly string[]; known: ReadonlySet<string>; nowSeconds: number; signal?: AbortSignal },
): Promise<CoverageReading> {
  const { keys, signal } = opts;
  const names = await collectProfiles(store, [...new Set([...opts.alsoNames, ...keys])], signal);
  const withProfile = new Set(keys.filter((k) => names.has(k)));
  const withRecentEvent = await authorsWithEvents(store, keys, { since: opts.nowSeconds - DAY_SECONDS }, signal);
  const withEvent = new Set<string>();
  const unknown: string[] = [];
  for (const k of keys) {
    if (withProfile.has(k) || withRecentEvent.has(k) || opts.known.has(k)) withEvent.add(k);
    else unknown.push(k);
  }
  for (const k of await authorsWithEvents(store, unknown, {}, signal)) withEvent.add(k);
  return { names, withProfile, withEvent, withRecentEvent };
}
