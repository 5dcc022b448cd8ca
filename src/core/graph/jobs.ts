/**
 * The CPU-heavy steps of the graph as plain-data jobs, so the same code runs in-process (small graphs) or in
 * a worker thread (large ones): only typed arrays and numbers cross the thread boundary.
 */
import { analyze, type Analysis } from './analyze';
import { computeLayout, type LayoutInput } from './layout';

export type GraphJob =
  | { type: 'analyze'; nodes: number; offsets: Uint32Array; targets: Uint32Array; members: Uint32Array }
  | { type: 'layout'; input: LayoutInput };

export type GraphJobResult = Analysis | Float64Array;

/** Runs a job; returns the result and the buffers to hand back without a copy. */
export function runGraphJob(job: GraphJob): { result: GraphJobResult; transfer: ArrayBuffer[] } {
  if (job.type === 'analyze') {
    // The analysis needs the rows only; the keys stay with the caller (strings are costly to copy).
    const graph = { keys: new Array<string>(job.nodes), offsets: job.offsets, targets: job.targets, hasList: new Uint8Array(0) };
    const a = analyze(graph, job.members);
    return { result: a, transfer: [a.distance.buffer, a.followers.buffer, a.n2Alone.buffer] as ArrayBuffer[] };
  }
  const xy = computeLayout(job.input);
  return { result: xy, transfer: [xy.buffer as ArrayBuffer] };
}
