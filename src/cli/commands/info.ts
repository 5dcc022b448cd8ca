import type { Command } from 'commander';
import type { AppInfo } from '../../shared/schemas';
import { globalOptions, withEngine, EXIT } from '../context';
import { voiceOf, type Voice } from '../voice';

/** Labels padded to the longest in this language (plus `gap` spaces), then the value. */
export function labelled(rows: Array<[label: string, value: string]>, gap = 2): string[] {
  const width = Math.max(...rows.map(([l]) => l.length)) + gap;
  return rows.map(([l, value]) => `${l.padEnd(width)}${value}`);
}

export function formatInfo(i: AppInfo, v: Voice = voiceOf('en')): string {
  const s = i.services;
  const w = v.w.info;
  const L = w.labels;
  const yesNo = (ok: boolean): string => (ok ? v.w.yes : v.w.no);
  const why = (c: { error: string | null; why?: AppInfo['services']['relay']['why'] }): string => (c.error ? `  (${v.say(c.error, c.why)})` : '');
  return [
    w.title(i.version, `${i.platform}/${i.arch}`, i.nodeVersion, i.demo),
    ...labelled([
      [L.root, `${i.stationRoot}${i.stationFound ? '' : `  ${w.noStation}`}`],
      [L.peerId, `${i.peerId ?? v.w.unknown}${i.peerIdSource ? `  ${w.from(i.peerIdSource)}` : ''}`],
      [L.relay, `${s.relay.url}  ${w.reachable} ${yesNo(s.relay.reachable)}${why(s.relay)}`],
      [L.kubo, `${s.kubo.url}  ${w.reachable} ${yesNo(s.kubo.reachable)}${why(s.kubo)}`],
      [L.strfryBin, `${s.strfry.bin}  ${w.found} ${yesNo(s.strfry.binFound)}`],
      [L.strfryConf, `${s.strfry.conf}  ${w.found} ${yesNo(s.strfry.confFound)}`],
      [L.dataDir, i.dataDir],
    ]),
  ].join('\n');
}

export function registerInfo(program: Command, v: Voice): void {
  program
    .command('info')
    .description(v.w.desc.info)
    .option('--json', v.w.desc.json)
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const [info, voice] = await withEngine(globalOptions(cmd), async (e, ve) => [await e.call('app.info', undefined), ve] as const);
      process.stdout.write(opts.json ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info, voice) + '\n');
      process.exitCode = EXIT.ok;
    });
}
