/**
 * A precomputed layout for the window, so it draws tens of thousands of nodes without laying them out itself.
 * Pure and deterministic (same input, same picture); runs in a worker when large.
 *
 * Two steps, both cheap enough for 20,000 nodes in well under a second, then the stations:
 * 1. A radial tree: every drawn node hangs on its parent (a drawn follower one step closer, chosen by the
 *    subgraph). Members fill a disc around the centre, N1 and N2 sit on rings around them, and each
 *    node's wedge of the circle is shared among its children in proportion to their subtrees, so a member's
 *    N1 and their N2 form one sector. Members are taken group by group (the groups of members who follow each
 *    other), with a gap between groups: each group is one sector of the picture, its members inside, their N1
 *    and N2 outside. Radii get a deterministic jitter inside each ring's band, so leaves form clouds, not circles.
 * 2. A fixed small number of force iterations (Fruchterman–Reingold with Barnes-Hut repulsion on a quadtree in
 *    typed arrays), with a temperature that caps each move: close friends pull together and crowded spots
 *    spread out, while the rings and sectors of step 1 stay recognisable.
 * (graphology's ForceAtlas2 took ~1 s per iteration on 20k nodes here; a readable picture needed more than
 * the few it could afford.)
 */

export interface LayoutInput {
  /** node → ring: 0 stations and members, 1 N1, 2 N2 */
  ring: Uint8Array;
  size: Float32Array;
  /** edges as pairs of node positions: [s0, t0, s1, t1, …] */
  edges: Uint32Array;
  /** node → the node it hangs on (a drawn follower one ring closer), -1 for none */
  parent?: Int32Array;
  /** the first `stations` nodes are stations: placed last, next to the member they link to (`anchor`) */
  stations?: number;
  /** node → its group of members (-1 none): members are laid out group by group */
  group?: Int32Array;
  /** station → the node of its captain (or node key) when drawn, -1 otherwise */
  anchor?: Int32Array;
  /** the station that is this one (drawn at the centre), -1 none */
  self?: number;
  /** force iterations (0: the radial tree only) */
  iterations: number;
}

const RING_RADIUS = [17, 45, 100] as const;
const RING_WIDTH = [22, 24, 60] as const;
/** Where stations without a drawn captain go, and how far inside its captain a station sits. */
const STATION_RADIUS = 5;
const STATION_INSET = 4;
/** Share of the circle left empty between two groups of members. */
const GROUP_GAP = 0.012;

/** Work budget: iterations shrink as the graph grows, so a large layout stays within about a second. */
export function layoutIterations(nodes: number, edges: number): number {
  const work = Math.max(1, nodes + edges);
  return Math.max(10, Math.min(100, Math.round(2_400_000 / work)));
}

