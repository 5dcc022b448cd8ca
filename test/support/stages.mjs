#!/usr/bin/env node
// `npm test`: the checks in stages, each stage's steps side by side, and how long each took.
//
// Stage 1 runs the type checks, the lint and the build together: four single-threaded programs that leave the
// machine's second core idle when run one after the other (the build is what the browser tests need; the CLI
// tests run the same code through it or through the sources). The integration and fault tests then run side by
// side: each keeps its own files one at a time (real relays and processes), and each alone leaves much of the
// second core idle while it waits on sockets and child processes (measured: 270 s + 205 s one after the other,
// 347 s side by side, both green). Unit tests before them and the browser tests after them use both cores.
// The first failing stage ends the run, with its exit code; a table of the stages' times is printed at the end.
import { spawn } from 'node:child_process';

/** @type {Array<Array<{ name: string; run: string }>>} */
const STAGES = [
  [
    { name: 'typecheck (node)', run: 'tsc -p tsconfig.node.json --noEmit' },
    { name: 'typecheck (web)', run: 'vue-tsc -p tsconfig.web.json --noEmit' },
    { name: 'lint', run: 'npm run -s lint' },
    { name: 'build', run: 'npm run -s build' },
  ],
  [{ name: 'unit', run: 'npm run -s test:unit' }],
  [
    { name: 'integration', run: 'npm run -s test:integration' },
    { name: 'faults', run: 'npm run -s test:faults' },
  ],
  [{ name: 'e2e', run: 'npm run -s test:e2e' }],
];

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
  const results = await Promise.all(stage.map(step));
  times.push({ stage: stage.map((s) => s.name).join(' + '), seconds: (Date.now() - started) / 1000, results });
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
