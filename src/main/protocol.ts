/**
 * The window's page comes from our own scheme, `constellation://app/…`, not from `file://` (issue 15, attack
 * 14; Electron's security checklist, "avoid the file protocol"): a file:// page may read any file: URL, while
 * this origin serves only the built renderer's files, each with the page's CSP as a header. The scheme is
 * registered privileged (standard, secure) before the app is ready, so the page is a secure context with a
 * real origin (`'self'` in the CSP means it), and the grantFileProtocolExtraPrivileges fuse can be off.
 *
 * Electron objects come in by injection (the tests pass fakes; this file imports only types from electron).
 */
import type { CustomScheme, Protocol } from 'electron';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { mimeType, resolveInside } from '../core/util/static-files';

export const APP_SCHEME = 'constellation';
export const APP_HOST = 'app';
/** The app's page, as the window loads it (a hash names the screen). */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  // standard: real origin and relative URLs; secure: a secure context like https; fetch for the page's own
  // assets (ES modules). No CORS, no service workers, no bypass of the CSP.
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
};

/** Must run before the app is ready (Electron refuses a privileged scheme registered later). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

function plain(status: number, text: string, headers: Record<string, string>): Response {
  return new Response(`${text}\n`, { status, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * Answers `constellation://app/<path>` with the file of the built renderer at that path (index.html for the
 * root), the page's CSP and nosniff on every answer; any other host, a path out of the folder, or a method
 * other than GET/HEAD is refused.
 */
export function appRequestHandler(opts: { root: string; csp: string }): (request: Request) => Promise<Response> {
  const headers = { 'Content-Security-Policy': opts.csp, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' };
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'bad request', headers);
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return plain(404, 'not found', headers);
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed', headers);
    const target = resolveInside(opts.root, url.pathname === '/' ? '/index.html' : url.pathname);
    if (!target) return plain(403, 'path outside the app refused', headers);
    const info = await stat(target).catch(() => null);
    const file = info?.isDirectory() ? join(target, 'index.html') : target;
    const body = await readFile(file).catch(() => null);
    if (!body) return plain(404, 'not found', headers);
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...headers, 'Content-Type': mimeType(file) },
    });
  };
}