/** A deterministic number in [0, 1) from an integer (no shared random state: the same node, the same jitter). */
function jitter(i: number, salt: number): number {
  let h = Math.imul(i ^ Math.imul(salt, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

/**
 * Step 1: the radial tree. Nodes without a parent are roots (members); a root's wedge is in proportion to its
 * subtree. The first `stationCount` nodes (stations) are left at the centre: `placeStations` puts them once the
 * members are where they stay.
 */
export function radialPositions(ring: Uint8Array, parent?: Int32Array, stationCount = 0, group?: Int32Array): Float64Array {
  const n = ring.length;
  const pos = new Float64Array(2 * n);
  const par = new Int32Array(n).fill(-1);
  if (parent) for (let i = 0; i < n; i++) par[i] = (parent[i] as number) < n && (parent[i] as number) !== i ? (parent[i] as number) : -1;
  // Children in index order (counting sort on the parent).
  const childStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) if ((par[i] as number) >= 0) childStart[(par[i] as number) + 1]!++;
  for (let i = 0; i < n; i++) childStart[i + 1]! += childStart[i] as number;
  const children = new Int32Array(childStart[n] as number);
  const fill = childStart.slice(0, n);
  for (let i = 0; i < n; i++) if ((par[i] as number) >= 0) children[fill[par[i] as number]!++] = i;
  // Subtree weights, leaves first: a child is always on a farther ring than its parent.
  const weight = new Float64Array(n).fill(1);
  for (const r of [2, 1, 0]) {
    for (let i = 0; i < n; i++) if (ring[i] === r && (par[i] as number) >= 0) weight[par[i] as number]! += weight[i] as number;
  }
  const roots: number[] = [];
  for (let i = stationCount; i < n; i++) if ((par[i] as number) < 0) roots.push(i);
  // Group by group (largest first), members of no group last; the sort is stable, so each group keeps the
  // selection's order (most followed first).
  const groupOf = (i: number): number => {
    const g = group ? (group[i] as number) : -1;
    return g < 0 ? Number.MAX_SAFE_INTEGER : g;
  };
  roots.sort((a, b) => groupOf(a) - groupOf(b));
  // Wedges, breadth first: [from, to) angles per node; an empty gap where one group ends and the next begins.
  const from = new Float64Array(n);
  const to = new Float64Array(n);
  let total = 0;
  let gaps = 0;
  roots.forEach((r, k) => {
    total += weight[r] as number;
    if (k > 0 && groupOf(r) !== groupOf(roots[k - 1] as number)) gaps++;
  });
  const gap = gaps > 0 ? Math.min(GROUP_GAP * 2 * Math.PI, (0.2 * 2 * Math.PI) / gaps) : 0;
  const share = 2 * Math.PI - gap * gaps;
  let angle = 0;
  const queue = new Int32Array(n);
  let tail = 0;
  roots.forEach((r, k) => {
    if (k > 0 && groupOf(r) !== groupOf(roots[k - 1] as number)) angle += gap;
    from[r] = angle;
    angle += (share * (weight[r] as number)) / Math.max(1, total);
    to[r] = angle;
    queue[tail++] = r;
  });
  for (let head = 0; head < tail; head++) {
    const v = queue[head] as number;
    const rv = Math.min(2, ring[v] as number) as 0 | 1 | 2;
    const mid = ((from[v] as number) + (to[v] as number)) / 2;
    // Members spread over their disc's area (a square root: as many near its outer edge as near its inner one).
    const spreadOut = rv === 0 ? Math.sqrt(jitter(v, 1)) : jitter(v, 1);
    const radius = RING_RADIUS[rv] + RING_WIDTH[rv] * (spreadOut - 0.5);
    pos[2 * v] = radius * Math.cos(mid);
    pos[2 * v + 1] = radius * Math.sin(mid);
    const span = (to[v] as number) - (from[v] as number);
    const own = weight[v] as number;
    let a = from[v] as number;
    for (let e = childStart[v] as number, end = childStart[v + 1] as number; e < end; e++) {
      const c = children[e] as number;
      from[c] = a;
      // The parent's own share (1) is spread among its children too, so they fill the whole wedge.
      a += (span * (weight[c] as number)) / Math.max(1, own - 1);
      to[c] = a;
      queue[tail++] = c;
    }
  }
  return pos;
}

/** Barnes-Hut quadtree over points, rebuilt each iteration; cells in flat typed arrays. */
class QuadTree {
  x0: Float64Array<ArrayBuffer> = new Float64Array(0);
  y0: Float64Array<ArrayBuffer> = new Float64Array(0);
  size: Float64Array<ArrayBuffer> = new Float64Array(0);
  mass: Float64Array<ArrayBuffer> = new Float64Array(0);
  mx: Float64Array<ArrayBuffer> = new Float64Array(0);
  my: Float64Array<ArrayBuffer> = new Float64Array(0);
  /** -1 empty, ≥ 0 one body, -2 split (children), -3 several bodies at one spot (depth limit) */
  body = new Int32Array(0);
  child = new Int32Array(0);
  cells = 0;

  private ensure(n: number): void {
    if (n <= this.body.length) return;
    const cap = Math.max(n, 2 * this.body.length);
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.x0 = f64(this.x0);
    this.y0 = f64(this.y0);
    this.size = f64(this.size);
    this.mass = f64(this.mass);
    this.mx = f64(this.mx);
    this.my = f64(this.my);
    const b = new Int32Array(cap);
    b.set(this.body);
    this.body = b;
    const c = new Int32Array(cap);
    c.set(this.child);
    this.child = c;
  }

  private cell(x0: number, y0: number, size: number): number {
    const c = this.cells++;
    this.ensure(this.cells);
    this.x0[c] = x0;
    this.y0[c] = y0;
    this.size[c] = size;
    this.mass[c] = 0;
    this.mx[c] = 0;
    this.my[c] = 0;
    this.body[c] = -1;
    this.child[c] = -1;
    return c;
  }

  private quadrant(c: number, x: number, y: number): number {
    const half = (this.size[c] as number) / 2;
    return (x >= (this.x0[c] as number) + half ? 1 : 0) + (y >= (this.y0[c] as number) + half ? 2 : 0);
  }

  private split(c: number): void {
    const half = (this.size[c] as number) / 2;
    const x0 = this.x0[c] as number;
    const y0 = this.y0[c] as number;
    const first = this.cell(x0, y0, half);
    this.cell(x0 + half, y0, half);
    this.cell(x0, y0 + half, half);
    this.cell(x0 + half, y0 + half, half);
    this.child[c] = first;
  }

  build(pos: Float64Array, n: number): void {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = pos[2 * i] as number;
      const y = pos[2 * i + 1] as number;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    this.cells = 0;
    const side = Math.max(maxX - minX, maxY - minY, 1e-6) * 1.0001;
    this.cell(minX, minY, side);
    const minSize = side / 2 ** 24;
    for (let i = 0; i < n; i++) this.insert(i, pos[2 * i] as number, pos[2 * i + 1] as number, minSize, pos);
  }

  private insert(b: number, x: number, y: number, minSize: number, pos: Float64Array): void {
    let c = 0;
    for (;;) {
      this.mass[c]! += 1;
      this.mx[c]! += x;
      this.my[c]! += y;
      const body = this.body[c] as number;
      if (body === -2) {
        c = (this.child[c] as number) + this.quadrant(c, x, y);
        continue;
      }
      if (body === -1) {
        this.body[c] = b;
        return;
      }
      if (body === -3 || (this.size[c] as number) < minSize) {
        this.body[c] = -3;
        return;
      }
      // A leaf with one body: split it and move that body down, then go on with b.
      this.split(c);
      this.body[c] = -2;
      const ox = pos[2 * body] as number;
      const oy = pos[2 * body + 1] as number;
      const oc = (this.child[c] as number) + this.quadrant(c, ox, oy);
      this.mass[oc] = 1;
      this.mx[oc] = ox;
      this.my[oc] = oy;
      this.body[oc] = body;
      c = (this.child[c] as number) + this.quadrant(c, x, y);
    }
  }
}

const THETA = 1.2;

/** Pull of an edge that is not a node's parent edge, relative to a parent edge (cross links only hint). */
const CROSS_EDGE_WEIGHT = 0.05;

/**
 * Step 2: force iterations in place. `k` is the ideal distance between neighbours. Parent edges pull fully,
 * other edges lightly (a dense constellation would otherwise collapse into one ball), and each node keeps its
 * distance from the centre: it only moves around its ring.
 */
function relax(pos: Float64Array, edges: Uint32Array, parent: Int32Array | undefined, fixed: number, iterations: number, k: number): void {
  const n = pos.length / 2;
  const disp = new Float64Array(2 * n);
  const tree = new QuadTree();
  const stack = new Int32Array(1024);
  const k2 = k * k;
  const radius = new Float64Array(n);
  for (let i = 0; i < n; i++) radius[i] = Math.hypot(pos[2 * i] as number, pos[2 * i + 1] as number);
  for (let it = 0; it < iterations; it++) {
    // The temperature: the longest move of this iteration, cooling linearly.
    const temperature = 2 * k * (1 - it / iterations) + 0.1 * k;
    disp.fill(0);
    tree.build(pos, n);
    const { mass, mx, my, size, body, child } = tree;
    for (let i = 0; i < n; i++) {
      const x = pos[2 * i] as number;
      const y = pos[2 * i + 1] as number;
      let fx = 0;
      let fy = 0;
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const c = stack[--top] as number;
        const m = mass[c] as number;
        if (m === 0 || body[c] === i) continue;
        const cx = (mx[c] as number) / m;
        const cy = (my[c] as number) / m;
        const dx = x - cx;
        const dy = y - cy;
        const d2 = dx * dx + dy * dy;
        if (body[c] !== -2 || (size[c] as number) * (size[c] as number) < THETA * THETA * d2) {
          if (d2 < 1e-12) continue;
          // Repulsion k²/d per body, along (dx, dy)/d.
          const f = (k2 * m) / d2;
          fx += dx * f;
          fy += dy * f;
        } else if (top + 4 <= stack.length) {
          const c0 = child[c] as number;
          stack[top++] = c0;
          stack[top++] = c0 + 1;
          stack[top++] = c0 + 2;
          stack[top++] = c0 + 3;
        }
      }
      disp[2 * i] = fx;
      disp[2 * i + 1] = fy;
    }
    // Attraction d²/k along each edge.
    for (let e = 0; e + 1 < edges.length; e += 2) {
      const s = edges[e] as number;
      const t = edges[e + 1] as number;
      if (s === t || s >= n || t >= n) continue;
      const dx = (pos[2 * s] as number) - (pos[2 * t] as number);
      const dy = (pos[2 * s + 1] as number) - (pos[2 * t + 1] as number);
      const d = Math.sqrt(dx * dx + dy * dy);
      const tree = parent !== undefined && (parent[t] === s || parent[s] === t);
      const f = (tree ? d : CROSS_EDGE_WEIGHT * d) / k;
      disp[2 * s]! -= dx * f;
      disp[2 * s + 1]! -= dy * f;
      disp[2 * t]! += dx * f;
      disp[2 * t + 1]! += dy * f;
    }
    for (let i = fixed; i < n; i++) {
      const dx = disp[2 * i] as number;
      const dy = disp[2 * i + 1] as number;
      const d = Math.sqrt(dx * dx + dy * dy);
      if (d < 1e-12 || !Number.isFinite(d)) continue;
      const step = Math.min(d, temperature) / d;
      let x = (pos[2 * i] as number) + dx * step;
      let y = (pos[2 * i + 1] as number) + dy * step;
      // Back to the node's own radius: forces move it around its ring only, so the distance from the centre
      // keeps its meaning (members, N1, N2) and the jittered clouds of step 1 stay clouds.
      const r = Math.sqrt(x * x + y * y);
      if (r > 1e-9) {
        const scale = (radius[i] as number) / r;
        x *= scale;
        y *= scale;
      }
      pos[2 * i] = x;
      pos[2 * i + 1] = y;
    }
  }
}

/**
 * Step 3, after the forces: the stations. This one in the centre; each other one just inside the member it links
 * to (its captain, or its node key), so it reads as a landmark among its own people; one without a drawn link on
 * a small circle around the centre. Two stations never share a spot.
 */
export function placeStations(pos: Float64Array, count: number, anchor?: Int32Array, self = -1): void {
  const loose: number[] = [];
  for (let s = 0; s < count; s++) {
    if (s === self) {
      pos[2 * s] = 0;
      pos[2 * s + 1] = 0;
      continue;
    }
    const a = anchor ? (anchor[s] as number) : -1;
    if (a < 0) {
      loose.push(s);
      continue;
    }
    const x = pos[2 * a] as number;
    const y = pos[2 * a + 1] as number;
    const r = Math.hypot(x, y);
    const inner = Math.max(STATION_RADIUS, r - STATION_INSET);
    const angle = Math.atan2(y, x);
    pos[2 * s] = inner * Math.cos(angle);
    pos[2 * s + 1] = inner * Math.sin(angle);
  }
  loose.forEach((s, k) => {
    const a = (2 * Math.PI * (k + 0.5)) / loose.length;
    pos[2 * s] = STATION_RADIUS * Math.cos(a);
    pos[2 * s + 1] = STATION_RADIUS * Math.sin(a);
  });
  // Stations anchored on the same member (or very close ones): pushed apart along their circle.
  const MIN = 2.5;
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < s; t++) {
      const dx = (pos[2 * s] as number) - (pos[2 * t] as number);
      const dy = (pos[2 * s + 1] as number) - (pos[2 * t + 1] as number);
      if (Math.hypot(dx, dy) >= MIN) continue;
      const r = Math.max(STATION_RADIUS, Math.hypot(pos[2 * s] as number, pos[2 * s + 1] as number));
      const angle = Math.atan2(pos[2 * s + 1] as number, pos[2 * s] as number) + MIN / r;
      pos[2 * s] = r * Math.cos(angle);
      pos[2 * s + 1] = r * Math.sin(angle);
    }
  }
}

/** Positions as [x0, y0, x1, y1, …]. */
export function computeLayout(input: LayoutInput): Float64Array {
  const stations = input.stations ?? 0;
  const pos = radialPositions(input.ring, input.parent, stations, input.group);
  const n = input.ring.length;
  if (input.iterations > 0 && n >= 2) {
    // The ideal distance: the outer disc's area shared among the nodes.
    const outer = RING_RADIUS[2] + RING_WIDTH[2] / 2;
    const k = Math.min(8, Math.sqrt((Math.PI * outer * outer) / n));
    relax(pos, input.edges, input.parent, stations, input.iterations, k);
  }
  placeStations(pos, stations, input.anchor, input.self ?? -1);
  for (let i = 0; i < pos.length; i++) if (!Number.isFinite(pos[i] as number)) pos[i] = 0;
  return pos;
}
