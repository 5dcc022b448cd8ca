/**
 * A MODEL of `strfry sync <peer> --dir down --filter <filter>` run peer by peer, one filter at a time — not strfry
 * itself (there is no strfry binary on these machines). Run as its own process by bench/scale/index.ts:
 *
 *   tsx bench/scale/strfry-sync-model.ts <job.json>     → prints one JSON line: { ms, peers: [...] }
 *
 * What it does, from strfry's sources (hoytech/strfry src/apps/mesh/cmd_sync.cpp, WriterPipeline.h,
 * WSConnection.h and its uWebSockets fork), as /work/shared/spec/relays.md also describes:
 * - per (peer, filter) one connection (`strfry sync` takes one filter; one process per call), offering
 *   `permessage-deflate; server_no_context_takeover` (strfry's client has no sliding window) and compressing its
 *   own messages without context, zlib level 1, every message;
 * - the local set of the filter is read from the station's own database in the process (strfry reads LMDB;
 *   here an in-process SQLite file: no CLI spawn), then NEG-OPEN with a 60,000-byte frame limit, NEG-MSG rounds;
 * - missing ids are downloaded as soon as they are known, 50 per REQ `{"ids":[…]}`, ONE REQ in flight; at each
 *   EOSE the batch is verified (signatures: libsecp256k1 through nostr-wasm here, native in strfry) and written
 *   before the next REQ goes (strfry's `writer.wait()`);
 * - a peer's tunnel is one kubo p2p forward opened before its filters and closed after them.
 * Not modelled: strfry's process start per call (a native binary opening LMDB: a few ms, counted as zero), the
 * write-policy plugin (none configured by default).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import type { Filter } from 'nostr-tools';
import { TestRelay, verifyFast, type NostrEvent } from '../../src/devkit';
import { IdList, NegentropyInitiator, NegentropyItems } from '../../src/core/nostr';

export interface ModelJob {
  kuboUrl: string;
  peers: string[];
  filters: Filter[];
  /** the model station's database (a devkit relay's SQLite file, kept between the cold and the steady run) */
  dbPath: string;
}

export interface ModelResult {
  ms: number;
  peers: Array<{ peer: string; ms: number; need: number; got: number; ok: boolean; reason: string }>;
  written: number;
}

const FRAME_SIZE_LIMIT = 60_000;
const BATCH_DOWN = 50;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function kubo(url: string, path: string, params: Array<[string, string]>): Promise<void> {
  const q = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const res = await fetch(`${url}/api/v0/${path}?${q}`, { method: 'POST' });
  if (!res.ok) throw new Error(`kubo ${path}: HTTP ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

/** One `strfry sync --dir down --filter f` against url; resolves with the counts. */
function syncOne(url: string, f: Filter, local: TestRelay): Promise<{ need: number; got: number }> {
  const items = IdList.fromItems(local.items(f as never));
  const neg = new NegentropyInitiator(NegentropyItems.from(items), FRAME_SIZE_LIMIT);
  items.release();
  const have = IdList.unique();
  const need = IdList.unique();
  let next = 0; // need ids not yet asked (strfry pops from the back; the order does not change the cost)
  let inFlight = false;
  let done = false;
  let got = 0;
  let batch: NostrEvent[] = [];
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {
      perMessageDeflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, zlibDeflateOptions: { level: 1, memLevel: 8 }, threshold: 0 },
      maxPayload: 64 * 1024 * 1024,
    });
    const fail = (err: Error): void => {
      ws.terminate();
      reject(err);
    };
    ws.on('error', fail);
    ws.on('open', () => ws.send(JSON.stringify(['NEG-OPEN', 'N', f, neg.initiate().toString('hex')])));
    // one message at a time, in order (the writer's wait holds the next REQ back)
    let queue = Promise.resolve();
    ws.on('message', (data: Buffer) => {
      queue = queue.then(() => handle(data)).catch((err: Error) => fail(err));
    });
    const handle = async (data: Buffer): Promise<void> => {
      {
        const msg = JSON.parse(data.toString('utf8')) as unknown[];
        if (msg[0] === 'NEG-MSG') {
          const out = neg.reconcile(Buffer.from(String(msg[2]), 'hex'), have, need);
          if (out) ws.send(JSON.stringify(['NEG-MSG', 'N', out.toString('hex')]));
          else {
            done = true;
            ws.send(JSON.stringify(['NEG-CLOSE', 'N']));
          }
        } else if (msg[0] === 'EVENT') batch.push(msg[2] as NostrEvent);
        else if (msg[0] === 'EOSE') {
          // the writer: verify, then write, before the next REQ
          const ok: NostrEvent[] = [];
          for (const e of batch) if (await verifyFast(e)) ok.push(e);
          got += await local.seed(ok);
          batch = [];
          inFlight = false;
        } else if (msg[0] === 'NEG-ERR' || msg[0] === 'CLOSED') throw new Error(`${String(msg[0])} ${String(msg[2])}`);
        if (!inFlight && next < need.length) {
          const ids = need.hexSlice(next, next + BATCH_DOWN);
          next += ids.length;
          inFlight = true;
          ws.send(JSON.stringify(['REQ', 'R', { ids }]));
        }
        if (done && !inFlight && next >= need.length) {
          ws.close();
          resolve({ need: need.length, got });
        }
      }
    };
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(await readFile(process.argv[2] as string, 'utf8')) as ModelJob;
  const local = await TestRelay.start({ dbPath: job.dbPath });
  const before = await local.count({});
  const t0 = performance.now();
  const out: ModelResult = { ms: 0, peers: [], written: 0 };
  for (const peer of job.peers) {
    const p0 = performance.now();
    const port = await freePort();
    const listen = `/ip4/127.0.0.1/tcp/${port}`;
    const row = { peer, ms: 0, need: 0, got: 0, ok: true, reason: '' };
    try {
      await kubo(job.kuboUrl, 'p2p/forward', [['arg', `/x/strfry-${peer}`], ['arg', listen], ['arg', `/p2p/${peer}`]]);
      for (const f of job.filters) {
        const r = await syncOne(`ws://127.0.0.1:${port}`, f, local);
        row.need += r.need;
        row.got += r.got;
      }
    } catch (err) {
      row.ok = false;
      row.reason = (err as Error).message;
    } finally {
      await kubo(job.kuboUrl, 'p2p/close', [['listen-address', listen]]).catch(() => undefined);
    }
    row.ms = performance.now() - p0;
    out.peers.push(row);
  }
  out.ms = performance.now() - t0;
  out.written = (await local.count({})) - before;
  await local.stop();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
