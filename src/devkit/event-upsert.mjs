// The one INSERT the devkit relay (relay.ts) and the strfry CLI stand-in (strfry-standin.mjs) store events with, on
// the same SQLite schema: duplicates skipped, and for replaceable/addressable kinds (d_tag_value set) the newest
// kept (ties: the lowest id), as strfry does. Plain JavaScript so the stand-in runs under node without a compiler.
export const UPSERT_EVENT_SQL = `INSERT INTO events (id, pubkey, author, created_at, kind, tags, content, sig, d_tag_value)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO NOTHING
  ON CONFLICT(author, kind, d_tag_value) WHERE d_tag_value IS NOT NULL DO UPDATE SET
    id = excluded.id, pubkey = excluded.pubkey, created_at = excluded.created_at, tags = excluded.tags,
    content = excluded.content, sig = excluded.sig
  WHERE events.created_at < excluded.created_at
     OR (events.created_at = excluded.created_at AND events.id > excluded.id)`;
