// Deterministic keys for tests, benches and the demo: the same seed always gives the same station.
import { createHash } from 'node:crypto';
import { getPublicKey } from 'nostr-tools';

export interface Keypair {
  /** 32-byte secret key. */
  sk: Uint8Array;
  skHex: string;
  /** x-only public key, 64 hex (what HEX files and events carry). */
  pk: string;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Key number `i` of a seed: sk = sha256("<seed>:<i>"). */
export function keyFromSeed(seed: string, i = 0): Keypair {
  const sk = new Uint8Array(sha256(`${seed}:${i}`));
  return { sk, skHex: Buffer.from(sk).toString('hex'), pk: getPublicKey(sk) };
}

export function keysFromSeed(seed: string, n: number, from = 0): Keypair[] {
  return Array.from({ length: n }, (_, k) => keyFromSeed(seed, from + k));
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/**
 * A realistic kubo PeerID (`12D3KooW…`, 52 chars): the identity multihash of an ed25519 public key, here a
 * deterministic 32-byte stand-in derived from the seed.
 */
export function peerIdFromSeed(seed: string): string {
  const prefix = Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]);
  const key = sha256(`peer:${seed}`);
  const bytes = new Uint8Array(prefix.length + key.length);
  bytes.set(prefix);
  bytes.set(key, prefix.length);
  return base58(bytes);
}

/** A PRNG (mulberry32) seeded from a string, for reproducible spreads of timestamps and choices. */
export function prng(seed: string): () => number {
  let a = sha256(`prng:${seed}`).readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
