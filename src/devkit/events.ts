// Event generators for tests, benches and the demo: signed with nostr-tools (one by one) or nostr-wasm (bulk,
// several times faster). Content and timestamps are deterministic for a given seed; signatures carry
// random aux data, ids do not.
import { finalizeEvent, getEventHash, type EventTemplate, type NostrEvent } from 'nostr-tools';
import { initNostrWasm } from 'nostr-wasm';
import { prng, type Keypair } from './keys';

export type { NostrEvent, EventTemplate };

export const WELCOME_TEXT = 'Hello NOSTR visitor.';

/** Signs one event (nostr-tools). */
export function sign(key: Keypair, template: EventTemplate): NostrEvent {
  return finalizeEvent({ ...template, tags: template.tags.map((t) => [...t]) }, key.sk);
}

type Wasm = Awaited<ReturnType<typeof initNostrWasm>>;
let wasm: Promise<Wasm> | undefined;

/** Signs many events with libsecp256k1 (WASM). */
export async function signMany(items: ReadonlyArray<{ key: Keypair; template: EventTemplate }>): Promise<NostrEvent[]> {
  wasm ??= initNostrWasm();
  const nw = await wasm;
  return items.map(({ key, template }) => {
    const e = { ...template, tags: template.tags.map((t) => [...t]), pubkey: '', id: '', sig: '' };
    nw.finalizeEvent(e, key.sk);
    return e as NostrEvent;
  });
}

/** Verifies with WASM; returns false instead of throwing. */
export async function verifyFast(event: NostrEvent): Promise<boolean> {
  wasm ??= initNostrWasm();
  const nw = await wasm;
  try {
    nw.verifyEvent(event);
    return true;
  } catch {
    return false;
  }
}

export const now = (): number => Math.floor(Date.now() / 1000);

export function profile(key: Keypair, fields: Record<string, unknown> = {}, created_at = now()): NostrEvent {
  const content = JSON.stringify({ name: `user-${key.pk.slice(0, 8)}`, about: 'test profile', ...fields });
  return sign(key, { kind: 0, created_at, tags: [], content });
}

export function followList(key: Keypair, follows: readonly string[], created_at = now()): NostrEvent {
  return sign(key, { kind: 3, created_at, tags: follows.map((p) => ['p', p]), content: '' });
}

export function note(key: Keypair, content: string, created_at = now(), tags: string[][] = []): NostrEvent {
  return sign(key, { kind: 1, created_at, tags, content });
}

export function reaction(key: Keypair, target: NostrEvent, created_at = now(), content = '+'): NostrEvent {
  return sign(key, { kind: 7, created_at, tags: [['e', target.id], ['p', target.pubkey]], content });
}

export function article(key: Keypair, d: string, title: string, created_at = now(), body = 'Article body.'): NostrEvent {
  return sign(key, { kind: 30023, created_at, tags: [['d', d], ['title', title]], content: body });
}

/** The automatic welcome note the old backfill script drops (content matches /Hello NOSTR visitor./). */
export function welcomeNote(key: Keypair, created_at = now()): NostrEvent {
  return note(key, `${WELCOME_TEXT} Welcome to this station.`, created_at);
}

/** NIP-09 deletion of the given ids (same author only, to be effective). */
export function deletion(key: Keypair, ids: readonly string[], created_at = now()): NostrEvent {
  return sign(key, { kind: 5, created_at, tags: ids.map((id) => ['e', id]), content: 'deleted' });
}

/** Same event with a wrong id (content changed after signing). */
export function withBadId(event: NostrEvent): NostrEvent {
  return { ...event, content: `${event.content} (tampered)` };
}

/** Same event with a correct id but a signature that does not verify. */
export function withBadSig(event: NostrEvent): NostrEvent {
  const last = event.sig.slice(-1) === '0' ? '1' : '0';
  return { ...event, sig: event.sig.slice(0, -1) + last };
}

/** Recomputes the id (for hand-made events). */
export const eventId = (e: Omit<NostrEvent, 'id' | 'sig'>): string => getEventHash(e);

export interface SpreadOptions {
  /** Seed of the timestamp/content spread. */
  seed: string;
  /** Inclusive range of created_at. */
  since: number;
  until: number;
  kind?: number;
}

/** Deterministic created_at values spread over [since, until]. */
export function spread(count: number, opts: { seed: string; since: number; until: number }): number[] {
  const rnd = prng(opts.seed);
  const width = Math.max(0, opts.until - opts.since);
  return Array.from({ length: count }, () => opts.since + Math.floor(rnd() * (width + 1)));
}

/** `perAuthor` notes (or `kind`) per key, signed in bulk; content is unique per author and index. */
export async function manyNotes(keys: readonly Keypair[], perAuthor: number, opts: SpreadOptions): Promise<NostrEvent[]> {
  const items: Array<{ key: Keypair; template: EventTemplate }> = [];
  for (const key of keys) {
    const times = spread(perAuthor, { ...opts, seed: `${opts.seed}:${key.pk}` });
    times.forEach((created_at, i) => {
      items.push({ key, template: { kind: opts.kind ?? 1, created_at, tags: [], content: `note ${i} of ${key.pk.slice(0, 12)} (${opts.seed})` } });
    });
  }
  return signMany(items);
}
