/**
 * What the graph reads from the local relay (never the network): follow lists, profiles, and which keys have
 * events. Authors go in batches of AUTHOR_BATCH per filter, QUERIES_IN_FLIGHT batches at a time (the cost is
 * round trips, or `strfry scan` processes, not bytes).
 *
 * Cost of the coverage passes, for K keys (N1 + N2, often 100k+ keys), B = K / 200 batches:
 * - profiles (kind 0) and recent events (since now - 1 day): when K is large (more than SINGLE_PASS_ABOVE keys)
 *   and the relay's COUNT says the whole filter without authors holds at most SINGLE_PASS_MAX_EVENTS events,
 *   ONE query over all of them, kept when the author is wanted (a station's relay holds far fewer profiles and
 *   far fewer events of the last day than B batches would cost in round trips). Otherwise B author-batch
 *   queries: at most one event per key for profiles (kind 0 is replaceable), the keys' events of the last day
 *   for recent.
 * - any event: only for keys still unknown (no profile, no follow list, nothing recent), B' author-batch
 *   queries that stop after EVENTS_PER_BATCH events; when a batch hits that cap (a few prolific keys), its keys
 *   still unknown are settled one by one with COUNT (or a query stopped at the first event when the relay does
 *   not answer COUNT). Most N2 keys have nothing locally, so these queries come back empty, and no key's whole
 *   history is ever read.
 * - all three at once: when K is large and the relay's COUNT of ALL its events is at most FULL_PASS_EVENTS_PER_KEY
 *   per key (and SINGLE_PASS_MAX_EVENTS), ONE query over everything gives profiles, recent and any event (a
 *   station's relay with a few thousand events: 1 COUNT + 1 query instead of 2 COUNTs + 2 + B' queries).
 * Follow lists of many authors (N1): one query over every kind 3 when the relay holds at most
 * FULL_PASS_EVENTS_PER_KEY lists per author asked (and SINGLE_PASS_MAX_LISTS: those lists are held until the
 * pass ends, the newest per author being known only then), else author batches.
 * Measured on the test relay (sqlite over WebSocket), 1M edges, 169k keys: see bench/graph and the report of
 * issue 6. On the demo (strfry CLI stand-in, one process per query), `reach` went from 74 queries to 6.
 */
import type { Filter, LocalStore, NostrEvent } from '../services';
import { NewestLists, normalizeKey, replaces } from './model';
import { forEachLimited } from '../util/limit';

export const AUTHOR_BATCH = 200;
export const QUERIES_IN_FLIGHT = 4;
/** Events read per batch in the "any event" pass before falling back to per-key checks. */
export const EVENTS_PER_BATCH = 2_000;
/** Keys above which one query without authors is considered instead of author batches. */
export const SINGLE_PASS_ABOVE = 4_000;
/** Largest COUNT for which that one query is made. */
export const SINGLE_PASS_MAX_EVENTS = 300_000;
/**
 * Events (or lists) read per key asked, at most, for one pass over the whole relay (or every kind 3) to be
 * chosen over author batches: one query reading about this many events costs less than the round trips (or
 * `strfry scan` processes) of the batches it replaces.
 */
export const FULL_PASS_EVENTS_PER_KEY = 10;
/** Largest number of follow lists held at once by the one-pass reading of kind 3. */
export const SINGLE_PASS_MAX_LISTS = 20_000;
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
  tuning: CoverageTuning = {},
): Promise<'single pass' | 'batches'> {
  if (await onePassWorthIt(store, { kinds: [3] }, authors.length, tuning, tuning.singlePassMaxLists ?? SINGLE_PASS_MAX_LISTS)) {
    // The newest list of an author is known only once every list was read: hold the wanted ones until then.
    const wanted = new Set(authors);
    const lists = new NewestLists();
    for await (const ev of store.query({ kinds: [3] }, signal)) if (ev.kind === 3 && wanted.has(ev.pubkey)) lists.add(ev);
    for (const [, ev] of lists.entries()) sink(ev as NostrEvent);
    return 'single pass';
  }
  await forEachLimited(batches(authors), QUERIES_IN_FLIGHT, async (batch) => {
    const lists = new NewestLists();
    for await (const ev of store.query({ kinds: [3], authors: batch }, signal)) lists.add(ev);
    for (const [, ev] of lists.entries()) sink(ev as NostrEvent);
  }, signal);
  return 'batches';
}

