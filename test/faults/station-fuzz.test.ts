// Issue 10, bad station files: a seeded fuzz of the station root. Each iteration copies a good station (three
// good peers, members from every source, one blacklisted key) and plants 1–4 hostile items: random, truncated,
// huge (50 MB sparse, or just over the size limit), binary, non-UTF-8, deeply nested, prototype-polluting,
// wrongly typed or hostile cards and key lists; peer folders with odd names; folders replaced by files and files
// by folders; FIFOs; symlinks out of the root (to a marker file, /dev/zero, /proc/self/environ), dangling and
// looping symlinks. The station module must never crash nor hang, never open anything outside the root (every
// open/readFile/readdir is observed by a pass-through spy on node:fs/promises, and the outside marker must never
// show up), reject each bad item with a reason (a snapshot problem or the peer's reason) and keep the good ones.
//
// Reproducible: the seed is printed; STATION_FUZZ_SEED=<seed> replays a run, STATION_FUZZ_ITERATIONS caps it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, constants, existsSync, lstatSync, lutimesSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { access, mkdir, mkdtemp, open as openFile, realpath, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';

const seen = vi.hoisted(() => ({ on: false, paths: [] as Array<{ fn: string; path: string }> }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs/promises')>();
  const spy = <K extends 'open' | 'readFile' | 'readdir' | 'opendir'>(name: K) =>
    ((...args: unknown[]) => {
      if (seen.on) seen.paths.push({ fn: name, path: String(args[0]) });
      return (orig[name] as (...a: unknown[]) => unknown)(...args);
    }) as (typeof orig)[K];
  const wrapped = { ...orig, open: spy('open'), readFile: spy('readFile'), readdir: spy('readdir'), opendir: spy('opendir') };
  return { ...wrapped, default: wrapped };
});

import { buildStation, cardJson, keyFromSeed, peerIdFromSeed, prng, type BuiltStation } from '../../src/devkit/index';
import { readStation } from '../../src/core/station/snapshot';
import { createStationService } from '../../src/core/station';
import { stationOnlyContext } from '../support/engine-context';
import { LIMITS } from '../../src/core/station/read';
import { SECRET_FILE } from '../../src/core/util/fs';
import { MemberList, StationSnapshot } from '../../src/shared/schemas';
import type { StationState } from '../../src/core/services';

const SEED = process.env.STATION_FUZZ_SEED ?? 'station-fuzz-1';
const MAX_ITERATIONS = Number(process.env.STATION_FUZZ_ITERATIONS ?? 500);
const TIME_BUDGET_MS = 45_000;
/** A single reading of a small station takes milliseconds; this long means it hangs. */
const READ_DEADLINE_MS = 10_000;
const SERVICE_EVERY = 20;

const NOW_S = Math.floor(Date.now() / 1000);
const MARKER = `OUTSIDE-MARKER-${SEED}`;
const MARKER_KEY = keyFromSeed(`${SEED}:marker`).pk;

type Expect =
  /** a problem on this path (or below it), or the peer of this folder not ok with a reason */
  | 'reason'
  /** anything goes, as long as nothing crashes and the rest holds (content that may be fine) */
  | 'either';

interface Planted {
  kind: string;
  /** Path relative to the root, as problems name it. */
  rel: string;
  expect: Expect;
  /** The peer folder this item is about (its reason counts). */
  peerFolder?: string;
  /** A member source replaced as a whole (its good keys may go, with a reason). */
  replaces?: 'amis' | 'blacklist';
  /** Valid keys planted in good faith (allowed in the member set). */
  keys?: string[];
}

let base: string;
let outside: string;
let built: BuiltStation;
let goodTree: TreeEntry[];
let goodKeys: Set<string>;
let amisKeys: Set<string>;
const BLACKLISTED = keyFromSeed(`${SEED}:blacklisted`).pk;

// ------------------------------------------------------------------ random content

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const bytes = (rng: Rng, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rng() * 256)));
const hex64 = (rng: Rng): string => bytes(rng, 32).toString('hex');

/** The captain and node key of every planted card (deriving a key per card would dominate the run's time). */
const CARD_KEY = keyFromSeed(`${SEED}:card`);

function goodCard(peerId: string, extra: Record<string, unknown> = {}): string {
  const k = CARD_KEY;
  return cardJson(
    { peerId, hostname: `h-${peerId.slice(-6)}.example`, relayUrl: 'ws://127.0.0.1:7777', captainEmail: 'c@example.org', captain: k, node: k, uplanet: 'g1x', created: NOW_S - 600, lat: '1', lon: '2' },
    'normal',
    extra,
  );
}

