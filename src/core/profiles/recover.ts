/**
 * The profile phase of a run: members without a kind 0 in the local relay get a full sync (every configured
 * kind, no time limit, complete paging) from the first syncable peer that holds their profile, several members
 * at once; those no peer holds are then asked of the fallback relays (kind 0 only).
 *
 * Unlike the old script, which ran a full sync of each member against each peer in turn until one answered
 * with a profile, we first ask every peer once which of the missing members' kind 0 it holds (one paged REQ per
 * author batch). A full sync from a peer that lacks the profile cannot recover it, so each member's full sync
 * goes straight to a peer that has it; members nobody holds go straight to the fallback relays. Connections
 * (and tunnels) are opened once per peer and shared by every member.
 */
import type { Peer, ProfileOutcome } from '../../shared/schemas';
import { DM_KIND, PROFILE_KIND, WELCOME_NOTE_PATTERN } from '../../shared/kinds';
import type { EngineContext, NostrEvent, PeerEndpoint } from '../services';
import {
  DEFAULT_LIMITS,
  RelayConnection,
  authorsPerFilter,
  batchAuthors,
  fetchRelayInfo,
  hasValidId,
  isWellFormed,
  loadVerifier,
  pageEvents,
  relayLimits,
  subscriptionBudget,
  type Limits,
  type Verifier,
} from '../nostr';
import { forEachLimited } from '../util/limit';
import { reason, ReasonError, reasonOf, reasonText, withoutPeer, withReason, type Reason } from '../../shared/i18n';

export interface RecoverProgress {
  total: number;
  done: number;
  found: number;
  missing: number;
}

/** Events collected for one member before they are imported (bounded memory for very active authors). */
const FLUSH_AT = 5000;

/** A peer as reasons name it: `peer 12D3KooW…AbCd (host)`. */
export function peerName(peer: Peer): Reason {
  const id = peer.peerId ?? peer.id;
  return reason('peer.label', { id, host: peer.hostname });
}

export function peerLabel(peer: Peer): string {
  return reasonText(peerName(peer));
}

/** A member's outcome: where its profile came from, or why not (a code, and its English). */
export function profileOutcome(hex: string, outcome: string, source: string | null, why: Reason | null): ProfileOutcome {
  return why ? { hex, outcome, source, ...withReason(why) } : { hex, outcome, source, reason: null };
}

/**
 * The sieve for events a peer sends us: well-formed, the id right, matching what we asked, and signed by its
 * author (unless the captain turned verification off: `verifier` null). A forged kind 0 must never become a
 * member's profile, nor a forged kind 5 delete a member's note.
 */
export function acceptable(e: unknown, authors: ReadonlySet<string>, kinds: ReadonlySet<number>, verifier: Verifier | null): e is NostrEvent {
  return (
    isWellFormed(e) &&
    authors.has(e.pubkey) &&
    kinds.has(e.kind) &&
    hasValidId(e) &&
    !WELCOME_NOTE_PATTERN.test(e.content) &&
    (verifier === null || verifier.verify(e))
  );
}

/** One open way to a peer's relay, shared by every member of the phase. */
export interface PeerLink {
  peer: Peer;
  label: string;
  name: Reason;
  conn: RelayConnection;
  limits: Limits;
}

/** Opens each peer once (endpoint, NIP-11, connection) and gives everything back at the end. */
export class PeerLinks {
  private readonly links = new Map<string, Promise<PeerLink>>();
  private readonly endpoints: PeerEndpoint[] = [];
  private readonly conns: RelayConnection[] = [];

  constructor(
    private readonly ctx: EngineContext,
    private readonly signal: AbortSignal,
  ) {}

  get(peer: Peer): Promise<PeerLink> {
    let link = this.links.get(peer.id);
    if (!link) {
      link = this.open(peer);
      // A failed peer stays failed for the whole phase (its reason is reported per member).
      link.catch(() => undefined);
      this.links.set(peer.id, link);
    }
    return link;
  }

