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
}

/** Sizes the engine sends are relative; sigma wants pixels: keep them readable, never invisible or huge. */
export function displaySize(size: number, kind: NodeKind): number {
  const base = kind === 'station' ? 8 : kind === 'member' ? 5 : kind === 'n1' ? 2.5 : 1.5;
  return Math.max(1, Math.min(18, base + Math.sqrt(Math.max(0, size))));
}

export function buildGraph(sub: Subgraph, theme: 'light' | 'dark'): Graph<NodeAttrs> {
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
    });
  }
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
