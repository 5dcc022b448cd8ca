/**
 * The part of the graph the window draws: stations, members, N1 and a deterministic sample of N2 up to a
 * limit, with sizes by degree, the groups of members who follow each other (and the N1 and N2 hanging on them),
 * edges (one "parent" edge per node first, so nothing floats, then the rest up to a budget) and the input of the
 * layout. Pure.
 */
import { nip19 } from 'nostr-tools';
import { toColumns, type GraphNode, type Subgraph } from '../../shared/schemas';
import type { Analysis } from './analyze';
import { memberGroups } from './groups';
import type { LayoutInput } from './layout';
import type { FollowGraph } from './model';

/** A station of the constellation, linked to its captain's and node's keys. */
export interface StationNode {
  id: string;
  label: string;
  links: string[];
  /** this station (drawn at the centre) */
  self?: boolean;
}

export interface SubgraphSource {
  graph: FollowGraph;
  reverse: { offsets: Uint32Array; sources: Uint32Array };
  analysis: Analysis;
  names: ReadonlyMap<string, string>;
  stations: readonly StationNode[];
  /** this station's users (MULTIPASS keys): drawn as its own */
  localUsers?: ReadonlySet<string>;
  /** node index of a key */
  indexOf(hex: string): number | undefined;
}

/**
 * Edges kept per node of the limit: one parent edge each, and about as many follows again, closest first (the
 * members' follows between them and into N1 before anything else): the structure without a haze of 60,000 lines
 * that costs seconds to build and draw on software GL and hides more than it shows.
 */
export const EDGES_PER_NODE = 2;
const STATION_SIZE = 14;

/** `npub1abcd…wxyz` for keys without a name. */
export function shortKey(hex: string): string {
  try {
    const npub = nip19.npubEncode(hex);
    return `${npub.slice(0, 10)}…${npub.slice(-4)}`;
  } catch {
    return `${hex.slice(0, 8)}…${hex.slice(-4)}`;
  }
}

/** A deterministic choice in [0, count) for node `v` (a hash, not the graph's order). */
function spread(v: number, count: number): number {
  if (count <= 1) return 0;
  let h = Math.imul(v + 1, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) % count;
}

export function nodeSize(degree: number): number {
  return Math.round((2 + 2 * Math.log2(1 + degree)) * 100) / 100;
}

/**
 * The first `room` of `level` by most followers (ties: smaller key), in that order. A histogram of follower
 * counts finds the cut, so only the nodes tied at the cut are sorted by key (N2 has hundreds of thousands of
 * nodes, most of them tied at one or two followers).
 */
function topOfLevel(level: number[], room: number, followers: Uint32Array, keys: readonly string[]): number[] {
  if (level.length <= room) return level;
  let maxF = 0;
  for (const i of level) if ((followers[i] as number) > maxF) maxF = followers[i] as number;
  const count = new Uint32Array(maxF + 2);
  for (const i of level) count[followers[i] as number]!++;
  // The cut: the follower count c where the nodes above it fit and those at c do not all fit.
  let above = 0;
  let cut = maxF;
  while (cut > 0 && above + (count[cut] as number) <= room) above += count[cut--] as number;
  const take: number[] = [];
  const tied: number[] = [];
  for (const i of level) {
    const f = followers[i] as number;
    if (f > cut) take.push(i);
    else if (f === cut) tied.push(i);
  }
  const byFollowersThenKey = (a: number, b: number): number =>
    (followers[b] as number) - (followers[a] as number) || ((keys[a] as string) < (keys[b] as string) ? -1 : 1);
  take.sort(byFollowersThenKey);
  tied.sort(byFollowersThenKey);
  for (let k = 0; take.length < room && k < tied.length; k++) take.push(tied[k] as number);
  return take;
}

/**
 * Picks the nodes: stations, then members, N1 and N2 (up to `depth`), each level by most followers first
 * (ties: smaller key), until `limit` nodes.
 */
