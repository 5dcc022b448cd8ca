/**
 * The Constellation view does not redraw its 20,000 nodes while the camera moves (software GL takes most of a
 * frame for one draw, bench/ui): it moves the last drawn picture with a CSS transform and draws again at rest.
 * This is the transform: the scale and shift that carry two points from where the last drawing put them to where
 * the camera puts them now (the camera only pans and zooms: rotation is turned off).
 */
export interface Point {
  x: number;
  y: number;
}

export interface Shift {
  scale: number;
  x: number;
  y: number;
}

/** The transform (origin top left) taking a0 → a1 and b0 → b1; a0 and b0 must differ. */
export function shiftBetween(a0: Point, b0: Point, a1: Point, b1: Point): Shift {
  const d0 = Math.hypot(b0.x - a0.x, b0.y - a0.y);
  const d1 = Math.hypot(b1.x - a1.x, b1.y - a1.y);
  const scale = d0 > 0 ? d1 / d0 : 1;
  return { scale, x: a1.x - scale * a0.x, y: a1.y - scale * a0.y };
}

export function cssOf(s: Shift): string {
  return `translate(${s.x.toFixed(2)}px, ${s.y.toFixed(2)}px) scale(${s.scale.toFixed(5)})`;
}

/** Whether the moved picture has drifted so far that a fresh drawing is worth its cost during the motion. */
export function drifted(s: Shift, width: number, height: number): boolean {
  return Math.abs(s.x) > width * 0.35 || Math.abs(s.y) > height * 0.35 || s.scale > 2.2 || s.scale < 0.45;
}
