/**
 * How a peer's relay URL is reached, decided by what its host IS (issue 15, attack 7), not by how it is written:
 * - the peer's own loopback (127.0.0.0/8, ::1, 0.0.0.0, localhost, or a NAME that resolves to one of those)
 *   → only through an IPFS p2p tunnel;
 * - a private-network address (10/8, 172.16/12, 192.168/16, 100.64/10, link-local 169.254/16 and fe80::/10,
 *   unique-local fc00::/7), a name resolving to one, or a local name that does not resolve here (single label,
 *   .local, .lan, .home.arpa, .internal) → tried directly with a short timeout, then through a tunnel;
 * - anything else (wss:// or ws:// to a public address or public name) → directly.
 * A name resolving to several addresses takes the most restricted class. The dial checks again (util/net.ts
 * peerLookup): a name that turns to loopback after the route was chosen is refused.
 *
 * A relay URL is a scheme, a host and a port: a query string, a fragment or a path beyond `/` is refused (a
 * peer must not choose what the station asks of a LAN address, e.g. `ws://192.168.1.10/cgi-bin/reboot?now=1`).
 * The WHATWG URL parser normalises odd IPv4 spellings (`ws://2130706433`, `ws://0x7f.1`) before we look.
 */
import { reason, type Reason } from '../../shared/i18n';
import { classifyAddress, isLoopbackName, worstClass, type AddressClass, type Resolver } from '../util/net';
import { MAX_RELAY_URL } from './card';

export type RelayRoute = 'direct' | 'tunnel' | 'lan';
export type RouteVerdict =
  | { ok: true; route: RelayRoute; host: string; /** the addresses the name resolved to, when it was resolved */ addresses?: string[] }
  | { ok: false; why: Reason };

const LOCAL_SUFFIXES = ['.local', '.lan', '.home.arpa', '.internal', '.localdomain'];

/** The class of a host written in a URL: by its address when it is one, by its text when it is a name. */
function classifyHostText(host: string): AddressClass {
  const byAddress = classifyAddress(host);
  if (byAddress) return byAddress;
  const name = host.toLowerCase().replace(/\.$/, '');
  if (isLoopbackName(name)) return 'loopback';
  if (!name.includes('.') || LOCAL_SUFFIXES.some((s) => name.endsWith(s))) return 'private';
  return 'public';
}

const ROUTE_OF: Record<AddressClass, RelayRoute> = { loopback: 'tunnel', private: 'lan', public: 'direct' };

/** The URL checks that need no network: a ws(s) URL with a host and nothing a peer could use to steer a request. */
export function parseRelayUrl(raw: string): { ok: true; url: URL; host: string } | { ok: false; why: Reason } {
  const text = raw.trim();
  // The URL as the reasons show it (quoted by the catalogue), cut: a hostile card must not flood the window.
  const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  const refuse = (why: Reason): { ok: false; why: Reason } => ({ ok: false, why });
  if (text === '') return refuse(reason('url.empty'));
  if (text.length > MAX_RELAY_URL) return refuse(reason('url.tooLong', { max: MAX_RELAY_URL }));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse(reason('url.invalid', { url: shown }));
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return refuse(reason('url.notWs', { url: shown }));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return refuse(reason('url.noHost', { url: shown }));
  if (url.username || url.password) return refuse(reason('url.credentials', { url: shown }));
  if (url.search !== '' || text.includes('?')) return refuse(reason('url.query', { url: shown }));
  if (url.hash !== '' || text.includes('#')) return refuse(reason('url.fragment', { url: shown }));
  if (url.pathname !== '/' && url.pathname !== '') return refuse(reason('url.path', { url: shown }));
  return { ok: true, url, host };
}

/**
 * The route of a relay URL. `addresses`: what its host name resolved to (resolveRelayUrl), when it did; without
 * them a name is judged by its text.
 */
export function classifyRelayUrl(raw: string, addresses?: readonly string[] | null): RouteVerdict {
  const parsed = parseRelayUrl(raw);
  if (!parsed.ok) return parsed;
  const { host } = parsed;
  const named = classifyAddress(host) === null && !isLoopbackName(host);
  if (named && addresses && addresses.length > 0) {
    const kind = worstClass(addresses.map(classifyAddress));
    return { ok: true, route: ROUTE_OF[kind], host, addresses: [...addresses] };
  }
  return { ok: true, route: ROUTE_OF[classifyHostText(host)], host };
}

/** classifyRelayUrl after resolving the host name (IP literals and loopback names are not resolved). */
export async function resolveRelayUrl(raw: string, resolve: Resolver): Promise<RouteVerdict> {
  const parsed = parseRelayUrl(raw);
  if (!parsed.ok) return parsed;
  const { host } = parsed;
  if (classifyAddress(host) !== null || isLoopbackName(host)) return classifyRelayUrl(raw);
  // A name that does not resolve here keeps the route its text gives; the dial re-checks what it resolves to.
  const addresses = await resolve(host).catch(() => null);
  return classifyRelayUrl(raw, addresses);
}

/** A relay URL in a comparable form (lower-case scheme and host, default port and trailing slash dropped). */
export function relayUrlKey(raw: string): string {
  try {
    const u = new URL(raw.trim());
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}${u.search}`;
  } catch {
    return raw.trim();
  }
}

/** Whether a relay URL is one of the listed loopback relays to reach directly (Settings.directRelays). */
export function isListedDirect(raw: string, directRelays: readonly string[] | undefined): boolean {
  if (!directRelays || directRelays.length === 0) return false;
  const key = relayUrlKey(raw);
  return directRelays.some((d) => relayUrlKey(d) === key);
}
