// The kubo RPC client against the kubo stand-in (kubo's shapes and quirks) and against bare servers for the
// failure modes: unreachable, silent (timeout), refused authorization, error shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createServer as createTcp, type Server as TcpServer } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KuboStandin, peerIdFromSeed } from '../../src/devkit/index';
import { KuboClient, KuboError } from '../../src/core/kubo/rpc';
import { RecordBook, readRecords } from '../../src/core/kubo/records';
import { pidAlive } from '../../src/core/util/process';
import { freeLoopbackPort, isBusyError } from '../../src/core/kubo/ports';

let kubo: KuboStandin;
const peer = peerIdFromSeed('rpc:peer');
const down = peerIdFromSeed('rpc:down');

beforeAll(async () => {
  kubo = await KuboStandin.start();
  kubo.registerPeer(peer, { host: '127.0.0.1', port: 9 });
  kubo.registerPeer(down, { host: '127.0.0.1', port: 9 }, { reachable: false });
});
afterAll(async () => {
  await kubo.stop();
});

const client = (): KuboClient => new KuboClient(kubo.url, '', 3000);

describe('kubo RPC client', () => {
  it('asks the node its PeerID with POST', async () => {
    expect(await client().id()).toEqual({ ID: kubo.peerId });
    expect(kubo.calls.at(-1)?.path).toBe('/api/v0/id');
  });

  it('reads ping success and failures inside HTTP 200', async () => {
    expect(await client().ping(peer, 2)).toMatchObject({ ok: true, reason: null });
    const unreachable = await client().ping(down, 2);
    expect(unreachable.ok).toBe(false);
    expect(unreachable.reason).toMatch(/failed to dial/);
    const unknown = await client().ping(peerIdFromSeed('rpc:unknown'), 2);
    expect(unknown.ok).toBe(false);
    expect(unknown.reason).toMatch(/not found|lookup/);
  });

  it('forwards, lists (null when empty) and closes by listen address only', async () => {
    const k = await KuboStandin.start({ ownListen: false });
    try {
      const c = new KuboClient(k.url, '', 3000);
      expect(await c.ls()).toEqual([]);
      const port = await freeLoopbackPort();
      await c.forward(`/x/strfry-${peer}`, `/ip4/127.0.0.1/tcp/${port}`, `/p2p/${peer}`);
      expect(await c.ls()).toEqual([{ Protocol: `/x/strfry-${peer}`, ListenAddress: `/ip4/127.0.0.1/tcp/${port}`, TargetAddress: `/p2p/${peer}` }]);
      const busy = await c.forward(`/x/strfry-${peer}`, `/ip4/127.0.0.1/tcp/${port}`, `/p2p/${peer}`).catch((e: unknown) => e as KuboError);
      expect(busy).toBeInstanceOf(KuboError);
      expect(isBusyError((busy as KuboError).message)).toBe(true);
      await c.close({ listenAddress: `/ip4/127.0.0.1/tcp/${port}` });
      expect(await c.ls()).toEqual([]);
      expect(k.calls.some((call) => 'all' in call.query)).toBe(false);
      await expect(c.close({ listenAddress: ' ' })).rejects.toThrow(/listen address/);
    } finally {
      await k.stop();
    }
  });

  it("turns kubo's error shape into a readable error", async () => {
    const err = (await client().forward('/strfry', '/ip4/127.0.0.1/tcp/1', `/p2p/${peer}`).then(
      () => null,
      (e: unknown) => e,
    )) as KuboError;
    expect(err).toBeInstanceOf(KuboError);
    expect(err.message).toBe("kubo p2p/forward failed (HTTP 500): protocol name must be within '/x/' namespace");
    expect(err.kind).toBe('kubo');
  });

  it('sends the Authorization header and explains a refusal', async () => {
    const k = await KuboStandin.start({ auth: 'Bearer s3cret' });
    try {
      await expect(new KuboClient(k.url, '', 3000).id()).rejects.toThrow(/HTTP 403.*authorization/);
      expect(await new KuboClient(k.url, 'Bearer s3cret', 3000).id()).toEqual({ ID: k.peerId });
    } finally {
      await k.stop();
    }
  });

  it('says when kubo is not there, or silent past the timeout', async () => {
    const port = await freeLoopbackPort();
    await expect(new KuboClient(`http://127.0.0.1:${port}`, '', 2000).id()).rejects.toThrow(
      new RegExp(`kubo API at http://127.0.0.1:${port} is not reachable \\(ECONNREFUSED\\)`),
    );
    const silent: TcpServer = createTcp(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const sport = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    await expect(new KuboClient(`http://127.0.0.1:${sport}`, '', 300).id()).rejects.toThrow(/did not answer id within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
    silent.close();
    const ac = new AbortController();
    const p = new KuboClient(`http://127.0.0.1:${sport}`, '', 5000).id(ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow(/cancelled/);
  });

  it('reports a non-JSON answer and an HTTP error without kubo shape', async () => {
    const srv: Server = createServer((req, res) => {
      if (req.url?.startsWith('/api/v0/id')) res.end('<html>proxy</html>');
      else {
        res.statusCode = 502;
        res.end('Bad gateway');
      }
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    try {
      await expect(new KuboClient(url, '', 2000).id()).rejects.toThrow(/answer is not JSON/);
      await expect(new KuboClient(url, '', 2000).ls()).rejects.toThrow(/p2p\/ls failed \(HTTP 502\): Bad gateway/);
    } finally {
      srv.close();
    }
  });
});

describe('tunnel records', () => {
  it('are written atomically, per listen address, and survive concurrent updates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'records-'));
    try {
      const book = new RecordBook(dir);
      const rec = (n: number) => ({ peerId: peer, protocol: `/x/strfry-${peer}`, listenAddress: `/ip4/127.0.0.1/tcp/${n}`, targetAddress: `/p2p/${peer}`, pid: process.pid, openedAt: n });
      await Promise.all([book.add(rec(1)), book.add(rec(2)), book.add(rec(3))]);
      await book.remove('/ip4/127.0.0.1/tcp/2');
      expect((await readRecords(dir)).map((r) => r.openedAt)).toEqual([1, 3]);
      expect(JSON.parse(await readFile(join(dir, 'tunnels.json'), 'utf8')).version).toBe(1);
      expect(pidAlive(process.pid)).toBe(true);
      expect(pidAlive(2 ** 22 + 12345)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