/** Hostile bytes for a file; `size` says which limit applies. */
function hostileBytes(rng: Rng, limit: number): { kind: string; data?: Buffer; sparse?: number } {
  const card = goodCard(peerIdFromSeed(`${SEED}:t`));
  switch (int(rng, 0, 11)) {
    case 0:
      return { kind: 'random-bytes', data: bytes(rng, int(rng, 1, 4096)) };
    case 1: {
      const cut = int(rng, 1, card.trimEnd().length - 2);
      return { kind: 'truncated-card', data: Buffer.from(card.slice(0, cut)) };
    }
    case 2:
      return { kind: 'huge-sparse-50MB', sparse: 50 * 1024 * 1024 };
    case 3:
      return { kind: 'just-over-limit', data: Buffer.alloc(limit + 1 + int(rng, 0, 100), 'a') };
    case 4:
      return { kind: 'non-utf8', data: Buffer.concat([Buffer.from('{"hostname": "caf'), Buffer.from([0xe9, 0xff, 0xc3]), Buffer.from('"}\n')]) };
    case 5:
      return { kind: 'nul-bytes', data: Buffer.concat([Buffer.from(card.slice(0, 40)), Buffer.alloc(int(rng, 1, 50)), Buffer.from(card.slice(40))]) };
    case 6: {
      const depth = int(rng, 1000, 200_000);
      const open = rng() < 0.5 ? '[' : '{"a":';
      const close = open === '[' ? ']' : '}';
      const text = open.repeat(depth) + '1' + close.repeat(depth);
      return { kind: 'deep-json', data: Buffer.from(text.length > limit ? text.slice(0, limit) : text) };
    }
    case 7:
      return { kind: 'empty', data: Buffer.alloc(0) };
    case 8:
      return { kind: 'whitespace', data: Buffer.from(' \n\r\t\n  \u00a0\u2028'.repeat(int(rng, 1, 20))) };
    case 9:
      return { kind: 'utf8-bom-and-crlf', data: Buffer.from(`\ufeff${card.replace(/\n/g, '\r\n')}`) };
    case 10:
      return { kind: 'json-array-or-scalar', data: Buffer.from(pick(rng, ['[]', 'null', '42', '"x"', 'true', '[{"myRELAY":"ws://127.0.0.1:7777"}]'])) };
    default:
      return { kind: 'ansi-and-unicode', data: Buffer.from(`\u001b[2J\u001b]0;pwned\u0007\u202e${'é'.repeat(int(rng, 1, 300))}\n`) };
  }
}

/** Hostile 12345.json objects (valid JSON): wrong types, prototype pollution, hostile strings. */
function hostileCardObject(rng: Rng, peerId: string): { kind: string; text: string; keys: string[]; expect: Expect } {
  const base = JSON.parse(goodCard(peerId)) as Record<string, unknown>;
  switch (int(rng, 0, 7)) {
    case 0:
      return {
        kind: 'proto-pollution',
        // Written as text: JSON.stringify would not keep a literal __proto__ key.
        text: `{"__proto__": {"polluted": "yes", "myRELAY": "ws://127.0.0.1:7777", "dragon_services": "strfry"}, "constructor": {"prototype": {"polluted": "yes"}}, "version": "12345.0.2", "ipfsnodeid": "${peerId}", "hostname": "proto"}`,
        keys: [],
        expect: 'reason',
      };
    case 1:
      return {
        kind: 'wrong-types',
        text: JSON.stringify({ ...base, myRELAY: 7777, ipfsnodeid: [peerId], captainHEX: { a: 1 }, NODEHEX: 12, dragon_services: null, services: 'x', STATION_LAT: 'NaN', STATION_LON: 1e308, hostname: ['h'], created: -1 }),
        keys: [],
        expect: 'reason',
      };
    case 2: {
      const url = pick(rng, ['javascript:alert(1)', 'ws://user:pw@127.0.0.1:7777', 'http://127.0.0.1:7777', 'ws://', 'ws://[::1', `ws://${'a'.repeat(3000)}.example`, 'file:///etc/passwd']);
      return { kind: 'bad-relay-url', text: JSON.stringify({ ...base, myRELAY: url }), keys: [], expect: 'reason' };
    }
    case 3: {
      const k = hex64(rng);
      return {
        kind: 'hostile-strings',
        text: JSON.stringify({
          ...base,
          hostname: `\u001b[31mred\u001b[0m\n[2026-01-01 00:00:00] [INFO] SYNC_PEERS: success=99 total=99 <script>alert(1)</script>`,
          captain: 'x'.repeat(200_000),
          IPCity: '\u202eevil',
          captainHEX: `  ${k.toUpperCase()}  `,
          NODEHEX: `${hex64(rng)}\n${hex64(rng)}`,
        }),
        keys: [k],
        expect: 'either',
      };
    }
    case 4:
      return {
        kind: 'peerid-with-separators',
        text: JSON.stringify({ ...base, ipfsnodeid: pick(rng, ['../../../../etc/passwd', `${peerId}/../x`, 'a\\b', `/p2p/${peerId}`, '']) }),
        keys: [(base.captainHEX as string)],
        expect: 'either',
      };
    case 5: {
      // Built as text: JSON.stringify itself overflows the stack on such depth.
      const deep = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
      const text = JSON.stringify(base).replace(/}$/, `, "services": ${deep}, "dragon_services": ${deep}, "x": ${deep}}`);
      return { kind: 'deep-object-fields', text, keys: [base.captainHEX as string], expect: 'either' };
    }
    case 6:
      return { kind: 'duplicate-keys', text: goodCard(peerId).replace('{', '{"myRELAY": "javascript:x", "myRELAY": 1, '), keys: [base.captainHEX as string], expect: 'either' };
    default:
      return {
        kind: 'huge-arrays',
        text: JSON.stringify({ ...base, services: { ipfs_p2p_services: Array.from({ length: 20_000 }, (_, i) => `x_s${i}.sh`) }, dragon_services: 'a,'.repeat(20_000) }),
        keys: [base.captainHEX as string],
        expect: 'either',
      };
  }
}

