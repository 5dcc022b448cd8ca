// strfry's rules for reading and storing an event, shared by the strfry CLI stand-in (strfry-standin.mjs: `import`)
// and the devkit relay (relay.ts: EVENT over WebSocket), both on the SQLite schema of
// @nostr-relay/event-repository-sqlite. Plain JavaScript so the stand-in runs under node without a compiler.
//
// Facts from strfry 1.1.1-144's sources (read, not copied): events.cpp (nostrJsonToPackedEvent,
// parseAndVerifyEvent, writeEvents), EventUtils.h (kind classes, parseATag), golpe.yaml (the `deletion` and
// `replaceDeletion` indexes), hoytech-cpp hex.h (from_hex).
//
// Checks of an event (any failure = rejected; the message is strfry's `e.what()` where it is known):
//   id: string, hex (from_hex strips a leading "0x", accepts upper case), 32 bytes; pubkey the same;
//   created_at and kind unsigned integers; content a string; tags an array of at most maxNumTags arrays, each
//   with a string name; a single-letter tag's value (element 1, or "" when absent) a string of at most
//   maxTagValSize bytes; `e` and `p` values exactly 64 hex characters; an `a` tag of a kind 5 parseable and of
//   the same author; an `expiration` tag a number >= 100. Elements after the second are never looked at.
//   With verification: sha256 of the NIP-01 serialisation = id, then the schnorr signature.
// Writing one batch (writeEvents): sorted by created_at then id; an id already stored (or twice in the batch) is
// a duplicate; an id a stored kind 5 of the same author deletes (or, for a gift wrap, of a `p`-tagged key) is
// deleted; a replaceable (0, 3, 41, 10000-19999) or addressable (30000-39999, by its first `d` tag) event older
// than the stored one at its address is replaced, else the stored one is deleted once it is written (logged
// `Deleting event (d-tag). id=…`); an addressable event no newer than a stored kind 5 `a` tag for its address
// is deleted; a kind 5 deletes the stored events its `e` tags name (same author, or a gift wrap `p`-tagging
// it) and, by `a` tag, the version at the address no newer than itself (both logged).
import { createHash } from 'node:crypto';

/** strfry's MAX_INDEXED_TAG_VAL_SIZE: longer tag values are stored but not indexed. */
export const MAX_INDEXED_TAG_VAL_SIZE = 255;

export const isReplaceableKind = (k) => k === 0 || k === 3 || k === 41 || (k >= 10_000 && k < 20_000);
export const isAddressableKind = (k) => k >= 30_000 && k < 40_000;
export const isEphemeralKind = (k) => k >= 20_000 && k < 30_000;
const GIFT_WRAP = new Set([1059, 21059]);
const DELETION = 5;

const isUnsigned = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

const LOWER_HEX_64 = /^[0-9a-f]{64}$/;

/** from_hex(…, false) of hoytech-cpp: the decoded length, or the error strfry would print. */
function hexBytes(s) {
  if (LOWER_HEX_64.test(s)) return { bytes: 32, hex: s }; // the usual case, first
  const h = s.startsWith('0x') ? s.slice(2) : s;
  if (h.length % 2 !== 0) return { error: 'uneven size input to from_hex' };
  const bad = /[^0-9a-fA-F]/.exec(h);
  if (bad) return { error: `unexpected character in from_hex: ${h.charCodeAt(bad.index)}` };
  return { bytes: h.length / 2, hex: h.toLowerCase() };
}

/** The kind, author and `d` value of an `a` tag (parseATag), or null when strfry cannot parse it. */
export function parseATag(v) {
  const first = v.indexOf(':');
  if (first === -1) return null;
  const kindStr = v.slice(0, first);
  // std::stoull: leading digits (an optional sign and spaces aside); the whole part must be digits here.
  if (!/^\d+$/.test(kindStr)) return null;
  const second = v.indexOf(':', first + 1);
  if (second === -1) return null;
  const pubkey = v.slice(first + 1, second);
  if (pubkey.length !== 64) return null;
  const hex = hexBytes(pubkey);
  if (hex.error) return null;
  return { kind: Number(kindStr), pubkey: hex.hex, d: v.slice(second + 1) };
}

