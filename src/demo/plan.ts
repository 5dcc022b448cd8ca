/**
 * The demo constellation's people and their follow graph, decided from a seed alone (no signing, no I/O):
 * the same seed always gives the same station, peers, members and follows. generate.ts turns a plan into
 * signed events.
 *
 * Shape: a station with a dozen local users (MULTIPASS) and its geographic keys, four peer stations, a few
 * hundred "amis" (the local users' follows, listed in amisOfAmis.txt: members too), and an outer ring of people
 * the members follow (the constellation's N1). Many of the outer ring have a follow list and a profile in the
 * station's relay, as a real station's relay holds them (its users' clients publish there, other syncs bring
 * them): their follows make the N2, partly shared (popular accounts) and partly their own (the accounts only
 * they follow), so some members bring N2 alone. Follow counts are heavy-tailed (a Pareto draw) and targets are
 * skewed towards popular keys, like a real social graph.
 */
import { createHash } from 'node:crypto';
import { keyFromSeed, prng, type Keypair } from '../devkit';

export const DEMO_SEED = 'constellation-demo';

export interface DemoPeerPlan {
  name: string;
  hostname: string;
  city: string;
  lat: string;
  lon: string;
  /** Serves NIP-77 (else the sync pages with REQ). */
  nip77: boolean;
  /** Reachable only through the kubo stand-in (its card says ws://127.0.0.1:7777, the peer's own loopback). */
  tunnelOnly: boolean;
}

export const DEMO_PEERS: readonly DemoPeerPlan[] = [
  { name: 'alpha', hostname: 'alpha.demo.uplanet', city: 'Toulouse,France', lat: '43.60', lon: '1.44', nip77: true, tunnelOnly: false },
  { name: 'beta', hostname: 'beta.demo.uplanet', city: 'Lyon,France', lat: '45.76', lon: '4.83', nip77: true, tunnelOnly: false },
  { name: 'gamma', hostname: 'gamma.demo.uplanet', city: 'Nantes,France', lat: '47.22', lon: '-1.55', nip77: true, tunnelOnly: false },
  { name: 'delta', hostname: 'delta.demo.uplanet', city: 'Grenoble,France', lat: '45.19', lon: '5.72', nip77: true, tunnelOnly: true },
];

export const SELF_HOSTNAME = 'home.demo.uplanet';

/** What a person's profile looks like on the network. */
export type ProfileFate =
  /** a kind 0 inside the sync window, on its home peer (and maybe others) */
  | 'recent'
  /** an old kind 0 (outside the window) on one peer only: found by the profile recovery */
  | 'old-one-peer'
  /** no kind 0 anywhere: listed as missing */
  | 'none';

export interface DemoPerson {
  key: Keypair;
  /** e.g. "user03@home.demo.uplanet", "UMAP_43.60_1.44", "ami 17", "alpha captain" */
  label: string;
  kind: 'local' | 'geo' | 'ami' | 'peer';
  /** Home peer index (where its events are published), or -1 for the station itself (local users, geo keys). */
  home: number;
  fate: ProfileFate;
  /** Pubkeys this person follows. */
  follows: string[];
}

export interface DemoPlan {
  seed: string;
  emails: string[];
  people: DemoPerson[];
  /** hex → person */
  byHex: Map<string, DemoPerson>;
  /** strfry/amisOfAmis.txt: the local users' follows. */
  amisOfAmis: string[];
  /** Keys the members follow beyond the members: the N1 ring. */
  outer: string[];
  /** The outer keys with events in the station's relay: a follow list, often a profile. */
  n1: DemoN1[];
  /** The most followed accounts of N2: their profiles are in the station's relay (its users look them up). */
  famous: Keypair[];
}

/** One of the N1 ring whose follow list (and maybe profile) the station's relay holds. */
export interface DemoN1 {
  key: Keypair;
  follows: string[];
  profile: boolean;
}

export const PLAN_SIZES = {
  locals: 12,
  amis: 270,
  outer: 6000,
  /** The most followed outer keys all have a follow list; beyond them, one in `n1ListEvery`. */
  n1ListsTop: 400,
  n1ListEvery: 3,
  /** Popular accounts the N1 lists share (the rest of N2 is each list's own). */
  n2Shared: 4000,
} as const;

/** The most followed of the shared N2 accounts, with a profile in the station's relay. */
const FAMOUS = 40;
/** Share of the N1 lists that come with a profile. */
const N1_PROFILE_SHARE = 0.7;

/** A deterministic 64-hex key no one signs with: only its follow edges matter (most of N2 on a station). */
function hashHex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whether outer key `i` has events in the station's relay (a keypair, so it can sign them). */
function outerSigns(i: number): boolean {
  return i < PLAN_SIZES.n1ListsTop || i % PLAN_SIZES.n1ListEvery === 0;
}

/** Pareto draw: many small values, a few very large ones. */
function pareto(rnd: () => number, min: number, alpha: number, cap: number): number {
  return Math.min(cap, Math.floor(min * Math.pow(1 - rnd(), -1 / alpha)));
}

function pickDistinct(rnd: () => number, from: readonly string[], count: number, skew: number, exclude: string): string[] {
  const out = new Set<string>();
  const n = Math.min(count, from.length - 1);
  let guard = n * 20;
  while (out.size < n && guard-- > 0) {
    const v = from[Math.floor(from.length * Math.pow(rnd(), skew))] as string;
    if (v !== exclude) out.add(v);
  }
  return [...out];
}

/**
 * The station's own keys come from buildStation (same seed scheme): local users `<seed>:user:<email>`, geo
 * keys `<seed>:geo:<folder>` (CAPTAIN = `<seed>:self:captain`), peers `<seed>:peer:<i>:captain|node`.
 */
