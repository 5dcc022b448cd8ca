/**
 * Station commands: `peers` (the swarm as the sync sees it), `show-hex` (the member set, like the old
 * script's --show-hex) and `stats` (what the local relay holds).
 */
import type { Command } from 'commander';
import type { MemberList, Peer, StationSnapshot, StoreStats } from '../../shared/schemas';
import { reason } from '../../shared/i18n';
import { shortKey } from '../../core/station/keys';
import { globalOptions, withEngine, EXIT } from '../context';
import { voiceOf, type Voice } from '../voice';
import { labelled } from './info';

/** Folder names and card fields come from other stations: never let them drive the terminal. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function formatAge(seconds: number | null, v: Voice = voiceOf('en')): string {
  if (seconds === null) return v.w.unknown;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return v.age(seconds);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function formatPeers(s: StationSnapshot, v: Voice = voiceOf('en')): string {
  const w = v.w.peers;
  const syncable = s.peers.filter((p) => p.syncable).length;
  const lines = labelled([
    [w.labels.station, `${s.root}${s.found ? '' : `  ${v.w.info.noStation}`}`],
    [w.labels.self, `${s.self.peerId ?? v.w.unknown}${s.self.source ? `  ${v.w.info.from(s.self.source)}` : ''}${s.self.hostname ? `  ${printable(s.self.hostname)}` : ''}`],
    [w.labels.peers, w.count(v, s.peers.length, syncable)],
  ], 1);
  if (s.peers.length === 0) return lines.join('\n');
  lines.push('');
  const rows = s.peers.map((p: Peer) => [
    printable(p.peerId ?? p.id),
    printable(p.hostname ?? '-'),
    v.run.route[p.route] ?? p.route,
    v.run.status[p.status] ?? p.status,
    formatAge(p.ageSeconds, v),
    printable(p.relayUrl ?? '-'),
    printable(p.reason ? v.say(p.reason, p.why) : ''),
  ]);
  const head = w.head;
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  for (const r of [head, ...rows]) lines.push(r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i] ?? 0))).join('  ').trimEnd());
  return lines.join('\n');
}

export function formatProblems(s: StationSnapshot, v: Voice = voiceOf('en')): string {
  if (s.problems.length === 0) return '';
  return ['', v.w.peers.problems(v, s.problems.length), ...s.problems.map((p) => `  ${printable(p.path)}: ${printable(v.say(p.reason, p.why))}`)].join('\n');
}

export function formatMembers(m: MemberList, v: Voice = voiceOf('en')): string {
  const b = m.bySource;
  return [...m.members.map((x) => shortKey(x.hex)), '', v.w.members(v, m.members.length, b.game, b.amisOfAmis, b.swarm, b.flashmem)].join('\n');
}

export function formatStats(s: StoreStats, v: Voice = voiceOf('en')): string {
  const m = s.members;
  const L = v.w.stats.labels;
  return labelled([
    [L.events, `${s.events === null ? v.w.unknown : v.num(s.events)}  (${v.say(s.method, s.why)})`],
    [L.database, `${s.dbBytes === null ? v.w.unknown : v.bytes(s.dbBytes)}${s.dbBytes === null ? v.w.stats.noDb : ''}`],
    [L.members, v.w.stats.members(v, m.total, m.game, m.amisOfAmis, m.swarm, m.flashmem)],
  ], 3).join('\n');
}

export function registerStation(program: Command, v: Voice): void {
  program
    .command('peers')
    .description(v.w.desc.peers)
    .option('--json', v.w.desc.peersJson)
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const [snap, voice] = await withEngine(globalOptions(cmd), async (e, ve) => [await e.call('station.snapshot', undefined), ve] as const);
      process.stdout.write(opts.json ? JSON.stringify(snap, null, 2) + '\n' : formatPeers(snap, voice) + formatProblems(snap, voice) + '\n');
      process.exitCode = snap.found ? EXIT.ok : EXIT.failed;
      if (!snap.found) process.stderr.write(`constellation: ${voice.say(null, reason('station.missing', { root: snap.root }))}\n`);
    });
  program
    .command('show-hex')
    .description(v.w.desc.showHex)
    .option('--json', v.w.desc.showHexJson)
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const [members, voice] = await withEngine(globalOptions(cmd), async (e, ve) => [await e.call('station.members', undefined), ve] as const);
      process.stdout.write(opts.json ? JSON.stringify(members, null, 2) + '\n' : formatMembers(members, voice) + '\n');
      process.exitCode = EXIT.ok;
    });
  program
    .command('stats')
    .description(v.w.desc.stats)
    .option('--json', v.w.desc.json)
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const [stats, voice] = await withEngine(globalOptions(cmd), async (e, ve) => [await e.call('station.stats', undefined), ve] as const);
      process.stdout.write(opts.json ? JSON.stringify(stats, null, 2) + '\n' : formatStats(stats, voice) + '\n');
      process.exitCode = EXIT.ok;
    });
}
