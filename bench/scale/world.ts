/**
 * The constellation of bench/scale: a station (built by the devkit) with N peers, each peer a devkit relay
 * (max_limit 500) reached only through the kubo stand-in's tunnels, and M members. ~`perPeer` events per peer,
 * each event on 1–3 peers (uniformly chosen, at most N), authored by the members, inside the last day (the
 * sync's default window). Deterministic for a given seed (ids; signatures carry random aux data).
 */
import { KuboStandin, TestRelay, buildStation, prng, signMany, type BuiltStation, type EventTemplate, type Keypair, type NostrEvent } from '../../src/devkit';

export interface WorldSpec {
  peers: number;
  members: number;
  perPeer: number;
  seed: string;
  nowSec: number;
}

export interface World {
  spec: WorldSpec;
  built: BuiltStation;
  relays: TestRelay[];
  kubo: KuboStandin;
  /** the station's member set, as the engine reads it from the station folder */
  members: string[];
  /** every distinct event the peers hold */
  events: number;
  /** copies over all peers (Σ events per peer) */
  copies: number;
  /** wire bytes (TCP, framing and compression included) the peer relays moved so far, both ways */
  wireBytes(): number;
  /** WebSocket payload bytes (uncompressed) the peer relays moved so far, both ways */
  payloadBytes(): number;
  stop(): Promise<void>;
}

export async function buildWorld(spec: WorldSpec): Promise<World> {
  const { peers, members, perPeer, seed, nowSec } = spec;
  // members: 3 local users, the captain, 2 keys per peer card, and friends of friends to make up the count
  const amis = Math.max(1, members - 4 - 2 * peers);
  const built = await buildStation({ seed, peers, members: { emails: 3 }, amisOfAmis: amis, now: nowSec });
  const memberSet = Object.keys(built.members);
  const authors: Keypair[] = [...Object.values(built.keys.users), ...built.keys.amis];
  const rnd = prng(`${seed}:spread`);
  const meanCopies = [1, 2, 3].reduce((a, c) => a + Math.min(c, peers), 0) / 3;
  const distinct = Math.round((perPeer * peers) / meanCopies);
  const templates: Array<{ key: Keypair; template: EventTemplate }> = [];
  for (let i = 0; i < distinct; i++) {
    const key = authors[Math.floor(rnd() * authors.length)] as Keypair;
    const created_at = nowSec - 80_000 + Math.floor(rnd() * 79_900);
    templates.push({ key, template: { kind: 1, created_at, tags: [], content: `scale note ${i} (${seed})` } });
  }
  const signed = await signMany(templates);
  const perRelay: NostrEvent[][] = Array.from({ length: peers }, () => []);
  let copies = 0;
  for (const e of signed) {
    const want = Math.min(peers, 1 + Math.floor(rnd() * 3));
    const chosen = new Set<number>();
    while (chosen.size < want) chosen.add(Math.floor(rnd() * peers));
    for (const p of chosen) perRelay[p]!.push(e);
    copies += want;
  }
  const relays = await Promise.all(Array.from({ length: peers }, () => TestRelay.start({ maxLimit: 500 })));
  await Promise.all(relays.map((r, i) => r.seed(perRelay[i]!)));
  const kubo = await KuboStandin.start({ peerId: built.self.peerId });
  built.peers.forEach((p, i) => kubo.registerPeer(p.peerId, { host: '127.0.0.1', port: relays[i]!.port }));
  return {
    spec,
    built,
    relays,
    kubo,
    members: memberSet,
    events: signed.length,
    copies,
    wireBytes: () => relays.reduce((a, r) => a + r.stats.wireIn + r.stats.wireOut, 0),
    payloadBytes: () => relays.reduce((a, r) => a + r.stats.bytesIn + r.stats.bytesOut, 0),
    stop: async () => {
      await kubo.stop();
      await Promise.all(relays.map((r) => r.stop()));
      await built.cleanup();
    },
  };
}
