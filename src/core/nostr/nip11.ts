/**
 * NIP-11 relay information document.
 *
 * Public API:
 *   await fetchRelayInfo(wsUrl, { timeoutMs, signal }) → RelayInfo (throws with a reason naming the URL)
 *   relayLimits(info) → Limits (max_limit, max_subscriptions, max_message_length, filter elements, NIP-77 claim)
 *   httpUrlOf(wsUrl)
 */

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

export async function fetchRelayInfo(wsUrl: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RelayInfo> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 5000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    // Exactly this Accept value: strfry answers the HTML page otherwise.
    res = await fetch(httpUrlOf(wsUrl), { headers: { Accept: 'application/nostr+json' }, signal });
  } catch (err) {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new Error('cancelled');
    if (timeout.aborted) throw new Error(`${wsUrl}: no NIP-11 document after ${opts.timeoutMs ?? 5000} ms`);
    throw new Error(`${wsUrl}: NIP-11 fetch failed: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`${wsUrl}: NIP-11 answered HTTP ${res.status}`);
  const text = await res.text();
  try {
    const doc = JSON.parse(text) as unknown;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
    return doc as RelayInfo;
  } catch (err) {
    throw new Error(`${wsUrl}: NIP-11 document is not JSON (${(err as Error).message})`);
  }
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
