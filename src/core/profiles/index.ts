/**
 * The profile service: the in-memory index of the constellation's profiles (search, detail, missing) and the
 * profile phase of a run (recover, export, SYNC_PROFILES line).
 */
import { join } from 'node:path';
import { nip19 } from 'nostr-tools';
import type { ProfileDetail, ProfileOutcome, ProfilePage, RunReport } from '../../shared/schemas';
import { CONTACTS_KIND, PROFILE_KIND } from '../../shared/kinds';
import type { EngineContext, NostrEvent, ProfileService, StationState } from '../services';
import { cut, parseProfileContent } from './content';
import { isoSeconds, writeExport, type ExportRow } from './export';
import { batches, AUTHOR_BATCH, newestEvents } from './local';
import { buildIndex, bareSummary, summaryOf, type ProfileIndex, type IndexEntry } from './profile-index';
import { profileOutcome, recoverMissing, type RecoverProgress } from './recover';
import { reason, reasonOf, reasonText, type Reason } from '../../shared/i18n';

export { parseProfileContent } from './content';
export { toCsv, toJson, csvCell, CSV_HEADER, EXPORT_JSON, EXPORT_CSV } from './export';

/** Recent notes shown in a profile, and the longest note text sent to the window. */
const NOTES = 20;
const NOTE_TEXT = 4000;
/** Follows / followers listed in a profile (members first). */
const NEIGHBOURS = 1000;

const HEX = /^[0-9a-f]{64}$/;

/** A hex key from a hex or npub string; null when it is neither. */
function keyOf(text: string): string | null {
  const t = text.trim().toLowerCase();
  if (HEX.test(t)) return t;
  if (!t.startsWith('npub1')) return null;
  try {
    const d = nip19.decode(t);
    return d.type === 'npub' ? d.data : null;
  } catch {
    return null;
  }
}

function membersOf(state: StationState): string[] {
  return [...state.members.keys()].filter((h) => HEX.test(h) && !state.blacklist.has(h));
}

