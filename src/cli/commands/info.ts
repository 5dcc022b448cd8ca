import type { Command } from 'commander';
import type { AppInfo } from '../../shared/schemas';
import { globalOptions, withEngine, EXIT } from '../context';

function yesNo(ok: boolean): string {
  return ok ? 'yes' : 'no';
}

export function formatInfo(i: AppInfo): string {
  const s = i.services;
  return [
    `Constellation ${i.version} (${i.platform}/${i.arch}, Node ${i.nodeVersion})${i.demo ? ' — demo constellation' : ''}`,
    `station root   ${i.stationRoot}${i.stationFound ? '' : '  (no station found here)'}`,
    `PeerID         ${i.peerId ?? 'unknown'}${i.peerIdSource ? `  (from ${i.peerIdSource})` : ''}`,
    `local relay    ${s.relay.url}  reachable: ${yesNo(s.relay.reachable)}${s.relay.error ? `  (${s.relay.error})` : ''}`,
    `kubo API       ${s.kubo.url}  reachable: ${yesNo(s.kubo.reachable)}${s.kubo.error ? `  (${s.kubo.error})` : ''}`,
    `strfry binary  ${s.strfry.bin}  found: ${yesNo(s.strfry.binFound)}`,
    `strfry config  ${s.strfry.conf}  found: ${yesNo(s.strfry.confFound)}`,
    `data folder    ${i.dataDir}`,
  ].join('\n');
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('show the station, its PeerID and which services answer')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const info = await withEngine(globalOptions(cmd), (e) => e.call('app.info', undefined));
      process.stdout.write(opts.json ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info) + '\n');
      process.exitCode = EXIT.ok;
    });
}
