/**
 * Domain schemas shared by every layer: what the engine knows and what the window shows.
 * Plain zod, no Node APIs, no DOM.
 */
import { z } from 'zod';
import { DEFAULT_KINDS } from './kinds';
import { reason, reasonText, type Reason, type ReasonCode } from './i18n/reason';
import { ReasonSchema } from './i18n/reason-schema';

export { ReasonSchema };

/**
 * A reason as a code with parameters, next to its English text wherever a reason crosses the contract: readers
 * render `why` in their language (src/shared/i18n); `reason` stays the English text logs, the history and scripts
 * read. Optional: runs recorded before, and reasons from parts of the engine not given codes yet, have none (their
 * English text is translated by src/shared/reasons.ts instead).
 */
const why = ReasonSchema.optional();

/** The English text of a schema's own refusals, by code: the code comes back from the issue (issueReason). */
const SCHEMA_REASONS = ['input.wsUrl', 'input.httpUrl', 'input.hex64', 'input.zenRootEmpty', 'input.daysNegative', 'input.noKind'] as const;
const refusal = (code: (typeof SCHEMA_REASONS)[number]): string => reasonText(reason(code));
const byText = new Map<string, ReasonCode>(SCHEMA_REASONS.map((c) => [refusal(c), c]));

/** What zod's issues carry that a language needs to say them (the English is zod's own message). */
interface IssueLike {
  code: string;
  message: string;
  path: PropertyKey[];
  origin?: unknown;
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: unknown;
  expected?: unknown;
  input?: unknown;
  values?: unknown;
  keys?: unknown;
}

function receivedType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isNaN(v)) return 'nan';
  return typeof v;
}

/** One schema issue as a reason: `field: why`, the schema's own refusals by their code, zod's by their parameters. */
export function issueReason(issue: IssueLike): Reason {
  const path = issue.path.length ? issue.path.map(String).join('.') : 'value';
  const own = byText.get(issue.message);
  const limit = issue.minimum ?? issue.maximum;
  const list = (issue.values ?? issue.keys) as unknown[] | undefined;
  const check = own
    ? reason(own as (typeof SCHEMA_REASONS)[number])
    : reason('input.check', {
        text: issue.message,
        check: issue.code,
        origin: typeof issue.origin === 'string' ? issue.origin : undefined,
        limit: typeof limit === 'number' ? limit : typeof limit === 'bigint' ? Number(limit) : undefined,
        inclusive: typeof issue.inclusive === 'boolean' ? issue.inclusive : undefined,
        expected: typeof issue.expected === 'string' ? issue.expected : undefined,
        received: issue.code === 'invalid_type' ? receivedType(issue.input) : undefined,
        values: Array.isArray(list) ? list.map(String) : undefined,
      });
  return reason('input.field', { path, why: check });
}

export const hex64 = z.string().regex(/^[0-9a-f]{64}$/, refusal('input.hex64'));

// ---------------------------------------------------------------- app.info

export const ServiceCheck = z.object({
  url: z.string(),
  reachable: z.boolean(),
  /** Why it is not reachable, in words a captain can act on. */
  error: z.string().nullable(),
  why,
});
export type ServiceCheck = z.infer<typeof ServiceCheck>;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  arch: z.string(),
  nodeVersion: z.string(),
  /** 'electron' | 'web' | 'cli' */
  host: z.string(),
  stationRoot: z.string(),
  stationFound: z.boolean(),
  demo: z.boolean(),
  dataDir: z.string(),
  peerId: z.string().nullable(),
  /** Where the PeerID came from: 'kubo' | 'ipfs-config' | 'beacon' | null */
  peerIdSource: z.string().nullable(),
  services: z.object({
    relay: ServiceCheck,
    kubo: ServiceCheck,
    strfry: z.object({
      bin: z.string(),
      binFound: z.boolean(),
      conf: z.string(),
      confFound: z.boolean(),
    }),
  }),
});
export type AppInfo = z.infer<typeof AppInfo>;

