/**
 * The part of the graph the window draws: stations, members, N1 and a deterministic sample of N2 up to a
 * limit, with sizes by degree, edges (one "parent" edge per node first, so nothing floats, then the rest up to a
 * budget) and the input of the layout. Pure.
 */
import { nip19 } from 'nostr-tools';
import type { GraphNode, Subgraph } from '../../shared/schemas';
import type { Analysis } from './analyze';
import type { LayoutInput } from './layout';
import type { FollowGraph } from './model';

/** A station of the constellation, linked to its captain's and node's keys. */
export interface StationNode {
  id: string;
  label: string;
  links: string[];
}

export interface SubgraphSource {
  graph: FollowGraph;
  reverse: { offsets: Uint32Array; sources: Uint32Array };
  analysis: Analysis;
  names: ReadonlyMap<string, string>;
  stations: readonly StationNode[];
  /** node index of a key */
  indexOf(hex: string): number | undefined;
}

/** Edges kept per node of the limit: enough to show the structure without a huge payload. */
export const EDGES_PER_NODE = 3;
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
function pick(src: SubgraphSource, depth: number, limit: number): { chosen: number[]; total: number } {
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
  return { chosen, total };
}

export interface SelectedSubgraph {
  nodes: Array<Omit<GraphNode, 'x' | 'y'>>;
  edges: Array<[string, string]>;
  layout: Omit<LayoutInput, 'iterations'>;
  totalNodes: number;
  sampled: boolean;
}

export function selectSubgraph(src: SubgraphSource, depth: number, limit: number): SelectedSubgraph {
  const { graph, analysis, reverse } = src;
  const { keys, offsets, targets } = graph;
  const stations = src.stations.slice(0, limit);
  const { chosen, total } = pick({ ...src, stations }, depth, limit);
  // node index → position in the picture (-1: not drawn); typed, as it is read once per follow of each node.
  const pos = new Int32Array(keys.length).fill(-1);
  const nodes: SelectedSubgraph['nodes'] = [];
  const ring: number[] = [];
  const size: number[] = [];
  for (const s of stations) {
    nodes.push({ id: s.id, label: s.label, kind: 'station', distance: 0, size: STATION_SIZE });
    ring.push(0);
    size.push(STATION_SIZE);
  }
  const kinds = ['member', 'n1', 'n2'] as const;
  for (const i of chosen) {
    const d = analysis.distance[i] as 0 | 1 | 2;
    const key = keys[i] as string;
    const degree = (analysis.followers[i] as number) + (offsets[i + 1] as number) - (offsets[i] as number);
    pos[i] = nodes.length;
    nodes.push({ id: key, label: src.names.get(key) || shortKey(key), kind: kinds[d], distance: d, size: nodeSize(degree) });
    ring.push(d);
    size.push(nodeSize(degree));
  }

  const budget = Math.max(nodes.length, EDGES_PER_NODE * limit);
  const pairs: number[] = [];
  const edges: Array<[string, string]> = [];
  const parent = new Int32Array(nodes.length).fill(-1);
  const add = (a: number, b: number, from: string, to: string): void => {
    pairs.push(a, b);
    edges.push([from, to]);
  };
  // Stations to their captain's and node's keys when those are drawn members (each once).
  stations.forEach((s, si) => {
    const linked = new Set<number>();
    for (const hex of s.links) {
      const i = src.indexOf(hex);
      const p = i === undefined ? -1 : (pos[i] as number);
      if (i !== undefined && p >= 0 && analysis.distance[i] === 0 && !linked.has(p)) {
        linked.add(p);
        add(si, p, s.id, hex);
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
        add(pu, pos[v] as number, keys[u] as string, keys[v] as string);
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
      if (edges.length >= budget) {
        full = true;
        break;
      }
      add(pu, pv, keys[u] as string, keys[targets[e] as number] as string);
    }
  }
  return {
    nodes,
    edges,
    layout: { ring: Uint8Array.from(ring), size: Float32Array.from(size), edges: Uint32Array.from(pairs), parent, stations: stations.length },
    totalNodes: total,
    sampled: nodes.length < total || full,
  };
}

/** Joins the selection and the computed positions into the contract's Subgraph. */
export function withPositions(sel: SelectedSubgraph, xy: Float64Array): Subgraph {
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    nodes: sel.nodes.map((node, i) => ({ ...node, x: round(xy[2 * i] as number), y: round(xy[2 * i + 1] as number) })),
    edges: sel.edges,
    totalNodes: sel.totalNodes,
    sampled: sel.sampled,
  };
}
