/** What each peer answered to the NIP-77 probe, remembered in the data folder (`sync-state/peers.json`). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs';

export type PeerMemory = Record<string, { nip77: boolean; reason: string; checkedAt: number }>;

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
