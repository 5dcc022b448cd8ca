/**
 * Groups of members who follow each other: Louvain communities (graphology-communities-louvain) of the follows
 * between the drawn members, the window's colours and the layout's sectors. Deterministic: the same follows give
 * the same groups (seeded random walk, nodes added in a fixed order).
 */
import Graph from 'graphology';
import louvain from 'graphology-communities-louvain';
import { mulberry32 } from '../util/prng';

/**
 * `count` members (0 … count-1) and their follows as pairs [a0, b0, a1, b1, …] (a follows b). Answers each member's
 * group: 0 for the largest group, 1 for the next… (ties: the group holding the smaller member first); -1 for a
 * member that shares a group with nobody (no follow to or from another member, or a community of one). A follow
 * both ways weighs twice a one-way follow.
 */
export function memberGroups(count: number, follows: ArrayLike<number>): { group: Int32Array; sizes: number[] } {
  const group = new Int32Array(count).fill(-1);
  const g = new Graph({ type: 'undirected', multi: false, allowSelfLoops: false });
  for (let i = 0; i < count; i++) g.addNode(i);
  for (let e = 0; e + 1 < follows.length; e += 2) {
    const a = follows[e] as number;
    const b = follows[e + 1] as number;
    if (a === b || a >= count || b >= count) continue;
    if (g.hasEdge(a, b)) g.updateEdgeAttribute(a, b, 'weight', (w: number | undefined) => (w ?? 1) + 1);
    else g.addEdge(a, b, { weight: 1 });
  }
  if (g.size === 0) return { group, sizes: [] };
  const communities = louvain(g, { rng: mulberry32(count * 31 + g.size), getEdgeWeight: 'weight' });
  const members = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    if (g.degree(i) === 0) continue;
    const c = communities[String(i)] as number;
    const list = members.get(c);
    if (list) list.push(i);
    else members.set(c, [i]);
  }
  const ranked = [...members.values()].filter((m) => m.length > 1).sort((a, b) => b.length - a.length || (a[0] as number) - (b[0] as number));
  ranked.forEach((list, rank) => {
    for (const i of list) group[i] = rank;
  });
  return { group, sizes: ranked.map((l) => l.length) };
}
