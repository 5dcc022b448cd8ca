/**
 * Addresses a peer may make us dial, judged by what a name resolves to, not by its text (issue 15, attack 7):
 * `ws://127.0.0.1.nip.io:1234/` is a public name whose address is this machine's loopback.
 *
 * - classifyAddress(ip): loopback, private network or public.
 * - systemResolver: every address of a name (dns.lookup, all: true, so /etc/hosts counts like for the dial),
 *   with its own timeout and a short cache; names under the special-use domains that never exist in the public
 *   DNS are answered "not found" without asking.
 * - peerLookup: the `lookup` every connection to a peer uses. It refuses a name that resolves to a loopback
 *   address at the moment of the dial, so a name that resolved to a public address when the route was chosen
 *   cannot be switched to 127.0.0.1 afterwards (DNS rebinding) to reach a service of this machine.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, isIPv4, isIPv6 } from 'node:net';
import { reason, ReasonError } from '../../shared/i18n';

export type AddressClass = 'loopback' | 'private' | 'public';

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

/** The class of an IP address (v4, v6, v4-mapped v6); null for something that is not an IP address. */
export function classifyAddress(address: string): AddressClass | null {
  const host = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
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
  return null;
}

/** The most restricted class among several addresses: one loopback address makes a name loopback. */
export function worstClass(classes: ReadonlyArray<AddressClass | null>): AddressClass {
  if (classes.includes('loopback')) return 'loopback';
  if (classes.includes('private')) return 'private';
  return 'public';
}

/** `localhost` and `*.localhost` (RFC 6761: always this machine's loopback). */
export function isLoopbackName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** Special-use domains (RFC 2606, RFC 6761) that never exist in the public DNS: asking would only leak the name. */
const NEVER_RESOLVED = /(^|\.)(example|invalid|test)\.?$/i;

/** Every address a host name resolves to. Rejects with a reason when it does not resolve (in time). */
export type Resolver = (host: string) => Promise<string[]>;

const RESOLVE_TIMEOUT_MS = 3_000;
const CACHE_MS = 60_000;
const CACHE_MAX = 1_000;
/**
 * getaddrinfo runs in libuv's thread pool (4 threads), which also serves every file read: with the DNS down a
 * lookup holds its thread for seconds, so at most this many run at once.
 */
const LOOKUPS_AT_ONCE = 2;

/**
 * The system's resolver (getaddrinfo, like the dial itself), bounded in time (waiting for a free slot
 * included); answers and failures are kept a minute so re-reading the station does not ask again for every
 * peer. getaddrinfo has no timeout of its own: past ours the answer is given up (the lookup finishes in the
 * background, still holding its slot).
 */
export function makeSystemResolver(timeoutMs = RESOLVE_TIMEOUT_MS, lookup: typeof dnsLookup = dnsLookup): Resolver {
  const cache = new Map<string, { at: number; answer: Promise<string[]> }>();
  const waiting: Array<() => void> = [];
  let running = 0;
  /** a slot came free: the next waiting lookup takes it */
  const next = (): void => waiting.shift()?.();
  const ask = (host: string): Promise<string[]> =>
    new Promise<string[]>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(new ReasonError(reason('dns.timeout', { host, ms: timeoutMs })));
      }, timeoutMs);
      const start = (): void => {
        // given up while it waited: the slot goes to the next one
        if (done) return next();
        running++;
        lookup(host, { all: true, verbatim: true }, (err, addresses) => {
          running--;
          next();
          clearTimeout(timer);
          if (done) return;
          done = true;
          if (err) reject(new ReasonError(reason('dns.notFound', { host, code: err.code ?? err.message })));
          else resolve((addresses as unknown as LookupAddress[]).map((a) => a.address));
        });
      };
      if (running < LOOKUPS_AT_ONCE) start();
      else waiting.push(start);
    });
  return (host: string): Promise<string[]> => {
    const key = host.toLowerCase();
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.answer;
    const answer = NEVER_RESOLVED.test(key) ? Promise.reject(new ReasonError(reason('dns.reserved', { host }))) : ask(host);
    answer.catch(() => undefined);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { at: Date.now(), answer });
    return answer;
  };
}

export const systemResolver: Resolver = makeSystemResolver();

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFn = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** A lookup that refuses names resolving to this machine's loopback; `base` is dns.lookup (tests pass theirs). */
export function guardedLookup(base: typeof dnsLookup = dnsLookup): LookupFn {
  return (hostname, options, callback) => {
    base(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = addresses as LookupAddress[];
      const loop = isLoopbackName(hostname) ? undefined : list.find((a) => classifyAddress(a.address) === 'loopback');
      if (loop) {
        const e: NodeJS.ErrnoException = new ReasonError(reason('dns.loopbackName', { host: hostname, address: loop.address }));
        e.code = 'ELOOPBACKNAME';
        return callback(e, '');
      }
      if (list.length === 0) return callback(Object.assign(new ReasonError(reason('dns.noAddress', { host: hostname })), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/** The lookup of every connection to a peer or a public relay. */
export const peerLookup: LookupFn = guardedLookup();

/** The plain system lookup: for the station's own relay (Settings.relayUrl, chosen by the captain). */
export const systemLookup: LookupFn = dnsLookup as unknown as LookupFn;

/** True when `host` is an IP literal (no lookup happens for it). */
export function isIpLiteral(host: string): boolean {
  return isIP(host.replace(/^\[|\]$/g, '')) !== 0;
}