  private async open(peer: Peer): Promise<PeerLink> {
    const name = peerName(peer);
    const label = reasonText(name);
    const t = this.ctx.config.timeouts;
    let endpoint: PeerEndpoint;
    try {
      endpoint = await this.ctx.tunnels.endpoint(peer, this.signal);
    } catch (err) {
      throw new ReasonError(reason('profiles.noWay', { peer: name, why: withoutPeer(reasonOf(err)) }));
    }
    this.endpoints.push(endpoint);
    let limits = DEFAULT_LIMITS;
    try {
      limits = relayLimits(await fetchRelayInfo(endpoint.url, { timeoutMs: t.nip11, signal: this.signal }));
    } catch (err) {
      // No NIP-11 document: the defaults (strfry's) are a safe guess; say so in the app log.
      if (this.signal.aborted) throw err;
      this.ctx.log.debug(`${label}: ${reasonText(reasonOf(err))}; using default relay limits`);
    }
    let conn: RelayConnection;
    try {
      conn = await RelayConnection.connect(endpoint.url, {
        timeoutMs: t.connect,
        signal: this.signal,
        maxSubscriptions: subscriptionBudget(limits),
        maxMessageLength: limits.maxMessageLength,
      });
    } catch (err) {
      throw new ReasonError(reason('profiles.cannotConnect', { peer: name, url: endpoint.url, why: reasonOf(err) }));
    }
    this.conns.push(conn);
    return { peer, label, name, conn, limits };
  }

  bytes(): { bytesIn: number; bytesOut: number } {
    return this.conns.reduce((a, c) => ({ bytesIn: a.bytesIn + c.bytesIn, bytesOut: a.bytesOut + c.bytesOut }), { bytesIn: 0, bytesOut: 0 });
  }

  async closeAll(): Promise<void> {
    for (const c of this.conns) c.close();
    await Promise.all(this.endpoints.map((e) => e.release()));
  }
}

/**
 * Events of several members imported together: the local relay takes one big batch (many EVENTs in flight, or
 * one `strfry import`) far faster than many small ones. A failed batch is remembered per member.
 */
export class ImportQueue {
  private pending: NostrEvent[] = [];
  private owners = new Set<string>();
  private running: Promise<void> = Promise.resolve();
  readonly failures = new Map<string, Reason>();

  constructor(
    private readonly run: (events: NostrEvent[]) => Promise<void>,
    private readonly batch = 2000,
  ) {}

  /** Queues a member's events; starts a batch when enough are waiting (callers need not wait for it). */
  add(owner: string, events: readonly NostrEvent[]): Promise<void> {
    for (const e of events) this.pending.push(e);
    this.owners.add(owner);
    return this.pending.length >= this.batch ? this.flush() : Promise.resolve();
  }

  /** Imports what is waiting, after the batches already started. */
  flush(): Promise<void> {
    const events = this.pending;
    const owners = [...this.owners];
    this.pending = [];
    this.owners = new Set();
    this.running = this.running.then(async () => {
      if (events.length === 0) return;
      try {
        await this.run(events);
      } catch (err) {
        for (const o of owners) this.failures.set(o, reason('profiles.importFailed', { why: reasonOf(err) }));
      }
    });
    return this.running;
  }
}

/** Which of `authors` have a kind 0 on this relay, with the newest one seen. Complete paging, author batches. */
export async function probeProfiles(
  conn: RelayConnection,
  limits: Limits,
  authors: readonly string[],
  opts: { idleMs: number; signal: AbortSignal; verifier: Verifier | null },
): Promise<Map<string, NostrEvent>> {
  const found = new Map<string, NostrEvent>();
  const kinds = new Set([PROFILE_KIND]);
  for (const batch of batchAuthors(authors, authorsPerFilter(limits, 1))) {
    const wanted = new Set(batch);
    const filter = { kinds: [PROFILE_KIND], authors: batch };
    for await (const e of pageEvents(conn, filter, { pageSize: limits.maxLimit, idleMs: opts.idleMs, signal: opts.signal })) {
      if (!acceptable(e, wanted, kinds, opts.verifier)) continue;
      const cur = found.get(e.pubkey);
      if (!cur || e.created_at > cur.created_at || (e.created_at === cur.created_at && e.id < cur.id)) found.set(e.pubkey, e);
    }
  }
  return found;
}

/**
 * A member's full sync from one peer: every configured kind, no time limit, paged to the end. Events are handed
 * to `flush` in bounded chunks; events deleted by the member's own kind 5 seen in the session are dropped.
 * Returns whether a kind 0 came, and how many events.
 */
