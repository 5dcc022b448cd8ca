/**
 * The engine of one sync run, with a timeline: `tsx bench/scale/trace-engine.ts <args as JSON>` (a process of its
 * own, like the command). Prints per-peer phase changes and log lines with their time since start, as JSON lines.
 */
import { makeConfig } from '../../src/core/config';
import { Engine } from '../../src/core/engine';
import type { SyncProgress } from '../../src/shared/schemas';

const t0 = performance.now();
const at = (): number => Math.round(performance.now() - t0);
const a = JSON.parse(process.argv[2] as string) as { conc?: number; zenRoot: string; dataDir: string; kuboApi: string; relayUrl: string; strfryBin: string; strfryConf: string };
const out = (x: object): void => void process.stdout.write(`${JSON.stringify({ t: at(), ...x })}\n`);

async function main(): Promise<void> {
  const config = makeConfig({ dataDir: a.dataDir, overrides: { zenRoot: a.zenRoot, kuboApi: a.kuboApi, relayUrl: a.relayUrl, strfryBin: a.strfryBin, strfryConf: a.strfryConf, ...(a.conc ? { peerConcurrency: a.conc } : {}) }, host: 'cli' });
  const engine = new Engine(config, { schedule: false, live: 'off', echo: (l) => out({ log: l.level, msg: l.msg }) });
  const phase = new Map<string, string>();
  engine.on('sync.progress', (p: SyncProgress) => {
    for (const x of p.peers) {
      if (phase.get(x.peer) !== x.phase) {
        phase.set(x.peer, x.phase);
        out({ peer: x.peer.slice(-6), phase: x.phase, fetched: x.fetched, imported: x.imported, need: x.need });
      }
    }
  });
  await engine.start();
  out({ started: true });
  const { done } = await engine.sync.start({ trigger: 'cli', days: 1, noProfiles: true, noShare: true });
  const r = await done;
  out({ done: r.outcome, ms: r.durationMs, imported: r.imported, localReads: r.localReads, fetches: r.fetches });
  await engine.stop();
  out({ stopped: true, cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000) });
}
main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
