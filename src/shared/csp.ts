/**
 * The page's Content-Security-Policy, one definition for both hosts of the page (the Electron window's
 * custom protocol and the web host): the policy of the built index.html's <meta http-equiv>, or the same
 * policy written here when the page cannot be read.
 */

/** The policy of src/renderer/index.html, used when the built page carries none. */
export const FALLBACK_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https: http:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The CSP of the built page's <meta http-equiv>, so the header and the page never disagree. */
export function cspOf(html: string): string | null {
  const m = /<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(?:"([^"]*)"|'([^']*)')/i.exec(html);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/**
 * The header both hosts send: the page's own policy plus `frame-ancestors 'none'`, which only a header may carry
 * (in a <meta> Chromium ignores it and logs an error on every page load).
 */
export function headerCsp(pageCsp: string): string {
  return /(^|;)\s*frame-ancestors\s/.test(pageCsp) ? pageCsp : `${pageCsp.replace(/;\s*$/, '')}; frame-ancestors 'none'`;
}
