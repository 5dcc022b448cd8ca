/**
 * A member's relay list for the station export, from what the local relay holds: the NIP-65 list (kind 10002)
 * first, then the contact list (kind 3: legacy JSON content or `r` tags, which the old profile script read),
 * then a `relays` field some clients put in the kind 0.
 */

/** One relay of the export (`relays` items; the old script's CSV reads `.url`). */
export interface RelayEntry {
  url: string;
  read: boolean;
  write: boolean;
}

export const MAX_RELAYS = 20;
const RELAY_URL = /^wss?:\/\/[^\s/<>"'`]+(\/[^\s<>"'`]*)?$/i;

function relayUrl(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s.length <= 512 && RELAY_URL.test(s) ? s : null;
}

function add(out: RelayEntry[], seen: Set<string>, url: string | null, read: boolean, write: boolean): void {
  if (!url || seen.has(url) || out.length >= MAX_RELAYS) return;
  seen.add(url);
  out.push({ url, read, write });
}

/** Kind 10002 or kind 3 `r` tags: `["r", url]` or `["r", url, "read"|"write"]`. */
export function relaysFromTags(tags: readonly (readonly string[])[]): RelayEntry[] {
  const out: RelayEntry[] = [];
  const seen = new Set<string>();
  for (const t of tags) {
    if (t[0] !== 'r') continue;
    const marker = t[2];
    add(out, seen, relayUrl(t[1]), marker !== 'write', marker !== 'read');
  }
  return out;
}

/** Legacy relay map `{ "wss://…": { "read": true, "write": true } }` (kind 3 content, some kind 0s). */
export function relaysFromJson(text: string): RelayEntry[] {
  if (text.length === 0 || text.length > 65_536) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  return relaysFromValue(value);
}

export function relaysFromValue(value: unknown): RelayEntry[] {
  const out: RelayEntry[] = [];
  const seen = new Set<string>();
  if (Array.isArray(value)) {
    for (const v of value) add(out, seen, relayUrl(v), true, true);
  } else if (typeof value === 'object' && value !== null) {
    for (const [url, flags] of Object.entries(value as Record<string, unknown>)) {
      const f = (typeof flags === 'object' && flags !== null ? flags : {}) as Record<string, unknown>;
      add(out, seen, relayUrl(url), f.read !== false, f.write !== false);
    }
  }
  return out;
}

interface EventShape {
  content: string;
  tags: string[][];
}

/** The best list from the events held: 10002, then kind 3 (content, then tags), then the kind 0's `relays`. */
export function memberRelays(ev: { relayList?: EventShape; contacts?: EventShape; profile?: EventShape }): RelayEntry[] {
  if (ev.relayList) {
    const r = relaysFromTags(ev.relayList.tags);
    if (r.length > 0) return r;
  }
  if (ev.contacts) {
    const fromContent = relaysFromJson(ev.contacts.content);
    if (fromContent.length > 0) return fromContent;
    const fromTags = relaysFromTags(ev.contacts.tags);
    if (fromTags.length > 0) return fromTags;
  }
  if (ev.profile && ev.profile.content.length <= 524_288) {
    try {
      const obj = JSON.parse(ev.profile.content) as unknown;
      if (typeof obj === 'object' && obj !== null && 'relays' in obj) return relaysFromValue((obj as { relays: unknown }).relays);
    } catch {
      return [];
    }
  }
  return [];
}