/** A key list: the good keys mixed with junk lines (binary, non-UTF-8, long, unicode, CR…). */
function mixedKeyList(rng: Rng, good: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  const junk = (): Buffer =>
    pick(rng, [
      () => Buffer.from(bytes(rng, int(rng, 1, 80)).filter((b) => b !== 0x0a && b !== 0x0d)),
      () => Buffer.from([0xff, 0xfe, 0x00, 0x41]),
      () => Buffer.from('x'.repeat(int(rng, 65, 5000))),
      () => Buffer.from(`${hex64(rng).slice(0, 63)}`),
      () => Buffer.from(`${hex64(rng)}${hex64(rng)}`),
      () => Buffer.from('ｆｆ'.repeat(32)),
      () => Buffer.from('__proto__'),
      () => Buffer.from(`${hex64(rng).slice(0, 60)}\u00e9\u00e9`),
    ])();
  for (const k of good) {
    for (let i = int(rng, 0, 3); i > 0; i--) parts.push(Buffer.concat([junk(), Buffer.from('\n')]));
    parts.push(Buffer.from(`${rng() < 0.3 ? k.toUpperCase() : k}${pick(rng, ['\n', '\r\n', '  \n', '\t\n'])}`));
  }
  parts.push(junk());
  return Buffer.concat(parts);
}

// ------------------------------------------------------------------ planting

/** Clears whatever an earlier item left at this path (a FIFO written to would block, a folder would refuse). */
async function clear(root: string, rel: string): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await rm(join(root, rel), { recursive: true, force: true });
}

async function put(root: string, rel: string, data: Buffer | string): Promise<void> {
  await clear(root, rel);
  await writeFile(join(root, rel), data);
}

async function sparse(root: string, rel: string, size: number): Promise<void> {
  await clear(root, rel);
  const fh = await openFile(join(root, rel), 'w');
  await fh.close();
  await truncate(join(root, rel), size);
}

/**
 * FIFOs made ahead, FIFO_BATCH at a time by one `mkfifo` (one process for many: a process started from this
 * test's large worker costs more than all the planting of an iteration), then moved into place by rename.
 */
const FIFO_BATCH = 64;
const fifoPool: string[] = [];
let fifosMade = 0;

async function fifo(root: string, rel: string): Promise<void> {
  await clear(root, rel);
  if (fifoPool.length === 0) {
    const made = Array.from({ length: FIFO_BATCH }, () => join(base, 'fifos', `fifo-${fifosMade++}`));
    await mkdir(join(base, 'fifos'), { recursive: true });
    execFileSync('mkfifo', made);
    fifoPool.push(...made);
  }
  await rename(fifoPool.pop() as string, join(root, rel));
}

/** One entry of the good station, read once: copies are then written from memory. */
interface TreeEntry {
  rel: string;
  kind: 'dir' | 'file' | 'link';
  mode: number;
  /** seconds, as utimes takes them (to the microsecond) */
  atime: number;
  mtime: number;
  data?: Buffer;
  target?: string;
}

/** The good station as `cp -a` would copy it: every folder, file and symlink, with its mode and times. */
function readTree(root: string, rel = ''): TreeEntry[] {
  const st = lstatSync(join(root, rel));
  const at = { rel, mode: st.mode & 0o7777, atime: st.atimeMs / 1000, mtime: st.mtimeMs / 1000 };
  if (st.isSymbolicLink()) return [{ ...at, kind: 'link', target: readlinkSync(join(root, rel)) }];
  if (st.isFile()) return [{ ...at, kind: 'file', data: readFileSync(join(root, rel)) }];
  if (!st.isDirectory()) throw new Error(`the good station holds ${join(root, rel)}, neither a file, a folder nor a symlink`);
  return [{ ...at, kind: 'dir' }, ...readdirSync(join(root, rel)).sort().flatMap((name) => readTree(root, join(rel, name)))];
}