// ---------------------------------------------------------------- settings

const relayUrl = z
  .string()
  .trim()
  .regex(/^wss?:\/\/[^\s/]+(\/[^\s]*)?$/i, refusal('input.wsUrl'));
const httpUrl = z
  .string()
  .trim()
  .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/i, refusal('input.httpUrl'));

export const NotificationSettings = z.object({
  finished: z.boolean(),
  failed: z.boolean(),
  peers: z.boolean(),
});

export const Settings = z.object({
  zenRoot: z.string().min(1, refusal('input.zenRootEmpty')),
  strfryBin: z.string().min(1),
  strfryConf: z.string().min(1),
  relayUrl,
  kuboApi: httpUrl,
  /** Value of the Authorization header for kubo's API.Authorizations, empty when not used. */
  kuboAuth: z.string(),
  days: z.number().int().min(0, refusal('input.daysNegative')).max(3650),
  kinds: z.array(z.number().int().min(0).max(65535)).min(1, refusal('input.noKind')),
  noDms: z.boolean(),
  verify: z.boolean(),
  profiles: z.boolean(),
  fallbackRelays: z.array(relayUrl),
  /**
   * Relay URLs on this machine's loopback that are reached directly instead of through a tunnel (a peer's
   * loopback URL normally means "tunnel only"). For a demo or test constellation living on one machine.
   */
  directRelays: z.array(relayUrl),
  peerConcurrency: z.number().int().min(1).max(16),
  profileConcurrency: z.number().int().min(1).max(16),
  staleHours: z.number().min(1).max(24 * 30),
  scheduleEnabled: z.boolean(),
  scheduleMinutes: z.number().int().min(5).max(24 * 60),
  startMinimised: z.boolean(),
  startAtLogin: z.boolean(),
  notifications: NotificationSettings,
  /** Live sync (a connection kept open to every reachable peer) in the desktop app and `serve --live`. */
  liveSync: z.boolean(),
  /** "Share this station's events with the constellation": live sync and the hourly reconciliation send the
   * members' events a peer lacks. */
  liveShare: z.boolean(),
  /** Live sync: a peer unreachable this long (minutes) is worth one notification (per outage, never per blip);
   * 0 = never. */
  liveAlertMinutes: z.number().int().min(0).max(24 * 60),
  pictures: z.boolean(),
  language: z.enum(['system', 'en', 'fr']),
  theme: z.enum(['system', 'light', 'dark']),
  // What one peer may cost a run (issue 15): each default is far above what a real station sees, so only a
  // hostile or broken peer meets it; the peer is then cut and reported, and the run goes on with the others.
  /** events one peer may send in a run */
  peerMaxEvents: z.number().int().min(1),
  /** megabytes one peer may send in a run */
  peerMaxMegabytes: z.number().min(0.001),
  /** NEG-MSG exchanges in one NIP-77 reconciliation, after which the filter's window is paged instead */
  negMaxRounds: z.number().int().min(1),
  /** ids one NIP-77 reconciliation may say we lack, after which the filter's window is paged instead */
  negMaxNeed: z.number().int().min(1),
  /** a run's peers are cut when it has run this long (the station's own scheduler starts its backfill after 3000 s) */
  runDeadlineSeconds: z.number().min(1),
});
export type Settings = z.infer<typeof Settings>;
export const SettingsPatch = Settings.partial();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** The three public relays the old script asked for missing profiles. Overridden in tests, benches and demo. */
export const PUBLIC_FALLBACK_RELAYS = ['wss://relay.copylaradio.com', 'wss://relay.damus.io', 'wss://nos.lol'];

