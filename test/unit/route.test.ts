// Routes by address (issue 15, attack 7): a relay's route follows what its host resolves to, a relay URL
// carries no query string and no path beyond "/", and a peer's name that turns to loopback is never dialled.
// Every resolver here is ours: no real name is asked of the DNS.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WebSocketServer } from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyRelayUrl, parseRelayUrl, resolveRelayUrl } from '../../src/core/station/route';
import { reasonText } from '../../src/shared/i18n';
import { readStation } from '../../src/core/station/snapshot';
import { guardedLookup, makeSystemResolver, type Resolver } from '../../src/core/util/net';
import { RelayConnection } from '../../src/core/nostr/relay';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A resolver from a table; counts what it was asked. */
function table(entries: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const r = (async (host: string) => {
    asked.push(host);
    const a = entries[host];
    if (!a) throw new Error(`${host} does not resolve (ENOTFOUND)`);
    return a;
  }) as Resolver & { asked: string[] };
  r.asked = asked;
  return r;
}

const DNS = table({
  '127.0.0.1.nip.io': ['127.0.0.1'],
  'sneaky.example.org': ['93.184.216.34', '::1'],
  'box.example.org': ['192.168.1.10'],
  'v6box.example.org': ['fd00::12'],
  'relay.example.org': ['93.184.216.34', '2606:2800:220:1::'],
  raspberrypi: ['127.0.1.1'],
});

describe('a relay URL is a scheme, a host and a port', () => {
  for (const bad of ['ws://192.168.1.10:7777/cgi-bin/reboot?now=1', 'ws://192.168.1.10:7777/?x=1', 'wss://relay.example.org/?', 'wss://relay.example.org/#frag', 'wss://relay.example.org/nostr', 'ws://127.0.0.1:7777/a/b']) {
    it(`refuses ${bad}`, () => {
      const r = parseRelayUrl(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(reasonText(r.why)).toMatch(/carries a query string, refused|carries a fragment, refused|has a path beyond \/, refused/);
    });
  }
  it('says which: the query string first', () => {
    const said = (url: string): string => {
      const v = classifyRelayUrl(url);
      return v.ok ? 'ok' : reasonText(v.why);
    };
    expect(said('ws://192.168.1.10:7777/cgi-bin/reboot?now=1')).toBe('relay URL "ws://192.168.1.10:7777/cgi-bin/reboot?now=1" carries a query string, refused');
    expect(said('wss://relay.example.org/nostr')).toBe('relay URL "wss://relay.example.org/nostr" has a path beyond /, refused');
  });
  for (const good of ['wss://relay.example.org', 'wss://relay.example.org/', 'ws://127.0.0.1:7777', 'ws://[::1]:7777/']) {
    it(`takes ${good}`, () => expect(parseRelayUrl(good).ok).toBe(true));
  }
});

describe('the route follows what the host resolves to', () => {
  const cases: Array<[string, 'direct' | 'tunnel' | 'lan']> = [
    ['ws://127.0.0.1.nip.io:1234/', 'tunnel'],
    ['wss://sneaky.example.org', 'tunnel'],
    ['ws://box.example.org:7777', 'lan'],
    ['ws://v6box.example.org:7777', 'lan'],
    ['wss://relay.example.org', 'direct'],
    // a local name resolving to the Debian hostname address (127.0.1.1) is this machine
    ['ws://raspberrypi:7777', 'tunnel'],
    // names that do not resolve here keep the route their text gives (the dial checks again)
    ['wss://gone.example.org', 'direct'],
    ['ws://astro.local:7777', 'lan'],
  ];
  for (const [url, route] of cases) {
    it(`${url} → ${route}`, async () => {
      expect(await resolveRelayUrl(url, DNS)).toMatchObject({ ok: true, route });
    });
  }
  it('keeps the addresses it judged by', async () => {
    expect(await resolveRelayUrl('wss://sneaky.example.org', DNS)).toEqual({ ok: true, route: 'tunnel', host: 'sneaky.example.org', addresses: ['93.184.216.34', '::1'] });
  });
  it('does not resolve IP literals nor loopback names', async () => {
    const r = table({});
    for (const url of ['ws://127.0.0.1:7777', 'ws://[::1]:7777', 'ws://localhost:7777', 'ws://10.0.0.2:7777', 'ws://8.8.8.8:7777']) await resolveRelayUrl(url, r);
    expect(r.asked).toEqual([]);
  });
});

describe('peers in the snapshot, judged by address', () => {
  it('a public name resolving to loopback goes through the tunnel, or is refused without one; a peer-chosen path is refused', async () => {
    const base = await mkdtemp(join(tmpdir(), 'route-station-'));
    dirs.push(base);
    const root = join(base, '.zen');
    const now = Date.now();
    const put = async (rel: string, text: string): Promise<void> => {
      await mkdir(dirname(join(root, rel)), { recursive: true });
      await writeFile(join(root, rel), text);
    };
    const pid = (c: string): string => `12D3KooW${c.repeat(44)}`;
    const peer = async (c: string, relay: string, services: string): Promise<void> => {
      await put(`tmp/swarm/${pid(c)}/12345.json`, JSON.stringify({ version: '12345.0.2', ipfsnodeid: pid(c), hostname: `${c}.station`, myRELAY: relay, dragon_services: services }));
      await put(`tmp/swarm/${pid(c)}/_MySwarm.moats`, String(Math.floor(now / 1000) - 60));
    };
    await put('tmp/12D3KooWSelf/12345.json', '{}');
    await peer('A', 'ws://127.0.0.1.nip.io:1234/', 'ssh,strfry');
    await peer('B', 'ws://127.0.0.1.nip.io:1234/', 'ssh');
    await peer('C', 'ws://192.168.1.10:7777/cgi-bin/reboot?now=1', 'strfry');
    await peer('D', 'wss://relay.example.org', 'strfry');
    await peer('E', 'ws://box.example.org:7777', 'strfry');
    const state = await readStation(root, { staleHours: 12, now, resolve: DNS, kuboId: () => Promise.reject(new Error('no kubo')), ipfsConfig: join(base, 'none') });
    const by = (c: string) => state.snapshot.peers.find((p) => p.id === pid(c));
    expect(by('A')).toMatchObject({ status: 'ok', route: 'tunnel', syncable: true });
    expect(by('B')).toMatchObject({
      status: 'no-relay',
      route: 'none',
      syncable: false,
      reason: "relay ws://127.0.0.1.nip.io:1234/ resolves to 127.0.0.1, a loopback address (the peer's own machine) and the peer offers no strfry tunnel (no x_strfry.sh, strfry not in dragon_services)",
    });
    expect(by('C')).toMatchObject({ status: 'bad-url', syncable: false, reason: 'relay URL "ws://192.168.1.10:7777/cgi-bin/reboot?now=1" carries a query string, refused' });
    expect(by('D')).toMatchObject({ status: 'ok', route: 'direct' });
    expect(by('E')).toMatchObject({ status: 'ok', route: 'lan' });
  });
});

/** A dns.lookup of our making: names from a table. */
function fakeLookup(entries: Record<string, LookupAddress[]>): never {
  return ((host: string, _opts: unknown, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
    const a = entries[host];
    if (!a) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    cb(null, a);
  }) as never;
}

describe('the dial checks what a name resolves to at that moment', () => {
  const lookup = guardedLookup(
    fakeLookup({
      'relay.attacker.example': [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }],
      'mapped.attacker.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
      'relay.example.org': [{ address: '93.184.216.34', family: 4 }],
      localhost: [{ address: '127.0.0.1', family: 4 }],
    }),
  );
  const ask = (host: string, all: boolean): Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }> =>
    new Promise((ok) => lookup(host, { all }, (err, address, family) => ok({ err, address, family })));

  it('refuses a name with a loopback address among its answers (v4-mapped too)', async () => {
    const r = await ask('relay.attacker.example', false);
    expect(r.err?.code).toBe('ELOOPBACKNAME');
    expect(r.err?.message).toBe("relay.attacker.example resolves to 127.0.0.1, this machine's loopback: a peer's relay there is reached only through its IPFS tunnel; not dialled");
    expect((await ask('mapped.attacker.example', true)).err?.code).toBe('ELOOPBACKNAME');
  });
  it('answers a public name the way net.connect asks (one address, or all)', async () => {
    expect(await ask('relay.example.org', false)).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await ask('relay.example.org', true)).toEqual({ err: null, address: [{ address: '93.184.216.34', family: 4 }], family: undefined });
    expect((await ask('localhost', false)).address).toBe('127.0.0.1');
    expect((await ask('nowhere.example', false)).err?.code).toBe('ENOTFOUND');
  });

  it('a relay connection under such a name is refused before any byte reaches the local service', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((ok) => wss.once('listening', ok));
    let reached = 0;
    wss.on('connection', () => reached++);
    const port = (wss.address() as AddressInfo).port;
    try {
      await expect(RelayConnection.connect(`ws://relay.attacker.example:${port}`, { timeoutMs: 2000, lookup })).rejects.toThrow(
        `ws://relay.attacker.example:${port}: cannot connect: relay.attacker.example resolves to 127.0.0.1, this machine's loopback`,
      );
      const ok = await RelayConnection.connect(`ws://localhost:${port}`, { timeoutMs: 2000, lookup });
      ok.close();
      expect(reached).toBe(1);
    } finally {
      await new Promise((ok) => wss.close(ok));
    }
  });
});

