/**
 * What each peer answered to the NIP-77 probe, and the limits its NIP-11 document gave, remembered in the data
 * folder (`sync-state/peers.json`) for a day: a steady run does not ask a peer again what it said an hour ago
 * (through a tunnel, each question is one more connection to the peer).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs';
import type { Limits } from '../nostr';

export type PeerMemory = Record<string, { nip77: boolean; reason: string; checkedAt: number; limits?: Limits }>;

/** A remembered answer is used this long (seconds). */
export const PEER_MEMORY_FRESH_SEC = 24 * 3600;

/** The remembered limits when they are whole (the file is ours, but may be from an older version or edited). */
export function rememberedLimits(x: unknown): Limits | null {
  if (!x || typeof x !== 'object') return null;
  const l = x as Record<string, unknown>;
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (!ok(l.maxLimit) || !ok(l.maxSubscriptions) || !ok(l.maxMessageLength) || !ok(l.maxFilterElements) || typeof l.claimsNip77 !== 'boolean') return null;
  return { maxLimit: l.maxLimit, maxSubscriptions: l.maxSubscriptions, maxMessageLength: l.maxMessageLength, maxFilterElements: l.maxFilterElements, claimsNip77: l.claimsNip77 };
}

const pathOf = (dataDir: string): string => join(dataDir, 'sync-state', 'peers.json');

export async function loadPeerMemory(dataDir: string): Promise<PeerMemory> {
  try {
    const v = JSON.parse(await readFile(pathOf(dataDir), 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as PeerMemory) : {};
  } catch {
    return {};
  }
}

export async function savePeerMemory(dataDir: string, m: PeerMemory): Promise<void> {
  await writeFileAtomic(pathOf(dataDir), JSON.stringify(m, null, 1));
}
