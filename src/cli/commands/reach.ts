import type { Command } from 'commander';
import type { Coverage, Reach } from '../../shared/schemas';
import { globalOptions, withEngine, EXIT } from '../context';

/** `first8...last8` of a key, as captains compare them by eye. */
export function shortHex(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 8)}...${hex.slice(-8)}` : hex;
}

const num = (n: number): string => n.toLocaleString('en-US');
const pct = (part: number, total: number): string => (total === 0 ? '-' : `${((100 * part) / total).toFixed(1)}%`);
const cell = (part: number, total: number): string => `${num(part)} (${pct(part, total)})`.padEnd(18);
const who = (name: string, hex: string): string => (name ? `${name} ${shortHex(hex)}` : shortHex(hex));

export function formatReach(r: Reach, opts: { top: number; keys: number }): string {
  const cov = (label: string, c: Coverage): string =>
    `  ${label.padEnd(4)}${num(c.total).padStart(10)}   ${cell(c.withProfile, c.total)}${cell(c.withEvent, c.total)}${cell(c.withRecentEvent, c.total)}`.trimEnd();
  const lines = [
    `Reach of the constellation (computed ${new Date(r.computedAt).toISOString()} in ${num(r.durationMs)} ms)`,
    `  members (distance 0)       ${num(r.members)}`,
    `  N1: their follows          ${num(r.n1)}`,
    `  N2: friends of friends     ${num(r.n2)}`,
    `  follow edges               ${num(r.edges)}`,
    `  follow lists ignored       ${num(r.caps.listsOverCap)} (longer than ${num(r.caps.followListCap)} entries)`,
    '',
    'Coverage in the local relay',
    `  ${''.padEnd(4)}${'total'.padStart(10)}   ${'with profile'.padEnd(18)}${'any event'.padEnd(18)}event in the last day`,
    cov('N1', r.coverage.n1),
    cov('N2', r.coverage.n2),
    '',
    `Top connectors (most followed inside the constellation)`,
    ...(r.connectors.length === 0
      ? ['  none']
      : r.connectors.slice(0, opts.top).map((c, i) => `  ${String(i + 1).padStart(2)}. ${who(c.name, c.hex)}  followers ${num(c.followers)}`)),
    '',
    `Members who bring N2 alone (top ${opts.top} of ${num(r.perMember.length)} with a follow list)`,
    ...(r.perMember.length === 0
      ? ['  none']
      : r.perMember.slice(0, opts.top).map((m) => `  ${who(m.name, m.hex)}  follows ${num(m.follows)}  N2 alone ${num(m.n2Alone)}`)),
  ];
  const a = r.amisOfAmis;
  const sample = (keys: string[]): string => keys.slice(0, opts.keys).map(shortHex).join(', ') + (keys.length > opts.keys ? ', …' : '');
  lines.push(
    '',
    `strfry/amisOfAmis.txt vs the N1 of the local users`,
    `  keys in the file           ${num(a.fileCount)}`,
    `  local users' N1            ${num(a.n1Count)}`,
    `  missing from the file      ${num(a.missingCount)}${a.missing.length > 0 ? `  ${sample(a.missing)}` : ''}`,
    `  extra in the file          ${num(a.extraCount)}${a.extra.length > 0 ? `  ${sample(a.extra)}` : ''}`,
  );
  if (a.missing.length > 0) lines.push('  (missing keys mean the station\'s own lists are not current: its scripts rebuild the file)');
  return lines.join('\n');
}

export function registerReach(program: Command): void {
  program
    .command('reach')
    .description('compute the N1/N2 reach of the constellation from the local relay and print its figures')
    .option('--json', 'print the Reach as JSON')
    .option('--top <n>', 'connectors and members to list', '10')
    .option('--keys <n>', 'missing/extra keys to show', '5')
    .action(async (opts: { json?: boolean; top: string; keys: string }, cmd: Command) => {
      const top = Math.max(1, Number.parseInt(opts.top, 10) || 10);
      const keys = Math.max(0, Number.parseInt(opts.keys, 10) || 0);
      const reach = await withEngine(globalOptions(cmd), (e) => e.graph.recompute());
      process.stdout.write(opts.json ? JSON.stringify(reach, null, 2) + '\n' : formatReach(reach, { top, keys }) + '\n');
      process.exitCode = EXIT.ok;
    });
}
