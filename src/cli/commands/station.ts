/**
 * Station commands: `peers` (the swarm as the sync sees it), `show-hex` (the member set, like the old
 * script's --show-hex) and `stats` (what the local relay holds).
 */
import type { Command } from 'commander';
import type { MemberList, Peer, StationSnapshot, StoreStats } from '../../shared/schemas';
import { shortKey } from '../../core/station/keys';
import { globalOptions, withEngine, EXIT } from '../context';

/** Folder names and card fields come from other stations: never let them drive the terminal. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function formatAge(seconds: number | null): string {
  if (seconds === null) return 'unknown';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatPeers(s: StationSnapshot): string {
  const lines: string[] = [];
  lines.push(`station ${s.root}${s.found ? '' : '  (no station found here)'}`);
  lines.push(`self    ${s.self.peerId ?? 'unknown'}${s.self.source ? `  (from ${s.self.source})` : ''}${s.self.hostname ? `  ${printable(s.self.hostname)}` : ''}`);
  const syncable = s.peers.filter((p) => p.syncable).length;
  lines.push(`peers   ${s.peers.length} (${syncable} syncable)`);
  if (s.peers.length === 0) return lines.join('\n');
  lines.push('');
  const rows = s.peers.map((p: Peer) => [
    printable(p.peerId ?? p.id),
    printable(p.hostname ?? '-'),
    p.route,
    p.status,
    formatAge(p.ageSeconds),
    printable(p.relayUrl ?? '-'),
    printable(p.reason ?? ''),
  ]);
  const head = ['PEER', 'HOSTNAME', 'ROUTE', 'STATUS', 'AGE', 'RELAY', 'REASON'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  for (const r of [head, ...rows]) lines.push(r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ').trimEnd());
  return lines.join('\n');
}

export function formatProblems(s: StationSnapshot): string {
  if (s.problems.length === 0) return '';
  return ['', `${s.problems.length} problem(s) in the station files:`, ...s.problems.map((p) => `  ${printable(p.path)}: ${printable(p.reason)}`)].join('\n');
}

export function formatMembers(m: MemberList): string {
  const b = m.bySource;
  return [
    ...m.members.map((x) => shortKey(x.hex)),
    '',
    `members: ${m.members.length} (game/nostr: ${b.game}, amisOfAmis: ${b.amisOfAmis}, swarm cards: ${b.swarm}, flashmem: ${b.flashmem})`,
  ].join('\n');
}

function bytes(n: number | null): string {
  if (n === null) return 'unknown';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function formatStats(s: StoreStats): string {
  const m = s.members;
  return [
    `events     ${s.events ?? 'unknown'}  (${s.method})`,
    `database   ${bytes(s.dbBytes)}${s.dbBytes === null ? ' (no strfry/strfry-db folder)' : ''}`,
    `members    ${m.total}  (game/nostr: ${m.game}, amisOfAmis: ${m.amisOfAmis}, swarm cards: ${m.swarm}, flashmem: ${m.flashmem})`,
  ].join('\n');
}

export function registerStation(program: Command): void {
  program
    .command('peers')
    .description("list the constellation's stations: route, status, reason and freshness of each")
    .option('--json', 'print JSON (the station snapshot)')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const snap = await withEngine(globalOptions(cmd), (e) => e.call('station.snapshot', undefined));
      process.stdout.write(opts.json ? JSON.stringify(snap, null, 2) + '\n' : formatPeers(snap) + formatProblems(snap) + '\n');
      process.exitCode = snap.found ? EXIT.ok : EXIT.failed;
      if (!snap.found) process.stderr.write(`constellation: no station found at ${snap.root} (no tmp/, strfry/ or game/ folder)\n`);
    });
  program
    .command('show-hex')
    .description('print the member set (first8...last8 per key) with the count per source')
    .option('--json', 'print JSON (full keys and their sources)')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const members = await withEngine(globalOptions(cmd), (e) => e.call('station.members', undefined));
      process.stdout.write(opts.json ? JSON.stringify(members, null, 2) + '\n' : formatMembers(members) + '\n');
      process.exitCode = EXIT.ok;
    });
  program
    .command('stats')
    .description('events in the local relay, database size, members per source')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const stats = await withEngine(globalOptions(cmd), (e) => e.call('station.stats', undefined));
      process.stdout.write(opts.json ? JSON.stringify(stats, null, 2) + '\n' : formatStats(stats) + '\n');
      process.exitCode = EXIT.ok;
    });
}