export function defaultSettings(home: string): Settings {
  const zenRoot = `${home}/.zen`;
  return {
    zenRoot,
    strfryBin: `${zenRoot}/strfry/strfry`,
    strfryConf: `${zenRoot}/strfry/strfry.conf`,
    relayUrl: 'ws://127.0.0.1:7777',
    kuboApi: 'http://127.0.0.1:5001',
    kuboAuth: '',
    days: 1,
    kinds: [...DEFAULT_KINDS],
    noDms: false,
    // Every peer may be hostile: signatures are checked unless the captain turns it off (--no-verify).
    verify: true,
    profiles: true,
    fallbackRelays: [...PUBLIC_FALLBACK_RELAYS],
    directRelays: [],
    peerConcurrency: 3,
    profileConcurrency: 3,
    staleHours: 12,
    scheduleEnabled: true,
    scheduleMinutes: 60,
    startMinimised: false,
    startAtLogin: false,
    notifications: { finished: true, failed: true, peers: true },
    liveSync: true,
    liveShare: true,
    liveAlertMinutes: 30,
    pictures: true,
    language: 'system',
    theme: 'system',
    peerMaxEvents: 2_000_000,
    peerMaxMegabytes: 2048,
    negMaxRounds: 200,
    // strfry's own maxSyncEvents: a responder never reconciles more in one go (it says "blocked" instead)
    negMaxNeed: 1_000_000,
    runDeadlineSeconds: 3000,
  };
}

// ---------------------------------------------------------------- station

export const PeerStatus = z.enum(['ok', 'self', 'stale', 'invalid', 'picoport', 'fallback', 'no-relay', 'bad-url']);
export type PeerStatus = z.infer<typeof PeerStatus>;
/** direct: wss or public ws; tunnel: the peer's loopback; lan: private address, tried directly then tunnel. */
export const Route = z.enum(['direct', 'tunnel', 'lan', 'none']);
export type Route = z.infer<typeof Route>;

export const Peer = z.object({
  /** Folder name under tmp/swarm (normally the PeerID). */
  id: z.string(),
  peerId: z.string().nullable(),
  hostname: z.string().nullable(),
  captain: z.string().nullable(),
  captainHex: z.string().nullable(),
  nodeHex: z.string().nullable(),
  relayUrl: z.string().nullable(),
  city: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  uplanet: z.string().nullable(),
  services: z.array(z.string()),
  servesStrfry: z.boolean(),
  cardVersion: z.string().nullable(),
  /** Freshness from _MySwarm.moats, Unix seconds, null when unreadable. */
  updatedAt: z.number().nullable(),
  ageSeconds: z.number().nullable(),
  status: PeerStatus,
  /** Why the peer is kept out of the sync (null when status is ok). */
  reason: z.string().nullable(),
  why,
  route: Route,
  /** True when the sync uses this peer. */
  syncable: z.boolean(),
});
export type Peer = z.infer<typeof Peer>;

export const MemberSources = z.object({
  game: z.number(),
  amisOfAmis: z.number(),
  swarm: z.number(),
  flashmem: z.number(),
});
export type MemberSources = z.infer<typeof MemberSources>;

export const StationProblem = z.object({ path: z.string(), reason: z.string(), why });
export type StationProblem = z.infer<typeof StationProblem>;

export const StationSnapshot = z.object({
  root: z.string(),
  found: z.boolean(),
  takenAt: z.number(),
  self: z.object({
    peerId: z.string().nullable(),
    source: z.string().nullable(),
    hostname: z.string().nullable(),
    captain: z.string().nullable(),
    captainHex: z.string().nullable(),
    uplanet: z.string().nullable(),
  }),
  peers: z.array(Peer),
  members: z.object({ count: z.number(), bySource: MemberSources }),
  blacklistCount: z.number(),
  /** Files that could not be used, with the reason (bad JSON, bad key line, symlink out of the root…). */
  problems: z.array(StationProblem),
});
export type StationSnapshot = z.infer<typeof StationSnapshot>;

