/**
 * Parsing a kind 0's content robustly. A profile is text written by anyone: it may be invalid JSON, carry
 * non-string values, huge fields, or URLs meant to run code in the window (`javascript:`). Everything that
 * leaves here is bounded and safe to show.
 */

/** Upper bounds, in characters, per field (a longer value is cut, never rejected). */
export const LIMITS = {
  name: 256,
  about: 4000,
  nip05: 320,
  lud16: 320,
  url: 2048,
  /** A data: URI picture (demo stations embed small avatars this way). */
  dataPicture: 131_072,
  /** Any other string field kept in the export object. */
  other: 1000,
  /** Keys kept in the export object, and the longest key name. */
  keys: 64,
  keyLength: 64,
  /** Content longer than this is not parsed as JSON (treated as text, cut to the field bounds). */
  content: 524_288,
} as const;

/** The fields the app shows, always strings (empty when absent or unusable). */
export interface ProfileFields {
  name: string;
  displayName: string;
  about: string;
  picture: string;
  banner: string;
  website: string;
  nip05: string;
  lud16: string;
}

export interface ParsedProfile {
  fields: ProfileFields;
  /**
   * The content object for the station's export (`profile` in _NIP101.profiles.json): keys as the author wrote
   * them, strings bounded, numbers and booleans kept, nested values and unsafe URLs dropped.
   */
  exported: Record<string, string | number | boolean>;
  /** False when the content was not a JSON object (its text then became name and about, as the old script did). */
  json: boolean;
}

export const EMPTY_FIELDS: Readonly<ProfileFields> = Object.freeze({
  name: '',
  displayName: '',
  about: '',
  picture: '',
  banner: '',
  website: '',
  nip05: '',
  lud16: '',
});

// C0 controls except tab and newline, DEL, C1 controls, bidi overrides and zero-width marks that can disguise a
// name in a list; newlines are kept only in `about`.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const LINE_BREAKS = /[\t\n\r]+/g;

/** Cuts to `max` characters without splitting a surrogate pair. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max;
  const code = s.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return s.slice(0, end);
}

/** Any JSON value as a bounded single-purpose string: strings cleaned, numbers/booleans written, the rest empty. */
export function coerceText(value: unknown, max: number, multiline = false): string {
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'number' && Number.isFinite(value)) s = String(value);
  else if (typeof value === 'boolean') s = String(value);
  else return '';
  // Cut before cleaning so a multi-megabyte value costs no more than the bound.
  s = cut(s, max * 2).replace(CONTROL, '');
  if (!multiline) s = s.replace(LINE_BREAKS, ' ');
  return cut(s.trim(), max);
}

/** An http(s) URL without spaces or credentials, as given; '' otherwise. */
export function safeHttpUrl(value: unknown): string {
  if (typeof value !== 'string') return '';
  const s = value.trim();
  if (s.length === 0 || s.length > LIMITS.url || /[\s<>"'`\\]/.test(s)) return '';
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return '';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
  if (url.username || url.password || !url.hostname) return '';
  return s;
}

// Raster images only: an SVG is a document that can carry script, so it is refused even as a data: URI.
const DATA_PICTURE = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

/**
 * A picture URL: http(s), or a base64 raster data: URI. The exception exists because the demo constellation
 * (and some stations without a web server) embed avatars inline; png/jpeg/gif/webp cannot run code when shown
 * in an <img>, unlike `javascript:` or `data:text/html` or SVG, which stay refused.
 */
export function safePictureUrl(value: unknown): string {
  const http = safeHttpUrl(value);
  if (http) return http;
  if (typeof value !== 'string') return '';
  const s = value.trim();
  if (s.length > LIMITS.dataPicture) return '';
  return DATA_PICTURE.test(s) ? s : '';
}

const URL_FIELDS: Record<string, (v: unknown) => string> = {
  picture: safePictureUrl,
  banner: safeHttpUrl,
  website: safeHttpUrl,
};

const FIELD_LIMITS: Record<string, number> = {
  name: LIMITS.name,
  display_name: LIMITS.name,
  displayName: LIMITS.name,
  about: LIMITS.about,
  nip05: LIMITS.nip05,
  lud16: LIMITS.lud16,
  lud06: LIMITS.other,
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The export object: author's keys, bounded, unsafe URL fields dropped, nested values dropped. */
function exportObject(obj: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  let kept = 0;
  for (const key of Object.keys(obj)) {
    if (kept >= LIMITS.keys) break;
    if (key.length === 0 || key.length > LIMITS.keyLength || key === '__proto__') continue;
    const value = obj[key];
    let v: string | number | boolean | null = null;
    const urlCheck = URL_FIELDS[key];
    if (urlCheck) {
      const safe = urlCheck(value);
      v = safe || null;
    } else if (typeof value === 'string') {
      v = coerceText(value, FIELD_LIMITS[key] ?? LIMITS.other, key === 'about');
    } else if (typeof value === 'boolean') {
      v = value;
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      v = value;
    }
    if (v === null) continue;
    out[key] = v;
    kept += 1;
  }
  return out;
}

function fieldsFromObject(obj: Record<string, unknown>): ProfileFields {
  const displayName = coerceText(obj.display_name, LIMITS.name) || coerceText(obj.displayName, LIMITS.name);
  return {
    name: coerceText(obj.name, LIMITS.name) || coerceText(obj.username, LIMITS.name),
    displayName,
    about: coerceText(obj.about, LIMITS.about, true),
    picture: safePictureUrl(obj.picture),
    banner: safeHttpUrl(obj.banner),
    website: safeHttpUrl(obj.website),
    nip05: coerceText(obj.nip05, LIMITS.nip05),
    lud16: coerceText(obj.lud16, LIMITS.lud16),
  };
}

/**
 * Parses a kind 0's content. Invalid JSON (or JSON that is not an object) becomes name and about from the raw
 * text, as the station's old profile script did, so a captain still sees something.
 */
export function parseProfileContent(content: unknown): ParsedProfile {
  const raw = typeof content === 'string' ? content : '';
  let parsed: unknown = undefined;
  if (raw.length > 0 && raw.length <= LIMITS.content) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
  }
  if (isPlainObject(parsed)) {
    return { fields: fieldsFromObject(parsed), exported: exportObject(parsed), json: true };
  }
  if (raw.trim().length === 0) return { fields: { ...EMPTY_FIELDS }, exported: {}, json: false };
  const name = coerceText(raw, LIMITS.name);
  const about = coerceText(raw, LIMITS.about, true);
  return { fields: { ...EMPTY_FIELDS, name, about }, exported: { name, about }, json: false };
}