/**
 * strfry's structural checks of an event (nostrJsonToPackedEvent, then the JSON it keeps), in its order: null
 * when it may be stored, else the reason. `limits`: maxNumTags, maxTagValSize.
 */
export function checkEvent(e, limits) {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'event is not an object';
  // A missing field makes tao::json's `at()` throw std::out_of_range; its wording is not known here.
  const missing = (f) => (f in e ? null : `missing field: ${f} (tao::json out_of_range; real wording unknown)`);
  const id = typeof e.id === 'string' ? hexBytes(e.id) : null;
  const pubkey = typeof e.pubkey === 'string' ? hexBytes(e.pubkey) : null;
  const fail =
    missing('id') ??
    (id ? id.error : 'event id field was not a string') ??
    missing('pubkey') ??
    (pubkey ? pubkey.error : 'event pubkey field was not a string') ??
    missing('created_at') ??
    (isUnsigned(e.created_at) ? null : 'event created_at field was not an integer') ??
    missing('kind') ??
    (isUnsigned(e.kind) ? null : 'event kind field was not an integer') ??
    (id.bytes !== 32 ? 'unexpected id size' : null) ??
    (pubkey.bytes !== 32 ? 'unexpected pubkey size' : null) ??
    missing('content') ??
    (typeof e.content !== 'string' ? 'event content field was not a string' : null) ??
    missing('tags') ??
    (!Array.isArray(e.tags) ? 'tags field not an array' : null) ??
    (e.tags.length > limits.maxNumTags ? `too many tags: ${e.tags.length}` : null) ??
    checkTags(e, pubkey.hex, limits) ??
    // the JSON strfry keeps is built from the seven fields: a missing `sig` fails there (its type is not checked)
    missing('sig');
  return fail;
}

function checkTags(e, author, limits) {
  let expirationSeen = false;
  for (const t of e.tags) {
    if (!Array.isArray(t)) return 'tag in tags field was not an array';
    if (t.length < 1) return 'too few fields in tag';
    if (typeof t[0] !== 'string') return 'tag name was not a string';
    if (t.length >= 2 && typeof t[1] !== 'string') return 'tag val was not a string';
    const name = t[0];
    const val = t.length >= 2 ? t[1] : '';
    if (name.length === 1) {
      if (Buffer.byteLength(val) > limits.maxTagValSize) return `tag val too large: ${Buffer.byteLength(val)}`;
      if (name === 'e' || name === 'p') {
        if (val.length !== 64) return `unexpected size for fixed-size tag: ${name}`;
        const h = hexBytes(val);
        if (h.error) return h.error;
      } else if (name === 'a' && e.kind === DELETION) {
        const a = parseATag(val);
        if (!a) return 'parse error';
        if (a.pubkey !== author) return "can't delete other user's events";
      }
    } else if (name === 'expiration' && !expirationSeen) {
      expirationSeen = true;
      // parseUint64's own error wording is not known here
      if (!/^\d+$/.test(val)) return 'invalid expiration (not an unsigned integer; real wording unknown)';
      if (Number(val) < 100) return 'invalid expiration';
    }
  }
  return null;
}

/**
 * The id and signature checks strfry makes without --no-verify (verifyNostrEvent): 'bad event id',
 * 'bad signature', or null. Needs nostr-wasm (libsecp256k1).
 */
export async function makeVerifier() {
  const { initNostrWasm } = await import('nostr-wasm');
  const nw = await initNostrWasm();
  return (e) => {
    const serial = JSON.stringify([0, e.pubkey, e.created_at, e.kind, e.tags, e.content]);
    if (createHash('sha256').update(serial).digest('hex') !== hexBytes(e.id).hex) return 'bad event id';
    if (typeof e.sig !== 'string') return 'event sig was not a string';
    const sig = hexBytes(e.sig);
    if (sig.error) return sig.error;
    if (sig.bytes !== 64) return 'verify sig: bad input size';
    try {
      nw.verifyEvent({ ...e, id: hexBytes(e.id).hex, pubkey: hexBytes(e.pubkey).hex, sig: sig.hex });
      return null;
    } catch {
      return 'bad signature';
    }
  };
}