export const MemberList = z.object({
  members: z.array(z.object({ hex: hex64, sources: z.array(z.string()) })),
  bySource: MemberSources,
});
export type MemberList = z.infer<typeof MemberList>;

export const TunnelState = z.enum(['opening', 'open', 'failed', 'closed']);
export const Tunnel = z.object({
  peerId: z.string(),
  protocol: z.string(),
  localPort: z.number().nullable(),
  state: TunnelState,
  reason: z.string().nullable(),
  why,
  changedAt: z.number(),
});
export type Tunnel = z.infer<typeof Tunnel>;

// ---------------------------------------------------------------- sync

export const SyncOptions = z.object({
  days: z.number().int().min(0).optional(),
  noDms: z.boolean().optional(),
  verify: z.boolean().optional(),
  noProfiles: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  /** Restrict to these peers (folder ids); all syncable peers when absent. */
  peers: z.array(z.string()).optional(),
  /** Force a full-window NIP-77 reconciliation against everything the local relay holds. */
  full: z.boolean().optional(),
  /** Send peers nothing this run, whatever the liveShare setting says (down only, as the old backfill). */
  noShare: z.boolean().optional(),
  /** What started it: 'manual' | 'schedule' | 'cli' | 'tray'. */
  trigger: z.string().optional(),
});
export type SyncOptions = z.infer<typeof SyncOptions>;

export const PeerPhase = z.enum(['queued', 'tunnel', 'probe', 'reconcile', 'fetch', 'import', 'done', 'failed', 'cancelled']);
export type PeerPhase = z.infer<typeof PeerPhase>;
export const SyncMethod = z.enum(['nip77', 'req']);
export type SyncMethod = z.infer<typeof SyncMethod>;

export const PeerProgress = z.object({
  peer: z.string(),
  hostname: z.string().nullable(),
  route: Route,
  phase: PeerPhase,
  method: SyncMethod.nullable(),
  have: z.number(),
  need: z.number(),
  fetched: z.number(),
  imported: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
  /** events per second over the peer's session so far */
  rate: z.number(),
  /** share of the window covered, 0..1 */
  coverage: z.number(),
  error: z.string().nullable(),
  why,
});
export type PeerProgress = z.infer<typeof PeerProgress>;

export const RunStage = z.enum(['lock', 'plan', 'peers', 'profiles', 'graph', 'done']);
export const ProfilePhaseProgress = z.object({
  total: z.number(),
  done: z.number(),
  found: z.number(),
  missing: z.number(),
});

export const SyncTotals = z.object({
  fetched: z.number(),
  imported: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  /** answered for by the local store, never to be held: older versions, events deleted by a kind 5 it holds */
  superseded: z.number().default(0),
  dropped: z.number(),
  bytesIn: z.number(),
  bytesOut: z.number(),
});
export type SyncTotals = z.infer<typeof SyncTotals>;

