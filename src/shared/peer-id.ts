/**
 * A PeerID as a person reads it in a line: `12D3KooW…AbCd` (its first 8 and last 4 characters). Lines name a peer by
 * its station's host name too; the whole id (52 characters) made every line about a peer wrap. The reasons carry
 * the whole id (`--json`, the history); their catalogues say it short.
 */
export function shortPeerId(id: string): string {
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}
