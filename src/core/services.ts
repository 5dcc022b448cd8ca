/**
 * The public faces of the engine's parts. Each folder of src/core implements one; the Engine wires them
 * through an EngineContext, so a part reaches another only through these faces.
 */
import type { Reason } from '../shared/i18n';
import type { Event as NostrEvent, Filter } from 'nostr-tools';
import type {
  LiveStatus,
  MemberList,
  Peer,
  ProfileDetail,
  ProfilePage,
  Reach,
  RunReport,
  RunSummary,
  ScheduleStatus,
  Settings,
  StationSnapshot,
  StoreStats,
  Subgraph,
  Neighbors,
  SyncOptions,
  SyncStatus,
  Tunnel,
} from '../shared/schemas';
import type { EngineConfig } from './config';
import type { EngineEvents } from './events';
import type { Logger } from './log';

export type { NostrEvent, Filter };

export type MemberSource = 'game' | 'amisOfAmis' | 'swarm' | 'flashmem';

/** What the sync needs from the station at the start of a run. */
export interface StationState {
  snapshot: StationSnapshot;
  /** hex → the sources that list it */
  members: ReadonlyMap<string, readonly MemberSource[]>;
  blacklist: ReadonlySet<string>;
  /** Local users' own keys (game/nostr/<email>/HEX): whose follows make the station's N1. */
  localUsers: readonly string[];
  /** The keys listed in strfry/amisOfAmis.txt. */
  amisOfAmis: readonly string[];
}

export interface StationService {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Current snapshot (re-read when the folder changed). */
  snapshot(): Promise<StationSnapshot>;
  state(): Promise<StationState>;
  members(): Promise<MemberList>;
  stats(): Promise<StoreStats>;
}

export interface OpenTunnel {
  peerId: string;
  port: number;
  /** ws://127.0.0.1:<port> */
  url: string;
}

/** How the sync reaches one peer's relay for one session. */
export interface PeerEndpoint {
  url: string;
  via: 'direct' | 'tunnel';
  /** Gives the route back (closes the tunnel if this session opened it). Never throws. */
  release(): Promise<void>;
}

export interface TunnelManager {
  /**
   * The way to a peer's relay, by its route: direct URL; the peer's loopback through a tunnel; a private-LAN
   * address tried directly with config.timeouts.lanDirect, then through a tunnel. Throws with a captain-readable
   * reason naming the peer.
   */
  endpoint(peer: Peer, signal?: AbortSignal): Promise<PeerEndpoint>;
  /** Opens (or reuses) a tunnel to the peer's relay, proven by a relay round trip. Throws with a reason. */
  open(peerId: string, signal?: AbortSignal): Promise<OpenTunnel>;
  close(peerId: string): Promise<void>;
  closeAll(): Promise<void>;
  /** Closes forwards a crashed earlier run left open (recorded in the data folder). */
  cleanupLeftovers(): Promise<void>;
  list(): Tunnel[];
}

export interface ImportResult {
  added: number;
  duplicates: number;
  rejected: number;
  /**
   * Answered for but not held, and never to be: older than the replaceable/addressable version the store holds
   * (or than another event of the same batch), or deleted by a kind 5 it holds (or of the same batch).
   */
  superseded: number;
  /** reason → count */
  reasons: Record<string, number>;
  bytes: number;
}

/** The station's own relay (strfry through its CLI, or any NIP-01 relay over WebSocket). */
export interface LocalStore {
  readonly kind: 'strfry' | 'relay';
  readonly description: string;
  /** Every stored event matching the filter (complete: pages past any limit). */
  query(filter: Filter, signal?: AbortSignal): AsyncIterable<NostrEvent>;
  /** Ids and timestamps of the stored events matching the filter (for NIP-77). */
  ids(filter: Filter, signal?: AbortSignal): Promise<Array<{ id: string; created_at: number }>>;
  has(ids: readonly string[]): Promise<Set<string>>;
  count(filter: Filter): Promise<number | null>;
  import(events: readonly NostrEvent[], opts: { verify: boolean }, signal?: AbortSignal): Promise<ImportResult>;
  close(): Promise<void>;
}

export interface ProfileService {
  search(query: string, offset: number, limit: number): Promise<ProfilePage>;
  get(hex: string): Promise<ProfileDetail | null>;
  missing(): Promise<string[]>;
  /** Rebuilds the index from the local relay (after a sync); no read when no index was built yet. */
  refresh(): Promise<void>;
  /**
   * The profile phase of a run: finds members without a kind 0 in the local relay, recovers them from the
   * syncable peers (then the fallback relays), imports what it finds, writes the station's export
   * (tmp/coucou/_NIP101.profiles.json + .csv) and the SYNC_PROFILES line.
   */
  recover(opts: {
    state: StationState;
    signal: AbortSignal;
    dryRun: boolean;
    /** Check the signature of every event a peer or fallback relay sends (the run's choice; default: settings). */
    verify?: boolean;
    /** Peers the sync of this run could not reach at all: not asked again (their reason was said once already). */
    unreachable?: readonly string[];
    onProgress: (p: { total: number; done: number; found: number; missing: number }) => void;
  }): Promise<NonNullable<RunReport['profiles']>>;
}

export interface GraphService {
  reach(): Promise<Reach | null>;
  subgraph(depth: number, limit: number): Promise<Subgraph>;
  neighbors(hex: string): Promise<Neighbors>;
  /** Recomputes from the local relay; emits graph.changed. */
  recompute(): Promise<Reach>;
}

export interface SyncService {
  start(opts: SyncOptions): Promise<{ runId: string; done: Promise<RunReport> }>;
  cancel(): Promise<boolean>;
  status(): SyncStatus;
}

export interface HistoryStore {
  add(report: RunReport): Promise<void>;
  list(limit: number): Promise<RunSummary[]>;
  get(id: string): Promise<RunReport | null>;
  last(): Promise<RunSummary | null>;
}

export interface Scheduler {
  status(): ScheduleStatus;
  pause(): ScheduleStatus;
  resume(): ScheduleStatus;
  stop(): void;
  /** The machine woke from sleep: re-evaluate soon (Electron's powerMonitor 'resume'). */
  onResume?(): void;
}

/** Live sync (src/core/live): a link kept open to every reachable peer, beside the hourly run. */
export interface LiveService {
  readonly running: boolean;
  /** Starts the links (returns once they are launched, not connected). */
  start(): Promise<void>;
  /** Closes subscriptions, connections and the tunnels it opened; imports what it holds (bounded wait). */
  stop(why?: Reason): Promise<void>;
  status(): LiveStatus;
  /** Settings changed (share, verify, kinds): applied without a restart. */
  onSettings(prev: Settings, next: Settings): Promise<void>;
  /** The machine woke from sleep: every link proves its connection now. */
  wake(): void;
}

export interface KuboRpc {
  readonly url: string;
  id(signal?: AbortSignal): Promise<{ ID: string }>;
}

export interface EngineContext {
  readonly config: EngineConfig;
  readonly events: EngineEvents;
  readonly log: Logger;
  settings(): Settings;
  /** The local store for the current settings (opened lazily, reopened when settings change). */
  store(): LocalStore;
  readonly station: StationService;
  readonly tunnels: TunnelManager;
  readonly profiles: ProfileService;
  readonly graph: GraphService;
  readonly sync: SyncService;
  readonly history: HistoryStore;
}
