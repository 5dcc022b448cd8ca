// Reading a station root written by hand with fs: peers and their judgement, the member union, hostile content.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readStation } from '../../src/core/station/snapshot';
import { ipfsConfigPath } from '../../src/core/station/self';
import type { StationState } from '../../src/core/services';

const NOW = Date.UTC(2026, 5, 30, 12, 0, 0);
const nowS = NOW / 1000;
const SELF = '12D3KooWSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1f';
const pid = (c: string): string => `12D3KooW${c.repeat(44)}`;
const hex = (c: string): string => c.repeat(64);

let base: string;
let root: string;

async function put(rel: string, content: string | Buffer): Promise<void> {
  const p = join(root, rel);
  await mkdir(dirname(p), { recursive: true });
  await writeFile(p, content);
}

function card(peerId: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '12345.0.2', ipfsnodeid: peerId, hostname: `${peerId.slice(-4)}.example`, captain: 'c@example.org',
    captainHEX: hex('c'), NODEHEX: hex('d'), dragon_services: 'ssh,strfry', ...extra,
  });
}

async function peer(id: string, cardText: string | Buffer, moats: string | null = String(nowS - 600), files: Record<string, string> = {}): Promise<void> {
  await put(`tmp/swarm/${id}/12345.json`, cardText);
  if (moats !== null) await put(`tmp/swarm/${id}/_MySwarm.moats`, moats);
  for (const [n, c] of Object.entries(files)) await put(`tmp/swarm/${id}/${n}`, c);
}

const K8 = '12345678' + 'ab'.repeat(28);
const K2024 = 'abcd2024' + 'ef'.repeat(28);
const KTS = '1719000000' + '0'.repeat(54);
const KUP = 'ABCDEF0123456789'.repeat(4);

let state: StationState;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'station-read-'));
  root = join(base, '.zen');
  await mkdir(root);
  // Own beacon (no kubo, no IPFS config: the beacon folder names the station).
  await put(`tmp/${SELF}/12345.json`, card(SELF, { hostname: 'self.example', UPLANETG1PUB: 'g1planet', captainHEX: hex('1') }));
  await put('tmp/coucou/x', 'not a beacon');
  // Peers.
  await peer(pid('A'), card(pid('A'), { myRELAY: 'wss://relay.a.example', captainHEX: hex('a'), NODEHEX: hex('b') }));
  await peer(pid('B'), card(pid('B'), { myRELAY: 'ws://127.0.0.1:7777', dragon_services: 'ssh' }), '2026063011300012345'.slice(0, 18), { 'x_strfry.sh': '#!/bin/sh\nexit 1\n' });
  await peer(pid('C'), card(pid('C'), { myRELAY: 'ws://192.168.1.5:7777', captainHEX: KUP }));
  await peer(pid('D'), card(pid('D'), { myRELAY: 'ws://127.0.0.1:7777', dragon_services: 'ssh' }));
  await peer(pid('E'), card(pid('E'), { myRELAY: 'wss://e.example' }), String(nowS - 13 * 3600));
  await peer(pid('F'), '{"version" : "12345.0.2", "myRELAY" : ');
  await peer(pid('G'), JSON.stringify({ version: 'picoport-12345-v2', hostname: 'pico', ipfsnodeid: pid('G'), captainHEX: hex('9') }));
  await peer(pid('H'), JSON.stringify({ version: '12345.0.2', hostname: 'boot', ipfsnodeid: pid('H'), status: 'booting', created: '1' }));
  await peer(pid('J'), card(pid('J'), { myRELAY: 'http://nope.example' }));
  await peer(pid('K'), card(pid('K')));
  await peer(SELF, card(SELF, { myRELAY: 'wss://self.example' }));
  await peer(pid('L'), Buffer.from([0x7b, 0x00, 0xff, 0xfe]));
  await peer(pid('M'), card(pid('M'), { myRELAY: 'wss://m.example' }), 'garbage');
  await peer('weird name;$(rm -rf ~)\n', card('weird', { myRELAY: 'wss://weird.example' }));
  await mkdir(join(root, 'tmp/swarm/no-card'), { recursive: true });
  // Members.
  await put('game/nostr/alice@example.org/HEX', `${K8}\n`);
  await put('game/nostr/bob@example.org/HEX', `  ${KUP}  \r\n`);
  await put('game/nostr/CAPTAIN/HEX', hex('1'));
  await put('game/nostr/UMAP_43.60_1.44/HEX', K2024);
  await put('game/nostr/.hidden/HEX', hex('7'));
  await put('game/nostr/junk@example.org/HEX', 'not a key\n');
  await put('strfry/amisOfAmis.txt', [K8, '', KTS, 'junk', K2024.toUpperCase(), '   ', hex('e'), 'ab'.repeat(31)].join('\n'));
  await put('strfry/blacklist.txt', `${hex('f')}\n`);
  await put('flashmem/x/HEX', hex('2'));
  // A member folder that is a symlink out of the root, and a HEX symlink out of the root.
  const outside = join(base, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'HEX'), hex('3'));
  await symlink(outside, join(root, 'game/nostr/evil@example.org'));
  await mkdir(join(root, 'flashmem/y'), { recursive: true });
  await symlink(join(outside, 'HEX'), join(root, 'flashmem/y/HEX'));
  // A HEX that is a symlink to the folder's private key (which here even looks like a key).
  await put('game/nostr/carol@example.org/.secret.nostr', hex('5'));
  await symlink('.secret.nostr', join(root, 'game/nostr/carol@example.org/HEX'));
  // A FIFO named like a card must not hang the reader.
  await mkdir(join(root, 'tmp/swarm', pid('N')), { recursive: true });
  execFileSync('mkfifo', [join(root, 'tmp/swarm', pid('N'), '12345.json')]);
  // An oversized amisOfAmis in flashmem HEX.
  await put('flashmem/big/HEX', 'a'.repeat(100 * 1024));

  state = await readStation(root, {
    staleHours: 12,
    now: NOW,
    kuboId: async () => {
      throw new Error('no kubo');
    },
    ipfsConfig: join(base, 'absent', 'config'),
  });
}, 20_000);

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const byId = (id: string) => state.snapshot.peers.find((p) => p.id === id);

