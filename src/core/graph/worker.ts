/**
 * Worker thread entry: runs one graph job from workerData and posts the result back. Built as its own entry
 * of the Electron main bundle (`graph-worker.js`); under tsx it is loaded by the bootstrap in runner.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runGraphJob, type GraphJob } from './jobs';

const port = parentPort;
if (port) {
  try {
    const { result, transfer } = runGraphJob((workerData as { job: GraphJob }).job);
    port.postMessage({ ok: true, result }, transfer);
  } catch (err) {
    port.postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}
