/**
 * Which node labels the Constellation view shows, and where: most important first (stations, the node looked for,
 * this station's users, the most followed members, then N1 when zoomed in), each to the right of its node or else
 * to its left, and never one over another or over a station. Pure (the canvas measures the text), for the tests.
 */

export interface LabelCandidate {
  id: string;
  text: string;
  /** the node's centre and radius on screen, CSS pixels */
  x: number;
  y: number;
  radius: number;
  /** lower comes first */
  priority: number;
  bold?: boolean;
}

export interface PlacedLabel {
  id: string;
  text: string;
  /** the text box: left, top, width, height */
  x: number;
  y: number;
  w: number;
  h: number;
  bold: boolean;
}

export interface LabelOptions {
  width: number;
  height: number;
  /** text height, px */
  lineHeight: number;
  /** the most labels drawn at once (a screenful stays readable) */
  max: number;
  /** empty space kept around each label */
  margin: number;
  /** boxes no label may cover (the stations' markers) */
  obstacles?: ReadonlyArray<{ x: number; y: number; w: number; h: number }>;
}

/** A uniform grid over the screen: each cell lists the boxes touching it, so a collision test looks at a few. */
class BoxGrid {
  private readonly cells = new Map<number, Array<{ x: number; y: number; w: number; h: number }>>();
  constructor(private readonly cell: number) {}

  private *keys(b: { x: number; y: number; w: number; h: number }): Generator<number> {
    const c = this.cell;
    for (let gx = Math.floor(b.x / c); gx <= Math.floor((b.x + b.w) / c); gx++) {
      for (let gy = Math.floor(b.y / c); gy <= Math.floor((b.y + b.h) / c); gy++) yield gx * 100_003 + gy;
    }
  }

  hits(b: { x: number; y: number; w: number; h: number }): boolean {
    for (const k of this.keys(b)) {
      for (const o of this.cells.get(k) ?? []) {
        if (b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h) return true;
      }
    }
    return false;
  }

  add(b: { x: number; y: number; w: number; h: number }): void {
    for (const k of this.keys(b)) {
      const list = this.cells.get(k);
      if (list) list.push(b);
      else this.cells.set(k, [b]);
    }
  }
}

/** Whether two placed labels overlap (the tests' check, and the e2e's on what the canvas reports). */
export function overlaps(a: Pick<PlacedLabel, 'x' | 'y' | 'w' | 'h'>, b: Pick<PlacedLabel, 'x' | 'y' | 'w' | 'h'>): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

export function placeLabels(candidates: readonly LabelCandidate[], measure: (text: string, bold: boolean) => number, o: LabelOptions): PlacedLabel[] {
  const grid = new BoxGrid(64);
  const placed: PlacedLabel[] = [];
  for (const box of o.obstacles ?? []) grid.add(box);
  const sorted = [...candidates].sort((a, b) => a.priority - b.priority);
  const m = o.margin;
  for (const c of sorted) {
    if (placed.length >= o.max) break;
    if (c.x < -c.radius || c.y < -c.radius || c.x > o.width + c.radius || c.y > o.height + c.radius) continue;
    const bold = c.bold === true;
    const w = measure(c.text, bold);
    const h = o.lineHeight;
    const gap = c.radius + 3;
    const sides = [c.x + gap, c.x - gap - w];
    for (const left of sides) {
      const box = { x: left, y: c.y - h / 2, w, h };
      if (box.x < 0 || box.y < 0 || box.x + w > o.width || box.y + h > o.height) continue;
      const padded = { x: box.x - m, y: box.y - m, w: w + 2 * m, h: h + 2 * m };
      if (grid.hits(padded)) continue;
      grid.add(padded);
      placed.push({ id: c.id, text: c.text, ...box, bold });
      break;
    }
  }
  return placed;
}
