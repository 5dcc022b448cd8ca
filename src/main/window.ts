/**
 * The main window's options and its hardening: sandboxed, isolated renderer without Node; no navigation, no
 * new windows (http(s) links go to the system browser after validation), no permissions, a CSP header.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { safeExternalUrl } from './security';

export function windowOptions(opts: { preload: string; show: boolean; icon?: string }): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: opts.show,
    title: 'Constellation',
    autoHideMenuBar: true,
    backgroundColor: '#0b1020',
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: {
      preload: opts.preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

export interface HardenDeps {
  openExternal: (url: string) => Promise<void> | void;
  warn: (message: string) => void;
}

/** Sends a validated http(s) link to the system browser; anything else is refused and said. */
export function openLink(url: string, deps: HardenDeps): void {
  const safe = safeExternalUrl(url);
  if (!safe) {
    deps.warn(`link refused (only http and https open in the browser): ${String(url).slice(0, 200)}`);
    return;
  }
  Promise.resolve(deps.openExternal(safe)).catch((err: unknown) => deps.warn(`cannot open ${safe} in the browser: ${(err as Error).message}`));
}

type Contents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function hardenContents(contents: Contents, deps: HardenDeps): void {
  // The page never leaves the app: a clicked link goes to the browser, anything else is dropped.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    openLink(url, deps);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openLink(url, deps);
    return { action: 'deny' };
  });
}

type SessionLike = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

export function hardenSession(session: SessionLike, csp: string): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    headers['Content-Security-Policy'] = [csp];
    headers['X-Content-Type-Options'] = ['nosniff'];
    callback({ responseHeaders: headers });
  });
}