describe('a station read from disk', () => {
  it('finds itself from the beacon folder', () => {
    expect(state.snapshot.found).toBe(true);
    expect(state.snapshot.self).toMatchObject({ peerId: SELF, source: 'beacon', hostname: 'self.example', uplanet: 'g1planet', captainHex: hex('1') });
  });

  it('judges every peer with a route, status and reason', () => {
    expect(byId(pid('A'))).toMatchObject({ status: 'ok', route: 'direct', syncable: true, reason: null, servesStrfry: true, ageSeconds: 600 });
    expect(byId(pid('B'))).toMatchObject({ status: 'ok', route: 'tunnel', syncable: true, servesStrfry: true });
    expect(byId(pid('B'))?.updatedAt).toBe(Date.UTC(2026, 5, 30, 11, 30, 0) / 1000);
    expect(byId(pid('C'))).toMatchObject({ status: 'ok', route: 'lan', syncable: true });
    expect(byId(pid('D'))).toMatchObject({ status: 'no-relay', route: 'none', syncable: false, servesStrfry: false });
    expect(byId(pid('D'))?.reason).toMatch(/loopback.*no strfry tunnel/);
    expect(byId(pid('E'))).toMatchObject({ status: 'stale', route: 'none', syncable: false });
    expect(byId(pid('E'))?.reason).toMatch(/13\.0 h.*stale after 12 h/);
    expect(byId(pid('F'))).toMatchObject({ status: 'invalid', syncable: false });
    expect(byId(pid('F'))?.reason).toMatch(/invalid JSON/);
    expect(byId(pid('G'))).toMatchObject({ status: 'picoport', syncable: false });
    expect(byId(pid('H'))).toMatchObject({ status: 'fallback', syncable: false });
    expect(byId(pid('H'))?.reason).toMatch(/booting/);
    expect(byId(pid('J'))).toMatchObject({ status: 'bad-url', syncable: false });
    expect(byId(pid('K'))).toMatchObject({ status: 'no-relay', syncable: false, reason: 'the card has no myRELAY' });
    expect(byId(SELF)).toMatchObject({ status: 'self', syncable: false });
    expect(byId(pid('L'))).toMatchObject({ status: 'invalid' });
    expect(byId(pid('L'))?.reason).toMatch(/binary/);
    expect(byId(pid('M'))).toMatchObject({ status: 'ok', updatedAt: null, ageSeconds: null });
    expect(byId(pid('N'))).toMatchObject({ status: 'invalid' });
    expect(byId(pid('N'))?.reason).toMatch(/not a regular file/);
    expect(byId('weird name;$(rm -rf ~)\n')).toMatchObject({ status: 'ok', route: 'direct' });
    expect(byId('no-card')).toBeUndefined();
  });

  it('lists problems with the file and the reason', () => {
    const problems = state.snapshot.problems;
    const has = (path: RegExp, reason: RegExp): boolean => problems.some((p) => path.test(p.path) && reason.test(p.reason));
    expect(has(/no-card$/, /no 12345\.json/)).toBe(true);
    expect(has(new RegExp(`${pid('M')}/_MySwarm\\.moats$`), /freshness unknown/)).toBe(true);
    expect(has(/strfry\/amisOfAmis\.txt$/, /2 lines are not a 64-hex key \(lines 4, 8\)/)).toBe(true);
    expect(has(/junk@example\.org\/HEX$/, /not a 64-hex key/)).toBe(true);
    expect(has(/evil@example\.org$/, /outside the station root/)).toBe(true);
    expect(has(/flashmem\/y\/HEX$/, /outside the station root/)).toBe(true);
    expect(has(/flashmem\/big\/HEX$/, /too large/)).toBe(true);
    expect(has(/carol@example\.org\/HEX$/, /symlink to a private-key file, refused/)).toBe(true);
    expect(problems.every((p) => !p.path.startsWith('/'))).toBe(true);
  });

  it('builds the member set as the exact union of the four sources', () => {
    const swarmKeys = [hex('a'), hex('b'), KUP.toLowerCase(), hex('c'), hex('d'), hex('9')]; // the own beacon's card is not a swarm card
    const expected = new Set([
      K8, KUP.toLowerCase(), hex('1'), K2024, // game/nostr (not .hidden, not the symlinked folder)
      KTS, hex('e'), // amisOfAmis (K8 and K2024 again)
      ...swarmKeys,
      hex('2'), // flashmem (not the symlink out, not the oversized file)
    ]);
    expect(new Set(state.members.keys())).toEqual(expected);
    expect(state.members.has(hex('7'))).toBe(false);
    expect(state.members.has(hex('3'))).toBe(false);
    expect(state.members.has(hex('5'))).toBe(false);
    expect(state.snapshot.members.count).toBe(expected.size);
    expect(state.snapshot.members.bySource).toEqual({ game: 4, amisOfAmis: 4, swarm: swarmKeys.length, flashmem: 1 });
    expect(state.members.get(K8)).toEqual(['game', 'amisOfAmis']);
    expect(state.members.get(K2024)).toEqual(['game', 'amisOfAmis']);
  });

  it('keeps keys that "look like timestamps" (defect 6 of the old script)', () => {
    expect(state.members.has(KTS)).toBe(true);
    expect(state.members.has(K8)).toBe(true);
  });

  it('gives local users (e-mail folders only), amisOfAmis and the blacklist', () => {
    expect([...state.localUsers].sort()).toEqual([K8, KUP.toLowerCase()].sort());
    expect(state.amisOfAmis).toEqual([K8, KTS, K2024, hex('e')]);
    expect([...state.blacklist]).toEqual([hex('f')]);
    expect(state.snapshot.blacklistCount).toBe(1);
  });
});