/**
 * Whether one query over `base` (no authors) costs less than author batches for `keys` keys: many keys, and the
 * relay's COUNT of `base` within `max` and FULL_PASS_EVENTS_PER_KEY per key. A relay that cannot count: batches.
 */
async function onePassWorthIt(store: LocalStore, base: Filter, keys: number, tuning: CoverageTuning, max: number): Promise<boolean> {
  if (keys <= (tuning.singlePassAbove ?? SINGLE_PASS_ABOVE)) return false;
  const within = (total: number | null): boolean =>
    total !== null && total <= max && total <= keys * (tuning.fullPassEventsPerKey ?? FULL_PASS_EVENTS_PER_KEY);
  // `base` selects part of the relay: a whole relay small enough answers for it without another COUNT.
  const everything = tuning.relayTotal ? await tuning.relayTotal : null;
  if (within(everything)) return true;
  if (Object.keys(base).length === 0 && tuning.relayTotal) return false;
  return within(await store.count(base).catch(() => null));
}

/** The display name of a kind 0 (name, display_name or displayName), '' when none or unreadable. */
/** The name the window shows for a profile everywhere (display name first, as the Profiles screen does). */
export function profileName(ev: Pick<NostrEvent, 'content'>): string {
  try {
    const p = JSON.parse(ev.content) as Record<string, unknown>;
    for (const field of ['display_name', 'displayName', 'name']) {
      const v = p[field];
      if (typeof v === 'string' && v.trim().length > 0) return v.trim().slice(0, 80);
    }
  } catch {
    // A profile whose content is not JSON still counts as a profile; it just has no name.
  }
  return '';
}

/**
 * Every stored event matching `base` by one of `authors`, handed to `each`: one query without authors when that
 * is cheaper (see the header), else author batches.
 */
async function eventsOf(
  store: LocalStore,
  authors: readonly string[],
  base: Filter,
  each: (ev: NostrEvent) => void,
  signal?: AbortSignal,
  tuning: CoverageTuning = {},
): Promise<'single pass' | 'batches'> {
  if (authors.length > (tuning.singlePassAbove ?? SINGLE_PASS_ABOVE)) {
    const total = await store.count(base).catch(() => null);
    if (total !== null && total <= (tuning.singlePassMaxEvents ?? SINGLE_PASS_MAX_EVENTS)) {
      const wanted = new Set(authors);
      for await (const ev of store.query(base, signal)) if (wanted.has(ev.pubkey)) each(ev);
      return 'single pass';
    }
  }
  await forEachLimited(batches(authors), QUERIES_IN_FLIGHT, async (batch) => {
    for await (const ev of store.query({ ...base, authors: batch }, signal)) each(ev);
  }, signal);
  return 'batches';
}

/** hex → name of every key with a kind 0 in the local relay (the newest kind 0 gives the name). */
export async function collectProfiles(
  store: LocalStore,
  authors: readonly string[],
  signal?: AbortSignal,
  tuning: CoverageTuning = {},
): Promise<Map<string, string>> {
  const newest = new Map<string, NostrEvent>();
  await eventsOf(
    store,
    authors,
    { kinds: [0] },
    (ev) => {
      const key = normalizeKey(ev.pubkey);
      if (key && replaces(ev, newest.get(key))) newest.set(key, ev);
    },
    signal,
    tuning,
  );
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
  await forEachLimited(batches(authors), QUERIES_IN_FLIGHT, async (batch) => {
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
    if (!capped) return;
    for (const key of batch) if (!found.has(key) && (await hasEvent(store, key, base, signal))) found.add(key);
  }, signal);
  return found;
}