export function geoFolders(selfPeerId: string): string[] {
  return ['CAPTAIN', 'UMAP_43.60_1.44', `UNODE_${selfPeerId}`, 'SECTOR_43.6_1.4', 'REGION_43_1'];
}

export function makePlan(seed: string, selfPeerId: string): DemoPlan {
  const rnd = prng(`${seed}:plan`);
  const people: DemoPerson[] = [];
  const emails = Array.from({ length: PLAN_SIZES.locals }, (_, i) => `user${String(i + 1).padStart(2, '0')}@${SELF_HOSTNAME}`);
  for (const email of emails) {
    people.push({ key: keyFromSeed(`${seed}:user:${email}`), label: email, kind: 'local', home: -1, fate: 'recent', follows: [] });
  }
  for (const folder of geoFolders(selfPeerId)) {
    const key = folder === 'CAPTAIN' ? keyFromSeed(`${seed}:self:captain`) : keyFromSeed(`${seed}:geo:${folder}`);
    people.push({ key, label: folder, kind: 'geo', home: -1, fate: 'recent', follows: [] });
  }
  DEMO_PEERS.forEach((p, i) => {
    for (const role of ['captain', 'node'] as const) {
      people.push({ key: keyFromSeed(`${seed}:peer:${i}:${role}`), label: `${p.name} ${role}`, kind: 'peer', home: i, fate: 'recent', follows: [] });
    }
  });
  for (let i = 0; i < PLAN_SIZES.amis; i++) {
    const r = rnd();
    // ~15% have only an old profile on one peer (the recovery finds them), ~5% have none at all.
    const fate: ProfileFate = r < 0.05 ? 'none' : r < 0.2 ? 'old-one-peer' : 'recent';
    people.push({ key: keyFromSeed(`${seed}:ami`, i), label: `ami ${i}`, kind: 'ami', home: Math.floor(rnd() * DEMO_PEERS.length), fate, follows: [] });
  }
  const outerKeys = Array.from({ length: PLAN_SIZES.outer }, (_, i) => (outerSigns(i) ? keyFromSeed(`${seed}:outer-key`, i) : null));
  const outer = outerKeys.map((k, i) => k?.pk ?? hashHex(`${seed}:outer:${i}`));
  const amis = people.filter((p) => p.kind === 'ami').map((p) => p.key.pk);
  const locals = people.filter((p) => p.kind === 'local');
  const captain = people.find((p) => p.label === 'CAPTAIN') as DemoPerson;

  // Local users: every ami is followed by at least one of them (round robin), plus a heavy-tailed extra share.
  amis.forEach((hex, i) => (locals[i % locals.length] as DemoPerson).follows.push(hex));
  for (const l of locals) {
    const extra = pickDistinct(rnd, amis, pareto(rnd, 10, 1.1, 120), 1.5, l.key.pk);
    l.follows = [...new Set([...l.follows, ...extra, captain.key.pk])];
  }
  // Everyone else: mostly the outer ring, some fellow members.
  const memberHexes = people.map((p) => p.key.pk);
  for (const p of people) {
    if (p.kind === 'local') continue;
    const n = pareto(rnd, 12, 1.15, 900);
    const inner = pickDistinct(rnd, memberHexes, Math.ceil(n * 0.2), 1.3, p.key.pk);
    const out = pickDistinct(rnd, outer, n - inner.length, 1.4, p.key.pk);
    p.follows = [...inner, ...out];
  }
  const amisOfAmis = [...new Set(locals.flatMap((l) => l.follows))].filter((h) => h !== captain.key.pk).sort();
  const famous = Array.from({ length: FAMOUS }, (_, i) => keyFromSeed(`${seed}:n2-key`, i));
  const n1 = n1Lists(rnd, seed, outerKeys, outer, memberHexes, famous);
  return { seed, emails, people, byHex: new Map(people.map((p) => [p.key.pk, p])), amisOfAmis, outer, n1, famous };
}

/**
 * The N1 ring's follow lists: a few fellow N1 and members, mostly popular accounts shared across lists, and a
 * share of accounts only this list follows (so an N1 key followed by a single member brings that member N2 alone).
 */
function n1Lists(
  rnd: () => number,
  seed: string,
  outerKeys: ReadonlyArray<Keypair | null>,
  outer: readonly string[],
  members: readonly string[],
  famous: readonly Keypair[],
): DemoN1[] {
  const shared = Array.from({ length: PLAN_SIZES.n2Shared }, (_, i) => famous[i]?.pk ?? hashHex(`${seed}:n2:${i}`));
  const out: DemoN1[] = [];
  outerKeys.forEach((key, i) => {
    if (!key) return;
    const n = pareto(rnd, 5, 1.4, 200);
    const own = Math.ceil(n * 0.2);
    const ring = pickDistinct(rnd, outer, Math.ceil(n * 0.1), 1.4, key.pk);
    const fellows = rnd() < 0.5 ? pickDistinct(rnd, members, Math.ceil(n * 0.05), 1.3, key.pk) : [];
    const popular = pickDistinct(rnd, shared, Math.max(0, n - own - ring.length - fellows.length), 1.6, key.pk);
    const mine = Array.from({ length: own }, (_, k) => hashHex(`${seed}:n2:${i}:${k}`));
    // The most followed have a profile: the connectors a captain reads come with a name.
    out.push({ key, follows: [...new Set([...ring, ...fellows, ...popular, ...mine])], profile: i < 60 || rnd() < N1_PROFILE_SHARE });
  });
  return out;
}