/**
 * A fresh copy of the good station for each iteration, written from memory with the modes and times `cp -a`
 * keeps (a `cp -a` process per iteration, started from this test's large worker, took longer than the reading
 * under test; fs.cp walks the tree in JS, ten times slower still).
 */
function copyTree(tree: readonly TreeEntry[], to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  for (const e of tree) {
    const path = join(to, e.rel);
    if (e.kind === 'dir') mkdirSync(path);
    else if (e.kind === 'file') writeFileSync(path, e.data as Buffer);
    else symlinkSync(e.target as string, path);
  }
  // modes and times once everything is in (writing into a folder changes its mtime), deepest first
  for (const e of [...tree].reverse()) {
    const path = join(to, e.rel);
    if (e.kind === 'link') lutimesSync(path, e.atime, e.mtime);
    else {
      chmodSync(path, e.mode);
      utimesSync(path, e.atime, e.mtime);
    }
  }
}

async function link(root: string, rel: string, target: string): Promise<void> {
  await clear(root, rel);
  await symlink(target, join(root, rel));
}

const OUTSIDE_TARGETS = (): string[] => [join(outside, 'marker.json'), join(outside, 'marker.txt'), '/dev/zero', '/proc/self/environ', '/etc/hostname'];

/** A fresh victim peer folder with good files, one of which is then made hostile. */
async function victimPeer(root: string, rng: Rng, label: string): Promise<{ folder: string; dir: string }> {
  const folder = peerIdFromSeed(`${SEED}:victim:${label}`);
  const dir = join('tmp', 'swarm', folder);
  await put(root, join(dir, '12345.json'), goodCard(folder));
  await put(root, join(dir, '_MySwarm.moats'), `${NOW_S - 600}\n`);
  await put(root, join(dir, 'HEX'), `${hex64(rng)}\n`);
  return { folder, dir };
}

type Generator = (root: string, rng: Rng, label: string) => Promise<Planted>;

