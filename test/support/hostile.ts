// Pieces for the hostile-peer cases of issue 15 (test/faults/hostile.test.ts): a NIP-11 trap in front of a real
// relay, a canary standing for another service of this machine, a strfry whose import does not verify, and the
// peak memory of a process.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a hostile peer answers to a NIP-11 request (attack 5): a redirect to another service of this machine,
 * or a body that never ends (no Content-Length: a 263 MB document, streamed).
 */
export type Nip11Trap = 'redirect' | 'endless';

export interface TrapStats {
  nip11Requests: number;
  /** NIP-11 body bytes written to sockets (what the peer managed to push). */
  nip11Bytes: number;
  upgrades: number;
}

/**
 * A hostile peer's relay: a real relay (`target`) behind a front that answers NIP-11 with the trap and passes
 * WebSocket connections through untouched (raw TCP), so the peer serves its events like any relay.
 */
export async function startNip11Trap(
  trap: Nip11Trap,
  target: { port: number },
  opts: { redirectTo?: string } = {},
): Promise<{ port: number; url: string; stats: TrapStats; stop(): Promise<void> }> {
  const stats: TrapStats = { nip11Requests: 0, nip11Bytes: 0, upgrades: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    if (req.headers.accept !== 'application/nostr+json') {
      res.end('Please use a Nostr client to connect.\n');
      return;
    }
    stats.nip11Requests++;
    if (trap === 'redirect') {
      res.writeHead(302, { Location: opts.redirectTo ?? 'http://127.0.0.1:1/' });
      res.end();
      return;
    }
    // 263 MB of "document", as fast as the socket takes it
    res.writeHead(200, { 'Content-Type': 'application/nostr+json' });
    const piece = Buffer.alloc(64 * 1024, 0x20);
    let left = 263 * 1024 * 1024;
    const pump = (): void => {
      while (left > 0 && !res.destroyed) {
        left -= piece.length;
        stats.nip11Bytes += piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    stats.upgrades++;
    const upstream = connect(target.port, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    stats,
    stop: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** Another service of this machine that no peer may make us call: counts every connection it gets. */
export async function startCanary(): Promise<{ port: number; connections: () => number; stop(): Promise<void> }> {
  let connections = 0;
  const server = createServer((_req, res) => res.end('canary\n'));
  server.on('connection', () => connections++);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * A strfry whose import does not verify, as `strfry import --no-verify` (it stores bad ids and signatures
 * verbatim, spec/strfry-import.md): a launcher in `dir` that adds `--no-verify` to every import of `strfry`.
 * It stands for a local store that does not check signatures by itself.
 */
export async function noVerifyStrfry(dir: string, strfry: string): Promise<string> {
  const path = join(dir, 'strfry-no-verify');
  await writeFile(
    path,
    [
      '#!/bin/sh',
      '# strfry, with every import run as `strfry import --no-verify` (a local store that does not verify)',
      'imp=; nov=',
      'for a in "$@"; do [ "$a" = import ] && imp=1; [ "$a" = --no-verify ] && nov=1; done',
      `if [ -n "$imp" ] && [ -z "$nov" ]; then exec '${strfry.replace(/'/g, `'\\''`)}' "$@" --no-verify; fi`,
      `exec '${strfry.replace(/'/g, `'\\''`)}' "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(path, 0o755);
  return path;
}

/** Peak resident memory of a process (VmHWM of /proc/<pid>/status), in bytes; null once it is gone. */
export function peakRss(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's peak memory until stopped (the last sample before it exits is its peak). */
export function watchPeakRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = 0;
  const t = setInterval(() => {
    const v = peakRss(pid);
    if (v !== null) peak = Math.max(peak, v);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(t);
      const v = peakRss(pid);
      if (v !== null) peak = Math.max(peak, v);
      return peak;
    },
  };
}
