/** A store's reason for refusing an event, as a key the run report counts events under. */
import { parseReason } from '../nostr';

/** `invalid: bad signature` stays as is; a long or event-specific message is cut to its prefix. */
export function reasonKey(message: string): string {
  const m = message.trim();
  if (!m) return 'rejected (no reason given)';
  const { prefix, text } = parseReason(m);
  const key = prefix ? `${prefix}: ${text}` : m;
  return key.replace(/\b[0-9a-f]{16,}\b/g, '…').replace(/\d{3,}/g, 'N').slice(0, 80);
}
