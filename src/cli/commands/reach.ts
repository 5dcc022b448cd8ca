import type { Command } from 'commander';
import type { Coverage, Reach } from '../../shared/schemas';
import { globalOptions, withEngine, EXIT } from '../context';
import { voiceOf, type Voice } from '../voice';

/** `first8...last8` of a key, as captains compare them by eye. */
export function shortHex(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 8)}...${hex.slice(-8)}` : hex;
}

export function formatReach(r: Reach, opts: { top: number; keys: number }, v: Voice = voiceOf('en')): string {
  const w = v.w.reach;
  const pct = (part: number, total: number): string => (total === 0 ? '-' : `${v.dec((100 * part) / total, 1)}${v.lang === 'fr' ? '\u00a0' : ''}%`);
  const cell = (part: number, total: number): string => `${v.num(part)} (${pct(part, total)})`.padEnd(18);
  const who = (name: string, hex: string): string => (name ? `${name} ${shortHex(hex)}` : shortHex(hex));
  const figure = (label: string, value: string): string => `  ${label.padEnd(27)}${value}`;
  const head = w.coverageHead;
  const cov = (label: string, c: Coverage): string =>
    `  ${label.padEnd(4)}${v.num(c.total).padStart(10)}   ${cell(c.withProfile, c.total)}${cell(c.withEvent, c.total)}${cell(c.withRecentEvent, c.total)}`.trimEnd();
  const lines = [
    w.title(new Date(r.computedAt).toISOString(), v.duration(r.durationMs)),
    figure(w.members, v.num(r.members)),
    figure(w.n1, v.num(r.n1)),
    figure(w.n2, v.num(r.n2)),
    figure(w.edges, v.num(r.edges)),
    figure(w.ignored, `${v.num(r.caps.listsOverCap)} ${w.ignoredCap(v, r.caps.followListCap)}`),
    '',
    w.coverage,
    `  ${''.padEnd(4)}${(head[0] ?? '').padStart(10)}   ${(head[1] ?? '').padEnd(18)}${(head[2] ?? '').padEnd(18)}${head[3] ?? ''}`,
    cov('N1', r.coverage.n1),
    cov('N2', r.coverage.n2),
    '',
    w.connectors,
    ...(r.connectors.length === 0
      ? [`  ${w.none}`]
      : r.connectors.slice(0, opts.top).map((c, i) => `  ${String(i + 1).padStart(2)}. ${who(c.name, c.hex)}  ${w.followers(v, c.followers)}`)),
    '',
    w.perMember(v, opts.top, r.perMember.length),
    ...(r.perMember.length === 0 ? [`  ${w.none}`] : r.perMember.slice(0, opts.top).map((m) => `  ${who(m.name, m.hex)}  ${w.member(v, m.follows, m.n2Alone)}`)),
  ];
  const a = r.amisOfAmis;
  const sample = (keys: string[]): string => keys.slice(0, opts.keys).map(shortHex).join(', ') + (keys.length > opts.keys ? ', …' : '');
  lines.push(
    '',
    w.amis,
    figure(w.inFile, v.num(a.fileCount)),
    figure(w.n1Count, v.num(a.n1Count)),
    figure(w.missing, `${v.num(a.missingCount)}${a.missing.length > 0 ? `  ${sample(a.missing)}` : ''}`),
    figure(w.extra, `${v.num(a.extraCount)}${a.extra.length > 0 ? `  ${sample(a.extra)}` : ''}`),
  );
  if (a.missing.length > 0) lines.push(`  ${w.missingHint}`);
  return lines.join('\n');
}

export function registerReach(program: Command, v: Voice): void {
  program
    .command('reach')
    .description(v.w.desc.reach)
    .option('--json', v.w.desc.reachJson)
    .option('--top <n>', v.w.desc.top, '10')
    .option('--keys <n>', v.w.desc.keys, '5')
    .action(async (opts: { json?: boolean; top: string; keys: string }, cmd: Command) => {
      const top = Math.max(1, Number.parseInt(opts.top, 10) || 10);
      const keys = Math.max(0, Number.parseInt(opts.keys, 10) || 0);
      const [reach, voice] = await withEngine(globalOptions(cmd), async (e, ve) => [await e.graph.recompute(), ve] as const);
      process.stdout.write(opts.json ? JSON.stringify(reach, null, 2) + '\n' : formatReach(reach, { top, keys }, voice) + '\n');
      process.exitCode = EXIT.ok;
    });
}
