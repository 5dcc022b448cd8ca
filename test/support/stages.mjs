#!/usr/bin/env node
// `npm test`: the checks in stages, each stage's steps side by side, and how long each took.
//
// Stage 1 runs the type checks, the lint and the build together: four single-threaded programs that leave the
// machine's second core idle when run one after the other (the build is what the browser tests need; the CLI
// tests run the same code through it or through the sources). The integration and fault tests then run in two
// lanes side by side: each suite keeps its own files one at a time (real relays and processes) and alone leaves
// much of the second core idle while it waits on sockets and child processes (measured on a quiet 2-core machine:
// 270 s + 205 s one after the other, 328 s and 213 s side by side). The integration file that runs the cold demo
// follows the faults in the second lane so that both lanes end about together. The unit tests before and the
// browser tests after use both cores (the browser tests as a lane beside the integration tests gained nothing).
// A lane stops at its first failing step; the first failing stage ends the run, with its exit code; a table of the
// stages' times is printed at the end.
import { spawn } from 'node:child_process';

/** The integration file that runs the cold demo three times (~70-100 s): it goes after the faults, so that both lanes
 * end about together (integration ∥ faults ended at 373 s and 241 s with it on the integration side). */
const DEMO_TEST = 'test/integration/demo.test.ts';

/** @typedef {{ name: string; run: string }} Step */
/** A stage's entries run side by side; an entry that is a list is a lane, its steps one after the other. */
/** @type {Array<Array<Step | Step[]>>} */
const STAGES = [
  [
    { name: 'typecheck (node)', run: 'tsc -p tsconfig.node.json --noEmit' },
    { name: 'typecheck (web)', run: 'vue-tsc -p tsconfig.web.json --noEmit' },
    { name: 'lint', run: 'npm run -s lint' },
    { name: 'build', run: 'npm run -s build' },
  ],
  [{ name: 'unit', run: 'npm run -s test:unit' }],
  [
    { name: 'integration', run: `vitest run --project integration --exclude ${DEMO_TEST}` },
    [
      { name: 'faults', run: 'npm run -s test:faults' },
      { name: 'integration (demo)', run: `vitest run --project integration ${DEMO_TEST}` },
    ],
  ],
  [{ name: 'e2e', run: 'npm run -s test:e2e' }],
];

/** Runs a lane's steps one after the other, stopping at the first that fails; resolves with their results. */
async function lane(steps) {
  const results = [];
  for (const s of steps) {
    const r = await step(s);
    results.push(r);
    if (r.code !== 0) break;
  }
  return results;
}

/** Runs one step (output passed through as it comes); resolves with its exit code and seconds. */
function step({ name, run }) {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(run, { shell: true, stdio: 'inherit', env: { ...process.env, PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}` } });
    child.on('exit', (code, signal) => done({ name, code: code ?? (signal ? 1 : 0), seconds: (Date.now() - started) / 1000 }));
    child.on('error', (err) => done({ name, code: 1, seconds: (Date.now() - started) / 1000, error: err.message }));
  });
}

const times = [];
const total = Date.now();
let failed = null;
for (const stage of STAGES) {
  const started = Date.now();
  const results = (await Promise.all(stage.map((entry) => (Array.isArray(entry) ? lane(entry) : step(entry).then((r) => [r]))))).flat();
  times.push({ stage: stage.map((e) => (Array.isArray(e) ? e.map((s) => s.name).join(' → ') : e.name)).join(' + '), seconds: (Date.now() - started) / 1000, results });
  failed = results.find((r) => r.code !== 0) ?? null;
  if (failed) break;
}
const fmt = (s) => `${s.toFixed(1).padStart(7)} s`;
console.log('\nnpm test, time per stage:');
for (const t of times) {
  console.log(`${fmt(t.seconds)}  ${t.stage}`);
  if (t.results.length > 1) for (const r of t.results) console.log(`           ${fmt(r.seconds)}  ${r.name}${r.code !== 0 ? ` (exit ${r.code})` : ''}`);
}
console.log(`${fmt((Date.now() - total) / 1000)}  total`);
if (failed) {
  console.error(`\nnpm test: ${failed.name} failed (exit ${failed.code})${failed.error ? `: ${failed.error}` : ''}`);
  process.exit(failed.code || 1);
}
