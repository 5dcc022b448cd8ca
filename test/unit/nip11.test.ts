// The NIP-11 fetch from a hostile peer (issue 15, attack 5): no redirect followed, a 64 KiB body cap, its own
// time limit over the whole fetch, and no dial to this machine's loopback under a peer's name.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NIP11_MAX_BYTES, fetchRelayInfo } from '../../src/core/nostr/nip11';
import { guardedLookup } from '../../src/core/util/net';

type Handler = (res: ServerResponse, accept: string | undefined) => void;
const servers: Server[] = [];

/** A local HTTP server answering every request with `handler`; counts the requests and the bytes it sent. */
async function serve(handler: Handler): Promise<{ url: string; port: number; requests: () => number; sent: () => number }> {
  let requests = 0;
  let sent = 0;
  const server = createServer((req, res) => {
    requests++;
    const write = res.write.bind(res);
    res.write = ((chunk: Buffer | string, ...rest: never[]) => {
      sent += Buffer.byteLength(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    handler(res, req.headers.accept);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return { url: `ws://127.0.0.1:${port}`, port, requests: () => requests, sent: () => sent };
}

const doc = { name: 'relay', supported_nips: [1, 11, 77], limitation: { max_limit: 1000 } };

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((ok) => s.close(ok));
  }
});

describe('NIP-11 document from a peer', () => {
  let other: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    // another service on this machine, which a redirect would make us call
    other = await serve((res) => res.end(JSON.stringify(doc)));
  });

  it('reads a normal document, asking with the exact Accept strfry wants', async () => {
    let accept: string | undefined;
    const relay = await serve((res, a) => {
      accept = a;
      res.setHeader('Content-Type', 'application/nostr+json');
      res.end(JSON.stringify(doc));
    });
    expect(await fetchRelayInfo(relay.url, { timeoutMs: 2000 })).toEqual(doc);
    expect(accept).toBe('application/nostr+json');
  });

  it('never follows a redirect, and says where it pointed', async () => {
    const before = other.requests();
    const relay = await serve((res) => {
      res.writeHead(302, { Location: `http://127.0.0.1:${other.port}/admin` });
      res.end();
    });
    await expect(fetchRelayInfo(relay.url, { timeoutMs: 2000 })).rejects.toThrow(
      `${relay.url}: NIP-11 answered with a redirect (HTTP 302 to http://127.0.0.1:${other.port}/admin): not followed`,
    );
    for (const status of [301, 307, 308]) {
      const r = await serve((res) => {
        res.writeHead(status, { Location: `http://127.0.0.1:${other.port}/` });
        res.end();
      });
      await expect(fetchRelayInfo(r.url, { timeoutMs: 2000 })).rejects.toThrow(/redirect .*not followed/);
    }
    expect(other.requests()).toBe(before);
  });

  it('refuses a body declared larger than 64 KiB without reading it', async () => {
    const relay = await serve((res) => {
      res.writeHead(200, { 'Content-Length': String(263 * 1024 * 1024) });
      res.write('{"name":"');
      // the rest never comes: the declared length alone is refused
    });
    await expect(fetchRelayInfo(relay.url, { timeoutMs: 2000 })).rejects.toThrow(/NIP-11 document of 275775488 bytes, larger than 65536: not read/);
  });

  it('stops reading an endless body at 64 KiB', async () => {
    const relay = await serve((res) => {
      res.writeHead(200, { 'Content-Type': 'application/nostr+json' }); // chunked, no length
      const piece = Buffer.alloc(16 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(piece));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    const t0 = Date.now();
    await expect(fetchRelayInfo(relay.url, { timeoutMs: 5000 })).rejects.toThrow(`larger than ${NIP11_MAX_BYTES} bytes: not read further`);
    expect(Date.now() - t0).toBeLessThan(4000);
    await new Promise((r) => setTimeout(r, 100));
    // what the server pushed is bounded by the socket buffers, not by its will
    expect(relay.sent()).toBeLessThan(32 * 1024 * 1024);
  });

  it('takes a document of exactly 64 KiB', async () => {
    const body = JSON.stringify({ name: 'x'.repeat(NIP11_MAX_BYTES - 11) });
    expect(Buffer.byteLength(body)).toBe(NIP11_MAX_BYTES);
    const relay = await serve((res) => res.end(body));
    expect((await fetchRelayInfo(relay.url, { timeoutMs: 2000 })).name).toHaveLength(NIP11_MAX_BYTES - 11);
  });

  it('has its own time limit, over the body too (a slow drip is cut)', async () => {
    const relay = await serve((res) => {
      res.writeHead(200);
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 100);
      res.on('close', () => clearInterval(t));
    });
    const t0 = Date.now();
    await expect(fetchRelayInfo(relay.url, { timeoutMs: 600 })).rejects.toThrow(`${relay.url}: no NIP-11 document after 600 ms`);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('says an error status and a body that is not JSON', async () => {
    const e404 = await serve((res) => {
      res.statusCode = 404;
      res.end('nope');
    });
    await expect(fetchRelayInfo(e404.url, { timeoutMs: 2000 })).rejects.toThrow(`${e404.url}: NIP-11 answered HTTP 404`);
    const html = await serve((res) => res.end('<html>'));
    await expect(fetchRelayInfo(html.url, { timeoutMs: 2000 })).rejects.toThrow(/NIP-11 document is not JSON/);
  });

  it("does not dial a peer's name that resolves to this machine's loopback", async () => {
    const before = other.requests();
    // the resolver is ours: no real name is asked of the DNS
    const fakeDns = ((host: string, _o: unknown, cb: (e: Error | null, a: LookupAddress[]) => void) =>
      cb(null, host === 'relay.attacker.example' ? [{ address: '127.0.0.1', family: 4 }] : [])) as never;
    await expect(
      fetchRelayInfo(`ws://relay.attacker.example:${other.port}`, { timeoutMs: 2000, lookup: guardedLookup(fakeDns) }),
    ).rejects.toThrow(/relay\.attacker\.example resolves to 127\.0\.0\.1, this machine's loopback: .*not dialled/);
    expect(other.requests()).toBe(before);
  });
});
