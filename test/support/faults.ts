// Fault-injecting relays (issue 10): each one a real WebSocket server on 127.0.0.1 that serves a given list of
// events like a healthy relay (REQ with strfry's max_limit clamp, COUNT, a correct NIP-77 responder) except for
// ONE fault. Tests sync a constellation of healthy peers plus one of these and check nothing healthy is lost.
// The ATTACKS (issue 15) are faults meant to make a peer cost without bound: a flood, huge events, a NIP-77
// partner that never converges (and `drip`, slowly, for the run's deadline).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { matchFilter, type Filter } from 'nostr-tools';
import { FastNegentropyStorage, StrfryNegentropy } from '../../src/devkit/negentropy-responder';
import { withBadId, withBadSig, keyFromSeed, note, signMany, type NostrEvent } from '../../src/devkit/index';
import type { KuboStandin } from '../../src/devkit/kubo-standin';

export const FAULTS = [
  'drop-mid-stream',
  'invalid-json',
  'oversized-frame',
  'outside-filter',
  'bad-id',
  'bad-sig',
  'never-eose',
  'drip',
  'notice-flood',
  'closed-auth-required',
  'closed-rate-limited',
  'neg-blocked',
  'neg-notice',
  'neg-silent',
  'silent',
  'tunnel-reset',
] as const;
export type Fault = (typeof FAULTS)[number];

/** Attacks on what a peer may cost (issue 15, attacks 2, 3 and 4; attack 6 is `drip` with a long dripMs). */
export const ATTACKS = ['same-second-flood', 'huge-events', 'neg-endless'] as const;
export type Attack = (typeof ATTACKS)[number];

/** What each fault does, in a captain's words (used by the summary table). */
export const FAULT_DESCRIPTIONS: Record<Fault, string> = {
  'drop-mid-stream': 'closes the connection abruptly after half of a REQ answer',
  'invalid-json': 'sends frames that are not JSON between its events',
  'oversized-frame': 'sends one huge frame before its events',
  'outside-filter': 'sends events that do not match the filter',
  'bad-id': 'sends events whose id does not match their content',
  'bad-sig': 'sends events whose signature does not verify',
  'never-eose': 'sends its events but never EOSE',
  drip: 'sends one event per second',
  'notice-flood': 'floods NOTICE messages',
  'closed-auth-required': 'answers every REQ with CLOSED auth-required:',
  'closed-rate-limited': 'answers every REQ with CLOSED rate-limited:',
  'neg-blocked': 'answers NEG-OPEN with NEG-ERR blocked:',
  'neg-notice': 'answers NEG-OPEN with a NOTICE (claims NIP-77 but does not speak it)',
  'neg-silent': 'never answers NEG-OPEN',
  silent: 'accepts the connection and never answers',
  'tunnel-reset': 'the tunnel to it is reset (TCP RST) in the middle of an answer',
};

export const ATTACK_DESCRIPTIONS: Record<Attack, string> = {
  'same-second-flood': 'answers every REQ page with new signed events, all dated the same second (attack 2)',
  'huge-events': 'sends 120 events of 8 MiB before its own (attack 3)',
  'neg-endless': 'a NIP-77 partner that never converges, listing made-up ids every round (attack 4)',
};

export interface FaultyRelayOptions {
  /** The events this peer holds (served as a healthy relay would, apart from the fault). */
  events?: NostrEvent[];
  maxLimit?: number;
  /** Claim NIP-77 in NIP-11 and answer NEG-OPEN (except neg-* faults). Default true. */
  nip77?: boolean;
  /** drip: milliseconds between events. Default 1000. */
  dripMs?: number;
  /** notice-flood: NOTICEs sent before each answer. Default 5000. */
  floodCount?: number;
  /** oversized-frame: size of the huge frame in bytes. Default 16 MiB. */
  oversizeBytes?: number;
  /** tunnel-reset: the stand-in carrying the tunnel, and the PeerID to register this relay under. */
  kubo?: KuboStandin;
  peerId?: string;
  /** drop-mid-stream / tunnel-reset: events sent before the cut. Default half of the answer (at least 1). */
  cutAfter?: number;
  /**
   * REQs answered healthily before the REQ fault starts (counted over the relay's life). Default 0. With 1, a
   * client's reachability probe passes and the fault hits the sync itself.
   */
  healthyReqs?: number;
  /** huge-events: how many, and the size of each content. Default 120 of 8 MiB. */
  hugeCount?: number;
  hugeBytes?: number;
  /** neg-endless: made-up ids listed per NEG-MSG. Default 15,000 (about strfry's 500 kB frame). */
  negIdsPerRound?: number;
  /**
   * NEG-OPEN is answered only once this settles (or after 10 s): a test orders which peer reconciles first, and
   * so which session claims the run's fetches of the ids several peers hold (each is fetched once per run).
   */
  negOpenAfter?: Promise<unknown>;
}

