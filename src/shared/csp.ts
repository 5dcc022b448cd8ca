/**
 * The Content-Security-Policy header both hosts send (Electron's session, the web host): the page's own policy,
 * from its <meta>, plus `frame-ancestors 'none'`, which only a header may carry (in a <meta> the browser ignores it
 * and logs an error on every page load). Pure string work, shared by the Electron shell and the web host.
 */
export function headerCsp(pageCsp: string): string {
  return /(^|;)\s*frame-ancestors\s/.test(pageCsp) ? pageCsp : `${pageCsp.replace(/;\s*$/, '')}; frame-ancestors 'none'`;
}
