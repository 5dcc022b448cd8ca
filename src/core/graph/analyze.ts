/**
 * Distances and per-node figures on a FollowGraph: breadth-first search from the members, follower counts,
 * and which N2 keys a single member brings. Pure and linear in the number of edges.
 */
import type { FollowGraph } from './model';

/** Nothing reaches the node (within the two hops the constellation cares about). */
export const UNREACHED = -1;
const NO_OWNER = -1;
const MANY_OWNERS = -2;

export interface Analysis {
  /** node → 0 (member), 1 (N1), 2 (N2) or UNREACHED */
  distance: Int8Array;
  members: number;
  n1: number;
  n2: number;
  /** follow edges of the loaded lists (members' and N1's) */
  edges: number;
  /** node → how many loaded lists follow it */
  followers: Uint32Array;
  /** member node → N2 keys reachable only through that member */
  n2Alone: Uint32Array;
}

/** Multi-source BFS from the members, stopping at distance `maxDepth` (2: N2). */
export function distances(graph: FollowGraph, members: Uint32Array, maxDepth = 2): Int8Array {
  const n = graph.keys.length;
  const dist = new Int8Array(n).fill(UNREACHED);
  const queue = new Uint32Array(n);
  let head = 0;
  let tail = 0;
  for (const m of members) {
    if (dist[m] === UNREACHED) {
      dist[m] = 0;
      queue[tail++] = m;
    }
  }
  const { offsets, targets } = graph;
  while (head < tail) {
    const u = queue[head++] as number;
    const du = dist[u] as number;
    if (du >= maxDepth) continue;
    for (let e = offsets[u] as number, end = offsets[u + 1] as number; e < end; e++) {
      const v = targets[e] as number;
      if (dist[v] === UNREACHED) {
        dist[v] = du + 1;
        queue[tail++] = v;
      }
    }
  }
  return dist;
}

/** How many loaded lists follow each node. */
export function followerCounts(graph: FollowGraph): Uint32Array {
  const counts = new Uint32Array(graph.keys.length);
  const { targets } = graph;
  for (let e = 0; e < targets.length; e++) counts[targets[e] as number]!++;
  return counts;
}

/**
 * For each member, how many N2 keys are reachable through that member only: an N1 key is "owned" by the one
 * member that follows it (or by many), an N2 key by the one member owning all its N1 followers.
 */
export function n2AloneCounts(graph: FollowGraph, dist: Int8Array): Uint32Array {
  const n = graph.keys.length;
  const { offsets, targets } = graph;
  const owner = new Int32Array(n).fill(NO_OWNER);
  const merge = (v: number, who: number): void => {
    const cur = owner[v] as number;
    if (cur === NO_OWNER) owner[v] = who;
    else if (cur !== who) owner[v] = MANY_OWNERS;
  };
  // Pass 1: members → N1; pass 2: N1 → N2 (an N1 key's owner propagates, MANY stays MANY).
  for (const level of [0, 1]) {
    for (let u = 0; u < n; u++) {
      if (dist[u] !== level) continue;
      const who = level === 0 ? u : (owner[u] as number);
      if (who === NO_OWNER) continue;
      for (let e = offsets[u] as number, end = offsets[u + 1] as number; e < end; e++) {
        const v = targets[e] as number;
        if (dist[v] === level + 1) merge(v, who);
      }
    }
  }
  const alone = new Uint32Array(n);
  for (let v = 0; v < n; v++) {
    const who = owner[v] as number;
    if (dist[v] === 2 && who >= 0) alone[who]!++;
  }
  return alone;
}

export function analyze(graph: FollowGraph, members: Uint32Array): Analysis {
  const distance = distances(graph, members);
  let m = 0;
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < distance.length; i++) {
    const d = distance[i];
    if (d === 0) m++;
    else if (d === 1) n1++;
    else if (d === 2) n2++;
  }
  return {
    distance,
    members: m,
    n1,
    n2,
    edges: graph.targets.length,
    followers: followerCounts(graph),
    n2Alone: n2AloneCounts(graph, distance),
  };
}
