/**
 * A station card (`12345.json`), read as untrusted data. Nearly every value is a string; a field of the wrong
 * type is treated as absent. Long strings are cut so a hostile card cannot flood the window or the logs.
 */
import { reason, type Reason } from '../../shared/i18n';
import { normalizeKey } from './keys';

export interface StationCard {
  version: string | null;
  peerId: string | null;
  hostname: string | null;
  captain: string | null;
  /** Raw captainHEX/NODEHEX values, and their normalised key (null when not a 64-hex key). */
  captainHexRaw: string | null;
  captainHex: string | null;
  nodeHexRaw: string | null;
  nodeHex: string | null;
  relayUrl: string | null;
  city: string | null;
  lat: number | null;
  lon: number | null;
  uplanet: string | null;
  /** dragon_services plus the names of services.ipfs_p2p_services (x_<name>.sh), lower case, unique. */
  services: string[];
  /** "status" of a fallback card ("json_build_error", "booting"), else null. */
  fallbackStatus: string | null;
  picoport: boolean;
  created: number | null;
}

export type CardParse = { ok: true; card: StationCard } | { ok: false; why: Reason };

const MAX_STRING = 512;

function str(v: unknown, max = MAX_STRING): string | null {
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (t === '') return null;
  // Control characters have no business in a card field and would garble a terminal.
  return t.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, max);
}

/** Longest relay URL taken whole; a longer one is refused, never cut (a cut URL is another URL). */
export const MAX_RELAY_URL = 2048;

function num(v: unknown, min: number, max: number): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= min && n <= max ? n : null;
}

function serviceNames(card: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const dragon = str(card.dragon_services);
  if (dragon) {
    for (const s of dragon.split(',')) {
      const n = s.trim().toLowerCase();
      if (/^[a-z0-9_.-]{1,40}$/.test(n)) names.add(n);
    }
  }
  const services = card.services;
  if (services && typeof services === 'object' && !Array.isArray(services)) {
    const p2p = (services as Record<string, unknown>).ipfs_p2p_services;
    if (Array.isArray(p2p)) {
      for (const item of p2p.slice(0, 100)) {
        const m = typeof item === 'string' ? /^x_([a-z0-9_.-]{1,40})\.sh$/i.exec(item.trim()) : null;
        if (m?.[1]) names.add(m[1].toLowerCase());
      }
    }
  }
  return [...names];
}

const FALLBACK_STATUSES = new Set(['json_build_error', 'booting']);

export function parseCard(text: string): CardParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, why: reason('card.invalidJson', { detail: (err as Error).message.slice(0, 120) }) };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, why: reason('card.notObject') };
  const c = value as Record<string, unknown>;
  const version = str(c.version);
  const relayUrl = str(c.myRELAY, MAX_RELAY_URL + 1);
  const status = str(c.status);
  const captainHexRaw = str(c.captainHEX);
  const nodeHexRaw = str(c.NODEHEX);
  const fallbackStatus = status && (FALLBACK_STATUSES.has(status) || !relayUrl) ? status : null;
  return {
    ok: true,
    card: {
      version,
      peerId: str(c.ipfsnodeid),
      hostname: str(c.hostname),
      captain: str(c.captain),
      captainHexRaw,
      captainHex: captainHexRaw ? normalizeKey(captainHexRaw) : null,
      nodeHexRaw,
      nodeHex: nodeHexRaw ? normalizeKey(nodeHexRaw) : null,
      relayUrl,
      city: str(c.IPCity),
      lat: num(c.STATION_LAT, -90, 90),
      lon: num(c.STATION_LON, -180, 180),
      uplanet: str(c.UPLANETG1PUB),
      services: serviceNames(c),
      fallbackStatus,
      picoport: version !== null && /^picoport/i.test(version),
      created: num(c.created, 0, 1e11),
    },
  };
}

/** kubo PeerIDs: base58 `12D3KooW…` (ed25519) or `Qm…` (RSA). Used to recognise the own beacon folder. */
export function isPeerId(name: string): boolean {
  return /^(12D3KooW|Qm)[1-9A-HJ-NP-Za-km-z]{38,60}$/.test(name);
}