/**
 * The tags strfry indexes, in its order: single-letter names with values of at most 255 bytes (`e`/`p` values
 * as lower-case hex); a replaceable event gets a virtual `d` "" first, an addressable one a virtual `d` "" last.
 */
export function indexedTags(e) {
  const out = [];
  if (isReplaceableKind(e.kind)) out.push(['d', '']);
  for (const t of e.tags) {
    if (typeof t[0] !== 'string' || t[0].length !== 1) continue;
    let v = t.length >= 2 ? t[1] : '';
    if (Buffer.byteLength(v) > MAX_INDEXED_TAG_VAL_SIZE) continue;
    if (t[0] === 'e' || t[0] === 'p') v = hexBytes(v).hex ?? v;
    out.push([t[0], v]);
  }
  if (isAddressableKind(e.kind)) out.push(['d', '']);
  return out;
}

/** The `d` value an event is kept under (replaceable and addressable kinds), or null for the others. */
export function addressOf(e) {
  if (!isReplaceableKind(e.kind) && !isAddressableKind(e.kind)) return null;
  return indexedTags(e).find((t) => t[0] === 'd')[1];
}

/** NIP-01 order of two versions at one address: true when `a` loses to `b` (older, or same time and larger id). */
const isBefore = (a, b) => a.created_at < b.created_at || (a.created_at === b.created_at && a.id > b.id);

/**
 * strfry's writer on a devkit database (better-sqlite3 handle, foreign keys off: tag rows are removed by hand).
 * `writeEvents(batch, log)` applies strfry's rules to a batch inside the caller's transaction and returns each
 * event's status in batch order: 'written' | 'duplicate' | 'deleted' | 'replaced'. `stored(id)` tells whether an
 * id is held (the import's pre-filter).
 */
