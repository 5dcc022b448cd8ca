/**
 * Where the first frame's time goes: loads the Constellation screen once with the bench's 20,000-node graph under
 * Chromium's tracer and its sampling profiler, and prints (1) the window's own performance marks and measures,
 * (2) the main thread's top-level tasks by kind until the first frame, (3) the functions that took the most
 * time (self time) until then.
 *
 *   npx tsx bench/ui/profile.ts            (npm run build first)
 *   npx tsx bench/ui/profile.ts --default  the default view (N2 as a halo) instead of the 20,000 nodes drawn
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { benchEndpoint, CHROMIUM, CHROMIUM_ARGS, ensureRenderer, makeSubgraph, ROOT } from './stage';
import { startWebHost } from '../../src/cli/webhost';

interface TraceEvent { name: string; cat: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: Record<string, unknown> }
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

async function main(): Promise<void> {
  const showN2 = !process.argv.includes('--default');
  const rendererDir = ensureRenderer();
  const { sub } = makeSubgraph();
  const host = await startWebHost({ engine: benchEndpoint(sub), rendererDir, port: 0, warn: (m) => console.error(`web host: ${m}`) });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    if (showN2) await page.addInitScript(() => localStorage.setItem('constellation.graph.showN2', '1'));
    const url = new URL(host.url);
    url.hash = '#/graph';
    // One load first (the bench's median is of warm loads too: the browser's caches, the token kept).
    await page.goto(url.toString());
    await page.locator('[data-test="graph-complete-ms"]').waitFor({ state: 'attached', timeout: 180_000 });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink.user_timing', 'loading'] });
    await cdp.send('Profiler.start');
    await page.goto(url.toString());
    const mark = page.locator('[data-test="graph-render-ms"]');
    await mark.waitFor({ state: 'attached', timeout: 180_000 });
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    const at = Number(await mark.getAttribute('data-at'));
    const entries = (await page.evaluate(() =>
      performance.getEntries().filter((e) => e.entryType === 'mark' || e.entryType === 'measure' || e.entryType === 'navigation').map((e) => ({ type: e.entryType, name: e.name, start: e.startTime, duration: e.duration })),
    )) as Array<{ type: string; name: string; start: number; duration: number }>;
    const nav = (await page.evaluate(() => JSON.stringify(performance.getEntriesByType('navigation')[0]))) as string;
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'ui-trace.json'), JSON.stringify(trace));
    writeFileSync(join(ROOT, 'bench', 'results', 'ui-profile.cpuprofile'), JSON.stringify(profile));

    console.log(`first frame at ${at} ms (${showN2 ? '20,000 nodes drawn' : 'default view'})`);
    const n = JSON.parse(nav) as Record<string, number>;
    console.log(`navigation: responseEnd ${Math.round(n.responseEnd ?? 0)} ms, domInteractive ${Math.round(n.domInteractive ?? 0)} ms, domContentLoaded ${Math.round(n.domContentLoadedEventEnd ?? 0)} ms`);
    console.log('\nthe window\'s marks and measures (ms since navigation start):');
    for (const e of entries.filter((e) => e.type !== 'navigation').sort((a, b) => a.start - b.start)) {
      console.log(`  ${String(Math.round(e.start)).padStart(6)}${e.type === 'measure' ? ` +${Math.round(e.duration)}`.padEnd(7) : '       '} ${e.name}`);
    }

    // Top-level tasks of the renderer's main thread, by kind, from navigation start to the first frame.
    const events = trace.traceEvents;
    const navStart = events.find((e) => e.name === 'navigationStart' && (e.args?.data as { isLoadingMainFrame?: boolean } | undefined)?.isLoadingMainFrame);
    const main = events.find((e) => e.name === 'thread_name' && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain' && (!navStart || e.pid === navStart.pid));
    if (navStart && main) {
      const t0 = navStart.ts;
      const t1 = t0 + at * 1000;
      const top = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.ts >= t0 && e.ts <= t1 && (e.dur ?? 0) > 0);
      const tasks = top.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
      const inside = (e: TraceEvent, t: TraceEvent): boolean => e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + (t.dur ?? 0);
      console.log(`\nmain-thread tasks longer than 20 ms before the first frame (${tasks.length} tasks, ${Math.round(tasks.reduce((s, t) => s + (t.dur ?? 0), 0) / 1000)} ms busy of ${at}):`);
      for (const t of tasks.filter((t) => (t.dur ?? 0) > 20_000)) {
        const kids = top.filter((e) => e !== t && inside(e, t) && !e.name.includes('RunTask')).sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0)).slice(0, 4);
        console.log(`  at ${String(Math.round((t.ts - t0) / 1000)).padStart(5)} ms, ${String(Math.round((t.dur ?? 0) / 1000)).padStart(4)} ms: ${kids.map((k) => `${k.name}${(k.args?.data as { url?: string; functionName?: string } | undefined)?.functionName ? `(${(k.args?.data as { functionName?: string }).functionName})` : ''} ${Math.round((k.dur ?? 0) / 1000)}`).join(', ')}`);
      }
      const byName = new Map<string, number>();
      for (const e of top) if (!e.name.includes('RunTask')) byName.set(e.name, (byName.get(e.name) ?? 0) + (e.dur ?? 0));
      console.log('\ntrace events by name (ms, nested ones counted in their parents too):');
      for (const [name, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${String(Math.round(us / 1000)).padStart(6)}  ${name}`);
    } else console.log('\n(no navigationStart or main thread in the trace)');

    // Self time per function from the sampling profile, until the first frame.
    const byId = new Map(profile.nodes.map((nd) => [nd.id, nd] as const));
    const self = new Map<string, number>();
    let tms = profile.startTime;
    const end = profile.startTime + (at + 2000) * 1000;
    for (let i = 0; i < profile.samples.length; i++) {
      tms += profile.timeDeltas[i] ?? 0;
      if (tms > end) break;
      const nd = byId.get(profile.samples[i]!);
      if (!nd) continue;
      const f = nd.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
    }
    console.log('\nfunctions by self time (ms), sampling profile:');
    for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`  ${String(Math.round(us / 1000)).padStart(6)}  ${k}`);
  } finally {
    await browser.close();
    await host.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