/**
 * The keys among `authors` with an event since `since`: one pass or author batches, as cheapest (see the header).
 * A batch reads its keys' events of that window whole: bounded by the window, which is short.
 */
async function authorsWithEventsSince(
  store: LocalStore,
  authors: readonly string[],
  since: number,
  signal?: AbortSignal,
  tuning: CoverageTuning = {},
): Promise<Set<string>> {
  const found = new Set<string>();
  await eventsOf(store, authors, { since }, (ev) => found.add(ev.pubkey), signal, tuning);
  return found;
}

/** The thresholds of the header, adjustable (tests exercise both ways on small data). */
export interface CoverageTuning {
  singlePassAbove?: number;
  singlePassMaxEvents?: number;
  eventsPerBatch?: number;
  /** 0 never reads the whole relay (or every kind 3) in one pass. */
  fullPassEventsPerKey?: number;
  singlePassMaxLists?: number;
  /** The relay's COUNT of all its events, when the caller asked it already (one COUNT for every decision). */
  relayTotal?: Promise<number | null>;
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
  opts: {
    keys: readonly string[];
    alsoNames: readonly string[];
    known: ReadonlySet<string>;
    nowSeconds: number;
    signal?: AbortSignal;
    tuning?: CoverageTuning;
  },
): Promise<CoverageReading> {
  const { keys, signal, tuning = {} } = opts;
  const nameKeys = [...new Set([...opts.alsoNames, ...keys])];
  if (await onePassWorthIt(store, {}, keys.length, tuning, tuning.singlePassMaxEvents ?? SINGLE_PASS_MAX_EVENTS)) {
    return coverageInOnePass(store, { ...opts, nameKeys });
  }
  const names = await collectProfiles(store, nameKeys, signal, tuning);
  const withProfile = new Set(keys.filter((k) => names.has(k)));
  const withRecentEvent = await authorsWithEventsSince(store, keys, opts.nowSeconds - DAY_SECONDS, signal, tuning);
  const withEvent = new Set<string>();
  const unknown: string[] = [];
  for (const k of keys) {
    if (withProfile.has(k) || withRecentEvent.has(k) || opts.known.has(k)) withEvent.add(k);
    else unknown.push(k);
  }
  for (const k of await authorsWithEvents(store, unknown, {}, signal, tuning.eventsPerBatch)) withEvent.add(k);
  return { names, withProfile, withEvent, withRecentEvent };
}

/** Profiles, recent and any event of `keys` from one query over every event of the relay. */
async function coverageInOnePass(
  store: LocalStore,
  opts: { keys: readonly string[]; nameKeys: readonly string[]; known: ReadonlySet<string>; nowSeconds: number; signal?: AbortSignal },
): Promise<CoverageReading> {
  const wanted = new Set(opts.keys);
  const wantedNames = new Set(opts.nameKeys);
  const since = opts.nowSeconds - DAY_SECONDS;
  const newest = new Map<string, NostrEvent>();
  const withEvent = new Set<string>();
  const withRecentEvent = new Set<string>();
  for await (const ev of store.query({}, opts.signal)) {
    const key = ev.pubkey;
    if (ev.kind === 0 && wantedNames.has(key) && replaces(ev, newest.get(key))) newest.set(key, ev);
    if (!wanted.has(key)) continue;
    withEvent.add(key);
    if (ev.created_at >= since) withRecentEvent.add(key);
  }
  const names = new Map<string, string>();
  for (const [key, ev] of newest) names.set(key, profileName(ev));
  const withProfile = new Set(opts.keys.filter((k) => names.has(k)));
  // A key whose follow list was read has an event, whatever the pass saw since.
  for (const k of opts.keys) if (opts.known.has(k)) withEvent.add(k);
  return { names, withProfile, withEvent, withRecentEvent };
}