function pick(src: SubgraphSource, depth: number, limit: number): { chosen: number[]; total: number; levels: number[] } {
  const { distance, followers } = src.analysis;
  const keys = src.graph.keys;
  const levels: number[][] = [[], [], []];
  for (let i = 0; i < distance.length; i++) {
    const d = distance[i] as number;
    if (d >= 0 && d <= depth) levels[d]!.push(i);
  }
  const chosen: number[] = [];
  let room = Math.max(0, limit - src.stations.length);
  for (const level of levels) {
    if (room <= 0) break;
    const take = topOfLevel(level, room, followers, keys);
    for (const i of take) chosen.push(i);
    room -= take.length;
  }
  const total = src.stations.length + levels.reduce((n, l) => n + l.length, 0);
  return { chosen, total, levels: levels.map((l) => l.length) };
}

export interface SelectedSubgraph {
  nodes: Array<Omit<GraphNode, 'x' | 'y'>>;
  /** pairs of node positions, as in Subgraph.edges */
  edges: number[];
  layout: Omit<LayoutInput, 'iterations'>;
  totalNodes: number;
  totals: Subgraph['totals'];
  groups: number[];
  sampled: boolean;
}

export function selectSubgraph(src: SubgraphSource, depth: number, limit: number): SelectedSubgraph {
  const { graph, analysis, reverse } = src;
  const { keys, offsets, targets } = graph;
  const stations = src.stations.slice(0, limit);
  const { chosen, total, levels } = pick({ ...src, stations }, depth, limit);
  // node index → position in the picture (-1: not drawn); typed, as it is read once per follow of each node.
  const pos = new Int32Array(keys.length).fill(-1);
  const nodes: SelectedSubgraph['nodes'] = [];
  const ring: number[] = [];
  const size: number[] = [];
  for (const s of stations) {
    nodes.push({ id: s.id, label: s.label, kind: 'station', distance: 0, size: STATION_SIZE, local: s.self === true, group: -1 });
    ring.push(0);
    size.push(STATION_SIZE);
  }
  const kinds = ['member', 'n1', 'n2'] as const;
  const local = src.localUsers ?? new Set<string>();
  for (const i of chosen) {
    const d = analysis.distance[i] as 0 | 1 | 2;
    const key = keys[i] as string;
    const degree = (analysis.followers[i] as number) + (offsets[i + 1] as number) - (offsets[i] as number);
    pos[i] = nodes.length;
    nodes.push({ id: key, label: src.names.get(key) || shortKey(key), kind: kinds[d], distance: d, size: nodeSize(degree), local: d === 0 && local.has(key), group: -1 });
    ring.push(d);
    size.push(nodeSize(degree));
  }

  const budget = Math.max(nodes.length, EDGES_PER_NODE * limit);
  const pairs: number[] = [];
  const parent = new Int32Array(nodes.length).fill(-1);
  const add = (a: number, b: number): void => {
    pairs.push(a, b);
  };
  // Stations to their captain's and node's keys when those are drawn members (each once); the first one is where
  // the layout puts the station.
  const anchor = new Int32Array(stations.length).fill(-1);
  stations.forEach((s, si) => {
    const linked = new Set<number>();
    for (const hex of s.links) {
      const i = src.indexOf(hex);
      const p = i === undefined ? -1 : (pos[i] as number);
      if (i !== undefined && p >= 0 && analysis.distance[i] === 0 && !linked.has(p)) {
        linked.add(p);
        if (anchor[si] === -1) anchor[si] = p;
        add(si, p);
      }
    }
  });
  // One parent edge per node (a drawn follower one step closer), so every node hangs on the picture; the
  // layout builds its tree on these. Among the candidates, one picked by a hash of the node: deterministic,
  // and children spread over their possible parents instead of all hanging on the first.
  for (const v of chosen) {
    const dv = analysis.distance[v] as number;
    if (dv === 0) continue;
    const first = reverse.offsets[v] as number;
    const end = reverse.offsets[v + 1] as number;
    let candidates = 0;
    for (let e = first; e < end; e++) {
      const u = reverse.sources[e] as number;
      if ((pos[u] as number) >= 0 && analysis.distance[u] === dv - 1) candidates++;
    }
    let pick = spread(v, candidates);
    for (let e = first; e < end; e++) {
      const u = reverse.sources[e] as number;
      const pu = pos[u] as number;
      if (pu >= 0 && analysis.distance[u] === dv - 1 && pick-- === 0) {
        parent[pos[v] as number] = pu;
        add(pu, pos[v] as number);
        break;
      }
    }
  }
  // Then the other follows between drawn nodes, closest sources first, up to the budget. A follow list holds
  // each key once, so the only duplicate to skip is the parent edge already added.
  let full = false;
  for (const u of chosen) {
    if (full) break;
    const pu = pos[u] as number;
    for (let e = offsets[u] as number, end = offsets[u + 1] as number; e < end; e++) {
      const pv = pos[targets[e] as number] as number;
      if (pv < 0 || parent[pv] === pu) continue;
      if (pairs.length / 2 >= budget) {
        full = true;
        break;
      }
      add(pu, pv);
    }
  }
  const groups = groupsOf(src, chosen, pos, stations.length, levels[0] ?? 0);
  // Members' groups; each N1 and N2 takes the group of the node it hangs on (`chosen` is members, then N1, then N2,
  // so a parent's group is known before its children's).
  const group = new Int32Array(nodes.length).fill(-1);
  for (let m = 0; m < groups.group.length; m++) group[stations.length + m] = groups.group[m] as number;
  for (let p = stations.length; p < nodes.length; p++) {
    const up = parent[p] as number;
    if (up >= 0) group[p] = group[up] as number;
  }
  for (let p = 0; p < nodes.length; p++) (nodes[p] as { group: number }).group = group[p] as number;
  return {
    nodes,
    edges: pairs,
    layout: {
      ring: Uint8Array.from(ring),
      size: Float32Array.from(size),
      edges: Uint32Array.from(pairs),
      parent,
      stations: stations.length,
      group,
      anchor,
      self: stations.findIndex((s) => s.self === true),
    },
    totalNodes: total,
    totals: { station: stations.length, member: levels[0] ?? 0, n1: levels[1] ?? 0, n2: levels[2] ?? 0 },
    groups: groups.sizes,
    sampled: nodes.length < total || full,
  };
}

