/**
 * The renderer's one door to the engine: `getApi()` answers `window.constellation` when the Electron preload
 * exposed it, otherwise a WebSocket client to the web host that serves this page (`constellation serve`).
 * Both are the same `ConstellationApi`, so no other file of the renderer needs to know which one it got.
 */
import type { ConstellationApi } from '../../../shared/api';
import { apiUrl, createWebApi } from './web';
import type { ConnectionState, WebApi } from './web';
import { takeToken } from './token';
import { validated } from './validated';

export type { ConnectionState } from './web';

let api: ConstellationApi | null = null;

export function getApi(): ConstellationApi {
  if (api) return api;
  if (window.constellation) {
    api = validated(window.constellation);
    return api;
  }
  const token = takeToken({ location: window.location, history: window.history, storage: window.sessionStorage });
  api = createWebApi({ url: apiUrl(window.location, token) });
  return api;
}

/**
 * True in a browser page opened without the web host's token (not in the URL, not kept from an earlier load of
 * this tab): the engine would refuse every call, so the window shows how to open it instead.
 */
export function tokenMissing(): boolean {
  if (window.constellation) return false;
  return takeToken({ location: window.location, history: window.history, storage: window.sessionStorage }) === null;
}

/**
 * Follows the link to the engine: always 'open' in Electron; in the browser, the WebSocket's state and the
 * reason it is down (for a banner). Returns an unsubscribe function.
 */
export function onConnection(listener: (state: ConnectionState, reason: string | null) => void): () => void {
  const current = getApi() as Partial<WebApi>;
  if (typeof current.onState !== 'function' || typeof current.state !== 'function') {
    listener('open', null);
    return () => undefined;
  }
  listener(current.state(), null);
  return current.onState(listener);
}