export function strfryWriter(db) {
  const byId = db.prepare('SELECT id, pubkey, kind, created_at, tags FROM events WHERE id = ?');
  const atAddress = db.prepare('SELECT id, created_at FROM events WHERE author = ? AND kind = ? AND d_tag_value = ?');
  const insert = db.prepare(
    'INSERT INTO events (id, pubkey, author, created_at, kind, tags, content, sig, d_tag_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertTag = db.prepare('INSERT OR IGNORE INTO generic_tags (tag, event_id, author, kind, created_at) VALUES (?, ?, ?, ?, ?)');
  const removeEvent = db.prepare('DELETE FROM events WHERE id = ?');
  const removeTags = db.prepare('DELETE FROM generic_tags WHERE event_id = ?');
  const hasFts = !!db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'events_fts'`).get();
  const removeFts = hasFts ? db.prepare('DELETE FROM events_fts WHERE id = ?') : null;
  // the `deletion` index: a stored kind 5 of `author` with an `e` tag for the id
  const deletedBy = db.prepare('SELECT 1 FROM generic_tags WHERE tag = ? AND author = ? AND kind = 5 LIMIT 1').pluck();
  const hasDeletions = db.prepare('SELECT 1 FROM events WHERE author = ? AND kind = 5 LIMIT 1').pluck();
  // the `replaceDeletion` index: the newest stored kind 5 of the author with an `a` tag for the address
  const addressDeletedAt = db.prepare('SELECT MAX(created_at) FROM generic_tags WHERE tag = ? AND author = ? AND kind = 5').pluck();

  const remove = (id) => {
    removeEvent.run(id);
    removeTags.run(id);
    removeFts?.run(id);
  };

  const store = (e, d) => {
    const pubkey = hexBytes(e.pubkey).hex;
    insert.run(e.id, e.pubkey, pubkey, e.created_at, e.kind, JSON.stringify(e.tags), e.content, e.sig, d);
    const seen = new Set();
    for (const [name, value] of indexedTags(e)) {
      const tag = `${name}:${value}`;
      if (seen.has(tag)) continue;
      seen.add(tag);
      insertTag.run(tag, e.id, pubkey, e.kind, e.created_at);
    }
  };

  /** The stored events a kind 5 deletes: by `e` tag, and by `a` tag the version no newer than it. */
  const deletionTargets = (e, author, log) => {
    const out = [];
    for (const [name, value] of indexedTags(e)) {
      if (name === 'e') {
        const other = byId.get(value);
        if (!other) continue;
        let may = other.pubkey === author;
        if (!may && GIFT_WRAP.has(other.kind)) may = JSON.parse(other.tags).some((t) => t[0] === 'p' && t[1] === author);
        if (may) {
          log(`Deleting event (kind 5, e-tag). id=${value}`);
          out.push(other.id);
        }
      } else if (name === 'a') {
        const a = parseATag(value);
        if (!a || !isAddressableKind(a.kind) || a.pubkey !== author) continue;
        const other = atAddress.get(author, a.kind, a.d);
        if (other && other.created_at <= e.created_at) {
          log(`Deleting replaceable event (kind 5, a-tag). id=${other.id}`);
          out.push(other.id);
        }
      }
    }
    return out;
  };

  /**
   * `opts.fresh`: the caller has just found none of the batch's ids stored, in this transaction (strfry's import
   * pre-filters so, then writeEvents looks again; the second look is skipped).
   */
  function writeEvents(batch, log = () => undefined, opts = {}) {
    // Whether an author has any kind 5 stored (most have none: then no event of theirs needs the lookup); for
    // this call only, as another process may write between two calls.
    const deleters = new Map();
    const mayDelete = (author) => {
      let v = deleters.get(author);
      if (v === undefined) deleters.set(author, (v = !!hasDeletions.get(author)));
      return v;
    };
    const order = batch.map((e, i) => i);
    order.sort((x, y) => {
      const a = batch[x];
      const b = batch[y];
      if (a.created_at !== b.created_at) return a.created_at - b.created_at;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    const statuses = new Array(batch.length);
    let previousId = null;
    for (const i of order) {
      const e = batch[i];
      const id = e.id;
      const author = hexBytes(e.pubkey).hex;
      const repeat = previousId === id;
      previousId = id;
      if (repeat || (!opts.fresh && byId.get(id))) {
        statuses[i] = 'duplicate';
        continue;
      }
      if (mayDelete(author) && deletedBy.get(`e:${id}`, author)) {
        statuses[i] = 'deleted';
        continue;
      }
      if (GIFT_WRAP.has(e.kind) && indexedTags(e).some(([n, v]) => n === 'p' && mayDelete(v) && deletedBy.get(`e:${id}`, v))) {
        statuses[i] = 'deleted';
        continue;
      }
      let status = 'pending';
      const toDelete = [];
      const d = addressOf(e);
      if (d !== null) {
        const other = atAddress.get(author, e.kind, d);
        if (other) {
          if (isBefore(e, other)) status = 'replaced';
          else {
            log(`Deleting event (d-tag). id=${other.id}`);
            toDelete.push(other.id);
          }
        }
        if (isAddressableKind(e.kind) && status === 'pending') {
          const at = addressDeletedAt.get(`a:${e.kind}:${author}:${d}`, author);
          if (at !== null && at !== undefined && at >= e.created_at) status = 'deleted';
        }
      }
      if (e.kind === DELETION) toDelete.push(...deletionTargets(e, author, log));
      if (status === 'pending') {
        // The version this one replaces leaves first: the schema keeps one row per address.
        for (const gone of toDelete) remove(gone);
        store(e, d);
        if (e.kind === DELETION) deleters.set(author, true);
        status = 'written';
      }
      // strfry throws "unprocessed deletion" when deletions are queued for an event that was not written; that
      // needs an addressable event newer than the stored version yet covered by a newer `a`-tag deletion, which
      // its own rules never leave in the database: not modelled.
      statuses[i] = status;
    }
    return statuses;
  }

  return { writeEvents, stored: (id) => !!byId.get(id) };
}
