/**
 * The web host's token: it arrives in the page URL (`?token=…`, printed by `constellation serve`), is kept in
 * sessionStorage so a reload still works, and is removed from the visible URL so it does not linger in the
 * address bar, the history or a screenshot.
 */
export const TOKEN_KEY = 'constellation.token';

export interface TokenPlace {
  location: Pick<Location, 'href'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
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
