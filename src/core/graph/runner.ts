/**
 * Runs graph jobs off the main event loop when they are large, in-process when small (a worker costs tens of
 * milliseconds to start, more under tsx).
 *
 * Where the worker code comes from:
 * - Electron main bundle: `graph-worker.js`, an extra `main` build input (electron.vite.config.ts), next to the
 *   bundle's chunk that holds this module, or one folder up.
 * - TypeScript sources (CLI through tsx, vitest): Node 24 does not pass tsx's loader hooks registered with
 *   `register()` on to workers (checked: the worker fails on extensionless imports), so the worker is started
 *   from a tiny ESM bootstrap (`eval`) that registers tsx first, then imports `worker.ts`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runGraphJob, type GraphJob, type GraphJobResult } from './jobs';
import { reason, ReasonError, textReason } from '../../shared/i18n';

const here = dirname(fileURLToPath(import.meta.url));
const BUILT_WORKER = 'graph-worker.js';

type WorkerStart = { what: string | URL; eval: boolean; entry?: string };

function workerStart(): WorkerStart {
  for (const dir of [here, join(here, '..')]) {
    const built = join(dir, BUILT_WORKER);
    if (existsSync(built)) return { what: built, eval: false };
  }
  const source = join(here, 'worker.ts');
  if (existsSync(source)) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
    const boot = [
      `import { workerData } from 'node:worker_threads';`,
      `const { register } = await import(${JSON.stringify(tsx)});`,
      `register();`,
      `await import(workerData.entry);`,
    ].join('\n');
    return { what: boot, eval: true, entry: pathToFileURL(source).href };
  }
  throw new ReasonError(reason('graph.workerMissing', { built: join(here, BUILT_WORKER), source }));
}

/** Runs one job in a new worker thread; the worker ends with the job. */
export function runInWorker(job: GraphJob, transfer: ArrayBuffer[] = []): Promise<GraphJobResult> {
  const start = workerStart();
  return new Promise((resolve, reject) => {
    const worker = new Worker(start.what, {
      eval: start.eval,
      workerData: { job, entry: start.entry },
      transferList: transfer,
    });
    let settled = false;
    worker.once('message', (msg: { ok: true; result: GraphJobResult } | { ok: false; error: string }) => {
      settled = true;
      void worker.terminate();
      if (msg.ok) resolve(msg.result);
      else reject(new ReasonError(reason('graph.workerFailed', { job: job.type, why: textReason(msg.error) })));
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new ReasonError(reason('graph.workerCrashed', { job: job.type, detail: err.message })));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new ReasonError(reason('graph.workerExited', { job: job.type, exitCode: code })));
    });
  });
}

/** Runs a job in a worker when `large`, else right here. */
export async function runJob(job: GraphJob, large: boolean, transfer: ArrayBuffer[] = []): Promise<GraphJobResult> {
  if (large) return runInWorker(job, transfer);
  return runGraphJob(job).result;
}