export interface FaultyRelayStats {
  connections: number;
  reqs: number;
  negOpens: number;
  eventsSent: number;
  bytesOut: number;
  /** Cuts done (drop-mid-stream, tunnel-reset). */
  cuts: number;
  /** NEG-MSG answers sent (neg-endless). */
  negRounds: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once the socket has handed every queued byte to the kernel (or after 2 s). */
async function flushed(ws: WebSocket): Promise<void> {
  for (let i = 0; i < 400 && ws.readyState === WebSocket.OPEN && ws.bufferedAmount > 0; i++) await sleep(5);
}

/** A stranger's events, for outside-filter answers. */
const stranger = keyFromSeed('faults:stranger');

/** An event of about `bytes`, valid in shape only (a made-up id and signature): a client must drop it unread. */
function hugeEvent(bytes: number): Record<string, unknown> {
  return { id: randomBytes(32).toString('hex'), pubkey: stranger.pk, created_at: 1_700_000_000, kind: 1, tags: [], content: 'x'.repeat(bytes), sig: randomBytes(64).toString('hex') };
}

export class FaultyRelay {
  readonly url: string;
  readonly port: number;
  readonly stats: FaultyRelayStats = { connections: 0, reqs: 0, negOpens: 0, eventsSent: 0, bytesOut: 0, cuts: 0, negRounds: 0 };
  private readonly sockets = new Set<WebSocket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private onCut: () => void = () => undefined;
  /** Settles at the relay's first cut (drop-mid-stream, tunnel-reset). */
  readonly firstCut = new Promise<void>((resolve) => (this.onCut = resolve));

  private constructor(
    readonly fault: Fault | Attack,
    private readonly opts: FaultyRelayOptions,
    private readonly http: Server,
    private readonly wss: WebSocketServer,
  ) {
    this.port = (http.address() as AddressInfo).port;
    this.url = `ws://127.0.0.1:${this.port}`;
  }

