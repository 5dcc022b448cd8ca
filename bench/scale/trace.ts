/**
 * Where a run's time goes (a diagnostic, not a benchmark): `npx tsx bench/scale/trace.ts [peers] [members]` builds
 * the world of bench/scale, runs the engine (trace-engine.ts, its own process) cold then steady, and prints each
 * peer's phases with their start (ms since the engine started), the CPU time of the engine and of the world
 * (relays, kubo stand-in), and every strfry call with its start, wall time and CPU time.
 * TRACE_CONC=8: another peerConcurrency; TRACE_PROF=<dir>: CPU profiles of the engine (and every strfry stand-in).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStrfryStation } from '../../src/devkit';
import { buildWorld } from './world';

const REPO = join(import.meta.dirname, '..', '..');
const peers = Number(process.argv[2] ?? 32);
const members = Number(process.argv[3] ?? 300);

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'trace-scale-'));
  const w = await buildWorld({ peers, members, perPeer: 2000, seed: `scale-${peers}x${members}`, nowSec: Math.floor(Date.now() / 1000) });
  try {
    const st = await startStrfryStation(join(tmp, 'strfry'));
    const log = join(tmp, 'calls.log');
    const bin = join(tmp, 'strfry-timed');
    await writeFile(bin, `#!/bin/sh\ns=$(date +%s%3N)\n${st.strfryBin} "$@"\nrc=$?\nset -- $(cat /proc/$$/stat) "$2"\nprintf '%s %s %s %s\\n' "$s" "$(date +%s%3N)" "\${53}" "$(( (\${16} + \${17}) * 10 ))" >> ${log}\nexit $rc\n`);
    await chmod(bin, 0o755);
    for (const phase of ['cold', 'steady']) {
      await writeFile(log, '');
      const args = { conc: Number(process.env.TRACE_CONC ?? 0), zenRoot: w.built.root, dataDir: join(tmp, 'engine'), kuboApi: w.kubo.url, relayUrl: st.relayUrl, strfryBin: bin, strfryConf: st.strfryConf };
      const wall0 = Date.now();
      const cpu0 = process.cpuUsage();
      const child = spawn(join(REPO, 'node_modules', '.bin', 'node'), [join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO, 'bench', 'scale', 'trace-engine.ts'), JSON.stringify(args)], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...(process.env.TRACE_PROF ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.TRACE_PROF}/${phase}` } : {}) } });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      await new Promise((r) => child.on('close', r));
      const wall = Date.now() - wall0;
      const cpu1 = process.cpuUsage(cpu0);
      console.log(`\n===== ${phase}: wall ${wall} ms; world (relays, kubo) cpu ${Math.round((cpu1.user + cpu1.system) / 1000)} ms; load ${(await readFile('/proc/loadavg', 'utf8')).trim()}`);
      console.log(`engine ${JSON.stringify(text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.stopped))}`);
      const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const startedAt = (lines.find((l) => l.started)?.t as number) ?? 0;
      console.log(`engine started at ${startedAt} ms; done ${JSON.stringify(lines.find((l) => l.done))}`);
      const byPeer = new Map<string, string[]>();
      for (const l of lines) if (l.peer) byPeer.set(l.peer as string, [...(byPeer.get(l.peer as string) ?? []), `${l.phase as string}@${l.t as number}`]);
      for (const [p, ev] of byPeer) console.log(`  ${p}: ${ev.join(' ')}`);
      for (const l of lines) if (l.log && (l.log !== 'info' || !/^peer .*: (tunnel open|nip77)/.test(l.msg as string))) console.log(`  [${l.t as number}] ${l.log as string} ${(l.msg as string).slice(0, 200)}`);
      const calls = (await readFile(log, 'utf8')).split('\n').filter(Boolean).map((l) => l.split(' '));
      const spawnBase = wall0;
      const sum: Record<string, { n: number; ms: number; cpuMs: number }> = {};
      for (const [s, e, c, cpu] of calls) {
        const k = c ?? '?';
        sum[k] ??= { n: 0, ms: 0, cpuMs: 0 };
        sum[k].n++;
        sum[k].ms += Number(e) - Number(s);
        sum[k].cpuMs += Number(cpu);
      }
      console.log(`  strfry calls: ${JSON.stringify(sum)}`);
      console.log(`  ${calls.map(([s, e, c]) => `${c}@${Number(s) - spawnBase}+${Number(e) - Number(s)}`).join(' ')}`);
    }
    await st.stop();
  } finally {
    await w.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}
main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
