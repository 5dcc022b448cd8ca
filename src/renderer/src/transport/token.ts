/**
 * The web host's token: it arrives in the page URL (`?token=…`, printed by `constellation serve`), is kept in
 * sessionStorage so a reload still works, and is removed from the visible URL so it does not linger in the
 * address bar, the history or a screenshot.
 */
export const TOKEN_KEY = 'constellation.token';

/** The bits of window.location, window.history and sessionStorage used (structural, so tests pass plain objects). */
export interface TokenPlace {
  location: { href: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string | null): void };
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

export function takeToken(place: TokenPlace): string | null {
  const url = new URL(place.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      place.storage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage refused (private mode quotas): the token still works for this page's life.
    }
    url.searchParams.delete('token');
    place.history.replaceState(place.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return place.storage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
