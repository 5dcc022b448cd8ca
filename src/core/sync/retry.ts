/**
 * Which failed attempts at a peer are tried again in the same run (after a backoff). Only failures that may pass
 * in a few seconds: a connection reset or closed in the middle of a transfer, a relay that went silent after it
 * had answered, a relay saying `rate-limited`. Everything else is said once and left for the next run: a peer
 * kubo cannot reach, a refused connection, a tunnel that closes on the first byte, no answer at all, a relay
 * refusing us (auth-required, blocked, …) or breaking our limits, the peer's own time limit, a bound reached, a
 * local store that did not take the events. An unreachable peer so costs one quick attempt, not three slow ones.
 */
import { ConnectionLost, RelayRefusal } from '../nostr';
import { ImportFailed } from './import-pipe';
import { PeerCut } from './bounds';

/** `flowed`: the peer had sent something over this attempt's connection before it failed. */
export function mayPass(err: unknown, flowed: boolean): boolean {
  if (err instanceof ImportFailed || err instanceof PeerCut) return false;
  // the peer's whole session time (timeouts.peer) ran out: another try would take as long
  if (err instanceof Error && err.name === 'TimeoutError') return false;
  if (err instanceof RelayRefusal) return err.prefix === 'rate-limited';
  if (!flowed) return false;
  if (err instanceof ConnectionLost) return !err.byRule;
  return true;
}
