/**
 * Turns the engine's subgraph into a graphology graph for sigma, with the colours of the Constellation view. The
 * engine already placed every node (x/y) and found the groups of members who follow each other: the window runs
 * no layout, so 20,000 nodes draw at once.
 *
 * What the colours say:
 * - stations are landmarks coloured by how they stand: this station, synced, failing, stale, not synced yet;
 * - members take the colour of their group (members who follow each other), members of no group a neutral one;
 *   this station's users get a ring (drawn by the canvas, see GraphCanvas);
 * - N1 takes a pale tint of the group of the member it hangs on, so each group's sector shows its followers' reach;
 * - N2 is a halo until asked for, then faint dots;
 * - edges are faint follows tinted like their source, strongest between members and to stations.
 */
import Graph from 'graphology';
import type { GraphNode, NodeKind, Peer, RunReport, StationSnapshot, Subgraph } from '../../../shared/schemas';

export type { NodeKind };
export const NODE_KINDS: readonly NodeKind[] = ['station', 'member', 'n1', 'n2'];
export type Theme = 'light' | 'dark';

/** How a station stands: this one, synced by the last run, failing in it, stale (old beacon), or not synced yet. */
export type StationState = 'self' | 'synced' | 'failing' | 'stale' | 'unsynced';
export const STATION_STATES: readonly StationState[] = ['self', 'synced', 'failing', 'stale', 'unsynced'];

export interface GraphPalette {
  station: Record<StationState, string>;
  /** members of no group */
  member: string;
  /** one colour per group, the largest first; groups past the list take `member` */
  groups: readonly string[];
  /** N1 whose member has no group */
  n1: string;
  n2: string;
  /** the ring around this station's users */
  localRing: string;
  /** the background, for tints and label halos */
  background: string;
  label: string;
  /** [r, g, b] of a follow with no group (alpha set per edge kind) */
  neutralEdge: readonly [number, number, number];
  /** edge opacities: sigma blends lines normally, so a dense crowd adds up to the line colour */
  edgeAlpha: { station: number; members: number; parent: number; other: number };
}

/**
 * Both themes' colours. Group hues are the Tableau 10 family (distinct for colour-blind readers in most pairs), darker
 * on light, lighter on dark; edges are dark on light, light on dark, with opacities measured so a crowd of follows
 * reads as a haze, never as a solid disc.
 */
