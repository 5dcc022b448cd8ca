/**
 * The window's security rules, as plain functions that take electron objects by injection (unit tests pass
 * fakes): which URLs are the app's own, which links may open in the system browser, who may call the engine.
 */

export { FALLBACK_CSP, cspOf } from '../shared/csp';

/**
 * Decides whether a URL is the app's own page: the page of our scheme (`constellation://app/index.html`, any
 * hash, no query) or, in development, the electron-vite dev server's origin. A file:// URL never is.
 */
export function appUrlMatcher(appUrl: string, devServerUrl?: string): (url: string) => boolean {
  const app = new URL(appUrl);
  const devOrigin = devServerUrl ? new URL(devServerUrl).origin : null;
  return (url: string) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.protocol === app.protocol) return u.host === app.host && u.pathname === app.pathname && u.search === '' && !u.username && !u.password;
    return devOrigin !== null && u.origin === devOrigin;
  };
}

/** An http(s) link fit for the system browser, normalised; null for anything else (file:, javascript:, creds…). */
export function safeExternalUrl(url: string): string | null {
  if (typeof url !== 'string' || url.length > 2048) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username || u.password || !u.hostname) return null;
  return u.href;
}

/** What an IPC event must be like to be answered (a subset of IpcMainInvokeEvent, for fakes in tests). */
export interface SenderLike {
  sender: unknown;
  senderFrame: { url: string; parent: unknown } | null;
}
export interface WindowLike {
  isDestroyed(): boolean;
  webContents: { mainFrame: unknown };
}

/**
 * Why a call is refused, or null when its sender is trusted: it must come from the app's own window, from that
 * window's main frame (no iframe), showing the app's own page.
 */
export function senderRefusal(event: SenderLike, win: WindowLike | null, isAppUrl: (url: string) => boolean): string | null {
  if (!win || win.isDestroyed()) return 'no app window';
  if (event.sender !== win.webContents) return 'the sender is not the app window';
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame !== win.webContents.mainFrame || frame.parent !== null) return 'the sender is not the main frame';
  if (!isAppUrl(frame.url)) return `the sending page ${frame.url.slice(0, 200)} is not the app's own`;
  return null;
}
