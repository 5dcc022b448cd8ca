// A real Nostr relay on 127.0.0.1 for tests, benches and the demo.
//
// NIP-01 (EVENT/OK, REQ/EOSE/CLOSE), storage and replaceable/addressable semantics come from
// @nostr-relay/core + its SQLite repository. A thin handler in front adds what strfry does and the library
// does not: REQ limits clamped to `max_limit` (no limit or a bigger one → max_limit, newest first), COUNT
// (NIP-45), NIP-77 as responder (strfry's: frame size limit, a cut answer continued in the next round — see
// negentropy-responder.ts), kind 5 stored like strfry
// stores it, a NIP-11 document, permessage-deflate negotiated as strfry negotiates it (see strfryDeflate), and
// byte counters so tests can compare transfer volumes: payload bytes (uncompressed, what strfry logs as
// bytesUp/bytesDown) and wire bytes (every TCP byte of the relay's sockets, HTTP and framing included).
//
// Live subscriptions are fed the way strfry feeds them: strfry's ReqMonitor streams new events from its database
// when the database file changes (a file-change monitor on data.mdb with a 100 ms debounce, then every event past
// the one each subscription last saw), whoever wrote them — its own WebSocket, or another process such as
// `strfry import`. So here too: triggers log every insert and replacement into `devkit_changes` (strfry's levId);
// each REQ remembers the log's position when it was made; a check 100 ms after a change (our own write, a seed,
// or — seen through SQLite's data_version while a subscription is open — another process writing the file: the
// strfry stand-in) sends each open subscription the matching events logged past its position, and reads nothing
// while no one subscribes. An event published over the WebSocket thus reaches subscribers after strfry's
// debounce, not at once, and a subscription never gets again what its REQ answered.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket, type PerMessageDeflateOptions, type RawData } from 'ws';
import { NostrRelay } from '@nostr-relay/core';
import { Validator } from '@nostr-relay/validator';
import { EventRepositorySqlite } from '@nostr-relay/event-repository-sqlite';
import { FastNegentropyStorage, StrfryNegentropy } from './negentropy-responder';
import { matchFilter, type Filter, type NostrEvent } from 'nostr-tools';
import { UPSERT_EVENT_SQL } from './event-upsert.mjs';
import { addressOf, checkEvent, isEphemeralKind, makeVerifier, strfryWriter } from './strfry-rules.mjs';

export type { NostrEvent };

/** A NIP-01 filter as the test relay understands it (tags as `#x`). */
export interface RelayFilter {
  ids?: string[];
  authors?: string[];
  kinds?: number[];
  since?: number;
  until?: number;
  limit?: number;
  [tag: `#${string}`]: string[] | undefined;
}

export interface TestRelayOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** strfry's `max_limit`: REQ limits are clamped to it. Default 500. */
  maxLimit?: number;
  /** Serve NIP-77. Default true. When false, NEG-OPEN gets a NOTICE and NIP-11 does not list 77. */
  nip77?: boolean;
  /** Above this many matching events NEG-OPEN is refused with `blocked:` (strfry's maxSyncEvents). */
  maxSyncEvents?: number;
  /** SQLite file to persist to; default in-memory. */
  dbPath?: string;
  /** NIP-11 name. */
  name?: string;
  /** Largest accepted incoming message (NIP-11 max_message_length). Default 131072 like strfry. */
  maxMessageLength?: number;
  /** NIP-11 max_subscriptions. Default 200 like strfry. */
  maxSubscriptions?: number;
  /** Count the EVENT messages received per id (`received(id)`), for tests that check what was sent where. */
  countEvents?: boolean;
  /**
   * A write policy like strfry's plugin (relay.writePolicy): returns the OK-false message for an EVENT it
   * refuses (e.g. `blocked: …`, `auth-required: …`), null to accept. Applies to EVENTs over the WebSocket only,
   * as strfry's does (`strfry import` and seeds bypass it).
   */
  writePolicy?: (event: NostrEvent) => string | null;
  /** strfry.conf `relay.compression`: permessage-deflate (default on) and its sliding window (default on). */
  compression?: { enabled?: boolean; slidingWindow?: boolean };
}

export interface RelayStats {
  /** WebSocket payload bytes, uncompressed */
  bytesIn: number;
  bytesOut: number;
  /** every TCP byte of the relay's sockets (HTTP, WebSocket framing, compressed payloads) */
  readonly wireIn: number;
  readonly wireOut: number;
  connections: number;
  reqs: number;
  negOpens: number;
}

