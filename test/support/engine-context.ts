// A minimal engine context for testing one part alone (the station service): real config, events, logger and
// settings on the given station root; no local store (a part that asks for one gets a clear error).
import { dirname, join } from 'node:path';
import { defaultSettings } from '../../src/shared/schemas';
import { makeConfig } from '../../src/core/config';
import { EngineEvents } from '../../src/core/events';
import { Logger } from '../../src/core/log';
import type { EngineContext } from '../../src/core/services';

export function stationOnlyContext(zenRoot: string): EngineContext & { events: EngineEvents } {
  const events = new EngineEvents();
  const home = dirname(zenRoot);
  const config = makeConfig({ dataDir: join(home, 'data'), home });
  // A closed loopback port for kubo, and never a public fallback relay.
  const settings = { ...defaultSettings(home), zenRoot, kuboApi: 'http://127.0.0.1:9', fallbackRelays: [] };
  return {
    config,
    events,
    log: new Logger(events, config.clock),
    settings: () => settings,
    store: () => {
      throw new Error('no local store in this test');
    },
  } as unknown as EngineContext & { events: EngineEvents };
}
