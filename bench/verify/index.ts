/**
 * Signature verification throughput: nostr-tools' pure-JS `verifyEvent` against the verifier the sync uses
 * (`loadVerifier()` in src/core/nostr/verify.ts: libsecp256k1 through nostr-wasm), on the same events.
 *
 *   npx tsx bench/verify/index.ts [--events N]     prints a table, writes bench/results/verify.json
 *
 * Every event is handed over as a fresh copy: nostr-tools caches a "verified" mark on the object it checked,
 * which would otherwise turn the second pass into a lookup.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyEvent as jsVerify } from 'nostr-tools/pure';
import { keysFromSeed, manyNotes, type NostrEvent } from '../../src/devkit';
import { loadVerifier } from '../../src/core/nostr/verify';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const arg = process.argv.indexOf('--events');
const EVENTS = arg > 0 ? Number(process.argv[arg + 1]) : 10_000;

function time(events: readonly NostrEvent[], verify: (e: NostrEvent) => boolean): { ms: number; valid: number } {
  let valid = 0;
  const t0 = performance.now();
  for (const e of events) if (verify({ ...e, tags: e.tags })) valid++;
  return { ms: performance.now() - t0, valid };
}

async function main(): Promise<void> {
  const authors = keysFromSeed('bench-verify', 100);
  const t0 = performance.now();
  const events = await manyNotes(authors, Math.ceil(EVENTS / authors.length), { seed: 'bench-verify', since: 1_700_000_000, until: 1_700_604_800 });
  events.length = Math.min(events.length, EVENTS);
  const signMs = performance.now() - t0;
  const fast = await loadVerifier();
  // Warm both up (JIT, WASM instantiation) on a few events outside the measure.
  time(events.slice(0, 200), (e) => jsVerify(e));
  time(events.slice(0, 200), (e) => fast.verify(e));
  const js = time(events, (e) => jsVerify(e));
  const wasm = time(events, (e) => fast.verify(e));
  if (js.valid !== events.length || wasm.valid !== events.length) throw new Error(`verification disagrees: js ${js.valid}, ${fast.name} ${wasm.valid}, of ${events.length}`);
  const jsRate = (events.length / js.ms) * 1000;
  const fastRate = (events.length / wasm.ms) * 1000;
  const ratio = fastRate / jsRate;
  const rows = [
    { verifier: 'nostr-tools verifyEvent (pure JS)', events: events.length, ms: Math.round(js.ms), perSecond: Math.round(jsRate) },
    { verifier: `${fast.name} (the sync's verifier)`, events: events.length, ms: Math.round(wasm.ms), perSecond: Math.round(fastRate) },
  ];
  console.log(`signature verification, ${events.length} events (signed in ${Math.round(signMs)} ms), ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`);
  console.table(rows);
  console.log(`ratio: ${ratio.toFixed(2)}× faster than pure JS`);
  const out = join(ROOT, 'bench', 'results', 'verify.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        bench: 'verify',
        at: new Date().toISOString(),
        node: process.version,
        cores: cpus().length,
        load: loadavg(),
        events: events.length,
        rows,
        ratio: Number(ratio.toFixed(2)),
        summary: [
          { figure: `verify ${events.length} events: ${fast.name} (events/s)`, value: Math.round(fastRate), unit: 'ev/s', baseline: Math.round(jsRate), ratio: Number(ratio.toFixed(2)), target: null, met: null },
        ],
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
