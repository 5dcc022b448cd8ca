// Prints the summary table of `npm run test:faults` from what the fault suites recorded: .tmp/faults-summary.json
// (test/faults/faults.test.ts) and every .tmp/faults-summary-<suite>.json beside it (e.g. hostile.test.ts).
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.tmp');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^faults-summary(-[\w-]+)?\.json$/.test(f)).sort() : [];
if (files.length === 0) {
  console.error(`no fault results in ${dir}: did test/faults run?`);
  process.exit(1);
}
const rows = files.flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
const pad = (s, n) => String(s).padEnd(n);
const w = Math.max(...rows.map((r) => r.fault.length), 5);
// RSS (MB): the engine process's peak where the case ran the engine as `constellation sync`, else the peak of the whole
// test process (engine, relays and kubo stand-in together); '-' where a case did not measure it
console.log(`\n${pad('fault', w)}  ${pad('survived', 8)}  ${pad('lost', 4)}  ${pad('secs', 5)}  ${pad('RSS', 4)}  peer  reason / failures`);
console.log('-'.repeat(w + 66));
for (const r of rows) {
  const detail = r.failures.length ? `FAILED: ${r.failures.join('; ')}` : r.reason;
  const rss = r.rssMb === undefined ? '-' : String(r.rssMb);
  console.log(`${pad(r.fault, w)}  ${pad(r.survived ? 'yes' : 'NO', 8)}  ${pad(r.lost, 4)}  ${pad(r.seconds.toFixed(1), 5)}  ${pad(rss, 4)}  ${pad(r.peerOk ? 'ok' : 'fail', 4)}  ${detail}`);
}
const survived = rows.filter((r) => r.survived).length;
const lost = rows.reduce((a, r) => a + r.lost, 0);
console.log('-'.repeat(w + 66));
console.log(`faults tried ${rows.length}, survived ${survived}, events lost ${lost}${lost === 0 ? ' (must be 0: ok)' : ' (must be 0: FAIL)'}\n`);
