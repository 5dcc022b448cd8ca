/**
 * A precomputed layout for the window: deterministic rings by distance (stations and members in the middle,
 * N1 around them, N2 outside), then a bounded number of ForceAtlas2 iterations (Barnes-Hut when large), so the
 * window draws tens of thousands of nodes without laying them out itself. Pure; runs in a worker when large.
 */
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';

export interface LayoutInput {
  /** node → ring: 0 stations and members, 1 N1, 2 N2 */
  ring: Uint8Array;
  size: Float32Array;
  /** edges as pairs of node positions: [s0, t0, s1, t1, …] */
  edges: Uint32Array;
  /** ForceAtlas2 iterations (0: rings only) */
  iterations: number;
}

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
const RING_RADIUS = [10, 40, 90] as const;
const RING_WIDTH = [20, 40, 80] as const;

/** Work budget: iterations shrink as the graph grows, so a large layout stays within a few seconds. */
export function layoutIterations(nodes: number, edges: number): number {
  const work = Math.max(1, nodes + edges);
  return Math.max(5, Math.min(100, Math.round(1_200_000 / work)));
}

/** Sunflower spread inside each ring: deterministic and even, a good start for ForceAtlas2. */
export function ringPositions(ring: Uint8Array): Float64Array {
  const n = ring.length;
  const pos = new Float64Array(2 * n);
  const total = [0, 0, 0];
  for (let i = 0; i < n; i++) total[ring[i] as number]!++;
  const seen = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const r = ring[i] as 0 | 1 | 2;
    const k = seen[r]!++;
    const radius = RING_RADIUS[r] - RING_WIDTH[r] / 2 + RING_WIDTH[r] * Math.sqrt((k + 0.5) / Math.max(1, total[r] as number));
    const angle = k * GOLDEN_ANGLE;
    pos[2 * i] = radius * Math.cos(angle);
    pos[2 * i + 1] = radius * Math.sin(angle);
  }
  return pos;
}

/** Positions as [x0, y0, x1, y1, …]. */
export function computeLayout(input: LayoutInput): Float64Array {
  const pos = ringPositions(input.ring);
  const n = input.ring.length;
  if (input.iterations <= 0 || n < 2) return pos;
  const graph = new Graph({ type: 'undirected', multi: false, allowSelfLoops: false });
  for (let i = 0; i < n; i++) graph.addNode(i, { x: pos[2 * i], y: pos[2 * i + 1], size: input.size[i] });
  const { edges } = input;
  for (let e = 0; e + 1 < edges.length; e += 2) {
    const s = edges[e] as number;
    const t = edges[e + 1] as number;
    // Mutual follows are one line in the picture.
    if (s !== t && !graph.hasEdge(s, t)) graph.addEdge(s, t);
  }
  const settings = { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: n > 2_000 };
  forceAtlas2.assign(graph, { iterations: input.iterations, settings });
  graph.forEachNode((key, attrs) => {
    const i = Number(key);
    pos[2 * i] = Number.isFinite(attrs.x) ? attrs.x : 0;
    pos[2 * i + 1] = Number.isFinite(attrs.y) ? attrs.y : 0;
  });
  return pos;
}
