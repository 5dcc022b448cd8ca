/**
 * NIP-11 relay information document.
 *
 * Public API:
 *   await fetchRelayInfo(wsUrl, { timeoutMs, signal, lookup }) → RelayInfo (throws with a reason naming the URL)
 *   relayLimits(info) → Limits (max_limit, max_subscriptions, max_message_length, filter elements, NIP-77 claim)
 *   httpUrlOf(wsUrl)
 *
 * The document comes from a peer, which may be hostile (issue 15, attack 5): a redirect is never followed (it
 * would make the station send a request wherever the peer says, e.g. to another service on 127.0.0.1), the
 * body is read up to NIP11_MAX_BYTES and no further, and the whole fetch (connect, headers, body) has its own
 * time limit. Plain node:http(s) rather than fetch: it follows no redirect by itself, and takes the guarded
 * `lookup` (util/net.ts) so a peer's name that resolves to this machine's loopback is not dialled.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { peerLookup, type LookupFn } from '../util/net';
import { reason, reasonOf, ReasonError, type Reason } from '../../shared/i18n';

/** A relay information document is a few hundred bytes; strfry's is under 1 KiB. */
export const NIP11_MAX_BYTES = 64 * 1024;

export interface RelayInfo {
  name?: string;
  software?: string;
  version?: string;
  supported_nips?: number[];
  negentropy?: number;
  limitation?: {
    max_limit?: number;
    max_subscriptions?: number;
    max_message_length?: number;
    max_filters?: number;
    max_event_tags?: number;
    auth_required?: boolean;
  };
  [key: string]: unknown;
}

export interface Limits {
  /** Events a REQ answers at most (page size). */
  maxLimit: number;
  maxSubscriptions: number;
  maxMessageLength: number;
  /** Elements (authors, ids, kinds…) a filter may hold. strfry's default is 200. */
  maxFilterElements: number;
  /** The relay says it speaks NIP-77 (a claim: the probe decides). */
  claimsNip77: boolean;
}

export const DEFAULT_LIMITS: Limits = {
  maxLimit: 500,
  maxSubscriptions: 200,
  maxMessageLength: 131072,
  maxFilterElements: 200,
  claimsNip77: false,
};

/** ws://host:port/path → http://host:port/path (wss → https). */
export function httpUrlOf(wsUrl: string): string {
  return wsUrl.replace(/^ws(s?):\/\//i, 'http$1://');
}

export interface Nip11Options {
  /** The whole fetch: connect, headers and body. Default 5000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Largest body read. Default NIP11_MAX_BYTES. */
  maxBytes?: number;
  /** How the host name is resolved (default: peerLookup; the local store passes dns.lookup). */
  lookup?: LookupFn;
}

export async function fetchRelayInfo(wsUrl: string, opts: Nip11Options = {}): Promise<RelayInfo> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxBytes = opts.maxBytes ?? NIP11_MAX_BYTES;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let text: string;
  try {
    text = await getDocument(httpUrlOf(wsUrl), maxBytes, signal, opts.lookup ?? peerLookup);
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new ReasonError(reason('cancelled'));
    const at = (why: Reason): ReasonError => new ReasonError(reason('relay.at', { url: wsUrl, why }));
    if (timeout.aborted) throw at(reason('nip11.timeout', { ms: timeoutMs }));
    if (err instanceof ReasonError) throw at(err.reason);
    throw at(reason('nip11.fetchFailed', { why: reasonOf(err) }));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (err) {
    throw new ReasonError(reason('relay.at', { url: wsUrl, why: reason('nip11.notJson', { detail: (err as Error).message }) }));
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ReasonError(reason('relay.at', { url: wsUrl, why: reason('nip11.notObject') }));
  return doc as RelayInfo;
}

/** GET with `Accept: application/nostr+json` (exactly: strfry answers its HTML page otherwise), no redirect. */
function getDocument(url: string, maxBytes: number, signal: AbortSignal, lookup: LookupFn): Promise<string> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new ReasonError(reason('nip11.invalidUrl')));
      return;
    }
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(u, { method: 'GET', headers: { Accept: 'application/nostr+json' }, agent: false, lookup, signal });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      // what the relay answered that we refuse to go on with (a redirect, an error status, a body too large)
      const fail = (why: Reason): void => {
        res.destroy();
        reject(new ReasonError(why));
      };
      if (status >= 300 && status < 400) {
        const to = typeof res.headers.location === 'string' ? res.headers.location.slice(0, 200) : null;
        return fail(reason('nip11.redirect', { status, to }));
      }
      if (status < 200 || status >= 300) return fail(reason('nip11.http', { status }));
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) return fail(reason('nip11.tooLarge', { size: declared, max: maxBytes }));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(reason('nip11.tooLargeRead', { max: maxBytes }));
        chunks.push(chunk);
      });
      let ended = false;
      // the body cut mid-way (Node says `aborted`): the document is incomplete
      res.on('error', () => reject(new ReasonError(reason('nip11.cutShort'))));
      res.on('end', () => {
        ended = true;
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      res.on('close', () => {
        if (!ended) reject(new ReasonError(reason('nip11.cutShort')));
      });
    });
    req.end();
  });
}

const positive = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : dflt);

/** The limits a session must respect, from a NIP-11 document (defaults for what it leaves out). */
export function relayLimits(info: RelayInfo | null): Limits {
  const l = info?.limitation ?? {};
  const nips = Array.isArray(info?.supported_nips) ? info.supported_nips : [];
  return {
    maxLimit: positive(l.max_limit, DEFAULT_LIMITS.maxLimit),
    maxSubscriptions: positive(l.max_subscriptions, DEFAULT_LIMITS.maxSubscriptions),
    maxMessageLength: positive(l.max_message_length, DEFAULT_LIMITS.maxMessageLength),
    maxFilterElements: DEFAULT_LIMITS.maxFilterElements,
    claimsNip77: nips.includes(77) || info?.negentropy !== undefined,
  };
}

/** Subscriptions one connection may hold at once: well under the relay's max. */
export function subscriptionBudget(limits: Limits): number {
  return Math.max(1, Math.min(16, Math.floor(limits.maxSubscriptions / 4)));
}