  static async start(fault: Fault | Attack, opts: FaultyRelayOptions = {}): Promise<FaultyRelay> {
    if (fault === 'tunnel-reset' && (!opts.kubo || !opts.peerId)) {
      throw new Error('tunnel-reset needs { kubo, peerId }: the fault is in the tunnel the stand-in carries');
    }
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', () => resolve());
    });
    const relay = new FaultyRelay(fault, opts, http, wss);
    http.on('request', (req, res) => {
      if (req.headers.accept === 'application/nostr+json') {
        res.writeHead(200, { 'Content-Type': 'application/nostr+json' });
        res.end(JSON.stringify(relay.info()));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('Please use a Nostr client to connect.\n');
    });
    http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => relay.accept(ws)));
    if (opts.kubo && opts.peerId) opts.kubo.registerPeer(opts.peerId, { host: '127.0.0.1', port: relay.port });
    return relay;
  }

  get events(): NostrEvent[] {
    return this.opts.events ?? [];
  }

  get maxLimit(): number {
    return this.opts.maxLimit ?? 500;
  }

  /** Claims NIP-77 even for the neg-* faults: a NIP-11 claim is not proof (relays.md). */
  info(): Record<string, unknown> {
    const nip77 = this.opts.nip77 ?? true;
    return {
      name: `faulty relay (${this.fault})`,
      supported_nips: nip77 ? [1, 11, 45, 77] : [1, 11, 45],
      limitation: { max_limit: this.maxLimit, max_subscriptions: 200, max_message_length: 131072 },
      ...(nip77 ? { negentropy: 1 } : {}),
    };
  }

  get openSockets(): number {
    return this.sockets.size;
  }

  private accept(ws: WebSocket): void {
    if (this.stopped) return ws.terminate();
    this.stats.connections += 1;
    this.sockets.add(ws);
    const negs = new Map<string, StrfryNegentropy>();
    ws.on('close', () => {
      this.sockets.delete(ws);
      negs.clear();
    });
    ws.on('error', () => ws.terminate());
    if (this.fault === 'closed-auth-required') this.send(ws, ['AUTH', 'challenge-' + this.stats.connections]);
    let queue = Promise.resolve();
    ws.on('message', (data) => {
      queue = queue.then(() => this.onMessage(ws, negs, data.toString())).catch(() => ws.terminate());
    });
  }

  private send(ws: WebSocket, msg: unknown[] | string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    const text = typeof msg === 'string' ? msg : JSON.stringify(msg);
    this.stats.bytesOut += Buffer.byteLength(text);
    ws.send(text);
  }

  private matching(filters: Filter[]): NostrEvent[] {
    const seen = new Set<string>();
    const out: NostrEvent[] = [];
    for (const f of filters) {
      const limit = Math.min(typeof f.limit === 'number' ? f.limit : this.maxLimit, this.maxLimit);
      const hits = this.events
        .filter((e) => !seen.has(e.id) && matchFilter({ ...f, limit: undefined }, e))
        .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1))
        .slice(0, limit);
      for (const e of hits) {
        seen.add(e.id);
        out.push(e);
      }
    }
    return out;
  }

  private async onMessage(ws: WebSocket, negs: Map<string, StrfryNegentropy>, text: string): Promise<void> {
    if (this.fault === 'silent') return;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.send(ws, ['NOTICE', 'ERROR: bad msg: invalid JSON']);
    }
    if (!Array.isArray(msg)) return this.send(ws, ['NOTICE', 'ERROR: bad msg: not an array']);
    const [type, sub] = msg as [string, string];
    if (this.fault === 'notice-flood') {
      for (let i = 0; i < (this.opts.floodCount ?? 5000); i++) this.send(ws, ['NOTICE', `flood ${i}: nothing to see here`]);
    }
    switch (type) {
      case 'REQ':
        this.stats.reqs += 1;
        return this.onReq(ws, sub, msg.slice(2) as Filter[]);
      case 'COUNT':
        return this.send(ws, ['COUNT', sub, { count: this.matching((msg.slice(2) as Filter[]).map((f) => ({ ...f, limit: 1e9 }))).length }]);
      case 'CLOSE':
        return;
      case 'EVENT': {
        const ev = msg[1] as NostrEvent;
        return this.send(ws, ['OK', ev?.id ?? '', false, 'blocked: this peer is read-only']);
      }
      case 'NEG-OPEN':
      case 'NEG-MSG':
      case 'NEG-CLOSE':
        return this.onNeg(ws, negs, msg as unknown[]);
      default:
        return this.send(ws, ['NOTICE', `ERROR: bad msg: unknown cmd: ${String(type)}`]);
    }
  }

  private async onNeg(ws: WebSocket, negs: Map<string, StrfryNegentropy>, msg: unknown[]): Promise<void> {
    const [type, sub] = msg as [string, string];
    if (type === 'NEG-OPEN') this.stats.negOpens += 1;
    if (type === 'NEG-OPEN' && this.opts.negOpenAfter) await Promise.race([this.opts.negOpenAfter, sleep(10_000)]);
    if (this.fault === 'neg-silent') return;
    if (this.fault === 'neg-notice' || this.opts.nip77 === false) {
      return this.send(ws, ['NOTICE', `ERROR: bad msg: unknown cmd: ${type}`]);
    }
    if (this.fault === 'neg-blocked' && type === 'NEG-OPEN') return this.send(ws, ['NEG-ERR', sub, 'blocked: too many query results']);
    if (this.fault === 'neg-endless' && type !== 'NEG-CLOSE') {
      this.stats.negRounds += 1;
      return this.send(ws, ['NEG-MSG', sub, endlessNegMessage(this.stats.negRounds, this.opts.negIdsPerRound ?? 15_000).toString('hex')]);
    }
    if (type === 'NEG-CLOSE') {
      negs.delete(sub);
      return;
    }
    try {
      let neg = negs.get(sub);
      let hex: string;
      if (type === 'NEG-OPEN') {
        const storage = new FastNegentropyStorage();
        for (const e of this.matching([{ ...(msg[2] as Filter), limit: 1e9 }])) storage.insert(e.created_at, e.id);
        storage.seal();
        neg = new StrfryNegentropy(storage, 500_000);
        negs.set(sub, neg);
        hex = String(msg[3]);
      } else {
        if (!neg) return this.send(ws, ['NEG-ERR', sub, 'closed: unknown subscription']);
        hex = String(msg[2]);
      }
      const { nextMessage } = await neg.reconcile(Buffer.from(hex, 'hex'));
      if (nextMessage) this.send(ws, ['NEG-MSG', sub, Buffer.from(nextMessage).toString('hex')]);
    } catch (err) {
      this.send(ws, ['NEG-ERR', sub, `error: ${err instanceof Error ? err.message : String(err)}`]);
    }
  }

  private sendEvent(ws: WebSocket, sub: string, e: NostrEvent): void {
    this.stats.eventsSent += 1;
    this.send(ws, ['EVENT', sub, e]);
  }

  private async onReq(ws: WebSocket, sub: string, filters: Filter[]): Promise<void> {
    const hits = this.matching(filters);
    if (this.stats.reqs <= (this.opts.healthyReqs ?? 0) && !this.fault.startsWith('neg-') && this.fault !== 'silent') {
      hits.forEach((e) => this.sendEvent(ws, sub, e));
      return this.send(ws, ['EOSE', sub]);
    }
    const cutAfter = this.opts.cutAfter ?? Math.max(1, Math.floor(hits.length / 2));
    switch (this.fault) {
      case 'closed-auth-required':
        return this.send(ws, ['CLOSED', sub, 'auth-required: this relay only serves authenticated users']);
      case 'closed-rate-limited':
        return this.send(ws, ['CLOSED', sub, 'rate-limited: slow down, too many requests']);
      case 'drop-mid-stream': {
        hits.slice(0, cutAfter).forEach((e) => this.sendEvent(ws, sub, e));
        this.stats.cuts += 1;
        this.onCut();
        // Abrupt: no close frame, the TCP connection just goes away once the half answer is flushed.
        await flushed(ws);
        ws.terminate();
        return;
      }
      case 'tunnel-reset': {
        hits.slice(0, cutAfter).forEach((e) => this.sendEvent(ws, sub, e));
        await flushed(ws);
        await sleep(20);
        this.stats.cuts += 1;
        this.onCut();
        this.opts.kubo?.resetConnections(this.opts.peerId as string);
        return;
      }
      case 'invalid-json':
        hits.forEach((e, i) => {
          this.send(ws, i % 2 === 0 ? `["EVENT","${sub}",{"id":"${e.id.slice(0, 10)}` : '}{not json at all');
          this.sendEvent(ws, sub, e);
        });
        this.send(ws, '["EOSE",');
        return this.send(ws, ['EOSE', sub]);
      case 'oversized-frame': {
        // valid in shape only (signing 16 MiB takes seconds on a busy machine): the client must drop it unread
        this.send(ws, ['EVENT', sub, hugeEvent(this.opts.oversizeBytes ?? 16 * 1024 * 1024)]);
        hits.forEach((e) => this.sendEvent(ws, sub, e));
        return this.send(ws, ['EOSE', sub]);
      }
      case 'outside-filter':
        hits.forEach((e, i) => {
          this.sendEvent(ws, sub, e);
          this.send(ws, ['EVENT', sub, note(stranger, `not what you asked for ${i}`, e.created_at)]);
        });
        return this.send(ws, ['EOSE', sub]);
      case 'bad-id':
        hits.forEach((e, i) => this.sendEvent(ws, sub, i % 2 === 0 ? withBadId(e) : e));
        return this.send(ws, ['EOSE', sub]);
      case 'bad-sig':
        hits.forEach((e, i) => this.sendEvent(ws, sub, i % 2 === 0 ? withBadSig(e) : e));
        return this.send(ws, ['EOSE', sub]);
      case 'never-eose':
        hits.forEach((e) => this.sendEvent(ws, sub, e));
        return;
      case 'drip': {
        // Do not hold the per-socket queue: other messages (CLOSE, NEG-*) keep being answered meanwhile.
        void this.drip(ws, sub, hits);
        return;
      }
      case 'same-second-flood':
        return this.flood(ws, sub, filters[0] ?? {});
      case 'huge-events': {
        for (let i = 0; i < (this.opts.hugeCount ?? 120) && ws.readyState === WebSocket.OPEN; i++) {
          // built one at a time (never all 120 in memory)
          this.send(ws, ['EVENT', sub, hugeEvent(this.opts.hugeBytes ?? 8 * 1024 * 1024)]);
          await flushed(ws);
        }
        hits.forEach((e) => this.sendEvent(ws, sub, e));
        return this.send(ws, ['EOSE', sub]);
      }
      default:
        hits.forEach((e) => this.sendEvent(ws, sub, e));
        return this.send(ws, ['EOSE', sub]);
    }
  }

  /** A full page of new signed events, all dated the page's `until` (or a minute ago), of the asked kind. */
  private async flood(ws: WebSocket, sub: string, f: Filter): Promise<void> {
    const at = typeof f.until === 'number' ? f.until : Math.floor(Date.now() / 1000) - 60;
    const kind = f.kinds?.[0] ?? 1;
    const page = Math.min(typeof f.limit === 'number' ? f.limit : this.maxLimit, this.maxLimit);
    const batch = this.stats.reqs;
    // eight authors per page, each key derived once (a public key per event was most of a page's signing time)
    const keys = Array.from({ length: 8 }, (_, k) => keyFromSeed(`faults:flood:${batch}`, k));
    const items = Array.from({ length: page }, (_, i) => ({
      key: keys[i % 8]!,
      template: { kind, created_at: at, tags: kind >= 30000 && kind < 40000 ? [['d', `flood-${batch}-${i}`]] : [], content: `flood ${batch}/${i}` },
    }));
    for (const e of await signMany(items)) this.sendEvent(ws, sub, e);
    this.send(ws, ['EOSE', sub]);
  }

  private async drip(ws: WebSocket, sub: string, hits: NostrEvent[]): Promise<void> {
    for (const e of hits) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, this.opts.dripMs ?? 1000);
        this.timers.add(t);
      });
      if (ws.readyState !== WebSocket.OPEN || this.stopped) return;
      this.sendEvent(ws, sub, e);
    }
    this.send(ws, ['EOSE', sub]);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    if (this.opts.kubo && this.opts.peerId) this.opts.kubo.unregisterPeer(this.opts.peerId);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** Starts a relay with one fault (see FAULT_DESCRIPTIONS, ATTACK_DESCRIPTIONS). */
export function startFaultyRelay(fault: Fault | Attack, opts: FaultyRelayOptions = {}): Promise<FaultyRelay> {
  return FaultyRelay.start(fault, opts);
}

function varint(n: number): number[] {
  const out = [n % 128];
  for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) out.unshift((n % 128) | 0x80);
  return out;
}

/**
 * A NIP-77 answer (protocol 0x61) that never lets a reconciliation end: the range up to created_at `round` as an
 * IdList of `ids` made-up ids (all "needed" by the initiator), then the rest of the range as a fingerprint that
 * matches nothing (the initiator must split it and ask again).
 */
export function endlessNegMessage(round: number, ids: number): Buffer {
  const head = Buffer.from([0x61, ...varint(round + 1), 0, ...varint(2), ...varint(ids)]);
  const tail = Buffer.from([0, 0, ...varint(1)]);
  return Buffer.concat([head, randomBytes(32 * ids), tail, randomBytes(16)]);
}