const GENERATORS: Record<string, Generator> = {
  async 'card-bytes'(root, rng, label) {
    const { folder, dir } = await victimPeer(root, rng, label);
    const rel = join(dir, '12345.json');
    const h = hostileBytes(rng, LIMITS.card);
    if (h.sparse) await sparse(root, rel, h.sparse);
    else await put(root, rel, h.data as Buffer);
    // A BOM+CRLF copy of a good card is still a good card (JSON allows neither the BOM… so it is refused).
    return { kind: `card:${h.kind}`, rel, expect: 'reason', peerFolder: folder };
  },
  async 'card-object'(root, rng, label) {
    const { folder, dir } = await victimPeer(root, rng, label);
    const rel = join(dir, '12345.json');
    const h = hostileCardObject(rng, folder);
    await put(root, rel, h.text);
    return { kind: `card:${h.kind}`, rel, expect: h.expect, peerFolder: folder, keys: h.keys };
  },
  async 'moats-bytes'(root, rng, label) {
    const { folder, dir } = await victimPeer(root, rng, label);
    const rel = join(dir, '_MySwarm.moats');
    const h = rng() < 0.3 ? { kind: 'bad-date', data: Buffer.from(pick(rng, ['20261340250000', '99999999999999999999', '-1', '1e9', '0x10'])) } : hostileBytes(rng, LIMITS.small);
    if ('sparse' in h && h.sparse) await sparse(root, rel, h.sparse);
    else await put(root, rel, (h as { data: Buffer }).data);
    return { kind: `moats:${h.kind}`, rel, expect: 'reason', peerFolder: folder };
  },
  async 'hex-bytes'(root, rng) {
    const folder = `fuzz${int(rng, 0, 1e9)}@example.org`;
    const rel = join('game', 'nostr', folder, 'HEX');
    const h = hostileBytes(rng, LIMITS.small);
    if (h.sparse) await sparse(root, rel, h.sparse);
    else await put(root, rel, h.data as Buffer);
    return { kind: `HEX:${h.kind}`, rel, expect: 'reason' };
  },
  async 'amis-mixed'(root, rng) {
    const rel = join('strfry', 'amisOfAmis.txt');
    await put(root, rel, mixedKeyList(rng, [...amisKeys]));
    return { kind: 'amisOfAmis:mixed-junk', rel, expect: 'reason' };
  },
  async 'amis-whole'(root, rng) {
    const rel = join('strfry', 'amisOfAmis.txt');
    await clear(root, rel);
    const what = int(rng, 0, 4);
    if (what === 0) await sparse(root, rel, 50 * 1024 * 1024);
    else if (what === 1) await fifo(root, rel);
    else if (what === 2) await mkdir(join(root, rel), { recursive: true });
    else if (what === 3) await link(root, rel, pick(rng, OUTSIDE_TARGETS()));
    else await link(root, rel, 'amisOfAmis.txt');
    return { kind: `amisOfAmis:${['huge-sparse-50MB', 'fifo', 'folder', 'symlink-out', 'symlink-loop'][what]}`, rel, expect: 'reason', replaces: 'amis' };
  },
  async 'blacklist-mixed'(root, rng) {
    const rel = join('strfry', 'blacklist.txt');
    await put(root, rel, mixedKeyList(rng, [BLACKLISTED]));
    return { kind: 'blacklist:mixed-junk', rel, expect: 'reason' };
  },
  async 'blacklist-whole'(root, rng) {
    const rel = join('strfry', 'blacklist.txt');
    await clear(root, rel);
    const what = int(rng, 0, 3);
    if (what === 0) await sparse(root, rel, 50 * 1024 * 1024);
    else if (what === 1) await fifo(root, rel);
    else if (what === 2) await link(root, rel, pick(rng, OUTSIDE_TARGETS()));
    else await put(root, rel, hostileBytes(rng, LIMITS.keyList).data ?? Buffer.from([0]));
    return { kind: `blacklist:${['huge-sparse-50MB', 'fifo', 'symlink-out', 'bytes'][what]}`, rel, expect: what === 3 ? 'either' : 'reason', replaces: 'blacklist' };
  },
  async 'odd-folder-name'(root, rng, label) {
    const name = pick(rng, [
      `peer\nnewline-${label}`,
      `..${label}`,
      `a..b${label}`,
      `ünïcødé-🚀-${label}`,
      `\u202eevil-${label}`,
      `${'L'.repeat(200)}${label}`.slice(0, 250),
      `back\\slash-${label}`,
      `$(touch pwned)-${label}`,
      ` space ${label} `,
      `\u001b[2J-${label}`,
    ]);
    const dir = join('tmp', 'swarm', name);
    const peerId = peerIdFromSeed(`${SEED}:odd:${label}`);
    await put(root, join(dir, '12345.json'), goodCard(peerId));
    await put(root, join(dir, '_MySwarm.moats'), `${NOW_S - 600}\n`);
    return { kind: 'peer-folder:odd-name', rel: dir, expect: 'either', peerFolder: name, keys: [CARD_KEY.pk] };
  },
  async 'folder-is-file'(root, rng, label) {
    const what = int(rng, 0, 2);
    if (what === 0) {
      const folder = peerIdFromSeed(`${SEED}:file:${label}`);
      const rel = join('tmp', 'swarm', folder);
      await put(root, rel, goodCard(folder));
      return { kind: 'peer-folder:is-a-file', rel, expect: 'reason', peerFolder: folder };
    }
    if (what === 1) {
      const rel = join('game', 'nostr', `file${label}@example.org`);
      await put(root, rel, `${hex64(rng)}\n`);
      return { kind: 'member-folder:is-a-file', rel, expect: 'reason' };
    }
    const folder = peerIdFromSeed(`${SEED}:fifo:${label}`);
    const rel = join('tmp', 'swarm', folder);
    await fifo(root, rel);
    return { kind: 'peer-folder:is-a-fifo', rel, expect: 'reason', peerFolder: folder };
  },
  async 'file-is-folder'(root, rng, label) {
    const { folder, dir } = await victimPeer(root, rng, label);
    const name = pick(rng, ['12345.json', '_MySwarm.moats']);
    const rel = join(dir, name);
    await clear(root, rel);
    await mkdir(join(root, rel, 'inner'), { recursive: true });
    await put(root, join(rel, 'inner', 'x'), 'x');
    return { kind: `${name}:is-a-folder`, rel, expect: 'reason', peerFolder: folder };
  },
  async 'fifo-file'(root, rng, label) {
    const { folder, dir } = await victimPeer(root, rng, label);
    const name = pick(rng, ['12345.json', '_MySwarm.moats', 'x_strfry.sh']);
    const rel = join(dir, name);
    await clear(root, rel);
    await fifo(root, rel);
    // A FIFO named x_strfry.sh is only stat'ed (never opened): the peer stays as it was.
    return { kind: `${name}:fifo`, rel, expect: name === 'x_strfry.sh' ? 'either' : 'reason', peerFolder: folder };
  },
  async 'symlink-out'(root, rng, label) {
    const what = int(rng, 0, 3);
    if (what === 0) {
      const folder = peerIdFromSeed(`${SEED}:lnk:${label}`);
      const rel = join('tmp', 'swarm', folder);
      await link(root, rel, join(outside, 'peer'));
      return { kind: 'peer-folder:symlink-out', rel, expect: 'reason', peerFolder: folder };
    }
    if (what === 1) {
      const { folder, dir } = await victimPeer(root, rng, label);
      const name = pick(rng, ['12345.json', '_MySwarm.moats']);
      const rel = join(dir, name);
      await clear(root, rel);
      await link(root, rel, pick(rng, OUTSIDE_TARGETS()));
      return { kind: `${name}:symlink-out`, rel, expect: 'reason', peerFolder: folder };
    }
    if (what === 2) {
      const rel = join('game', 'nostr', `lnk${label}@example.org`, 'HEX');
      await link(root, rel, pick(rng, OUTSIDE_TARGETS()));
      return { kind: 'HEX:symlink-out', rel, expect: 'reason' };
    }
    // Relative symlink climbing out with ../
    const rel = join('flashmem', `up${label}`);
    await link(root, rel, join('..', '..', basename(outside)));
    return { kind: 'member-folder:symlink-up-out', rel, expect: 'reason' };
  },
  async 'symlink-loop'(root, rng, label) {
    const what = int(rng, 0, 2);
    if (what === 0) {
      const { folder, dir } = await victimPeer(root, rng, label);
      const rel = join(dir, '12345.json');
      await clear(root, rel);
      await link(root, rel, '12345.json');
      return { kind: '12345.json:self-loop', rel, expect: 'reason', peerFolder: folder };
    }
    if (what === 1) {
      const a = peerIdFromSeed(`${SEED}:loopA:${label}`);
      const b = peerIdFromSeed(`${SEED}:loopB:${label}`);
      await link(root, join('tmp', 'swarm', a), b);
      await link(root, join('tmp', 'swarm', b), a);
      return { kind: 'peer-folder:two-link-loop', rel: join('tmp', 'swarm', a), expect: 'reason', peerFolder: a };
    }
    // A folder loop inside the root (allowed: it stays inside), next to a good card.
    const { folder, dir } = await victimPeer(root, rng, label);
    await link(root, join(dir, 'up'), '../..');
    return { kind: 'peer-folder:dir-loop-inside', rel: dir, expect: 'either', peerFolder: folder };
  },
  async 'dangling'(root, rng, label) {
    const { folder, dir } = await victimPeer(root, rng, label);
    const rel = join(dir, '12345.json');
    await clear(root, rel);
    await link(root, rel, 'nowhere.json');
    return { kind: '12345.json:dangling-symlink', rel, expect: 'reason', peerFolder: folder };
  },
};

