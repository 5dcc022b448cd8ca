/**
 * N2 summarised: until the captain asks for the friends of friends, the view draws a halo around N1 instead of
 * thousands of dots, darker where more N2 hangs (the engine lays each N2 out in the sector of the N1 and member it
 * hangs on, so the halo says which groups bring the most). Pure: the profile by angle, from the N2 positions.
 */
export interface HaloProfile {
  /** share of the N2 in each angular bin, scaled so the fullest bin is 1 */
  density: Float32Array;
  /** the radius (graph units) just outside the drawn nodes, where the halo starts */
  inner: number;
}

/** From the nodes' columns (kind, x, y of node i at index i). */
export function haloProfile(nodes: { kind: readonly string[]; x: readonly number[]; y: readonly number[] }, bins = 96): HaloProfile {
  const count = new Float32Array(bins);
  let inner = 0;
  const { kind, x, y } = nodes;
  for (let i = 0; i < kind.length; i++) {
    const nx = x[i] as number;
    const ny = y[i] as number;
    if (!Number.isFinite(nx) || !Number.isFinite(ny)) continue;
    if (kind[i] === 'n2') {
      const a = Math.atan2(ny, nx);
      const b = Math.min(bins - 1, Math.floor(((a + Math.PI) / (2 * Math.PI)) * bins));
      count[b]! += 1;
    } else {
      inner = Math.max(inner, Math.hypot(nx, ny));
    }
  }
  // A little smoothing: a bin next to a full one is not empty (the sample of N2 is a sample).
  const smooth = new Float32Array(bins);
  for (let b = 0; b < bins; b++) smooth[b] = 0.25 * (count[(b + bins - 1) % bins] as number) + 0.5 * (count[b] as number) + 0.25 * (count[(b + 1) % bins] as number);
  let max = 0;
  for (const v of smooth) max = Math.max(max, v);
  if (max > 0) for (let b = 0; b < bins; b++) smooth[b] = (smooth[b] as number) / max;
  return { density: smooth, inner };
}

/** The angle (radians, graph space) at the start of bin `b`. */
export function binAngle(b: number, bins: number): number {
  return -Math.PI + (2 * Math.PI * b) / bins;
}
