/**
 * What the Constellation view draws itself on 2D canvases above and below sigma's WebGL layers: the N2 halo, rings
 * around stations and this station's users, the labels (placed by graphLabels), and the follows of the node under
 * the mouse. Plain canvas calls on screen coordinates: the caller maps graph positions with sigma.
 */
import type { PlacedLabel } from './graphLabels';
import type { Point } from './graphMotion';

export interface LabelStyle {
  font: string;
  boldFont: string;
  color: string;
  /** a halo behind the letters, in the background colour, so labels read over edges and dots */
  halo: string;
}

export const LABEL_SIZE = 12;
export const LABEL_FONT = `${LABEL_SIZE}px system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif`;
export const LABEL_FONT_BOLD = `600 ${LABEL_SIZE + 1}px system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif`;

export function drawLabels(ctx: CanvasRenderingContext2D, labels: readonly PlacedLabel[], style: LabelStyle): void {
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  for (const l of labels) {
    ctx.font = l.bold ? style.boldFont : style.font;
    ctx.lineWidth = 3;
    ctx.strokeStyle = style.halo;
    ctx.strokeText(l.text, l.x, l.y + l.h / 2);
    ctx.fillStyle = style.color;
    ctx.fillText(l.text, l.x, l.y + l.h / 2);
  }
}

/** A ring around each point (radius: the node's on screen plus a gap). */
export function drawRings(ctx: CanvasRenderingContext2D, rings: ReadonlyArray<Point & { r: number }>, color: string, width: number): void {
  if (rings.length === 0) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  for (const p of rings) {
    ctx.moveTo(p.x + p.r, p.y);
    ctx.arc(p.x, p.y, p.r, 0, 2 * Math.PI);
  }
  ctx.stroke();
}

/**
 * The halo: one band cell per angular bin, between two radii, fading outwards, as opaque as the share of N2 in
 * that direction. `corner(angle, radius)` maps a graph-space polar point to the screen.
 */
export function drawHalo(
  ctx: CanvasRenderingContext2D,
  density: Float32Array,
  corner: (angle: number, radius: number) => Point,
  inner: number,
  outer: number,
  rgb: readonly [number, number, number],
): void {
  const bins = density.length;
  const c = corner(0, 0);
  const edge = corner(0, inner);
  const far = corner(0, outer);
  const r0 = Math.hypot(edge.x - c.x, edge.y - c.y);
  const r1 = Math.hypot(far.x - c.x, far.y - c.y);
  const colour = (a: number): string => `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${a.toFixed(3)})`;
  for (let b = 0; b < bins; b++) {
    const d = density[b] as number;
    if (d <= 0) continue;
    const a0 = -Math.PI + (2 * Math.PI * b) / bins;
    const a1 = -Math.PI + (2 * Math.PI * (b + 1)) / bins;
    const p = [corner(a0, inner), corner(a1, inner), corner(a1, outer), corner(a0, outer)];
    const fade = ctx.createRadialGradient(c.x, c.y, r0, c.x, c.y, r1);
    fade.addColorStop(0, colour(0.05 + 0.22 * d));
    fade.addColorStop(1, colour(0));
    ctx.fillStyle = fade;
    ctx.beginPath();
    ctx.moveTo(p[0]!.x, p[0]!.y);
    for (let k = 1; k < 4; k++) ctx.lineTo(p[k]!.x, p[k]!.y);
    ctx.closePath();
    ctx.fill();
  }
}

/** The follows of one node: whom it follows in one colour, who follows it in another. */
export function drawFollows(ctx: CanvasRenderingContext2D, at: Point, follows: readonly Point[], followers: readonly Point[], colors: { follows: string; followers: string }): void {
  ctx.lineWidth = 1.5;
  for (const [list, color] of [
    [followers, colors.followers],
    [follows, colors.follows],
  ] as const) {
    if (list.length === 0) continue;
    ctx.strokeStyle = color;
    ctx.beginPath();
    for (const p of list) {
      ctx.moveTo(at.x, at.y);
      ctx.lineTo(p.x, p.y);
    }
    ctx.stroke();
  }
}

/**
 * Sigma's hover box, in the theme's colours (its default is a white box whatever the theme), and the node itself on
 * top of it (the stage draws hovered nodes in 2D: see graphStage.ts). The text is the node's `name` (sigma passes
 * the node's attributes along: see NodeAttrs.name for why it is not `label`).
 */
export function hoverDrawer(colors: { box: string; text: string; shadow: string }) {
  return (ctx: CanvasRenderingContext2D, data: { x: number; y: number; size: number; color?: string; name?: string | null }): void => {
    const pad = 3;
    const label = data.name;
    ctx.font = LABEL_FONT_BOLD;
    ctx.fillStyle = colors.box;
    ctx.shadowColor = colors.shadow;
    ctx.shadowBlur = 8;
    if (label) {
      const w = ctx.measureText(label).width + 2 * pad;
      const h = LABEL_SIZE + 1 + 2 * pad;
      ctx.beginPath();
      ctx.arc(data.x, data.y, data.size + pad, 0, 2 * Math.PI);
      ctx.rect(data.x + data.size + pad, data.y - h / 2, w, h);
      ctx.fill();
      ctx.shadowBlur = 0;
      ctx.fillStyle = colors.text;
      ctx.textBaseline = 'middle';
      ctx.fillText(label, data.x + data.size + 2 * pad, data.y);
    } else {
      ctx.beginPath();
      ctx.arc(data.x, data.y, data.size + pad, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.shadowBlur = 0;
    if (data.color) {
      ctx.beginPath();
      ctx.arc(data.x, data.y, data.size, 0, 2 * Math.PI);
      ctx.fillStyle = data.color;
      ctx.fill();
    }
  };
}