/** The part of better-sqlite3 used here (its types are not installed; the repository hands us the handle). */
interface Statement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
  raw(): { iterate(...params: unknown[]): IterableIterator<unknown> };
}
interface SqliteDb {
  prepare(sql: string): Statement;
  pragma(p: string): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
}

const DEFAULT_MAX_LIMIT = 500;
const DEFAULT_MAX_MESSAGE = 131_072;
const DEFAULT_MAX_SUBS = 200;
const DEFAULT_MAX_SYNC_EVENTS = 1_000_000;
// strfry's relay builds its responder with a 500 kB frame limit.
const NEG_FRAME_LIMIT = 500_000;
const SQL_CHUNK = 500;
/** strfry's ReqMonitor debounce on its database file (RelayReqMonitor.cpp: setDebounce(100)). */
const DB_CHANGE_DEBOUNCE_MS = 100;
const CHANGE_LOG_SQL = [
  'CREATE TABLE IF NOT EXISTS devkit_changes (seq INTEGER PRIMARY KEY, id TEXT NOT NULL)',
  'CREATE TRIGGER IF NOT EXISTS devkit_changes_insert AFTER INSERT ON events BEGIN INSERT INTO devkit_changes (id) VALUES (new.id); END',
  'CREATE TRIGGER IF NOT EXISTS devkit_changes_replace AFTER UPDATE OF id ON events BEGIN INSERT INTO devkit_changes (id) VALUES (new.id); END',
];

/** Kinds the relay keeps one of per author (and `d` tag for addressable ones, strfry's rules); null = regular. */
const dTagValue = (event: NostrEvent): string | null => addressOf(event);

/** strfry's defaults for the checks of an EVENT (strfry.conf `events { … }`). */
const EVENT_LIMITS = { maxNumTags: 2_000, maxTagValSize: 1_024 };
const MAX_EVENT_SIZE = 65_536;
const REJECT_OLDER_THAN_SEC = 94_608_000;
const REJECT_NEWER_THAN_SEC = 900;

/** strfry's time checks of an EVENT over WebSocket (verifyEventTimestamp; ephemeral kinds go to the library). */
function timeProblem(e: NostrEvent, nowSec: number): string | null {
  if (e.created_at < nowSec - REJECT_OLDER_THAN_SEC) return 'created_at too early';
  if (e.created_at > nowSec + REJECT_NEWER_THAN_SEC) return 'created_at too late';
  const exp = e.tags.find((t) => t[0] === 'expiration')?.[1];
  if (exp !== undefined && /^\d+$/.test(exp) && Number(exp) > 1 && Number(exp) <= nowSec) return 'event expired';
  return null;
}

