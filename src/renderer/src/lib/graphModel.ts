/**
 * Turns the engine's subgraph into a graphology graph for sigma. The engine already placed every node (x/y):
 * the window runs no layout, so 20,000 nodes draw at once.
 */
import Graph from 'graphology';
import type { Subgraph } from '../../../shared/schemas';

export type NodeKind = 'station' | 'member' | 'n1' | 'n2';
export const NODE_KINDS: readonly NodeKind[] = ['station', 'member', 'n1', 'n2'];

export const KIND_COLORS: Record<'light' | 'dark', Record<NodeKind, string>> = {
  light: { station: '#e65100', member: '#3d5afe', n1: '#2e7d32', n2: '#9e9eb8' },
  dark: { station: '#ffb74d', member: '#8c9eff', n1: '#81c784', n2: '#6b6f85' },
};

export interface NodeAttrs {
  label: string;
  kind: NodeKind;
  distance: number;
  size: number;
  x: number;
  y: number;
  color: string;
  /**
   * Sigma program: the crowd of N1 and N2 nodes draws as GL points (one vertex each, several times cheaper than
   * the instanced circles on software GL: bench/ui); the few stations and members stay circles at every zoom.
   */
  type: 'circle' | 'point';
  /** Stations and members draw above N1, N1 above the crowd of N2 nodes. */
  zIndex: number;
  /** Set on the node the captain looked for: sigma keeps its label shown. */
  highlighted?: boolean;
}

const Z_INDEX: Record<NodeKind, number> = { station: 3, member: 2, n1: 1, n2: 0 };

/** Sizes the engine sends are relative; sigma wants pixels: keep them readable, never invisible or huge. */
export function displaySize(size: number, kind: NodeKind): number {
  const base = kind === 'station' ? 8 : kind === 'member' ? 5 : kind === 'n1' ? 2.5 : 1.5;
  return Math.max(1, Math.min(18, base + Math.sqrt(Math.max(0, size))));
}

/** `withEdges: false` gives the nodes alone: the window draws those first and the edges a moment later. */
export function buildGraph(sub: Subgraph, theme: 'light' | 'dark', withEdges = true): Graph<NodeAttrs> {
  const colors = KIND_COLORS[theme];
  const g = new Graph<NodeAttrs>({ type: 'directed', multi: false, allowSelfLoops: false });
  for (const n of sub.nodes) {
    if (g.hasNode(n.id)) continue;
    g.addNode(n.id, {
      label: n.label || n.id.slice(0, 12),
      kind: n.kind,
      distance: n.distance,
      size: displaySize(n.size, n.kind),
      x: Number.isFinite(n.x) ? n.x : 0,
      y: Number.isFinite(n.y) ? n.y : 0,
      color: colors[n.kind],
      type: n.kind === 'station' || n.kind === 'member' ? 'circle' : 'point',
      zIndex: Z_INDEX[n.kind],
    });
  }
  if (!withEdges) return g;
  for (const [a, b] of sub.edges) {
    if (a === b || !g.hasNode(a) || !g.hasNode(b) || g.hasEdge(a, b)) continue;
    g.addEdge(a, b);
  }
  return g;
}

/** Nodes counted by kind, for the legend. */
export function countKinds(sub: Subgraph): Record<NodeKind, number> {
  const out: Record<NodeKind, number> = { station: 0, member: 0, n1: 0, n2: 0 };
  for (const n of sub.nodes) out[n.kind]++;
  return out;
}

/** How many nodes a distance filter keeps (null = all). */
export function visibleCount(sub: Subgraph, maxDistance: number | null): number {
  if (maxDistance === null) return sub.nodes.length;
  return sub.nodes.filter((n) => n.distance <= maxDistance).length;
}

/** Kinds in the order a search prefers them: a station or member named like the query comes before the crowd. */
const FIND_RANK: Record<NodeKind, number> = { station: 0, member: 1, n1: 2, n2: 3 };

/**
 * The node a search for `query` means: an exact label first, then a label starting with it, then a label
 * containing it (case and accents ignored), stations and members before N1 and N2; a hex key prefix of 8 or more
 * characters also matches. Only nodes within `maxDistance` (null = all) are considered. null when nothing matches.
 */
export function findNode(sub: Subgraph, query: string, maxDistance: number | null = null): string | null {
  const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
  const q = fold(query);
  if (!q) return null;
  const hex = /^[0-9a-f]{8,64}$/.test(q) ? q : null;
  let best: { id: string; score: number } | null = null;
  for (const n of sub.nodes) {
    if (maxDistance !== null && n.distance > maxDistance) continue;
    const label = fold(n.label || '');
    const tier = label === q ? 0 : label.startsWith(q) ? 1 : label.includes(q) ? 2 : hex && n.id.startsWith(hex) ? 3 : -1;
    if (tier < 0) continue;
    const score = tier * 10 + FIND_RANK[n.kind];
    if (!best || score < best.score) best = { id: n.id, score };
  }
  return best?.id ?? null;
}
