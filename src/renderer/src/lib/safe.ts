/**
 * Guards for remote content. The engine already sanitizes profile fields; the window checks again because a
 * picture URL or a website is remote text, and a bad one must never reach an <img> or a link.
 */

const HTTP_URL = /^https?:\/\/[^\s"'<>]+$/i;
/** Raster images only: an SVG data URL can carry script when opened on its own. */
const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|avif);base64,[a-z0-9+/=\s]+$/i;

/** The picture URL to show, or null when pictures are off or the URL is not http(s) / a raster data URL. */
export function safePicture(url: string | null | undefined, enabled: boolean): string | null {
  if (!enabled || !url) return null;
  const u = url.trim();
  if (HTTP_URL.test(u) || DATA_IMAGE.test(u)) return u;
  return null;
}

/** A link target only when the remote text is an http(s) URL. */
export function safeLink(url: string | null | undefined): string | null {
  if (!url) return null;
  const u = url.trim();
  return HTTP_URL.test(u) ? u : null;
}

/** Short form of a long key or PeerID for tables: first and last characters. */
export function shortId(id: string | null | undefined, keep = 6): string {
  if (!id) return '';
  return id.length <= keep * 2 + 1 ? id : `${id.slice(0, keep)}…${id.slice(-keep)}`;
}