describe('the system resolver', () => {
  it('asks every address once a minute, never a reserved name, and gives up in time', async () => {
    const asked: string[] = [];
    const base = ((host: string, _o: unknown, cb: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) => {
      asked.push(host);
      if (host === 'slow.example.org') return; // never answers
      cb(null, [{ address: '192.0.2.1', family: 4 }, { address: '2001:db8::1', family: 6 }]);
    }) as never;
    const resolve = makeSystemResolver(200, base);
    expect(await resolve('relay.example.org')).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(await resolve('RELAY.example.org')).toEqual(['192.0.2.1', '2001:db8::1']);
    await expect(resolve('relay.zenstation.example')).rejects.toThrow(/reserved name that never resolves/);
    await expect(resolve('x.invalid')).rejects.toThrow(/reserved name/);
    await expect(resolve('slow.example.org')).rejects.toThrow('slow.example.org did not resolve within 200 ms');
    expect(asked).toEqual(['relay.example.org', 'slow.example.org']);
  });

  it('runs at most two lookups at once (getaddrinfo holds a thread of the pool shared with file reads)', async () => {
    let running = 0;
    let most = 0;
    const base = ((host: string, _o: unknown, cb: (e: null, a: LookupAddress[]) => void) => {
      running++;
      most = Math.max(most, running);
      setTimeout(() => {
        running--;
        cb(null, [{ address: '192.0.2.7', family: 4 }]);
      }, 20);
    }) as never;
    const resolve = makeSystemResolver(2000, base);
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => resolve(`r${i}.example.org`)));
    expect(all.every((a) => a[0] === '192.0.2.7')).toBe(true);
    expect(most).toBe(2);
  });
});
