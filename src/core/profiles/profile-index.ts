/**
 * The in-memory profile index: every member (with or without a kind 0) and the accounts they follow, built from
 * the local relay. Follow lists are kept as integer ids so thousands of lists stay small.
 */
import { nip19 } from 'nostr-tools';
import type { ProfilePage, ProfileSummary } from '../../shared/schemas';
import { CONTACTS_KIND, PROFILE_KIND } from '../../shared/kinds';
import type { LocalStore, NostrEvent } from '../services';
import { EMPTY_FIELDS, parseProfileContent, type ProfileFields } from './content';
import { newestPerAuthor, newestPerAuthorOfKinds, type Newest } from './local';
import { memberRelays, type RelayEntry } from './relays';

export const RELAY_LIST_KIND = 10002;

export const INDEX_LIMITS = {
  /** Followed accounts (not members) indexed, beyond which the rest are left out (bounded memory). */
  others: 50_000,
  /** Entries of one follow list kept. */
  followsPerList: 10_000,
} as const;

const HEX = /^[0-9a-f]{64}$/;

export interface IndexEntry {
  hex: string;
  npub: string;
  fields: ProfileFields;
  /** created_at of the kind 0 used; null when none is held. */
  updatedAt: number | null;
  member: boolean;
  /** Lower-case name, display name and NIP-05, for search. */
  haystack: string;
  /** Members only: the export object and relay list. */
  exported?: Record<string, string | number | boolean>;
  relays?: RelayEntry[];
}

function npubOf(hex: string): string {
  return nip19.npubEncode(hex);
}

function label(e: IndexEntry): string {
  return (e.fields.displayName || e.fields.name).toLowerCase();
}

export function summaryOf(e: IndexEntry): ProfileSummary {
  return {
    hex: e.hex,
    npub: e.npub,
    name: e.fields.name,
    displayName: e.fields.displayName,
    nip05: e.fields.nip05,
    picture: e.fields.picture,
    about: e.fields.about,
    updatedAt: e.updatedAt,
  };
}

/** A summary for a key the index does not hold (no kind 0 known). */
export function bareSummary(hex: string): ProfileSummary {
  return { hex, npub: npubOf(hex), name: '', displayName: '', nip05: '', picture: '', about: '', updatedAt: null };
}

export function makeEntry(hex: string, member: boolean, parsed: { fields: ProfileFields; exported: IndexEntry['exported'] } | null, updatedAt: number | null): IndexEntry {
  const fields = parsed?.fields ?? { ...EMPTY_FIELDS };
  const entry: IndexEntry = {
    hex,
    npub: npubOf(hex),
    fields,
    updatedAt,
    member,
    haystack: `${fields.name}\n${fields.displayName}\n${fields.nip05}`.toLowerCase(),
  };
  if (member) entry.exported = parsed?.exported ?? {};
  return entry;
}

function pTags(e: NostrEvent): string[] {
  const out = new Set<string>();
  for (const t of e.tags) {
    if (t[0] === 'p' && typeof t[1] === 'string' && HEX.test(t[1])) out.add(t[1]);
    if (out.size >= INDEX_LIMITS.followsPerList) break;
  }
  return [...out];
}

export class ProfileIndex {
  readonly builtAt: number;
  private readonly entries = new Map<string, IndexEntry>();
  /** Entries in display order: members first, named before unnamed, by label. */
  private readonly ordered: IndexEntry[];
  private readonly ids = new Map<string, number>();
  private readonly hexes: string[] = [];
  /** member id → ids it follows */
  private readonly follows = new Map<number, Uint32Array>();
  readonly members: readonly string[];

  constructor(
    members: readonly string[],
    entries: IndexEntry[],
    follows: ReadonlyMap<string, readonly string[]>,
    builtAt: number,
  ) {
    this.builtAt = builtAt;
    this.members = members;
    for (const e of entries) this.entries.set(e.hex, e);
    for (const m of members) this.idOf(m);
    for (const [member, list] of follows) this.follows.set(this.idOf(member), Uint32Array.from(list, (h) => this.idOf(h)));
    this.ordered = [...this.entries.values()].sort((a, b) => {
      if (a.member !== b.member) return a.member ? -1 : 1;
      const la = label(a);
      const lb = label(b);
      if ((la === '') !== (lb === '')) return la === '' ? 1 : -1;
      return la < lb ? -1 : la > lb ? 1 : a.hex < b.hex ? -1 : 1;
    });
  }

  private idOf(hex: string): number {
    let id = this.ids.get(hex);
    if (id === undefined) {
      id = this.hexes.length;
      this.hexes.push(hex);
      this.ids.set(hex, id);
    }
    return id;
  }

  get size(): number {
    return this.entries.size;
  }

  entry(hex: string): IndexEntry | undefined {
    return this.entries.get(hex);
  }

  summary(hex: string): ProfileSummary {
    const e = this.entries.get(hex);
    return e ? summaryOf(e) : bareSummary(hex);
  }

  isMember(hex: string): boolean {
    return this.entries.get(hex)?.member ?? false;
  }

  /** Inside the constellation: a member or an account a member follows. */
  isInside(hex: string): boolean {
    return this.ids.has(hex);
  }

  /** Members without a kind 0 in the local relay. */
  missing(): string[] {
    return this.members.filter((h) => this.entries.get(h)?.updatedAt === null);
  }

