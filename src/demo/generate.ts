/**
 * Turns a demo plan into signed events and decides where each one lives: which peers' relays hold it, and
 * whether the station's own relay already had it before the first demo sync. Everything is deterministic
 * for a seed and a generation time, except the signatures' random aux data.
 */
import type { EventTemplate, NostrEvent } from 'nostr-tools';
import { prng, signMany, WELCOME_TEXT, type Keypair } from '../devkit';
import { avatarDataUri } from './avatar';
import { DEMO_PEERS, type DemoPerson, type DemoPlan } from './plan';
import { ARTICLE_TITLES, ENDINGS, FIRST_NAMES, LAST_NAMES, OPENERS, PLACES, REACTIONS, TOPICS, TRADES } from './words';

export interface DemoEvents {
  /** Events per peer relay (index as DEMO_PEERS). */
  peers: NostrEvent[][];
  /** What the station's own relay holds before its first demo sync. */
  local: NostrEvent[];
  total: number;
}

const DAY = 86_400;

interface Placed {
  key: Keypair;
  template: EventTemplate;
  /** Peer indexes holding it. */
  on: number[];
  /** Already in the station's relay before the first sync. */
  local: boolean;
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;

function displayName(rnd: () => number): { first: string; last: string } {
  return { first: pick(rnd, FIRST_NAMES), last: pick(rnd, LAST_NAMES) };
}

function profileContent(p: DemoPerson, rnd: () => number): string {
  const homeHost = p.home >= 0 ? (DEMO_PEERS[p.home]?.hostname ?? 'demo.uplanet') : 'home.demo.uplanet';
  if (p.kind === 'geo') {
    return JSON.stringify({ name: p.label, about: `Geographic key ${p.label} of the demo station`, picture: avatarDataUri(p.key.pk) });
  }
  if (p.kind === 'peer') {
    const [station, role] = p.label.split(' ');
    return JSON.stringify({
      name: `${station}-${role}`,
      display_name: `${station} ${role}`,
      about: `${role === 'captain' ? 'Captain' : 'Node key'} of the ${station} station`,
      picture: avatarDataUri(p.key.pk),
      nip05: `${role}@${homeHost}`,
    });
  }
  const { first, last } = displayName(rnd);
  const handle = `${first}${last}`.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase().slice(0, 20) + String(Math.floor(rnd() * 90) + 10);
  return JSON.stringify({
    name: handle,
    display_name: `${first} ${last}`,
    about: `${pick(rnd, TRADES)} in ${pick(rnd, PLACES)}. ${pick(rnd, ['Member of the demo UPlanet.', 'Here for the gardens.', 'Ask me about bikes.', 'Sharing what I grow.', 'Nostr since 2023.'])}`,
    picture: avatarDataUri(p.key.pk),
    nip05: `${handle}@${homeHost}`,
    ...(rnd() < 0.3 ? { website: `https://${handle}.example` } : {}),
  });
}

/** A profile of the N1 ring (people the members follow) or of a popular N2 account. */
function outerProfileContent(key: Keypair, rnd: () => number): string {
  const { first, last } = displayName(rnd);
  const handle = `${first}${last}`.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase().slice(0, 20);
  return JSON.stringify({
    name: handle,
    display_name: `${first} ${last}`,
    about: `${pick(rnd, TRADES)} in ${pick(rnd, PLACES)}.`,
    picture: avatarDataUri(key.pk),
  });
}

/**
 * What the station's relay holds of the N1 ring (and the popular N2 accounts' profiles) before any sync, as a real station's does (its users' clients
 * publish there, other syncs bring them): follow lists, most with a profile; a fifth touched in the last day.
 * Only in the station's relay: the sync asks peers for members' events, never for these.
 */
function n1Events(plan: DemoPlan, nowSec: number, rnd: () => number): Placed[] {
  const out: Placed[] = [];
  const when = (maxDays: number): number => nowSec - (rnd() < 0.2 ? Math.floor(rnd() * 20 * 3600) : DAY + Math.floor(rnd() * (maxDays - 1) * DAY));
  for (const n of plan.n1) {
    out.push({ key: n.key, template: { kind: 3, created_at: when(60), tags: n.follows.map((h) => ['p', h]), content: '' }, on: [], local: true });
    if (n.profile) out.push({ key: n.key, template: { kind: 0, created_at: when(180), tags: [], content: outerProfileContent(n.key, rnd) }, on: [], local: true });
  }
  for (const key of plan.famous) out.push({ key, template: { kind: 0, created_at: when(180), tags: [], content: outerProfileContent(key, rnd) }, on: [], local: true });
  return out;
}

function noteText(rnd: () => number): string {
  return `${pick(rnd, OPENERS)} ${pick(rnd, TOPICS)}${pick(rnd, ENDINGS)}`;
}

/** Peers holding a person's event: its home peer, sometimes one or two more (stations copy each other). */
function holders(p: DemoPerson, rnd: () => number): number[] {
  const n = DEMO_PEERS.length;
  const first = p.home >= 0 ? p.home : Math.floor(rnd() * n);
  const on = [first];
  if (rnd() < 0.35) on.push((first + 1 + Math.floor(rnd() * (n - 1))) % n);
  if (rnd() < 0.1) on.push((first + 2) % n);
  return [...new Set(on)];
}

export async function generateEvents(plan: DemoPlan, nowSec: number): Promise<DemoEvents> {
  const rnd = prng(`${plan.seed}:events:${nowSec}`);
  const windowStart = nowSec - 7 * DAY + 3600;
  const windowEnd = nowSec - 600;
  const inWindow = (): number => windowStart + Math.floor(rnd() * (windowEnd - windowStart));
  // Before the first demo sync the station's relay holds its own people's events, and some older ones it had
  // synced earlier (up to two days ago): the first sync imports the rest, a second imports nothing new.
  const alreadyLocal = (p: DemoPerson, t: number): boolean => p.home < 0 || (t < nowSec - 2 * DAY && rnd() < 0.4);

  const first: Placed[] = [];
  for (const p of plan.people) {
    const on = holders(p, rnd);
    if (p.fate !== 'none') {
      const old = p.fate === 'old-one-peer';
      const t = old ? nowSec - (20 + Math.floor(rnd() * 40)) * DAY : inWindow();
      first.push({ key: p.key, template: { kind: 0, created_at: t, tags: [], content: profileContent(p, rnd) }, on: old ? [p.home] : on, local: !old && alreadyLocal(p, t) });
    }
    const tf = inWindow();
    first.push({ key: p.key, template: { kind: 3, created_at: tf, tags: p.follows.map((h) => ['p', h]), content: '' }, on, local: alreadyLocal(p, tf) });
    // Notes: most people post a little, a few post a lot.
    const notes = Math.min(50, Math.floor(1 + 40 * Math.pow(rnd(), 3)));
    for (let i = 0; i < notes; i++) {
      const t = inWindow();
      const tags = rnd() < 0.3 ? [['t', pick(rnd, ['uplanet', 'nostr', 'astroport', 'g1', 'garden'])]] : [];
      first.push({ key: p.key, template: { kind: 1, created_at: t, tags, content: noteText(rnd) }, on: holders(p, rnd), local: alreadyLocal(p, t) });
    }
    if (p.kind !== 'geo' && rnd() < 0.15) {
      const title = pick(rnd, ARTICLE_TITLES);
      const t = inWindow();
      const body = `# ${title}\n\n${noteText(rnd)}.\n\n${noteText(rnd)}. ${noteText(rnd)}.\n`;
      first.push({
        key: p.key,
        template: { kind: 30023, created_at: t, tags: [['d', title.toLowerCase().replace(/[^a-z]+/g, '-')], ['title', title], ['published_at', String(t)]], content: body },
        on,
        local: alreadyLocal(p, t),
      });
    }
    // The station's automatic welcome notes: the sieve drops them, as the old script did.
    if (p.kind === 'ami' && rnd() < 0.04) {
      first.push({ key: p.key, template: { kind: 1, created_at: inWindow(), tags: [], content: `${WELCOME_TEXT} Welcome to ${DEMO_PEERS[on[0] ?? 0]?.name}.` }, on, local: false });
    }
  }
  first.push(...n1Events(plan, nowSec, rnd));
  const signed = await signMany(first.map(({ key, template }) => ({ key, template })));

  // Second wave, which needs the first wave's ids: reactions to notes, and a few deletions.
  const notes = signed.filter((e) => e.kind === 1 && !e.content.startsWith(WELCOME_TEXT));
  const notesBy = new Map<string, NostrEvent[]>();
  for (const e of notes) (notesBy.get(e.pubkey) ?? notesBy.set(e.pubkey, []).get(e.pubkey))?.push(e);
  const second: Placed[] = [];
  for (const p of plan.people) {
    const followed = p.follows.filter((h) => notesBy.has(h));
    const reactions = followed.length ? Math.floor(12 * Math.pow(rnd(), 2)) : 0;
    for (let i = 0; i < reactions; i++) {
      const target = pick(rnd, notesBy.get(pick(rnd, followed)) ?? []);
      const t = Math.min(windowEnd, target.created_at + 60 + Math.floor(rnd() * 6 * 3600));
      second.push({ key: p.key, template: { kind: 7, created_at: t, tags: [['e', target.id], ['p', target.pubkey]], content: pick(rnd, REACTIONS) }, on: holders(p, rnd), local: alreadyLocal(p, t) });
    }
    const own = notesBy.get(p.key.pk);
    if (p.kind === 'ami' && own && own.length > 3 && rnd() < 0.05) {
      const gone = own[0] as NostrEvent;
      // Deleted on the same peers as the note: the sieve drops the note it deletes.
      const on = first[signed.indexOf(gone)]?.on ?? [p.home];
      second.push({ key: p.key, template: { kind: 5, created_at: Math.min(windowEnd, gone.created_at + 120), tags: [['e', gone.id]], content: 'posted too fast' }, on, local: false });
    }
  }
  const signed2 = await signMany(second.map(({ key, template }) => ({ key, template })));

  const out: DemoEvents = { peers: DEMO_PEERS.map(() => []), local: [], total: 0 };
  const place = (items: Placed[], events: NostrEvent[]): void => {
    items.forEach((it, i) => {
      const e = events[i] as NostrEvent;
      for (const peer of it.on) out.peers[peer]?.push(e);
      if (it.local) out.local.push(e);
    });
  };
  place(first, signed);
  place(second, signed2);
  out.total = signed.length + signed2.length;
  return out;
}