describe('own PeerID sources', () => {
  it('prefers kubo, then the IPFS config, then the beacon', async () => {
    const cfg = join(base, 'ipfs', 'config');
    await mkdir(dirname(cfg), { recursive: true });
    await writeFile(cfg, JSON.stringify({ Identity: { PeerID: pid('Z'), PrivKey: 'SECRET' } }));
    const opts = { staleHours: 12, now: NOW, ipfsConfig: cfg };
    const fromKubo = await readStation(root, { ...opts, kuboId: async () => pid('Y') });
    expect(fromKubo.snapshot.self).toMatchObject({ peerId: pid('Y'), source: 'kubo' });
    const fromConfig = await readStation(root, { ...opts, kuboId: async () => Promise.reject(new Error('down')) });
    expect(fromConfig.snapshot.self).toMatchObject({ peerId: pid('Z'), source: 'ipfs-config' });
    expect(JSON.stringify(fromConfig.snapshot)).not.toContain('SECRET');
  });
  it('derives the IPFS config path from IPFS_PATH or next to the station root', () => {
    expect(ipfsConfigPath('/home/cap/.zen', {})).toBe('/home/cap/.ipfs/config');
    expect(ipfsConfigPath('/home/cap/.zen', { IPFS_PATH: '/srv/ipfs' })).toBe('/srv/ipfs/config');
  });
  it('reports a missing station root without failing', async () => {
    const s = await readStation(join(base, 'nowhere'), { staleHours: 12, now: NOW, ipfsConfig: '/nonexistent/config', kuboId: async () => Promise.reject(new Error('x')) });
    expect(s.snapshot.found).toBe(false);
    expect(s.snapshot.peers).toEqual([]);
    expect(s.snapshot.members.count).toBe(0);
  });
});
