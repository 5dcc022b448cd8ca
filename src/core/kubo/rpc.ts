/**
 * kubo's RPC API: every call is `POST /api/v0/<path>?arg=…`, errors are HTTP 500 with
 * `{"Message","Code","Type"}`. Each call has an explicit timeout (config.timeouts.kuboRpc) and an optional
 * Authorization header (kubo's API.Authorizations). This client deliberately has no way to send `all=true`
 * to `p2p/close`: that would also remove the station's own `p2p listen` entries.
 */
import type { KuboRpc } from '../services';
import { reason, reasonText, type Reason } from '../../shared/i18n';

export type KuboErrorKind = 'unreachable' | 'timeout' | 'cancelled' | 'http' | 'kubo' | 'bad-answer';

/** A kubo call that failed: its reason as a code (reasonOf reads `reason`), its message the English text. */
export class KuboError extends Error {
  override name = 'KuboError';
  constructor(
    readonly reason: Reason,
    readonly kind: KuboErrorKind,
  ) {
    super(reasonText(reason));
  }
}

export interface P2PListener {
  Protocol: string;
  ListenAddress: string;
  TargetAddress: string;
}

export interface PingOutcome {
  ok: boolean;
  /** Average of the successful pings, ms. */
  latencyMs: number | null;
  /** Why the ping failed, from kubo's streamed objects or the X-Stream-Error header. */
  reason: string | null;
  /** The same as a reason: kubo's own words as text, ours as codes. */
  why: Reason | null;
}

export type CloseBy = { listenAddress: string } | { protocol: string; targetAddress: string };

function describeFetchError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

/** Parses kubo's streamed ping answer (one JSON object per line; failure is reported inside a 200). */
export function parsePingStream(body: string, streamError: string | null): PingOutcome {
  const times: number[] = [];
  let failure: string | null = null;
  let lookedUp = false;
  for (const line of body.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    let obj: { Success?: unknown; Time?: unknown; Text?: unknown };
    try {
      obj = JSON.parse(t) as typeof obj;
    } catch {
      continue;
    }
    const text = typeof obj.Text === 'string' ? obj.Text : '';
    if (obj.Success === true && typeof obj.Time === 'number' && obj.Time > 0) times.push(obj.Time);
    // kubo streams "Looking up peer …" with Success false before the first ping: only later texts are failures.
    else if (obj.Success === false && /^Looking up peer/i.test(text)) lookedUp = true;
    else if (obj.Success === false && text) failure = text;
  }
  if (times.length > 0) {
    const avgNs = times.reduce((a, b) => a + b, 0) / times.length;
    return { ok: true, latencyMs: Math.round(avgNs / 1e4) / 100, reason: null, why: null };
  }
  const kubos = streamError ?? failure;
  const why = kubos !== null ? reason('text', { text: kubos }) : reason(lookedUp ? 'kubo.pingNotFound' : 'kubo.pingNone');
  return { ok: false, latencyMs: null, reason: reasonText(why), why };
}

export class KuboClient implements KuboRpc {
  constructor(
    readonly url: string,
    private readonly auth: string,
    private readonly timeoutMs: number,
  ) {}

  /** POSTs a call; resolves with the raw response once the status is OK, throws a readable KuboError otherwise. */
  private async post(path: string, args: Array<[string, string]>, signal?: AbortSignal): Promise<{ text: string; headers: Headers }> {
    const u = new URL(`/api/v0/${path}`, this.url);
    for (const [k, v] of args) u.searchParams.append(k, v);
    const headers: Record<string, string> = {};
    if (this.auth) headers.Authorization = this.auth;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const all = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let text: string;
    let res: Response;
    try {
      res = await fetch(u, { method: 'POST', headers, signal: all });
      text = await res.text();
    } catch (err) {
      if (signal?.aborted) throw new KuboError(reason('kubo.cancelled', { call: path }), 'cancelled');
      if (timeout.aborted) throw new KuboError(reason('kubo.timeout', { api: this.url, call: path, ms: this.timeoutMs }), 'timeout');
      throw new KuboError(reason('kubo.unreachable', { api: this.url, detail: describeFetchError(err) }), 'unreachable');
    }
    if (!res.ok) {
      let message = text.trim().slice(0, 300);
      try {
        const body = JSON.parse(text) as { Message?: unknown };
        if (typeof body.Message === 'string') message = body.Message;
      } catch {
        // not kubo's JSON error shape: keep the text
      }
      if (res.status === 401 || res.status === 403) {
        throw new KuboError(reason('kubo.unauthorized', { call: path, status: res.status, message }), 'http');
      }
      const kind: KuboErrorKind = res.status === 500 ? 'kubo' : 'http';
      throw new KuboError(reason('kubo.failed', { call: path, status: res.status, message }), kind);
    }
    return { text, headers: res.headers };
  }

  private async json<T>(path: string, args: Array<[string, string]>, signal?: AbortSignal): Promise<T | null> {
    const { text } = await this.post(path, args, signal);
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new KuboError(reason('kubo.notJson', { call: path, text: text.slice(0, 80) }), 'bad-answer');
    }
  }

  async id(signal?: AbortSignal): Promise<{ ID: string }> {
    const body = await this.json<{ ID?: unknown }>('id', [], signal);
    if (!body || typeof body.ID !== 'string') throw new KuboError(reason('kubo.noId'), 'bad-answer');
    return { ID: body.ID };
  }

  async ping(peerId: string, count: number, signal?: AbortSignal): Promise<PingOutcome> {
    const { text, headers } = await this.post('ping', [['arg', peerId], ['count', String(count)]], signal);
    return parsePingStream(text, headers.get('X-Stream-Error'));
  }

  /** Opens a forward; kubo answers 200 with an empty body without contacting the peer. */
  async forward(protocol: string, listenAddress: string, targetAddress: string, signal?: AbortSignal): Promise<void> {
    await this.post('p2p/forward', [['arg', protocol], ['arg', listenAddress], ['arg', targetAddress]], signal);
  }

  async ls(signal?: AbortSignal): Promise<P2PListener[]> {
    const body = await this.json<{ Listeners?: unknown }>('p2p/ls', [], signal);
    const list = body?.Listeners;
    if (list === null || list === undefined) return [];
    if (!Array.isArray(list)) throw new KuboError(reason('kubo.listenersNotList'), 'bad-answer');
    return list.filter(
      (l): l is P2PListener =>
        !!l && typeof l === 'object' && typeof (l as P2PListener).Protocol === 'string' &&
        typeof (l as P2PListener).ListenAddress === 'string' && typeof (l as P2PListener).TargetAddress === 'string',
    );
  }

  /** Closes forwards by listen address, or by protocol + target address. Never everything. */
  async close(by: CloseBy, signal?: AbortSignal): Promise<void> {
    const args: Array<[string, string]> =
      'listenAddress' in by
        ? [['listen-address', by.listenAddress]]
        : [['protocol', by.protocol], ['target-address', by.targetAddress]];
    if (args.some(([, v]) => v.trim() === '')) throw new KuboError(reason('kubo.closeNeedsTarget'), 'bad-answer');
    await this.post('p2p/close', args, signal);
  }
}