export async function fullSync(
  link: PeerLink,
  hex: string,
  kinds: readonly number[],
  opts: { idleMs: number; signal: AbortSignal; verifier: Verifier | null; flush: (events: NostrEvent[]) => Promise<void> },
): Promise<{ profile: boolean; events: number }> {
  const authors = new Set([hex]);
  const kindSet = new Set(kinds);
  const deleted = new Set<string>();
  let held: NostrEvent[] = [];
  let profile = false;
  let events = 0;
  const flush = async (): Promise<void> => {
    const keep = held.filter((e) => !deleted.has(e.id));
    held = [];
    if (keep.length > 0) await opts.flush(keep);
  };
  const filter = { kinds: [...kinds], authors: [hex] };
  for await (const e of pageEvents(link.conn, filter, { pageSize: link.limits.maxLimit, idleMs: opts.idleMs, signal: opts.signal })) {
    if (!acceptable(e, authors, kindSet, opts.verifier)) continue;
    if (e.kind === PROFILE_KIND) profile = true;
    if (e.kind === 5) for (const t of e.tags) if (t[0] === 'e' && typeof t[1] === 'string') deleted.add(t[1]);
    held.push(e);
    events++;
    if (held.length >= FLUSH_AT) await flush();
  }
  await flush();
  return { profile, events };
}

/** The kinds a member's full sync asks: the configured kinds, without DMs when the station refuses them. */
export function fullSyncKinds(kinds: readonly number[], noDms: boolean): number[] {
  const out = [...new Set(kinds)].filter((k) => !(noDms && k === DM_KIND));
  if (!out.includes(PROFILE_KIND)) out.push(PROFILE_KIND);
  return out;
}

export interface RecoverPlan {
  ctx: EngineContext;
  missing: readonly string[];
  peers: readonly Peer[];
  /** syncable peers left out because the run's sync could not reach them */
  unreached?: number;
  signal: AbortSignal;
  /** check every signature (default true: a peer may be hostile) */
  verify?: boolean;
  import: (events: NostrEvent[], signal: AbortSignal) => Promise<void>;
  onMember: (outcome: ProfileOutcome) => void;
}