export const PALETTES: Record<Theme, GraphPalette> = {
  light: {
    station: { self: '#3d5afe', synced: '#1e8e3e', failing: '#c62828', stale: '#b26a00', unsynced: '#6b7280' },
    member: '#56627a',
    groups: ['#1f77b4', '#d6604d', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#ff7f0e', '#7f7f7f'],
    n1: '#9aa3b5',
    n2: '#c3c8d4',
    localRing: '#1b1f2a',
    background: '#fbfcff',
    label: '#1b1f2a',
    neutralEdge: [40, 48, 80],
    edgeAlpha: { station: 0.85, members: 0.14, parent: 0.09, other: 0.025 },
  },
  dark: {
    station: { self: '#8c9eff', synced: '#6fcf8a', failing: '#ff8a80', stale: '#ffc25c', unsynced: '#9aa1b5' },
    member: '#aab2c8',
    groups: ['#6baed6', '#fc8d62', '#74c476', '#b39ddb', '#d7a98c', '#f49ac2', '#66d9e8', '#dcdc6e', '#ffb347', '#bdbdbd'],
    n1: '#5d6478',
    n2: '#3a3f50',
    localRing: '#ffffff',
    background: '#0d0f15',
    label: '#e7e9f1',
    neutralEdge: [170, 180, 210],
    edgeAlpha: { station: 0.8, members: 0.2, parent: 0.08, other: 0.025 },
  },
};

/** A node as the canvas draws it: the engine's fields (size in pixels), and how sigma draws it. */
export interface NodeAttrs extends Pick<GraphNode, 'kind' | 'distance' | 'size' | 'x' | 'y' | 'group' | 'local'> {
  /**
   * The node's label (the engine's `label`). Not named `label`: sigma indexes every node with a string `label` in
   * its label grid on each processing (20,000 positions projected and sorted) to draw labels itself, and this view
   * places its own (GraphCanvas, graphLabels) and draws the hovered one with hoverDrawer.
   */
  name: string;
  color: string;
  /**
   * Sigma program: the crowd of N1 and N2 nodes draws as GL points (one vertex each, several times cheaper than
   * the instanced circles on software GL: bench/ui); the few stations and members stay circles at every zoom.
   */
  type: 'circle' | 'point';
  /**
   * Stations draw above members, members above N1, N1 above the crowd of N2 nodes. The graph holds the nodes in
   * that order already (buildGraph), which is the order sigma draws them in: its own sort by zIndex (20,000
   * comparisons through a lookup each, on every drawing) is turned off.
   */
  zIndex: number;
  /** Set on the node the captain looked for: its label is always placed. */
  highlighted?: boolean;
}

const Z_INDEX: Record<NodeKind, number> = { station: 3, member: 2, n1: 1, n2: 0 };

/** Node positions by kind, lowest zIndex first, each kind in its given order: one pass, no sort. */
export function drawingOrder(kind: readonly NodeKind[]): Uint32Array {
  const start = [0, 0, 0, 0, 0];
  for (const k of kind) start[Z_INDEX[k] + 1]!++;
  for (let z = 1; z < start.length; z++) start[z]! += start[z - 1]!;
  const out = new Uint32Array(kind.length);
  kind.forEach((k, i) => (out[start[Z_INDEX[k]]!++] = i));
  return out;
}

/** Sizes the engine sends are relative; sigma wants pixels: landmarks big, members readable, the crowd small. */
export function displaySize(size: number, kind: NodeKind): number {
  if (kind === 'station') return 9;
  if (kind === 'member') return Math.min(9, 2.5 + 0.45 * Math.sqrt(Math.max(0, size)) * 2);
  if (kind === 'n1') return Math.min(3.5, 1.2 + 0.25 * Math.sqrt(Math.max(0, size)));
  return 1;
}

/** `a` mixed with `b` (both #rrggbb): t = 0 gives a, 1 gives b. */
export function mix(a: string, b: string, t: number): string {
  const pa = parseInt(a.slice(1), 16);
  const pb = parseInt(b.slice(1), 16);
  const ch = (shift: number): number => Math.round(((pa >> shift) & 255) * (1 - t) + ((pb >> shift) & 255) * t);
  return `#${((1 << 24) | (ch(16) << 16) | (ch(8) << 8) | ch(0)).toString(16).slice(1)}`;
}

/**
 * A translucent colour as sigma's WebGL layers need it: premultiplied by its alpha. Sigma 3.0.3 blends with
 * (ONE, ONE_MINUS_SRC_ALPHA) and its edge shaders pass colours through unchanged, so a plain rgba(170,180,210,0.05)
 * adds its whole colour at every pixel: a crowd of "faint" edges became a solid white disc on the dark theme and
 * washed out to nothing on the light one. Premultiplied, 0.05 really is 5%.
 */
export function premultiplied(r: number, g: number, b: number, alpha: number): string {
  const k = (v: number): number => Math.round(v * alpha);
  return `rgba(${k(r)},${k(g)},${k(b)},${alpha})`;
}

function rgba(hex: string, alpha: number): string {
  const p = parseInt(hex.slice(1), 16);
  return premultiplied((p >> 16) & 255, (p >> 8) & 255, p & 255, alpha);
}

export function groupColor(palette: GraphPalette, group: number): string | null {
  return group >= 0 && group < palette.groups.length ? (palette.groups[group] as string) : null;
}

/** The graph id of a station node, as the engine makes it (`station:<PeerID or folder id>`). */
export function stationNodeId(peer: Pick<Peer, 'id' | 'peerId'>): string {
  return `station:${peer.peerId ?? peer.id}`;
}

/**
 * Each station node's state, from the snapshot (which peer is stale) and the last run's report (which peer it
 * synced or failed). A peer the last run did not try (not syncable, or no run yet) is stale when its beacon is old,
 * else not synced yet.
 */
export function stationStates(snapshot: StationSnapshot | null, report: Pick<RunReport, 'peers'> | null): Map<string, StationState> {
  const out = new Map<string, StationState>();
  if (!snapshot) return out;
  if (snapshot.self.peerId) out.set(`station:${snapshot.self.peerId}`, 'self');
  const outcomes = new Map((report?.peers ?? []).map((o) => [o.peer, o.ok] as const));
  for (const p of snapshot.peers) {
    const id = stationNodeId(p);
    if (p.status === 'self' || out.get(id) === 'self') {
      out.set(id, 'self');
      continue;
    }
    const ok = outcomes.get(p.id) ?? (p.peerId ? outcomes.get(p.peerId) : undefined);
    out.set(id, ok === true ? 'synced' : ok === false ? 'failing' : p.status === 'stale' ? 'stale' : 'unsynced');
  }
  return out;
}

export interface BuildOptions {
  theme: Theme;
  /** draw the N2 nodes (else they are left out: the canvas shows a halo) */
  showN2: boolean;
  stations?: ReadonlyMap<string, StationState>;
  /** false gives the nodes alone: the window draws those first and the edges a moment later */
  withEdges?: boolean;
}

export function nodeColor(n: { id: string; kind: NodeKind; local: boolean; group: number }, palette: GraphPalette, stations?: ReadonlyMap<string, StationState>): string {
  if (n.kind === 'station') return palette.station[stations?.get(n.id) ?? (n.local ? 'self' : 'unsynced')];
  const g = groupColor(palette, n.group);
  if (n.kind === 'member') return g ?? palette.member;
  if (n.kind === 'n1') return g ? mix(g, palette.background, 0.45) : palette.n1;
  return palette.n2;
}

/** An edge's colour: stations' links strong, follows between members clear, the rest a haze tinted by its group. */
export function edgeColor(from: NodeAttrs, to: NodeAttrs, palette: GraphPalette): string {
  const a = palette.edgeAlpha;
  const [r, g, b] = palette.neutralEdge;
  if (from.kind === 'station' || to.kind === 'station') return rgba(from.kind === 'station' ? from.color : to.color, a.station);
  const tint = groupColor(palette, from.group === to.group ? from.group : -1);
  if (from.kind === 'member' && to.kind === 'member') return tint ? rgba(tint, a.members) : premultiplied(r, g, b, a.members * 0.8);
  // A member's follow into its own group's sector (the fans of N1), then the follows that cross the picture.
  if (from.kind === 'member' && tint) return rgba(tint, a.parent);
  return premultiplied(r, g, b, a.other);
}

/**
 * The graph the canvas draws. Nodes keep the engine's positions and are added the crowd first, the stations last
 * (the drawing order: see NodeAttrs.zIndex), each kind in the engine's order; duplicate, self and dangling edges go.
 */
export function buildGraph(sub: Subgraph, opts: BuildOptions): Graph<NodeAttrs> {
  const palette = PALETTES[opts.theme];
  const g = new Graph<NodeAttrs>({ type: 'directed', multi: false, allowSelfLoops: false });
  const { id, label, kind, distance, size, x, y, local, group } = sub.nodes;
  const drawn: boolean[] = new Array<boolean>(id.length).fill(false);
  // Node colours are the same for every node of one kind and group (stations aside): computed once per pair.
  const colours = new Map<string, string>();
  for (const i of drawingOrder(kind)) {
    const k = kind[i]!;
    const key = id[i]!;
    if ((k === 'n2' && !opts.showN2) || g.hasNode(key)) continue;
    drawn[i] = true;
    const node = { id: key, kind: k, local: local[i]!, group: group[i]! };
    const shared = k === 'station' ? null : `${k}${node.group}`;
    let color = shared === null ? undefined : colours.get(shared);
    if (color === undefined) {
      color = nodeColor(node, palette, opts.stations);
      if (shared !== null) colours.set(shared, color);
    }
    g.addNode(key, {
      name: label[i] || key.slice(0, 12),
      kind: k,
      distance: distance[i]!,
      size: displaySize(size[i]!, k),
      x: Number.isFinite(x[i]) ? x[i]! : 0,
      y: Number.isFinite(y[i]) ? y[i]! : 0,
      color,
      type: k === 'station' || k === 'member' ? 'circle' : 'point',
      zIndex: Z_INDEX[k],
      group: node.group,
      local: node.local,
    });
  }
  if (opts.withEdges === false) return g;
  addEdges(g, sub, drawn, palette);
  return g;
}

/**
 * Adds the subgraph's edges between drawn nodes. Colours are the same for every edge of one kind of pair and
 * group: computed once per such pair, not 60,000 times.
 */
export function addEdges(g: Graph<NodeAttrs>, sub: Subgraph, drawn: readonly boolean[], palette: GraphPalette): void {
  const colours = new Map<string, string>();
  const e = sub.edges;
  for (let k = 0; k + 1 < e.length; k += 2) {
    const a = e[k] as number;
    const b = e[k + 1] as number;
    if (a === b || !drawn[a] || !drawn[b]) continue;
    const from = sub.nodes.id[a] as string;
    const to = sub.nodes.id[b] as string;
    if (g.hasEdge(from, to)) continue;
    const fa = g.getNodeAttributes(from);
    const ta = g.getNodeAttributes(to);
    const key = `${fa.kind}${fa.group}${fa.color}|${ta.kind}${ta.group}${ta.color}`;
    let color = colours.get(key);
    if (color === undefined) {
      color = edgeColor(fa, ta, palette);
      colours.set(key, color);
    }
    g.addEdge(from, to, { color } as never);
  }
}

/** Which nodes of the subgraph buildGraph draws (N2 only when shown). */
export function drawnNodes(sub: Subgraph, showN2: boolean): boolean[] {
  return sub.nodes.kind.map((k) => showN2 || k !== 'n2');
}

/** Stations counted by state, members by local or not: the legend's figures. */
export function legendCounts(sub: Subgraph, stations: ReadonlyMap<string, StationState>): { stations: Record<StationState, number>; local: number; others: number } {
  const out = { stations: { self: 0, synced: 0, failing: 0, stale: 0, unsynced: 0 } as Record<StationState, number>, local: 0, others: 0 };
  const { id, kind, local } = sub.nodes;
  for (let i = 0; i < id.length; i++) {
    if (kind[i] === 'station') out.stations[stations.get(id[i]!) ?? (local[i] ? 'self' : 'unsynced')]++;
    else if (kind[i] === 'member') {
      if (local[i]) out.local++;
      else out.others++;
    }
  }
  return out;
}

/** Each coloured group's name (its most followed member: the engine sends members most followed first) and size. */
export function groupNames(sub: Subgraph, colours: number): Array<{ group: number; name: string; members: number }> {
  const out: Array<{ group: number; name: string; members: number }> = [];
  const { id, label, kind, group } = sub.nodes;
  for (let i = 0; i < id.length; i++) {
    const g = group[i]!;
    if (kind[i] !== 'member' || g < 0 || g >= colours || out.some((o) => o.group === g)) continue;
    out.push({ group: g, name: label[i] || id[i]!.slice(0, 12), members: sub.groups[g] ?? 0 });
  }
  return out.sort((a, b) => a.group - b.group);
}

/** How many nodes are drawn with N2 shown or not. */
export function drawnCount(sub: Subgraph, showN2: boolean): number {
  return showN2 ? sub.nodes.id.length : sub.nodes.kind.reduce((n, k) => (k === 'n2' ? n : n + 1), 0);
}

/** Kinds in the order a search prefers them: a station or member named like the query comes before the crowd. */
const FIND_RANK: Record<NodeKind, number> = { station: 0, member: 1, n1: 2, n2: 3 };

/**
 * The node a search for `query` means: an exact label first, then a label starting with it, then a label
 * containing it (case and accents ignored), stations and members before N1 and N2; a hex key prefix of 8 or more
 * characters also matches. Only drawn nodes are considered (N2 only when shown). null when nothing matches.
 */
export function findNode(sub: Subgraph, query: string, showN2 = true): string | null {
  const fold = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
  const q = fold(query);
  if (!q) return null;
  const hex = /^[0-9a-f]{8,64}$/.test(q) ? q : null;
  let best: { id: string; score: number } | null = null;
  const { id, label, kind } = sub.nodes;
  for (let i = 0; i < id.length; i++) {
    const k = kind[i]!;
    if (!showN2 && k === 'n2') continue;
    const text = fold(label[i] || '');
    const tier = text === q ? 0 : text.startsWith(q) ? 1 : text.includes(q) ? 2 : hex && id[i]!.startsWith(hex) ? 3 : -1;
    if (tier < 0) continue;
    const score = tier * 10 + FIND_RANK[k];
    if (!best || score < best.score) best = { id: id[i]!, score };
  }
  return best?.id ?? null;
}