  followsOf(hex: string): string[] | null {
    const id = this.ids.get(hex);
    const list = id === undefined ? undefined : this.follows.get(id);
    return list ? Array.from(list, (i) => this.hexes[i] as string) : null;
  }

  /** Members whose follow list names `hex`. */
  followersOf(hex: string): string[] {
    const id = this.ids.get(hex);
    if (id === undefined) return [];
    const out: string[] = [];
    for (const [member, list] of this.follows) if (list.includes(id)) out.push(this.hexes[member] as string);
    return out;
  }

  /**
   * Case-insensitive search by name, display name, NIP-05 (a leading `@` ignored), npub or hex (whole or the
   * beginning). Members first, then the others; within each, exact matches before prefixes before the rest.
   */
  search(query: string, offset: number, limit: number): ProfilePage {
    const q = query.trim().toLowerCase().replace(/^@/, '');
    let hits: { e: IndexEntry; score: number }[];
    if (q.length === 0) {
      hits = this.ordered.map((e) => ({ e, score: 0 }));
    } else {
      const keyLike = /^[0-9a-f]+$/.test(q) && q.length >= 4;
      const npubLike = q.startsWith('npub1');
      hits = [];
      for (const e of this.ordered) {
        let score = -1;
        if ((keyLike && e.hex.startsWith(q)) || (npubLike && e.npub.startsWith(q))) score = 0;
        else {
          const at = e.haystack.indexOf(q);
          if (at >= 0) {
            const fields = [e.fields.name, e.fields.displayName, e.fields.nip05].map((f) => f.toLowerCase());
            score = fields.includes(q) ? 0 : fields.some((f) => f.startsWith(q)) ? 1 : 2;
          }
        }
        if (score >= 0) hits.push({ e, score });
      }
      // Stable sort keeps the display order within each (group, score).
      hits.sort((a, b) => (a.e.member === b.e.member ? 0 : a.e.member ? -1 : 1) || a.score - b.score);
    }
    return { total: hits.length, items: hits.slice(offset, offset + limit).map((h) => summaryOf(h.e)) };
  }

  /** Every member in a stable order with what the export needs. */
  exportEntries(): IndexEntry[] {
    return this.members.map((h) => this.entries.get(h)).filter((e): e is IndexEntry => e !== undefined);
  }
}

/** Builds the index from the local relay for these members (and the accounts they follow). */
export async function buildIndex(
  store: LocalStore,
  memberList: readonly string[],
  clock: () => number,
  signal?: AbortSignal,
): Promise<ProfileIndex> {
  const members = [...new Set(memberList.filter((h) => HEX.test(h)))].sort();
  const memberSet = new Set(members);

  // Profiles, follow lists and relay lists of the members, in the same queries.
  type MemberRead =
    | { kind: typeof CONTACTS_KIND; follows: string[]; relays: RelayEntry[] }
    | { kind: typeof RELAY_LIST_KIND; relays: RelayEntry[] }
    | { kind: typeof PROFILE_KIND; parsed: ReturnType<typeof parseProfileContent>; relays: RelayEntry[] };
  const read = await newestPerAuthorOfKinds<MemberRead>(
    store,
    [PROFILE_KIND, CONTACTS_KIND, RELAY_LIST_KIND],
    members,
    (e) =>
      e.kind === CONTACTS_KIND
        ? { kind: CONTACTS_KIND, follows: pTags(e), relays: memberRelays({ contacts: e }) }
        : e.kind === RELAY_LIST_KIND
          ? { kind: RELAY_LIST_KIND, relays: memberRelays({ relayList: e }) }
          : { kind: PROFILE_KIND, parsed: parseProfileContent(e.content), relays: memberRelays({ profile: e }) },
    signal,
  );
  const ofKind = <K extends MemberRead['kind']>(kind: K): Map<string, Newest<Extract<MemberRead, { kind: K }>>> =>
    (read.get(kind) ?? new Map()) as Map<string, Newest<Extract<MemberRead, { kind: K }>>>;
  const contacts = ofKind(CONTACTS_KIND);
  const relayLists = ofKind(RELAY_LIST_KIND);
  const memberProfiles = ofKind(PROFILE_KIND);

  const follows = new Map<string, readonly string[]>();
  const others = new Set<string>();
  for (const [member, c] of contacts) {
    follows.set(member, c.value.follows);
    for (const h of c.value.follows) {
      if (others.size >= INDEX_LIMITS.others) break;
      if (!memberSet.has(h)) others.add(h);
    }
  }

  // The members' profiles came with their lists; the others' need a kind 0 only.
  const otherProfiles = await newestPerAuthor(store, PROFILE_KIND, [...others], (e) => ({ parsed: parseProfileContent(e.content) }), signal);

  const entries: IndexEntry[] = [];
  for (const hex of members) {
    const p = memberProfiles.get(hex);
    const entry = makeEntry(hex, true, p ? p.value.parsed : null, p ? p.created_at : null);
    const fromList = relayLists.get(hex)?.value.relays ?? [];
    const fromContacts = contacts.get(hex)?.value.relays ?? [];
    entry.relays = fromList.length > 0 ? fromList : fromContacts.length > 0 ? fromContacts : (p?.value.relays ?? []);
    entries.push(entry);
  }
  for (const hex of others) {
    const p = otherProfiles.get(hex);
    if (p) entries.push(makeEntry(hex, false, p.value.parsed, p.created_at));
  }
  return new ProfileIndex(members, entries, follows, clock());
}