export function createProfileService(ctx: EngineContext): ProfileService {
  let index: ProfileIndex | null = null;
  let building: Promise<ProfileIndex> | null = null;
  /**
   * The index the profile phase built at its end (after every import of its run): a run's refresh() right after
   * that phase would rebuild the same index from the same relay, so it is spared once.
   */
  let builtByRecover: ProfileIndex | null = null;

  /** One rebuild at a time; callers during a rebuild share it. */
  function rebuild(): Promise<ProfileIndex> {
    building ??= (async () => {
      try {
        const state = await ctx.station.state();
        const next = await buildIndex(ctx.store(), membersOf(state), ctx.config.clock);
        index = next;
        ctx.log.debug(`profile index: ${next.size} profiles for ${next.members.length} members`);
        return next;
      } finally {
        building = null;
      }
    })();
    return building;
  }

  async function current(): Promise<ProfileIndex> {
    return index ?? (await rebuild());
  }

  function orderNeighbours(idx: ProfileIndex, hexes: readonly string[]): string[] {
    const inside = hexes.filter((h) => idx.isInside(h));
    const members = inside.filter((h) => idx.isMember(h));
    const others = inside.filter((h) => !idx.isMember(h));
    return [...members, ...others].slice(0, NEIGHBOURS);
  }

  async function detailOf(idx: ProfileIndex, hex: string): Promise<ProfileDetail | null> {
    const store = ctx.store();
    let entry: IndexEntry | undefined = idx.entry(hex);
    let banner = '';
    let website = '';
    let lud16 = '';
    if (entry) {
      ({ banner, website, lud16 } = entry.fields);
    }
    let follows = idx.followsOf(hex);
    if (!entry || follows === null) {
      // Not indexed (outside the constellation, or a member without a kind 3): ask the local relay directly.
      const [kind0] = await newestEvents(store, { kinds: [PROFILE_KIND], authors: [hex] }, 1);
      const [kind3] = await newestEvents(store, { kinds: [CONTACTS_KIND], authors: [hex] }, 1);
      if (!entry && kind0) {
        const p = parseProfileContent(kind0.content);
        ({ banner, website, lud16 } = p.fields);
        entry = {
          hex,
          npub: bareSummary(hex).npub,
          fields: p.fields,
          updatedAt: kind0.created_at,
          member: false,
          haystack: '',
        };
      }
      follows = kind3 ? kind3.tags.filter((t) => t[0] === 'p' && HEX.test(t[1] ?? '')).map((t) => t[1] as string) : [];
    }
    const followers = idx.followersOf(hex);
    if (!entry && followers.length === 0 && !idx.isInside(hex)) return null;
    const summary = entry ? summaryOf(entry) : bareSummary(hex);
    const notes = await newestEvents(store, { kinds: [1], authors: [hex] }, NOTES);
    return {
      ...summary,
      banner,
      website,
      lud16,
      isMember: idx.isMember(hex),
      follows: orderNeighbours(idx, [...new Set(follows)]).map((h) => idx.summary(h)),
      followers: orderNeighbours(idx, followers).map((h) => idx.summary(h)),
      notes: notes.map((n: NostrEvent) => ({ id: n.id, kind: n.kind, createdAt: n.created_at, content: cut(n.content, NOTE_TEXT) })),
    };
  }

  /** Members whose kind 0 the local relay lacks: one pass over the store, in author batches. */
  async function localMissing(members: readonly string[], signal: AbortSignal): Promise<string[]> {
    const have = new Set<string>();
    const store = ctx.store();
    for (const batch of batches(members, AUTHOR_BATCH)) {
      for await (const e of store.query({ kinds: [PROFILE_KIND], authors: batch }, signal)) {
        if (e.kind === PROFILE_KIND) have.add(e.pubkey);
      }
    }
    return members.filter((h) => !have.has(h));
  }

  async function writeStationFiles(idx: ProfileIndex, found: number, missing: number): Promise<void> {
    const s = ctx.settings();
    const fetchedAt = isoSeconds(ctx.config.clock());
    const rows: ExportRow[] = idx.exportEntries().map((e) => ({
      hex: e.hex,
      profile: e.exported ?? {},
      relays: e.relays ?? [],
      fetched_at: fetchedAt,
    }));
    try {
      const paths = await writeExport(s.zenRoot, rows);
      ctx.log.info(reason('profiles.exported', { count: rows.length, json: paths.json, csv: paths.csv }));
    } catch (err) {
      ctx.log.error(reason('profiles.exportFailed', { why: reasonOf(err) }));
    }
    await ctx.log.appendStationLog(join(s.zenRoot, 'strfry', 'constellation-backfill.log'), 'INFO', [
      `SYNC_PROFILES: found=${found} missing=${missing}`,
    ]);
  }

  /**
   * One line for the members still without a profile, with the distinct reasons (most frequent first): a
   * station always has a few members who never published a profile, which is no warning; each member's reason is
   * in the run report (and, one line each, at debug level).
   */
  function logStillMissing(outcomes: readonly ProfileOutcome[], total: number): void {
    const missing = outcomes.filter((o) => o.outcome === 'missing');
    if (missing.length === 0) return;
    const byText = new Map<string, { why: Reason; n: number }>();
    for (const o of missing) {
      ctx.log.debug(`profiles: ${o.hex.slice(0, 12)}… still without a profile: ${o.reason ?? ''}`);
      const parts: Reason[] = o.why?.code === 'profiles.still' ? ((o.why.params?.whys as Reason[] | undefined) ?? []) : o.why ? [o.why] : [];
      for (const why of parts) {
        const key = reasonText(why);
        const seen = byText.get(key);
        if (seen) seen.n++;
        else byText.set(key, { why, n: 1 });
      }
    }
    const whys = [...byText.values()].sort((a, b) => b.n - a.n).slice(0, 3).map((x) => x.why);
    ctx.log.info(reason('profiles.stillMissing', { count: missing.length, total, whys }));
  }

  async function recover(opts: {
    state: StationState;
    signal: AbortSignal;
    dryRun: boolean;
    verify?: boolean;
    unreachable?: readonly string[];
    onProgress: (p: RecoverProgress) => void;
  }): Promise<NonNullable<RunReport['profiles']>> {
    const { state, signal, dryRun } = opts;
    const members = membersOf(state);
    const missing = await localMissing(members, signal);
    const missingSet = new Set(missing);
    const progress: RecoverProgress = { total: missing.length, done: 0, found: 0, missing: 0 };
    opts.onProgress({ ...progress });
    const outcomes: ProfileOutcome[] = members
      .filter((h) => !missingSet.has(h))
      .map((hex) => profileOutcome(hex, 'local', 'local relay', null));

    if (dryRun) {
      const peers = state.snapshot.peers.filter((p) => p.syncable).length;
      for (const hex of missing) {
        outcomes.push(profileOutcome(hex, 'missing', null, reason('profiles.dryRun', { peers, fallbacks: ctx.settings().fallbackRelays.length })));
      }
      progress.done = missing.length;
      progress.missing = missing.length;
      opts.onProgress({ ...progress });
      return { found: members.length - missing.length, missing: missing.length, recovered: 0, outcomes };
    }

    const verify = opts.verify ?? ctx.settings().verify;
    let recovered: ProfileOutcome[] = [];
    if (missing.length > 0) {
      ctx.log.info(reason('profiles.recovering', { missing: missing.length, members: members.length }));
      const syncable = state.snapshot.peers.filter((p) => p.syncable);
      const peers = syncable.filter((p) => !opts.unreachable?.includes(p.id));
      recovered = await recoverMissing({
        ctx,
        missing,
        peers,
        unreached: syncable.length - peers.length,
        signal,
        verify,
        import: async (events, sig) => {
          const at = Date.now();
          const r = await ctx.store().import(events, { verify }, sig);
          ctx.log.debug(`profiles: ${events.length} events imported into the local relay in ${Date.now() - at} ms (${r.added} new)`);
          if (r.rejected > 0) ctx.log.warn(reason('profiles.refused', { count: r.rejected, reasons: Object.entries(r.reasons).map(([k, v]) => `${k}: ${v}`) }));
        },
        onMember: (o) => {
          progress.done += 1;
          if (o.outcome === 'missing') progress.missing += 1;
          else progress.found += 1;
          opts.onProgress({ ...progress });
        },
      });
    }
    outcomes.push(...recovered);
    const gained = recovered.filter((o) => o.outcome !== 'missing').length;
    const stillMissing = missing.length - gained;
    const found = members.length - stillMissing;
    logStillMissing(recovered, members.length);

    // The index and the export reflect what the local relay now holds.
    const idx = await rebuild();
    builtByRecover = idx;
    await writeStationFiles(idx, found, stillMissing);
    return { found, missing: stillMissing, recovered: gained, outcomes };
  }

  return {
    search: async (query: string, offset: number, limit: number): Promise<ProfilePage> => (await current()).search(query, offset, limit),
    get: async (hex: string) => {
      const h = keyOf(hex);
      if (!h) return null;
      return detailOf(await current(), h);
    },
    missing: async () => (await current()).missing(),
    refresh: async () => {
      const fresh = builtByRecover !== null && builtByRecover === index;
      builtByRecover = null;
      if (fresh) {
        ctx.log.debug('profile index: already rebuilt by the profile phase of this run');
        return;
      }
      // No index yet: nothing is stale, the first reader builds it from the relay as it is then (a one-shot
      // `constellation sync --no-profiles` would otherwise read the members' lists for an index nobody reads).
      if (index === null && building === null) return;
      await rebuild();
    },
    recover,
  };
}