export const SyncProgress = z.object({
  runId: z.string(),
  stage: RunStage,
  startedAt: z.number(),
  peers: z.array(PeerProgress),
  totals: SyncTotals,
  profiles: ProfilePhaseProgress.nullable(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

/**
 * What the run's share side sent (setting liveShare, not `sync --no-share`): the members' events a peer lacked,
 * and how the peer answered them. Absent when the share side did not run (and in reports written before).
 */
export const ShareCounts = z.object({
  /** events sent (EVENT) */
  offered: z.number(),
  accepted: z.number(),
  /** the peer already held them (OK true, duplicate:) */
  duplicates: z.number(),
  /** OK false about the event */
  refused: z.number(),
  /** no OK within the time limit */
  unanswered: z.number(),
  /** peers that refused this station's writes altogether (auth-required:, blocked:…) */
  refusingPeers: z.number(),
});
export type ShareCounts = z.infer<typeof ShareCounts>;

export const PeerOutcome = z.object({
  peer: z.string(),
  hostname: z.string().nullable(),
  relayUrl: z.string().nullable(),
  route: Route,
  method: SyncMethod.nullable(),
  ok: z.boolean(),
  reason: z.string().nullable(),
  why,
  fetched: z.number(),
  imported: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  /** see SyncTotals.superseded (0 in reports written before it was counted) */
  superseded: z.number().default(0),
  dropped: z.record(z.string(), z.number()),
  bytesIn: z.number(),
  bytesOut: z.number(),
  durationMs: z.number(),
  /** what the captain should know about a peer that did not fail (a bound met, a method given up for another) */
  notes: z.array(z.string()).optional(),
  /** the notes as reasons, one for each note (runs recorded before have none) */
  noteWhys: z.array(ReasonSchema).optional(),
  /** what the share side sent this peer (see ShareCounts) */
  shared: ShareCounts.optional(),
});
export type PeerOutcome = z.infer<typeof PeerOutcome>;

export const ProfileOutcome = z.object({
  hex: z.string(),
  /** 'local' | 'peer' | 'fallback' | 'missing' */
  outcome: z.string(),
  source: z.string().nullable(),
  reason: z.string().nullable(),
  why,
});
export type ProfileOutcome = z.infer<typeof ProfileOutcome>;

export const RunOutcome = z.enum(['success', 'partial', 'failed', 'cancelled', 'dry-run', 'refused']);
export type RunOutcome = z.infer<typeof RunOutcome>;

export const RunReport = z.object({
  id: z.string(),
  startedAt: z.number(),
  finishedAt: z.number(),
  durationMs: z.number(),
  outcome: RunOutcome,
  /** Why the run failed or was refused, when it did. */
  reason: z.string().nullable(),
  why,
  options: SyncOptions,
  members: z.number(),
  peers: z.array(PeerOutcome),
  categories: z.record(z.string(), z.number()),
  imported: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  /** see SyncTotals.superseded (0 in reports written before it was counted) */
  superseded: z.number().default(0),
  rejectReasons: z.record(z.string(), z.number()),
  dropped: z.record(z.string(), z.number()),
  bytesIn: z.number(),
  bytesOut: z.number(),
  /** The plan, for dry runs: one line per peer and filter. */
  plan: z.array(z.string()),
  /** The same lines as reasons, said in the reader's language (absent in older reports). */
  planWhy: z.array(ReasonSchema).optional(),
  /** Events received from peers (every copy) and the distinct ids among them (absent in older reports). */
  fetches: z.object({ events: z.number(), distinct: z.number() }).optional(),
  /** Reads of the local store the peers' sessions made (`strfry scan`s; absent in older reports). */
  localReads: z.number().optional(),
  /** What the share side sent to every peer (see ShareCounts; absent when it did not run). */
  shared: ShareCounts.optional(),
  profiles: z
    .object({
      found: z.number(),
      missing: z.number(),
      recovered: z.number(),
      outcomes: z.array(ProfileOutcome),
    })
    .nullable(),
});
export type RunReport = z.infer<typeof RunReport>;

export const RunSummary = RunReport.pick({
  id: true,
  startedAt: true,
  finishedAt: true,
  durationMs: true,
  outcome: true,
  reason: true,
  why: true,
  imported: true,
  categories: true,
}).extend({ peersOk: z.number(), peersTotal: z.number() });
export type RunSummary = z.infer<typeof RunSummary>;

/** The history line of a run (used by the engine's history and by the window when a run finishes). */
export function summarizeRun(r: RunReport): RunSummary {
  return {
    id: r.id,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs,
    outcome: r.outcome,
    reason: r.reason,
    ...(r.why ? { why: r.why } : {}),
    imported: r.imported,
    categories: r.categories,
    peersOk: r.peers.filter((p) => p.ok).length,
    peersTotal: r.peers.length,
  };
}

export const SyncStatus = z.object({
  running: z.boolean(),
  progress: SyncProgress.nullable(),
  lastRun: RunSummary.nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const ScheduleStatus = z.object({
  enabled: z.boolean(),
  paused: z.boolean(),
  intervalMinutes: z.number(),
  nextRunAt: z.number().nullable(),
  lastDecision: z.string().nullable(),
  /** The same decision as a code (its time included), for the reader's language. */
  lastDecisionWhy: why,
});
export type ScheduleStatus = z.infer<typeof ScheduleStatus>;

// ---------------------------------------------------------------- profiles

export const ProfileSummary = z.object({
  hex: z.string(),
  npub: z.string(),
  name: z.string(),
  displayName: z.string(),
  nip05: z.string(),
  picture: z.string(),
  about: z.string(),
  /** created_at of the kind 0 used, null when none is held */
  updatedAt: z.number().nullable(),
});
export type ProfileSummary = z.infer<typeof ProfileSummary>;

export const Note = z.object({ id: z.string(), kind: z.number(), createdAt: z.number(), content: z.string() });
export const ProfileDetail = ProfileSummary.extend({
  banner: z.string(),
  website: z.string(),
  lud16: z.string(),
  isMember: z.boolean(),
  follows: z.array(ProfileSummary),
  followers: z.array(ProfileSummary),
  notes: z.array(Note),
});
export type ProfileDetail = z.infer<typeof ProfileDetail>;

export const ProfileSearch = z.object({
  query: z.string().max(200).default(''),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
});
export const ProfilePage = z.object({ total: z.number(), items: z.array(ProfileSummary) });
export type ProfilePage = z.infer<typeof ProfilePage>;

// ---------------------------------------------------------------- graph

export const Coverage = z.object({
  total: z.number(),
  withProfile: z.number(),
  withEvent: z.number(),
  withRecentEvent: z.number(),
});
export type Coverage = z.infer<typeof Coverage>;

export const Reach = z.object({
  computedAt: z.number(),
  durationMs: z.number(),
  members: z.number(),
  n1: z.number(),
  n2: z.number(),
  edges: z.number(),
  coverage: z.object({ n1: Coverage, n2: Coverage }),
  perMember: z.array(z.object({ hex: z.string(), name: z.string(), follows: z.number(), n2Alone: z.number() })),
  connectors: z.array(z.object({ hex: z.string(), name: z.string(), followers: z.number() })),
  amisOfAmis: z.object({
    fileCount: z.number(),
    n1Count: z.number(),
    missing: z.array(z.string()),
    extra: z.array(z.string()),
    /** full counts (the lists above stop at 500 keys) */
    missingCount: z.number(),
    extraCount: z.number(),
  }),
  caps: z.object({ followListCap: z.number(), listsOverCap: z.number() }),
});
export type Reach = z.infer<typeof Reach>;

export const NodeKind = z.enum(['station', 'member', 'n1', 'n2']);
export type NodeKind = z.infer<typeof NodeKind>;

/** One node of the picture, as the engine selects it and the tests write it (the wire carries columns: GraphNodes). */
export interface GraphNode {
  /** a key (hex), or `station:<PeerID or folder id>` */
  id: string;
  label: string;
  kind: NodeKind;
  distance: number;
  size: number;
  x: number;
  y: number;
  /** A station: this one. A member: one of this station's users (MULTIPASS). */
  local: boolean;
  /**
   * The group of members who follow each other this node belongs to (Louvain communities of the members'
   * follows, largest first: 0, 1, …); N1 and N2 take the group of the member they hang on; -1 for none.
   */
  group: number;
}

/**
 * A column of 20,000 values checked in one loop: zod's per-element parse of 20,000 node objects took most of a
 * second in the window (no code generation under its CSP), for values that are plain strings and numbers.
 */
function column<T>(what: string, ok: (v: unknown) => boolean) {
  return z.custom<T[]>((v) => Array.isArray(v) && v.every(ok), { message: `expected an array of ${what}` });
}
const KINDS = new Set<unknown>(NodeKind.options);
const isString = (v: unknown): boolean => typeof v === 'string';
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown): boolean => Number.isInteger(v);

/**
 * The nodes as columns: node i is `id[i]`, `label[i]`, … (see GraphNode). Columns, not one object per node: the
 * property names repeated 20,000 times were a third of the answer's 4 MB, and the window builds its own objects
 * for the drawing anyway.
 */
export const GraphNodes = z
  .object({
    id: column<string>('strings', isString),
    label: column<string>('strings', isString),
    kind: column<NodeKind>('node kinds', (v) => KINDS.has(v)),
    distance: column<number>('integers', isInt),
    size: column<number>('numbers', isNumber),
    x: column<number>('numbers', isNumber),
    y: column<number>('numbers', isNumber),
    local: column<boolean>('booleans', (v) => typeof v === 'boolean'),
    group: column<number>('integers', isInt),
  })
  .refine((c) => Object.values(c).every((col) => col.length === c.id.length), { message: 'the node columns differ in length' });
export type GraphNodes = z.infer<typeof GraphNodes>;

/** Nodes as the columns the contract carries. */
export function toColumns(nodes: readonly GraphNode[]): GraphNodes {
  return {
    id: nodes.map((n) => n.id),
    label: nodes.map((n) => n.label),
    kind: nodes.map((n) => n.kind),
    distance: nodes.map((n) => n.distance),
    size: nodes.map((n) => n.size),
    x: nodes.map((n) => n.x),
    y: nodes.map((n) => n.y),
    local: nodes.map((n) => n.local),
    group: nodes.map((n) => n.group),
  };
}

/** Node `i` of the columns as one object (for the few nodes a screen looks at, not for the 20,000). */
export function nodeAt(c: GraphNodes, i: number): GraphNode | undefined {
  if (i < 0 || i >= c.id.length) return undefined;
  return { id: c.id[i]!, label: c.label[i]!, kind: c.kind[i]!, distance: c.distance[i]!, size: c.size[i]!, x: c.x[i]!, y: c.y[i]!, local: c.local[i]!, group: c.group[i]! };
}

/** Every node as an object (tests and small graphs; the window reads the columns). */
export function nodeList(c: GraphNodes): GraphNode[] {
  return c.id.map((_, i) => nodeAt(c, i)!);
}

export const Subgraph = z
  .object({
    nodes: GraphNodes,
    /**
     * Follows between drawn nodes as pairs of positions in `nodes`: [from0, to0, from1, to1, …] ("from follows
     * to"; a station's pair links it to its captain's or node's key). Positions, not keys: 60,000 edges as key pairs
     * weighed 8 MB of JSON and most of the window's first second.
     */
    edges: column<number>('node positions', (v) => Number.isInteger(v) && (v as number) >= 0),
    totalNodes: z.number(),
    /** Nodes of each kind in the whole graph, drawn or not (N2 is drawn as a sample, or as a halo). */
    totals: z.object({ station: z.number(), member: z.number(), n1: z.number(), n2: z.number() }),
    /** Members in each group (`group` of the nodes), largest first. */
    groups: z.array(z.number()),
    sampled: z.boolean(),
    /** The computation it was drawn from (the reach's computedAt, as graph.changed announces it). */
    computedAt: z.number(),
  })
  .refine((s) => s.edges.length % 2 === 0 && s.edges.every((p) => p < s.nodes.id.length), { message: 'edges must be pairs of node positions', path: ['edges'] });
export type Subgraph = z.infer<typeof Subgraph>;

/** Where a graph computation is (the first one takes seconds: the window shows the step). */
export const GraphProgress = z.object({
  /** follow lists read, N1/N2 found, coverage counted, picture laid out; `done` when the drawing is ready */
  step: z.enum(['lists', 'analysis', 'coverage', 'layout', 'done']),
  /** follow lists read so far (lists), nodes to place (layout); 0 otherwise */
  count: z.number(),
  startedAt: z.number(),
});
export type GraphProgress = z.infer<typeof GraphProgress>;

export const Neighbors = z.object({ hex: z.string(), follows: z.array(z.string()), followers: z.array(z.string()) });
export type Neighbors = z.infer<typeof Neighbors>;

export const LogLine = z.object({
  time: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  msg: z.string(),
  /** The line as a code, when it has one: the command and the window say it in the captain's language. */
  why,
});
export type LogLine = z.infer<typeof LogLine>;

export const StoreStats = z.object({
  events: z.number().nullable(),
  /** How the events were counted, or why they could not be (English; `why` the same as a code). */
  method: z.string(),
  why,
  dbBytes: z.number().nullable(),
  members: MemberSources.extend({ total: z.number() }),
});
export type StoreStats = z.infer<typeof StoreStats>;

// ---------------------------------------------------------------- live sync

/**
 * A peer's live link: connecting (opening the route and the WebSocket), catching-up (the stream runs and the gap
 * since the last event seen is reconciled), connected (streaming), reconnecting (waiting `retryAt`), stopped.
 */
export const LiveLinkState = z.enum(['connecting', 'catching-up', 'connected', 'reconnecting', 'stopped']);
export type LiveLinkState = z.infer<typeof LiveLinkState>;
/** What happens to this station's events towards the peer: sent, off (the share setting), refused (the peer
 * refuses writes: auth-required, blocked, its policy; backed off until `writesRetryAt`). */
export const LiveWrites = z.enum(['ok', 'off', 'refused']);
export type LiveWrites = z.infer<typeof LiveWrites>;

export const LivePeer = z.object({
  /** Folder id under tmp/swarm. */
  peer: z.string(),
  peerId: z.string().nullable(),
  hostname: z.string().nullable(),
  route: Route,
  /** How the open connection reaches the peer (null while not connected). */
  via: z.enum(['direct', 'tunnel']).nullable(),
  state: LiveLinkState,
  /** When the current state began (ms). */
  stateSince: z.number(),
  /** When the next try is due (ms), while reconnecting. */
  retryAt: z.number().nullable(),
  /** Why the link is not connected, or what went wrong last (a captain-readable reason; `why` as a code). */
  reason: z.string().nullable(),
  why,
  /** Since when the peer has been unreachable (ms), null while connected. */
  downSince: z.number().nullable(),
  method: SyncMethod.nullable(),
  writes: LiveWrites,
  writesReason: z.string().nullable(),
  writesRetryAt: z.number().nullable(),
  /** Events received from this peer (new to this station) and sent to it, over the last minute. */
  inPerMinute: z.number(),
  outPerMinute: z.number(),
  /** When the last event arrived from this peer (ms). */
  lastEventAt: z.number().nullable(),
  /** How far behind: from an event's created_at to readable on the local relay (streaming), or the age of the
   * gap being caught up (ms). */
  lagMs: z.number().nullable(),
  received: z.number(),
  sent: z.number(),
  /** OK false answers by reason. */
  refused: z.record(z.string(), z.number()),
  catchUps: z.number(),
});
export type LivePeer = z.infer<typeof LivePeer>;

export const LiveStatus = z.object({
  running: z.boolean(),
  /** Why live sync is not running (setting off, not started in this host), when it is not. */
  reason: z.string().nullable(),
  why,
  startedAt: z.number().nullable(),
  share: z.boolean(),
  /** The local relay subscription that sees this station's new events (for the share side). */
  local: z.object({ connected: z.boolean(), reason: z.string().nullable(), why }),
  members: z.number(),
  peers: z.array(LivePeer),
  totals: z.object({
    imported: z.number(),
    duplicates: z.number(),
    rejected: z.number(),
    dropped: z.record(z.string(), z.number()),
    sent: z.number(),
  }),
});
export type LiveStatus = z.infer<typeof LiveStatus>;
