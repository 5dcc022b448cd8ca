/**
 * The station's own relay. `openLocalStore(ctx)` picks strfry through its CLI when the binary and strfry.conf
 * exist, else any NIP-01 relay over WebSocket at settings.relayUrl.
 */
import { existsSync } from 'node:fs';
import type { EngineContext, LocalStore } from '../services';
import { RelayStore } from './relay-store';
import { checkStrfryBinary, StrfryStore } from './strfry-store';

export { RelayStore, reasonKey } from './relay-store';
export { StrfryStore, strfryReason, checkStrfryBinary } from './strfry-store';
export { readImportLog, settleImport, ImportLogReader } from './strfry-import-log';
export { PackedEvents, importsPacked } from './packed';

export function openLocalStore(ctx: EngineContext): LocalStore {
  const s = ctx.settings();
  if (existsSync(s.strfryBin) && existsSync(s.strfryConf)) {
    checkStrfryBinary(s.strfryBin, s.zenRoot);
    return new StrfryStore(s.strfryBin, s.strfryConf);
  }
  return new RelayStore(s.relayUrl, ctx.config.timeouts);
}