/** Turns one filter into a WHERE clause on `events e` (indexes: id, author+kind+created_at, kind+created_at). */
function filterWhere(filter: RelayFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly unknown[]): void => {
    if (values.length === 0) {
      parts.push('0');
      return;
    }
    parts.push(`${column} IN (${values.map(() => '?').join(',')})`);
    params.push(...values);
  };
  if (filter.ids) inList('e.id', filter.ids);
  if (filter.authors) inList('e.author', filter.authors);
  if (filter.kinds) inList('e.kind', filter.kinds);
  if (typeof filter.since === 'number') {
    parts.push('e.created_at >= ?');
    params.push(filter.since);
  }
  if (typeof filter.until === 'number') {
    parts.push('e.created_at <= ?');
    params.push(filter.until);
  }
  for (const [key, values] of Object.entries(filter)) {
    if (!/^#[a-zA-Z]$/.test(key) || !Array.isArray(values)) continue;
    const tags = values.map((v) => `${key[1]}:${String(v)}`);
    if (tags.length === 0) {
      parts.push('0');
      continue;
    }
    parts.push(`e.id IN (SELECT event_id FROM generic_tags WHERE tag IN (${tags.map(() => '?').join(',')}))`);
    params.push(...tags);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

function filtersWhere(filters: RelayFilter[]): { sql: string; params: unknown[] } {
  if (filters.length === 0) return { sql: '1', params: [] };
  const each = filters.map(filterWhere);
  return { sql: each.map((w) => `(${w.sql})`).join(' OR '), params: each.flatMap((w) => w.params) };
}

interface EventRow {
  id: string;
  pubkey: string;
  created_at: number;
  kind: number;
  tags: string;
  content: string;
  sig: string;
}

/**
 * permessage-deflate as strfry 1.x negotiates it. Facts read in strfry's sources (hoytech/strfry: strfry.conf
 * `relay.compression`, RelayWebsocket.cpp) and its uWebSockets fork (hoytech/uWebSockets: Extensions.cpp,
 * Group.cpp, HTTPSocket.cpp, Hub.cpp, WebSocket.cpp):
 * - with `compression.enabled` (default true) it accepts a client's `permessage-deflate` offer and always answers
 *   `client_no_context_takeover` (it inflates every message with one shared stream, reset after each);
 * - `server_no_context_takeover` is answered only when the client asked for it; otherwise, with
 *   `compression.slidingWindow` (default true), it keeps a deflate window per connection (context takeover);
 *   without the sliding window it deflates every message from a reset stream (and does not say so);
 * - `server_max_window_bits` / `client_max_window_bits` are parsed and ignored: never answered, 15 bits used;
 * - zlib level 1, memLevel 8, 15-bit window, every text message compressed (no size threshold).
 * ws cannot be told to ignore the window-bits parameters, so they are taken out of the offer before ws reads it
 * (stripWindowBits); with the sliding window off, ws answers `server_no_context_takeover` where strfry stays silent.
 */
export function strfryDeflate(c: TestRelayOptions['compression'] = {}): PerMessageDeflateOptions | false {
  if (c.enabled === false) return false;
  return {
    clientNoContextTakeover: true,
    ...(c.slidingWindow === false ? { serverNoContextTakeover: true } : {}),
    zlibDeflateOptions: { level: 1, memLevel: 8, windowBits: 15 },
    threshold: 0,
  };
}

/** The client's extension offer without the window-bits parameters strfry ignores. */
export function stripWindowBits(offer: string): string {
  return offer
    .split(',')
    .map((ext) => ext.split(';').map((p) => p.trim()).filter((p) => !/^(server|client)_max_window_bits\b/i.test(p)).join('; '))
    .join(', ');
}

const rowToEvent = (r: EventRow): NostrEvent => ({
  id: r.id,
  pubkey: r.pubkey,
  created_at: r.created_at,
  kind: r.kind,
  tags: JSON.parse(r.tags) as string[][],
  content: r.content,
  sig: r.sig,
});

/** The per-socket state: the library's client handle, plus open negentropy sessions. */
interface Connection {
  ws: WebSocket;
  client: { readonly readyState: number; send(data: string): void };
  negs: Map<string, StrfryNegentropy>;
  /** open subscriptions: their filters and the change log's position when they were made */
  subs: Map<string, { filters: RelayFilter[]; seq: number }>;
}

const toText = (data: RawData): string =>
  Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');

export class TestRelay {
  readonly url: string;
  readonly port: number;
  readonly maxLimit: number;
  readonly nip77: boolean;
  readonly maxSyncEvents: number;
  readonly stats: RelayStats;

  private readonly connections = new Set<Connection>();
  /** every TCP socket of the server (HTTP and WebSocket), for the wire counters */
  private readonly sockets = new Set<Socket>();
  /** bytes of the sockets already closed, and where the counters were last reset */
  private readonly wire = { closedIn: 0, closedOut: 0, zeroIn: 0, zeroOut: 0 };
  private stopped = false;
  private writer: ReturnType<typeof strfryWriter> | null = null;
  /** EVENT messages received per id (only with `countEvents`). */
  private readonly eventCounts = new Map<string, number>();
  /** the last `devkit_changes` row broadcast */
  private changeSeq = 0;
  private changeTimer: NodeJS.Timeout | null = null;
  private otherWriters: NodeJS.Timeout | null = null;
  /** EVENTs checked and waiting for the writer's next pass (strfry's writer inbox) */
  private inbox: Array<{ conn: Connection; event: NostrEvent }> = [];
  private writerPass: NodeJS.Immediate | null = null;

  private constructor(
    private readonly opts: TestRelayOptions,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    private readonly relay: NostrRelay,
    private readonly repo: EventRepositorySqlite,
    private readonly validator: Validator,
    private readonly verifier: (e: NostrEvent) => string | null,
  ) {
    this.port = (http.address() as AddressInfo).port;
    this.url = `ws://127.0.0.1:${this.port}`;
    this.maxLimit = opts.maxLimit ?? DEFAULT_MAX_LIMIT;
    this.nip77 = opts.nip77 ?? true;
    this.maxSyncEvents = opts.maxSyncEvents ?? DEFAULT_MAX_SYNC_EVENTS;
    const counters = { bytesIn: 0, bytesOut: 0, connections: 0, reqs: 0, negOpens: 0 };
    this.stats = Object.defineProperties(counters, {
      wireIn: { enumerable: true, get: () => this.wireTotals().in - this.wire.zeroIn },
      wireOut: { enumerable: true, get: () => this.wireTotals().out - this.wire.zeroOut },
    }) as RelayStats;
    http.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.wire.closedIn += socket.bytesRead;
        this.wire.closedOut += socket.bytesWritten;
      });
    });
  }

  private wireTotals(): { in: number; out: number } {
    let i = this.wire.closedIn;
    let o = this.wire.closedOut;
    for (const s of this.sockets) {
      i += s.bytesRead;
      o += s.bytesWritten;
    }
    return { in: i, out: o };
  }

  static async start(opts: TestRelayOptions = {}): Promise<TestRelay> {
    const maxLimit = opts.maxLimit ?? DEFAULT_MAX_LIMIT;
    const repo = new EventRepositorySqlite(opts.dbPath ?? ':memory:', { defaultLimit: maxLimit });
    await repo.init();
    const db = repo.getDatabase() as unknown as SqliteDb;
    // No fsync: a devkit relay must survive its process being killed (the OS still has every write), not a power
    // cut. With fsyncs, each WAL checkpoint pushes the pages to the disk and a demo sync writes ~1.5 GB.
    db.pragma('synchronous = OFF');
    // Statement journals and sorts in memory: on disk (SQLite's default) every multi-row statement of a
    // transaction (an insert firing the change-log trigger, a cascade) writes a temporary file.
    db.pragma('temp_store = MEMORY');
    // A page cache that holds the index pages of a large write: with SQLite's 2 MB default a seed or a busy
    // writer pass spills dirty pages to the WAL mid-transaction, and writes them again at commit.
    db.pragma('cache_size = -32768');
    const relay = new NostrRelay(repo, {
      // Both caches would make a second REQ or a duplicate EVENT lie within their TTL: tests need the truth.
      filterResultCacheTtl: 0,
      eventHandlingResultCacheTtl: 0,
      maxSubscriptionsPerClient: opts.maxSubscriptions ?? DEFAULT_MAX_SUBS,
      logger: silentLogger,
    });
    // strfry accepts large filters (the sync sends ~57 kinds and up to a few hundred authors or ids).
    const validator = new Validator({ maxFilterKindsLength: 200, maxFilterAuthorsLength: 1000, maxFilterIdsLength: 1000 });
    const http = createServer();
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: opts.maxMessageLength ?? DEFAULT_MAX_MESSAGE,
      perMessageDeflate: strfryDeflate(opts.compression),
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const self = new TestRelay(opts, http, wss, relay, repo, validator, await makeVerifier());
    self.startChangeFeed();
    http.on('request', (req, res) => self.serveHttp(req, res));
    http.on('upgrade', (req, socket, head) => {
      const offer = req.headers['sec-websocket-extensions'];
      if (typeof offer === 'string') req.headers['sec-websocket-extensions'] = stripWindowBits(offer);
      wss.handleUpgrade(req, socket, head, (ws) => self.accept(ws));
    });
    return self;
  }

  private get db(): SqliteDb {
    return this.repo.getDatabase() as unknown as SqliteDb;
  }

  /** Live subscriptions fed from the change log (see the head of this file). */
  private startChangeFeed(): void {
    for (const sql of CHANGE_LOG_SQL) this.db.prepare(sql).run();
    this.changeSeq = this.changeSeqNow();
  }

  /**
   * Writes of other processes (the strfry stand-in on the same file) show in SQLite's `data_version`, checked
   * every 100 ms while a subscription is open (strfry watches its database file; a file watch here would cost the
   * importing process a wake-up per page written). Nothing runs while no one subscribes.
   */
  private watchOtherWriters(): void {
    const file = this.opts.dbPath;
    if (this.otherWriters || !file || file === ':memory:' || this.stopped) return;
    const statement = this.db.prepare('PRAGMA data_version');
    const version = (): number => (statement.get() as { data_version: number }).data_version;
    let last = version();
    this.otherWriters = setInterval(() => {
      if (this.stopped || ![...this.connections].some((c) => c.subs.size > 0)) {
        if (this.otherWriters) clearInterval(this.otherWriters);
        this.otherWriters = null;
        return;
      }
      const now = version();
      if (now !== last) {
        last = now;
        this.dbChanged();
      }
    }, DB_CHANGE_DEBOUNCE_MS);
    this.otherWriters.unref();
  }

  /** The database changed: broadcast what is new once the debounce has passed. */
  private dbChanged(): void {
    if (this.changeTimer || this.stopped) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = null;
      this.broadcastChanges();
    }, DB_CHANGE_DEBOUNCE_MS);
  }

  /** The change log's last position now. */
  private changeSeqNow(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM devkit_changes').get() as { n: number }).n;
  }

  private broadcastChanges(): void {
    if (this.stopped) return;
    const subs = [...this.connections].flatMap((conn) => [...conn.subs].map(([subId, sub]) => ({ conn, subId, sub })));
    if (subs.length === 0) {
      // nobody listens: move on without reading what was written
      this.changeSeq = this.changeSeqNow();
      return;
    }
    const rows = this.db
      .prepare('SELECT c.seq AS seq, e.id AS id, e.pubkey AS pubkey, e.created_at AS created_at, e.kind AS kind, e.tags AS tags, e.content AS content, e.sig AS sig FROM devkit_changes c JOIN events e ON e.id = c.id WHERE c.seq > ? ORDER BY c.seq')
      .all(this.changeSeq) as Array<EventRow & { seq: number }>;
    if (rows.length === 0) return;
    this.changeSeq = (rows[rows.length - 1] as { seq: number }).seq;
    const events = rows.map((r) => ({ seq: r.seq, event: rowToEvent(r) }));
    for (const { conn, subId, sub } of subs) {
      for (const { seq, event } of events) {
        if (seq > sub.seq && sub.filters.some((f) => matchFilter(f as Filter, event))) this.send(conn, ['EVENT', subId, event]);
      }
    }
  }

  /** How many EVENT messages carried this id (with `countEvents`). */
  received(id: string): number {
    return this.eventCounts.get(id) ?? 0;
  }

  /** NIP-11 document, as strfry shapes it. */
  info(): Record<string, unknown> {
    const nips = [1, 2, 9, 11, 45];
    if (this.nip77) nips.push(77);
    return {
      name: this.opts.name ?? 'constellation test relay',
      description: 'Test relay (@nostr-relay/core) for Constellation',
      software: 'constellation-devkit',
      version: '0.1.0',
      supported_nips: nips,
      limitation: {
        max_message_length: this.opts.maxMessageLength ?? DEFAULT_MAX_MESSAGE,
        max_subscriptions: this.opts.maxSubscriptions ?? DEFAULT_MAX_SUBS,
        max_limit: this.maxLimit,
        max_filters: 200,
        auth_required: false,
        payment_required: false,
      },
      ...(this.nip77 ? { negentropy: 1 } : {}),
    };
  }

  private serveHttp(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' && req.headers.accept === 'application/nostr+json') {
      res.writeHead(200, {
        'Content-Type': 'application/nostr+json',
        'Access-Control-Allow-Origin': '*',
      });
      res.end(JSON.stringify(this.info()));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('Please use a Nostr client to connect.\n');
  }

  private accept(ws: WebSocket): void {
    if (this.stopped) {
      ws.terminate();
      return;
    }
    this.stats.connections += 1;
    const stats = this.stats;
    const conn: Connection = {
      ws,
      negs: new Map(),
      subs: new Map(),
      client: {
        get readyState() {
          return ws.readyState;
        },
        send(data: string) {
          if (ws.readyState !== WebSocket.OPEN) return;
          stats.bytesOut += Buffer.byteLength(data);
          ws.send(data);
        },
      },
    };
    this.connections.add(conn);
    this.relay.handleConnection(conn.client as never, '127.0.0.1');
    // Messages of one socket are handled in order, like a real relay's per-connection queue.
    let queue = Promise.resolve();
    ws.on('message', (data) => {
      const text = toText(data);
      this.stats.bytesIn += Buffer.byteLength(text);
      queue = queue.then(() => this.onMessage(conn, text)).catch((err: unknown) => {
        this.send(conn, ['NOTICE', `ERROR: ${err instanceof Error ? err.message : String(err)}`]);
      });
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.connections.delete(conn);
      conn.negs.clear();
      this.relay.handleDisconnect(conn.client as never);
    });
  }

  private send(conn: Connection, message: unknown[]): void {
    conn.client.send(JSON.stringify(message));
  }

  private async onMessage(conn: Connection, text: string): Promise<void> {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.send(conn, ['NOTICE', 'ERROR: bad msg: invalid JSON']);
      return;
    }
    if (!Array.isArray(msg) || typeof msg[0] !== 'string') {
      this.send(conn, ['NOTICE', 'ERROR: bad msg: message is not an array']);
      return;
    }
    // strfry answers a REQ (or COUNT, NEG-…) from its database whether or not the writer has committed the EVENTs
    // received before it; here they are committed first, so a test's EVENT-then-REQ reads the same every time.
    if (msg[0] !== 'EVENT') this.writeInbox();
    switch (msg[0]) {
      case 'COUNT':
        return this.onCount(conn, msg);
      case 'NEG-OPEN':
      case 'NEG-MSG':
      case 'NEG-CLOSE':
        if (!this.nip77) {
          this.send(conn, ['NOTICE', `ERROR: bad msg: unknown cmd: ${msg[0]}`]);
          return;
        }
        return this.onNeg(conn, msg);
      case 'REQ': {
        this.stats.reqs += 1;
        const req = this.clampReq(msg);
        const seq = this.changeSeqNow();
        if (await this.onLibraryMessage(conn, req)) {
          conn.subs.set(String(req[1]), { filters: req.slice(2).filter((f): f is RelayFilter => typeof f === 'object' && f !== null), seq });
          this.watchOtherWriters();
        }
        return;
      }
      case 'CLOSE':
        conn.subs.delete(String(msg[1]));
        await this.onLibraryMessage(conn, msg);
        return;
      case 'EVENT': {
        const id = (msg[1] as { id?: unknown } | null)?.id;
        if (this.opts.countEvents && typeof id === 'string') this.eventCounts.set(id, (this.eventCounts.get(id) ?? 0) + 1);
        const refusal = this.opts.writePolicy && typeof id === 'string' ? this.opts.writePolicy(msg[1] as NostrEvent) : null;
        if (refusal !== null && refusal !== undefined) {
          this.send(conn, ['OK', id, false, refusal]);
          return;
        }
        await this.onLibraryMessage(conn, msg);
        return;
      }
      default:
        await this.onLibraryMessage(conn, msg);
    }
  }

  /** strfry: a REQ with no limit or a limit above max_limit gets max_limit. */
  private clampReq(msg: unknown[]): unknown[] {
    return msg.map((part, i) => {
      if (i < 2 || typeof part !== 'object' || part === null) return part;
      const f = part as RelayFilter;
      const limit = typeof f.limit === 'number' ? Math.min(f.limit, this.maxLimit) : this.maxLimit;
      return { ...f, limit };
    });
  }

  /** Hands a message to the library (EVENTs of stored kinds to strfry's rules); false when refused as invalid. */
  private async onLibraryMessage(conn: Connection, msg: unknown[]): Promise<boolean> {
    let valid;
    try {
      valid = await this.validator.validateIncomingMessage(msg);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (msg[0] === 'EVENT' && typeof (msg[1] as { id?: unknown })?.id === 'string') {
        this.send(conn, ['OK', (msg[1] as { id: string }).id, false, `invalid: ${reason}`]);
      } else if (msg[0] === 'REQ' && typeof msg[1] === 'string') {
        this.send(conn, ['CLOSED', msg[1], `error: ${reason}`]);
      } else {
        this.send(conn, ['NOTICE', `ERROR: bad msg: ${reason}`]);
      }
      return false;
    }
    if (valid[0] === 'EVENT' && !isEphemeralKind(valid[1].kind)) {
      await this.onEvent(conn, valid[1] as NostrEvent);
      return true;
    }
    await this.relay.handleMessage(conn.client as never, valid);
    return true;
  }

  /**
   * EVENT as strfry's relay takes it (RelayIngester, RelayWriter): strfry's checks (`invalid: …`), a duplicate
   * answered `duplicate: have this event`, then its writer's rules, shared with the strfry stand-in
   * (strfry-rules.mjs): an older version answered `replaced: have newer event`, a deleted event
   * `deleted: user requested deletion` (both `false`), a kind 5 stored and applied. Written events reach live
   * subscriptions through the change log, after strfry's debounce. (Ephemeral kinds stay with the library:
   * broadcast at once, never stored.)
   */
  private async onEvent(conn: Connection, e: NostrEvent): Promise<void> {
    const ok = (accepted: boolean, message: string): void => this.send(conn, ['OK', e.id, accepted, message]);
    const size = JSON.stringify({ content: e.content, created_at: e.created_at, id: e.id, kind: e.kind, pubkey: e.pubkey, sig: e.sig, tags: e.tags }).length;
    const problem =
      checkEvent(e, EVENT_LIMITS) ??
      timeProblem(e, Math.floor(Date.now() / 1000)) ??
      this.verifier(e) ??
      (size > MAX_EVENT_SIZE ? `event too large: ${size}` : null);
    if (problem) return ok(false, `invalid: ${problem}`);
    this.writer ??= strfryWriter(this.db);
    if (this.writer.stored(e.id)) return ok(true, 'duplicate: have this event');
    this.inbox.push({ conn, event: e });
    // strfry's writer takes what its inbox holds when it comes round (what arrived during its last commit): here,
    // what arrived in this turn of the event loop (the frames of one socket read, several sockets' EVENTs)
    this.writerPass ??= setImmediate(() => this.writeInbox());
  }

  /**
   * strfry's writer thread (RelayWriter): it takes every EVENT its inbox holds, writes them in one transaction
   * (writeEvents: sorted, duplicates and deletions settled within the batch), then answers each one. A client
   * that sends EVENTs without waiting for each OK gets them committed together, as strfry commits them, instead
   * of one transaction (and one WAL append of every index page it touched) per event.
   */
  private writeInbox(): void {
    if (this.writerPass) clearImmediate(this.writerPass);
    this.writerPass = null;
    if (this.inbox.length === 0 || !this.writer) return;
    const batch = this.inbox;
    this.inbox = [];
    const writer = this.writer;
    let statuses: string[];
    try {
      statuses = this.db.transaction(() => writer.writeEvents(batch.map((b) => b.event)))() as string[];
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      for (const conn of new Set(batch.map((b) => b.conn))) this.send(conn, ['NOTICE', `ERROR: ${why}`]);
      return;
    }
    let written = false;
    batch.forEach(({ conn, event }, i) => {
      const status = statuses[i];
      const ok = (accepted: boolean, message: string): void => this.send(conn, ['OK', event.id, accepted, message]);
      if (status === 'written') {
        written = true;
        ok(true, '');
      } else if (status === 'duplicate') ok(true, 'duplicate: have this event');
      else if (status === 'replaced') ok(false, 'replaced: have newer event');
      else ok(false, 'deleted: user requested deletion');
    });
    if (written) this.dbChanged();
  }

  private onCount(conn: Connection, msg: unknown[]): void {
    const sub = msg[1];
    if (typeof sub !== 'string') {
      this.send(conn, ['NOTICE', 'ERROR: bad msg: COUNT needs a subscription id']);
      return;
    }
    const filters = msg.slice(2).filter((f): f is RelayFilter => typeof f === 'object' && f !== null);
    this.send(conn, ['COUNT', sub, { count: this.countSync(filters) }]);
  }

  private async onNeg(conn: Connection, msg: unknown[]): Promise<void> {
    const sub = msg[1];
    if (typeof sub !== 'string') {
      this.send(conn, ['NOTICE', 'ERROR: bad msg: NEG needs a subscription id']);
      return;
    }
    if (msg[0] === 'NEG-CLOSE') {
      conn.negs.delete(sub);
      return;
    }
    try {
      if (msg[0] === 'NEG-OPEN') {
        this.stats.negOpens += 1;
        const filter = msg[2];
        const initial = msg[3];
        if (typeof filter !== 'object' || filter === null || typeof initial !== 'string') {
          this.send(conn, ['NEG-ERR', sub, 'error: bad NEG-OPEN']);
          return;
        }
        const where = filterWhere(filter as RelayFilter);
        const n = (this.db.prepare(`SELECT COUNT(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
        if (n > this.maxSyncEvents) {
          this.send(conn, ['NEG-ERR', sub, 'blocked: too many query results']);
          return;
        }
        const storage = new FastNegentropyStorage();
        const rows = this.db
          .prepare(`SELECT e.created_at AS t, e.id AS id FROM events e WHERE ${where.sql}`)
          .raw()
          .iterate(...where.params) as IterableIterator<[number, string]>;
        for (const [t, id] of rows) storage.insert(t, id);
        storage.seal();
        const neg = new StrfryNegentropy(storage, NEG_FRAME_LIMIT);
        conn.negs.set(sub, neg);
        await this.reply(conn, sub, neg, initial);
        return;
      }
      const neg = conn.negs.get(sub);
      if (!neg) {
        this.send(conn, ['NEG-ERR', sub, 'closed: unknown subscription']);
        return;
      }
      const payload = msg[2];
      if (typeof payload !== 'string') {
        this.send(conn, ['NEG-ERR', sub, 'error: bad NEG-MSG']);
        return;
      }
      await this.reply(conn, sub, neg, payload);
    } catch (err) {
      conn.negs.delete(sub);
      this.send(conn, ['NEG-ERR', sub, `error: ${err instanceof Error ? err.message : String(err)}`]);
    }
  }

  private async reply(conn: Connection, sub: string, neg: StrfryNegentropy, hex: string): Promise<void> {
    const { nextMessage } = await neg.reconcile(Buffer.from(hex, 'hex'));
    if (nextMessage) this.send(conn, ['NEG-MSG', sub, Buffer.from(nextMessage).toString('hex')]);
  }

  private countSync(filters: RelayFilter[]): number {
    const where = filtersWhere(filters);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM events e WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
  }

  /**
   * Bulk insert bypassing the WebSocket, like `strfry import --no-verify`: no id/signature check, duplicates
   * skipped, replaceable/addressable kinds keep the newest. Returns how many events were stored or replaced.
   */
  async seed(events: readonly NostrEvent[]): Promise<number> {
    this.writeInbox();
    const db = this.db;
    const insert = db.prepare(UPSERT_EVENT_SQL);
    const insertTag = db.prepare(
      'INSERT OR IGNORE INTO generic_tags (tag, event_id, author, kind, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    let stored = 0;
    const batch = db.transaction((chunk: readonly NostrEvent[]) => {
      for (const e of chunk) {
        const r = insert.run(e.id, e.pubkey, e.pubkey, e.created_at, e.kind, JSON.stringify(e.tags), e.content, e.sig, dTagValue(e));
        if (r.changes === 0) continue;
        stored += 1;
        const seen = new Set<string>();
        for (const t of e.tags) {
          if (t.length < 2 || !/^[a-zA-Z]$/.test(t[0] ?? '')) continue;
          const tag = `${t[0]}:${t[1]}`;
          if (seen.has(tag)) continue;
          seen.add(tag);
          insertTag.run(tag, e.id, e.pubkey, e.kind, e.created_at);
        }
      }
    });
    for (let i = 0; i < events.length; i += 5000) {
      batch(events.slice(i, i + 5000));
      // Let sockets breathe during very large seeds.
      await new Promise((r) => setImmediate(r));
    }
    if (stored > 0) this.dbChanged();
    return stored;
  }

  /** Number of stored events matching the filter (no limit). */
  async count(filter: RelayFilter = {}): Promise<number> {
    this.writeInbox();
    return this.countSync([filter]);
  }

  /** Every stored event matching the filter (no limit), newest first. `ids` are looked up in chunks. */
  async all(filter: RelayFilter = {}): Promise<NostrEvent[]> {
    this.writeInbox();
    if (filter.ids && filter.ids.length > SQL_CHUNK) {
      const out: NostrEvent[] = [];
      for (let i = 0; i < filter.ids.length; i += SQL_CHUNK) {
        out.push(...(await this.all({ ...filter, ids: filter.ids.slice(i, i + SQL_CHUNK) })));
      }
      return out.sort((a, b) => b.created_at - a.created_at);
    }
    const where = filterWhere({ ...filter, limit: undefined });
    const rows = this.db
      .prepare(`SELECT id, pubkey, created_at, kind, tags, content, sig FROM events e WHERE ${where.sql} ORDER BY e.created_at DESC`)
      .all(...where.params) as EventRow[];
    return rows.map(rowToEvent);
  }

  /** Ids and created_at of the stored events matching the filter (no limit): what a negentropy storage holds. */
  items(filter: RelayFilter = {}): Array<{ id: string; created_at: number }> {
    this.writeInbox();
    const where = filterWhere({ ...filter, limit: undefined });
    return this.db.prepare(`SELECT e.id AS id, e.created_at AS created_at FROM events e WHERE ${where.sql}`).all(...where.params) as Array<{ id: string; created_at: number }>;
  }

  /** Query plan of the REQ path for a filter (tests check that indexes are used). */
  explain(filter: RelayFilter): string[] {
    const where = filterWhere(filter);
    return (
      this.db
        .prepare(`EXPLAIN QUERY PLAN SELECT * FROM events e WHERE ${where.sql} ORDER BY e.created_at DESC LIMIT ${this.maxLimit}`)
        .all(...where.params) as Array<{ detail: string }>
    ).map((r) => r.detail);
  }

  resetStats(): void {
    Object.assign(this.stats, { bytesIn: 0, bytesOut: 0, connections: 0, reqs: 0, negOpens: 0 });
    this.eventCounts.clear();
    const t = this.wireTotals();
    this.wire.zeroIn = t.in;
    this.wire.zeroOut = t.out;
  }

  /** Live sockets (tests check nothing is left open). */
  get openSockets(): number {
    return this.connections.size;
  }

  /** Drops every client socket abruptly (for fault and reconnect tests); the relay keeps serving. */
  dropClients(): void {
    for (const c of this.connections) c.ws.terminate();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.writeInbox();
    this.stopped = true;
    if (this.changeTimer) clearTimeout(this.changeTimer);
    if (this.otherWriters) clearInterval(this.otherWriters);
    this.changeTimer = this.otherWriters = null;
    for (const c of this.connections) c.ws.terminate();
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.relay.destroy();
    await this.repo.destroy();
  }
}

const silentLogger = {
  setLogLevel: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
