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

export function nodeSize(degree: number): number {
  return Math.round((2 + 2 * Math.log2(1 + degree)) * 100) / 100;
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
    if (level.length > room) {
      level.sort((a, b) => (followers[b] as number) - (followers[a] as number) || ((keys[a] as string) < (keys[b] as string) ? -1 : 1));
    }
    const take = level.slice(0, room);
    chosen.push(...take);
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
  const pos = new Map<number, number>();
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
    pos.set(i, nodes.length);
    nodes.push({ id: key, label: src.names.get(key) || shortKey(key), kind: kinds[d], distance: d, size: nodeSize(degree) });
    ring.push(d);
    size.push(nodeSize(degree));
  }

  const budget = Math.max(nodes.length, EDGES_PER_NODE * limit);
  const pairs: number[] = [];
  const edges: Array<[string, string]> = [];
  const seen = new Set<number>();
  const n = keys.length + stations.length;
  const add = (a: number, b: number, from: string, to: string): void => {
    const id = a * n + b;
    if (seen.has(id)) return;
    seen.add(id);
    pairs.push(a, b);
    edges.push([from, to]);
  };
  // Stations to their captain's and node's keys when those are drawn members.
  stations.forEach((s, si) => {
    for (const hex of s.links) {
      const i = src.indexOf(hex);
      const p = i === undefined ? undefined : pos.get(i);
      if (i !== undefined && p !== undefined && analysis.distance[i] === 0) add(si, p, s.id, hex);
    }
  });
  // One parent edge per node (a drawn follower one step closer), so every node hangs on the picture.
  for (const v of chosen) {
    const dv = analysis.distance[v] as number;
    if (dv === 0) continue;
    for (let e = reverse.offsets[v] as number, end = reverse.offsets[v + 1] as number; e < end; e++) {
      const u = reverse.sources[e] as number;
      const pu = pos.get(u);
      if (pu !== undefined && analysis.distance[u] === dv - 1) {
        add(pu, pos.get(v) as number, keys[u] as string, keys[v] as string);
        break;
      }
    }
  }
  // Then the other follows between drawn nodes, closest sources first, up to the budget.
  let full = false;
  for (const u of chosen) {
    if (full) break;
    const pu = pos.get(u) as number;
    for (let e = offsets[u] as number, end = offsets[u + 1] as number; e < end; e++) {
      const pv = pos.get(targets[e] as number);
      if (pv === undefined) continue;
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
    layout: { ring: Uint8Array.from(ring), size: Float32Array.from(size), edges: Uint32Array.from(pairs) },
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