/** Recovers the missing members from the peers, then the fallback relays. Never throws for one member's failure. */
export async function recoverMissing(plan: RecoverPlan): Promise<ProfileOutcome[]> {
  const { ctx, signal } = plan;
  const settings = ctx.settings();
  const t = ctx.config.timeouts;
  const kinds = fullSyncKinds(settings.kinds, settings.noDms);
  const verifier = (plan.verify ?? true) ? await loadVerifier() : null;
  const outcomes = new Map<string, ProfileOutcome>();
  const problems = new Map<string, Reason[]>();
  const note = (hex: string, why: Reason): void => {
    const list = problems.get(hex) ?? [];
    list.push(why);
    problems.set(hex, list);
  };
  const links = new PeerLinks(ctx, signal);
  const queue = new ImportQueue((events) => plan.import(events, signal));
  try {
    // 1. Ask every peer once which missing profiles it holds.
    const holders = new Map<string, Map<string, NostrEvent>>();
    const failedPeers = new Map<string, Reason>();
    await Promise.all(
      plan.peers.map(async (peer) => {
        const probeSignal = AbortSignal.any([signal, AbortSignal.timeout(t.profile)]);
        try {
          const link = await links.get(peer);
          holders.set(peer.id, await probeProfiles(link.conn, link.limits, plan.missing, { idleMs: t.idle, signal: probeSignal, verifier }));
        } catch (err) {
          if (signal.aborted) return;
          // Named once: the link's own reasons already start with the peer.
          const why = probeSignal.aborted ? reason('profiles.noAnswer', { ms: t.profile }) : reasonOf(err);
          const named = why.code === 'profiles.noWay' || why.code === 'profiles.cannotConnect';
          failedPeers.set(peer.id, named ? why : reason('at', { who: peerName(peer), why }));
        }
      }),
    );
    signal.throwIfAborted();

    // 2. A full sync of each member from the first peer (in the station's order) holding its profile.
    const stillMissing: string[] = [];
    // no signal here: a cancel ends each member early (it checks), and what was recovered is still flushed below
    await forEachLimited(plan.missing, settings.profileConcurrency, async (hex) => {
      if (signal.aborted) return;
      const candidates = plan.peers.filter((p) => holders.get(p.id)?.has(hex));
      for (const peer of candidates) {
        const memberSignal = AbortSignal.any([signal, AbortSignal.timeout(t.profile)]);
        const link = await links.get(peer);
        try {
          const started = Date.now();
          const r = await fullSync(link, hex, kinds, { idleMs: t.idle, signal: memberSignal, verifier, flush: (ev) => queue.add(hex, ev) });
          ctx.log.debug(`profiles: ${hex.slice(0, 12)}… full sync from ${link.label}: ${r.events} events in ${Date.now() - started} ms`);
          if (r.profile) {
            const o = profileOutcome(hex, 'peer', peer.id, reason('profiles.fullSync', { peer: link.name, events: r.events }));
            outcomes.set(hex, o);
            plan.onMember(o);
            return;
          }
          note(hex, reason('profiles.gone', { peer: link.name }));
        } catch (err) {
          if (signal.aborted) return;
          const why = memberSignal.aborted ? reason('profiles.fullSyncTimeout', { ms: t.profile }) : reasonOf(err);
          // The probe already brought the profile itself: keep it even though the full sync did not finish.
          const kind0 = holders.get(peer.id)?.get(hex);
          if (kind0) {
            await queue.add(hex, [kind0]);
            const o = profileOutcome(hex, 'peer', peer.id, reason('profiles.profileOnly', { peer: link.name, why }));
            outcomes.set(hex, o);
            plan.onMember(o);
            return;
          }
          note(hex, reason('at', { who: link.name, why }));
        }
      }
      if (candidates.length === 0) {
        if (plan.peers.length > 0) note(hex, reason('profiles.noPeerHolds'));
        else if (plan.unreached) note(hex, reason('profiles.noReachablePeer', { count: plan.unreached }));
        else note(hex, reason('profiles.noSyncablePeer'));
      }
      stillMissing.push(hex);
    });
    await queue.flush();
    signal.throwIfAborted();
    // A member whose events the local relay did not take is not recovered: the fallback relays get a chance.
    for (const [hex, why] of queue.failures) {
      outcomes.delete(hex);
      note(hex, why);
      stillMissing.push(hex);
    }
    for (const why of failedPeers.values()) for (const hex of stillMissing) note(hex, why);

    // 3. The fallback relays, kind 0 only, for what no peer gave.
    let left = stillMissing;
    for (const url of settings.fallbackRelays) {
      if (left.length === 0) break;
      const relaySignal = AbortSignal.any([signal, AbortSignal.timeout(t.profile)]);
      let conn: RelayConnection | null = null;
      try {
        conn = await RelayConnection.connect(url, { timeoutMs: t.connect, signal: relaySignal });
        const found = await probeProfiles(conn, DEFAULT_LIMITS, left, { idleMs: t.idle, signal: relaySignal, verifier });
        if (found.size > 0) await plan.import([...found.values()], signal);
        for (const hex of found.keys()) {
          const o = profileOutcome(hex, 'fallback', url, reason('profiles.fallbackFound', { url }));
          outcomes.set(hex, o);
          plan.onMember(o);
        }
        for (const hex of left) if (!found.has(hex)) note(hex, reason('profiles.fallbackNone', { url }));
        left = left.filter((h) => !found.has(h));
      } catch (err) {
        if (signal.aborted) throw err;
        const why = relaySignal.aborted ? reason('profiles.noAnswer', { ms: t.profile }) : reasonOf(err);
        for (const hex of left) note(hex, reason('profiles.fallbackFailed', { url, why }));
      } finally {
        conn?.close();
      }
    }
    if (settings.fallbackRelays.length === 0) for (const hex of left) note(hex, reason('profiles.noFallback'));
    for (const hex of left) {
      const o = profileOutcome(hex, 'missing', null, reason('profiles.still', { whys: problems.get(hex) ?? [reason('profiles.notFound')] }));
      outcomes.set(hex, o);
      plan.onMember(o);
    }
  } finally {
    await links.closeAll();
  }
  return plan.missing.map((hex) => outcomes.get(hex) ?? profileOutcome(hex, 'missing', null, reason('cancelled')));
}
