/**
 * Wraps the preload's `window.constellation` so the renderer checks every answer and event against the contract,
 * as the WebSocket client does: both transports hand the screens the same validated values.
 */
import { CALL_NAMES, fromCallFailure, isEventName, parseEvent, parseOutput } from '../../../shared/api';
import type { CallName, ConstellationApi, EventName, EventPayload } from '../../../shared/api';

export function validated(raw: ConstellationApi, report: (m: string) => void = (m) => console.error(`constellation: ${m}`)): ConstellationApi {
  const api: Record<string, unknown> = {};
  for (const name of CALL_NAMES) {
    const call = raw[name] as (input?: unknown) => Promise<unknown>;
    api[name] = async (input?: unknown) => {
      let output: unknown;
      try {
        output = await call(input);
      } catch (err) {
        // The preload's error, its reason checked against the contract like everything else from main.
        const e = err as { message?: unknown; code?: unknown; reason?: unknown };
        throw fromCallFailure({ error: e.message, code: e.code, reason: e.reason });
      }
      return parseOutput(name as CallName, output);
    };
  }
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) => {
    if (!isEventName(event)) throw new Error(`unknown event ${String(event)}`);
    return raw.on(event, (payload) => {
      let checked: EventPayload<E>;
      try {
        checked = parseEvent(event, payload);
      } catch (err) {
        report((err as Error).message);
        return;
      }
      listener(checked);
    });
  };
  Object.defineProperty(api, 'transport', { value: raw.transport, enumerable: true });
  return api as unknown as ConstellationApi;
}
