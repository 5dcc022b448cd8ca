import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FALLBACK_CSP, appUrlMatcher, cspOf, safeExternalUrl } from '../../src/main/security';
import { headerCsp } from '../../src/shared/csp';
import { hardenContents, hardenSession, windowOptions } from '../../src/main/window';
import { APP_URL, appRequestHandler, registerAppScheme } from '../../src/main/protocol';

vi.mock('electron', () => ({}));

describe('window options', () => {
  it('sandboxed, isolated, no Node, web security on, the bundled preload', () => {
    const o = windowOptions({ preload: '/app/out/preload/index.cjs', show: false });
    expect(o.show).toBe(false);
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

function fakeContents() {
  const handlers = new Map<string, (...a: unknown[]) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    on: vi.fn((ev: string, fn: (...a: unknown[]) => void) => handlers.set(ev, fn)),
    setWindowOpenHandler: vi.fn((fn: typeof openHandler) => (openHandler = fn)),
    fire(ev: string, ...args: unknown[]) {
      handlers.get(ev)!(...args);
    },
    open(url: string) {
      return openHandler!({ url });
    },
  };
}

describe('navigation and new windows', () => {
  it('denies every navigation and sends validated http(s) links to the system browser', () => {
    const c = fakeContents();
    const opened: string[] = [];
    const warnings: string[] = [];
    hardenContents(c as never, { openExternal: (u) => void opened.push(u), warn: (m) => warnings.push(m) });
    for (const url of ['https://example.org/a', 'file:///etc/passwd', 'javascript:alert(1)']) {
      const event = { preventDefault: vi.fn() };
      c.fire('will-navigate', event, url);
      expect(event.preventDefault).toHaveBeenCalled();
    }
    const redirect = { preventDefault: vi.fn() };
    c.fire('will-redirect', redirect, 'https://x');
    expect(redirect.preventDefault).toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    c.fire('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect(c.open('https://nostr.example/p/1')).toEqual({ action: 'deny' });
    expect(c.open('smb://host/share')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.org/a', 'https://nostr.example/p/1']);
    expect(warnings.filter((w) => w.startsWith('link refused'))).toHaveLength(3);
  });

  it('validates external links', () => {
    expect(safeExternalUrl('http://example.org')).toBe('http://example.org/');
    expect(safeExternalUrl('https://user:pw@example.org')).toBeNull();
    expect(safeExternalUrl('file:///etc/passwd')).toBeNull();
    expect(safeExternalUrl('javascript:alert(1)')).toBeNull();
    expect(safeExternalUrl('not a url')).toBeNull();
    expect(safeExternalUrl(`https://e.org/${'a'.repeat(3000)}`)).toBeNull();
  });
});

describe('session', () => {
  it('denies every permission and sets the CSP header over whatever came', () => {
    let request: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let check: ((...a: unknown[]) => boolean) | null = null;
    let headers: ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | null = null;
    const ses = {
      setPermissionRequestHandler: vi.fn((fn) => (request = fn)),
      setPermissionCheckHandler: vi.fn((fn) => (check = fn)),
      webRequest: { onHeadersReceived: vi.fn((fn) => (headers = fn)) },
    };
    hardenSession(ses as never, FALLBACK_CSP);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      request!({}, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(check!({}, p, 'file://', {})).toBe(false);
    }
    let out: Record<string, string[]> = {};
    headers!({ responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } }, (r) => (out = r.responseHeaders));
    expect(out['Content-Security-Policy']).toEqual([FALLBACK_CSP]);
    expect(out['content-security-policy']).toBeUndefined();
    expect(out['X-Other']).toEqual(['1']);
    expect(out['X-Content-Type-Options']).toEqual(['nosniff']);
  });

  it('the fallback CSP is the page policy of src/renderer/index.html, and it is strict', () => {
    const html = readFileSync(join(__dirname, '../../src/renderer/index.html'), 'utf8');
    const page = cspOf(html);
    expect(page).not.toBeNull();
    for (const rule of ["default-src 'self'", "script-src 'self'", "object-src 'none'"]) {
      expect(page).toContain(rule);
      expect(FALLBACK_CSP).toContain(rule);
    }
    expect(page).not.toMatch(/unsafe-eval/);
    // frame-ancestors only in the header: in a <meta> Chromium ignores it and logs an error on every page.
    expect(page).not.toContain('frame-ancestors');
    expect(headerCsp(page!)).toBe(`${page}; frame-ancestors 'none'`);
    expect(headerCsp(FALLBACK_CSP)).toBe(FALLBACK_CSP);
  });
});

describe('app URL', () => {
  it('is the page of the app scheme (any hash) or the dev server origin; never a file:// page', () => {
    const isApp = appUrlMatcher(APP_URL);
    expect(isApp('constellation://app/index.html')).toBe(true);
    expect(isApp('constellation://app/index.html#/history/r1')).toBe(true);
    expect(isApp('constellation://app/other.html')).toBe(false);
    expect(isApp('constellation://app/index.html?x=1')).toBe(false);
    expect(isApp('constellation://evil/index.html')).toBe(false);
    expect(isApp('file:///opt/Constellation/resources/app.asar/out/renderer/index.html')).toBe(false);
    expect(isApp('file:///tmp/evil/index.html')).toBe(false);
    expect(isApp('http://localhost:5173/')).toBe(false);
    expect(isApp('garbage')).toBe(false);
    const dev = appUrlMatcher(APP_URL, 'http://localhost:5173');
    expect(dev('http://localhost:5173/#/graph')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
  });

  it('navigation stays denied on the new origin: the app page cannot be left, not even for another page of the scheme', () => {
    const c = fakeContents();
    const opened: string[] = [];
    hardenContents(c as never, { openExternal: (u) => void opened.push(u), warn: () => undefined });
    for (const url of ['constellation://app/other.html', 'constellation://evil/', 'file:///etc/passwd']) {
      const event = { preventDefault: vi.fn() };
      c.fire('will-navigate', event, url);
      expect(event.preventDefault).toHaveBeenCalled();
    }
    expect(c.open('constellation://app/index.html')).toEqual({ action: 'deny' });
    expect(opened).toEqual([]);
  });
});

describe('the app scheme', () => {
  let root: string;
  const csp = FALLBACK_CSP;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'constellation-scheme-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><div id="app"></div>');
    await writeFile(join(root, 'assets', 'index.js'), 'export {}');
    await writeFile(join(root, '..', 'constellation-scheme-secret.txt'), 'secret');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(join(root, '..', 'constellation-scheme-secret.txt'), { force: true });
  });

  it('is registered privileged: standard and secure (a real origin, a secure context)', () => {
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (s) => void registered.push(s) });
    expect(registered).toEqual([[{ scheme: 'constellation', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]]);
    expect(APP_URL).toBe('constellation://app/index.html');
  });

  it('serves the built files with the page CSP and nosniff, the right types, and nothing else', async () => {
    const serve = appRequestHandler({ root, csp });
    const page = await serve(new Request('constellation://app/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(csp);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<div id="app">');
    expect((await serve(new Request('constellation://app/'))).status).toBe(200);
    const js = await serve(new Request('constellation://app/assets/index.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    for (const [url, status] of [
      ['constellation://app/missing.js', 404],
      ['constellation://other/index.html', 404],
      ['constellation://app/..%2fconstellation-scheme-secret.txt', 403],
      // (the URL parser itself folds an encoded dot segment: the path asked is /constellation-scheme-secret.txt)
      ['constellation://app/%2e%2e/constellation-scheme-secret.txt', 404],
      ['constellation://app/assets/..%5c..%5cconstellation-scheme-secret.txt', 403],
    ] as const) {
      const r = await serve(new Request(url));
      expect(r.status, url).toBe(status);
      expect(r.headers.get('content-security-policy')).toBe(csp);
      expect(await r.text()).not.toContain('secret');
    }
    expect((await serve(new Request('constellation://app/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});
