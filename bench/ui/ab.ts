/**
 * Two builds of the renderer compared on the bench's first frame, load by load alternately, so that a shared,
 * busy machine weighs on both alike. Besides the wall time to the first frame it reads, from Chromium's trace, the
 * CPU time the renderer's main thread and the GPU process spent until then (thread time: much steadier than wall
 * time when other work shares the cores).
 *
 *   npx tsx bench/ui/ab.ts <rendererDirA> <rendererDirB> [loads per build, default 4]
 */
import { resolve } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { benchEndpoint, CHROMIUM, CHROMIUM_ARGS, makeSubgraph } from './stage';
import { startWebHost } from '../../src/cli/webhost';
import type { Subgraph } from '../../src/shared/schemas';

interface TraceEvent { name: string; ph: string; ts: number; dur?: number; tdur?: number; pid: number; tid: number; args?: Record<string, unknown> }
interface Load { wall: number; mainCpu: number; gpuCpu: number; marks: Record<string, number> }

async function load(browser: Browser, sub: Subgraph, dir: string): Promise<Load> {
  const host = await startWebHost({ engine: benchEndpoint(sub), rendererDir: dir, port: 0, warn: (m) => console.error(`web host: ${m}`) });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(() => localStorage.setItem('constellation.graph.showN2', '1'));
    const url = new URL(host.url);
    url.hash = '#/graph';
    // A first load warms the caches and drops the token from the address, as in the bench.
    await page.goto(url.toString());
    await page.locator('[data-test="graph-complete-ms"]').waitFor({ state: 'attached', timeout: 180_000 });
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'blink.user_timing', 'loading'] });
    await page.goto(url.toString());
    const mark = page.locator('[data-test="graph-render-ms"]');
    await mark.waitFor({ state: 'attached', timeout: 180_000 });
    const wall = Number(await mark.getAttribute('data-at'));
    const events = (JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
    await page.close();
    const nav = events.find((e) => e.name === 'navigationStart' && (e.args?.data as { isLoadingMainFrame?: boolean } | undefined)?.isLoadingMainFrame);
    if (!nav) throw new Error('no navigationStart in the trace');
    const t0 = nav.ts;
    const t1 = t0 + wall * 1000;
    const threads = new Map<string, string>();
    const processes = new Map<number, string>();
    for (const e of events) {
      if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, String((e.args as { name?: string }).name));
      if (e.name === 'process_name') processes.set(e.pid, String((e.args as { name?: string }).name));
    }
    let mainCpu = 0;
    let gpuCpu = 0;
    for (const e of events) {
      if (e.ph !== 'X' || e.name !== 'RunTask' || e.ts < t0 || e.ts > t1) continue;
      const cpu = (e.tdur ?? 0) / 1000;
      if (e.pid === nav.pid && threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain') mainCpu += cpu;
      else if (processes.get(e.pid) === 'GPU Process') gpuCpu += cpu;
    }
    const marks: Record<string, number> = {};
    for (const e of events) if (e.pid === nav.pid && e.name.startsWith('graph:') && e.ph !== 'X') marks[e.name] = Math.round((e.ts - t0) / 1000);
    return { wall, mainCpu: Math.round(mainCpu), gpuCpu: Math.round(gpuCpu), marks };
  } finally {
    await host.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const [a, b, n] = process.argv.slice(2);
  if (!a || !b) throw new Error('usage: npx tsx bench/ui/ab.ts <rendererDirA> <rendererDirB> [loads]');
  const dirs = [resolve(a), resolve(b)];
  const loads = Number(n ?? 4);
  const { sub } = makeSubgraph();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const out: Load[][] = [[], []];
  try {
    for (let i = 0; i < loads; i++) {
      for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
        const l = await load(browser, sub, dirs[k]!);
        out[k]!.push(l);
        const [load1] = (await import('node:os')).loadavg();
        console.log(`${k === 0 ? 'A' : 'B'} wall ${l.wall} ms, main thread CPU ${l.mainCpu} ms, GPU process CPU ${l.gpuCpu} ms (load ${load1?.toFixed(1)}) ${JSON.stringify(l.marks)}`);
      }
    }
  } finally {
    await browser.close();
  }
  for (const k of [0, 1]) {
    const r = out[k]!;
    console.log(`${k === 0 ? 'A' : 'B'} ${dirs[k]}: median wall ${median(r.map((l) => l.wall))} ms, main CPU ${median(r.map((l) => l.mainCpu))} ms, GPU CPU ${median(r.map((l) => l.gpuCpu))} ms`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