/**
 * The groups of the drawn members, from every follow between two of them (the whole graph, not only the edges
 * drawn). Members are the first `drawnMembers` of `chosen`, at positions `first`, `first + 1`, …
 */
function groupsOf(src: SubgraphSource, chosen: readonly number[], pos: Int32Array, first: number, members: number): { group: Int32Array; sizes: number[] } {
  const { offsets, targets } = src.graph;
  const drawn = Math.min(members, chosen.length);
  const follows: number[] = [];
  for (let m = 0; m < drawn; m++) {
    const u = chosen[m] as number;
    for (let e = offsets[u] as number, end = offsets[u + 1] as number; e < end; e++) {
      const p = (pos[targets[e] as number] as number) - first;
      if (p >= 0 && p < drawn) follows.push(m, p);
    }
  }
  return memberGroups(drawn, follows);
}

/** Joins the selection and the computed positions into the contract's Subgraph. */
export function withPositions(sel: SelectedSubgraph, xy: Float64Array, computedAt: number): Subgraph {
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    nodes: toColumns(sel.nodes.map((node, i) => ({ ...node, x: round(xy[2 * i] as number), y: round(xy[2 * i + 1] as number) }))),
    edges: sel.edges,
    totalNodes: sel.totalNodes,
    totals: sel.totals,
    groups: sel.groups,
    sampled: sel.sampled,
    computedAt,
  };
}
