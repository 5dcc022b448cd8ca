/**
 * How a peer's relay URL is reached, decided from the URL alone:
 * - the peer's own loopback (127.0.0.0/8, ::1, 0.0.0.0, localhost) → only through an IPFS p2p tunnel;
 * - a private-network address (10/8, 172.16/12, 192.168/16, 100.64/10, link-local 169.254/16 and fe80::/10,
 *   unique-local fc00::/7) or a local name (single label, .local, .lan, .home.arpa, .internal) → tried directly
 *   with a short timeout, then through a tunnel;
 * - anything else (wss:// or ws:// to a public address or public name) → directly.
 * The WHATWG URL parser normalises odd IPv4 spellings (`ws://2130706433`, `ws://0x7f.1`) before we look.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { reason, type Reason } from '../../shared/i18n';
import { MAX_RELAY_URL } from './card';

export type RelayRoute = 'direct' | 'tunnel' | 'lan';
export type RouteVerdict = { ok: true; route: RelayRoute; host: string } | { ok: false; why: Reason };

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addSubnet('0.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addAddress('::', 'ipv6');

const privateNet = new BlockList();
privateNet.addSubnet('10.0.0.0', 8, 'ipv4');
privateNet.addSubnet('172.16.0.0', 12, 'ipv4');
privateNet.addSubnet('192.168.0.0', 16, 'ipv4');
privateNet.addSubnet('100.64.0.0', 10, 'ipv4');
privateNet.addSubnet('169.254.0.0', 16, 'ipv4');
privateNet.addSubnet('fc00::', 7, 'ipv6');
privateNet.addSubnet('fe80::', 10, 'ipv6');

const LOCAL_SUFFIXES = ['.local', '.lan', '.home.arpa', '.internal', '.localdomain'];

/** An IPv4-mapped IPv6 address (`::ffff:7f00:1` once normalised) as its IPv4 form, else null. */
function mappedIPv4(v6: string): string | null {
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v6);
  if (m) {
    const hi = parseInt(m[1] ?? '0', 16);
    const lo = parseInt(m[2] ?? '0', 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  const d = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v6);
  return d ? (d[1] ?? null) : null;
}

function classifyAddress(host: string): 'loopback' | 'private' | 'public' {
  let v4 = isIPv4(host) ? host : null;
  if (!v4 && isIPv6(host)) v4 = mappedIPv4(host);
  if (v4) {
    if (loopback.check(v4, 'ipv4')) return 'loopback';
    return privateNet.check(v4, 'ipv4') ? 'private' : 'public';
  }
  if (isIPv6(host)) {
    if (loopback.check(host, 'ipv6')) return 'loopback';
    return privateNet.check(host, 'ipv6') ? 'private' : 'public';
  }
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback';
  if (!name.includes('.') || LOCAL_SUFFIXES.some((s) => name.endsWith(s))) return 'private';
  return 'public';
}

export function classifyRelayUrl(raw: string): RouteVerdict {
  const text = raw.trim();
  const url = text.length > 120 ? `${text.slice(0, 120)}…` : text;
  if (text === '') return { ok: false, why: reason('url.empty') };
  if (text.length > MAX_RELAY_URL) return { ok: false, why: reason('url.tooLong', { max: MAX_RELAY_URL }) };
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return { ok: false, why: reason('url.invalid', { url }) };
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return { ok: false, why: reason('url.notWs', { url }) };
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return { ok: false, why: reason('url.noHost', { url }) };
  if (parsed.username || parsed.password) return { ok: false, why: reason('url.credentials', { url }) };
  const kind = classifyAddress(host);
  const route: RelayRoute = kind === 'loopback' ? 'tunnel' : kind === 'private' ? 'lan' : 'direct';
  return { ok: true, route, host };
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
