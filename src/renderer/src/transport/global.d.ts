// `window.constellation` exists only in the Electron window (the preload exposes it); in a browser served by
// `constellation serve` it is absent and getApi() builds the WebSocket client instead.
import type { ConstellationApi } from '../../../shared/api';

declare global {
  interface Window {
    constellation?: ConstellationApi;
  }
}

export {};