// ------------------------------------------------------------------ checks

function inside(realRoot: string, path: string): boolean {
  const rel = relative(realRoot, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !rel.startsWith('/'));
}

interface Reading {
  state: StationState;
  /** Everything the engine would show: snapshot and members as the contract returns them. */
  shown: string;
}

async function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${READ_DEADLINE_MS} ms (hang)`)), READ_DEADLINE_MS);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function readDirect(root: string): Promise<Reading> {
  const state = await readStation(root, {
    staleHours: 12,
    now: NOW_S * 1000,
    kuboId: async () => Promise.reject(new Error('no kubo in this test')),
    ipfsConfig: join(dirname(root), '.ipfs', 'config'),
  });
  const members = [...state.members].map(([hex, sources]) => ({ hex, sources: [...sources] }));
  StationSnapshot.parse(state.snapshot);
  MemberList.parse({ members, bySource: state.snapshot.members.bySource });
  return { state, shown: JSON.stringify({ snapshot: state.snapshot, members, blacklist: [...state.blacklist] }) };
}

/** The same root through the station service (watcher armed on the hostile tree, contract-shaped answers). */
async function readThroughService(root: string): Promise<Reading> {
  const ctx = stationOnlyContext(root);
  const service = createStationService(ctx);
  await service.start();
  try {
    const snapshot = StationSnapshot.parse(await service.snapshot());
    const members = MemberList.parse(await service.members());
    const state = await service.state();
    return { state, shown: JSON.stringify({ snapshot, members, blacklist: [...state.blacklist] }) };
  } finally {
    await service.stop();
  }
}

interface Tally {
  planted: number;
  withReason: number;
  either: number;
}
const tally = new Map<string, Tally>();
const failures: string[] = [];
let iterations = 0;
let serviceReadings = 0;
let openedOutside = 0;
let fsCalls = 0;
const phase = { copy: 0, plant: 0, read: 0, clean: 0 };

function checkReading(it: number, root: string, realRoot: string, reading: Reading, planted: Planted[]): string[] {
  const bad: string[] = [];
  const { state, shown } = reading;
  const snap = state.snapshot;
  const tag = `iteration ${it} [${planted.map((p) => p.kind).join(', ')}]`;

  // Never outside the root: no marker, no outside key, no environment, no zero bytes stream.
  if (shown.includes(MARKER)) bad.push(`${tag}: the outside marker appears in the output`);
  if (state.members.has(MARKER_KEY) || state.blacklist.has(MARKER_KEY)) bad.push(`${tag}: the outside marker key became a member`);
  if (/PATH=|HOME=/.test(shown)) bad.push(`${tag}: /proc/self/environ content appears in the output`);
  if (({} as Record<string, unknown>).polluted !== undefined) bad.push(`${tag}: Object.prototype was polluted`);

  // The good ones are kept.
  for (const p of built.peers) {
    const peer = snap.peers.find((x) => x.id === p.id);
    if (!peer || peer.status !== 'ok' || !peer.syncable || peer.route !== 'tunnel') {
      bad.push(`${tag}: good peer ${p.id} lost or judged ${peer ? `${peer.status} (${peer.reason})` : 'absent'}`);
    }
  }
  const amisReplaced = planted.some((p) => p.replaces === 'amis');
  for (const k of goodKeys) {
    if (amisReplaced && amisKeys.has(k) && !built.members[k]?.some((s) => s !== 'amisOfAmis')) continue;
    if (!state.members.has(k)) bad.push(`${tag}: good member ${k.slice(0, 8)} (${built.members[k]?.join(', ')}) lost`);
  }
  if (!planted.some((p) => p.replaces === 'blacklist') && !state.blacklist.has(BLACKLISTED)) bad.push(`${tag}: the blacklisted key was lost`);
  const allowed = new Set([...goodKeys, CARD_KEY.pk, ...planted.flatMap((p) => p.keys ?? [])]);
  for (const k of state.members.keys()) {
    if (!allowed.has(k)) bad.push(`${tag}: member ${JSON.stringify(k.slice(0, 80))} comes from nowhere it should (not a good key nor a planted one)`);
  }

  // Each bad item is rejected with a reason (an item overwritten by a later one at the same path is gone).
  const current = planted.filter((p, i) => !planted.slice(i + 1).some((q) => q.rel === p.rel));
  for (const p of current) {
    const t = tally.get(p.kind) ?? { planted: 0, withReason: 0, either: 0 };
    tally.set(p.kind, t);
    t.planted++;
    const problem = snap.problems.find((x) => x.path === p.rel || x.path.startsWith(p.rel + sep) || (p.rel.startsWith(x.path + sep) && x.path.length > 'tmp/swarm'.length));
    const peer = p.peerFolder === undefined ? undefined : snap.peers.find((x) => x.id === p.peerFolder);
    const peerRejected = peer !== undefined && peer.status !== 'ok' && !!peer.reason;
    if (problem || peerRejected) t.withReason++;
    else if (p.expect === 'either') t.either++;
    else bad.push(`${tag}: ${p.kind} at ${JSON.stringify(p.rel)} was not rejected with a reason (peer: ${peer ? `${peer.status}/${peer.reason}` : 'none'})`);
    if (p.expect === 'reason' && problem && problem.reason.trim() === '') bad.push(`${tag}: empty reason for ${p.rel}`);
  }
  for (const p of snap.problems) {
    if (p.path.startsWith('/') && !p.path.endsWith('config')) bad.push(`${tag}: a problem names an absolute path ${p.path}`);
  }

  // Every open/readFile/readdir stayed inside the root (the IPFS config next to it is the one allowed outside path).
  const ipfsConfig = join(dirname(root), '.ipfs', 'config');
  for (const call of seen.paths) {
    fsCalls++;
    if (call.path === ipfsConfig) continue;
    if (!inside(realRoot, call.path) && !inside(root, call.path)) {
      openedOutside++;
      bad.push(`${tag}: ${call.fn}(${call.path}) outside the station root`);
    }
    if (SECRET_FILE.test(basename(call.path))) bad.push(`${tag}: ${call.fn}(${call.path}) is a private-key file`);
  }
  return bad;
}

// ------------------------------------------------------------------ the test

beforeAll(async () => {
  // Hundreds of station copies: on tmpfs when there is one (ten times faster than a disk here).
  const scratch = existsSync('/dev/shm') ? await access('/dev/shm', constants.W_OK).then(() => '/dev/shm', () => tmpdir()) : tmpdir();
  base = await mkdtemp(join(scratch, 'station-fuzz-'));
  outside = join(base, 'outside');
  // What lies outside the root, made attractive: a valid card, a key list, a beacon folder, all marked.
  const markerCard = JSON.stringify({ version: '12345.0.2', ipfsnodeid: peerIdFromSeed(`${SEED}:marker`), hostname: MARKER, myRELAY: 'wss://marker.example', captainHEX: MARKER_KEY, NODEHEX: MARKER_KEY, dragon_services: 'strfry' });
  await mkdir(join(outside, 'peer'), { recursive: true });
  await writeFile(join(outside, 'marker.json'), markerCard);
  await writeFile(join(outside, 'marker.txt'), `${MARKER_KEY}\n${MARKER}\n`);
  await writeFile(join(outside, 'peer', '12345.json'), markerCard);
  await writeFile(join(outside, 'peer', '_MySwarm.moats'), `${NOW_S}\n`);
  await writeFile(join(outside, 'peer', 'HEX'), `${MARKER_KEY}\n`);
  built = await buildStation({
    root: join(base, 'template', '.zen'),
    seed: `fuzz-${SEED}`,
    peers: [{ xStrfry: true }, {}, { moatsFormat: 'datetime' }],
    members: { emails: 2, secrets: true },
    amisOfAmis: 4,
    flashmem: 1,
    blacklist: [BLACKLISTED],
    ipfsConfig: false,
  });
  goodTree = readTree(built.root);
  goodKeys = new Set(Object.keys(built.members));
  amisKeys = new Set(Object.entries(built.members).filter(([, s]) => s.includes('amisOfAmis')).map(([k]) => k));
}, 60_000);

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe(`station files fuzz (seed ${SEED})`, () => {
  it('never crashes, hangs or reads outside the root; rejects each bad item with a reason; keeps the good ones', async () => {
    console.log(`station fuzz: seed ${JSON.stringify(SEED)} (replay with STATION_FUZZ_SEED=${SEED})`);
    const rng = prng(SEED);
    const names = Object.keys(GENERATORS);
    const started = Date.now();
    for (let i = 0; i < MAX_ITERATIONS && Date.now() - started < TIME_BUDGET_MS; i++) {
      const root = join(base, `it${i}`, '.zen');
      let t0 = Date.now();
      copyTree(goodTree, root);
      phase.copy += Date.now() - t0;
      t0 = Date.now();
      const planted: Planted[] = [];
      for (let n = int(rng, 1, 4); n > 0; n--) {
        const name = pick(rng, names);
        planted.push(await (GENERATORS[name] as Generator)(root, rng, `${i}-${n}`));
      }
      phase.plant += Date.now() - t0;
      t0 = Date.now();
      const realRoot = await realpath(root);
      const viaService = i % SERVICE_EVERY === SERVICE_EVERY - 1;
      seen.paths.length = 0;
      seen.on = true;
      let reading: Reading;
      try {
        reading = await withDeadline(viaService ? readThroughService(root) : readDirect(root), `reading iteration ${i}`);
      } catch (err) {
        seen.on = false;
        failures.push(`iteration ${i} [${planted.map((p) => p.kind).join(', ')}]: crashed: ${(err as Error).stack ?? String(err)}`);
        await rm(dirname(root), { recursive: true, force: true });
        iterations++;
        continue;
      } finally {
        seen.on = false;
      }
      if (viaService) serviceReadings++;
      phase.read += Date.now() - t0;
      failures.push(...checkReading(i, root, realRoot, reading, planted));
      t0 = Date.now();
      await rm(dirname(root), { recursive: true, force: true });
      phase.clean += Date.now() - t0;
      iterations++;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const rows = [...tally].sort(([a], [b]) => (a < b ? -1 : 1));
    const width = Math.max(...rows.map(([k]) => k.length), 10);
    console.log(
      [
        `station fuzz summary: seed ${SEED}, ${iterations} iterations in ${seconds} s (${serviceReadings} through the station service), ${fsCalls} file opens/listings observed, ${openedOutside} outside the root`,
        `time: copying the good station ${(phase.copy / 1000).toFixed(1)} s, planting ${(phase.plant / 1000).toFixed(1)} s, reading ${(phase.read / 1000).toFixed(1)} s, cleaning ${(phase.clean / 1000).toFixed(1)} s`,
        `${'bad item'.padEnd(width)}  planted  rejected-with-reason  tolerated`,
        ...rows.map(([k, t]) => `${k.padEnd(width)}  ${String(t.planted).padStart(7)}  ${String(t.withReason).padStart(20)}  ${String(t.either).padStart(9)}`),
        `failures: ${failures.length}`,
        ...failures.slice(0, 30),
      ].join('\n'),
    );
    expect(iterations).toBeGreaterThanOrEqual(Math.min(MAX_ITERATIONS, 100));
    expect(failures, failures.slice(0, 10).join('\n')).toEqual([]);
  }, 120_000);
});
