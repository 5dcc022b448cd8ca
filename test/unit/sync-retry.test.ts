// Which failed attempts at a peer are tried again in the same run (src/core/sync/retry.ts).
import { describe, expect, it } from 'vitest';
import { mayPass } from '../../src/core/sync/retry';
import { ConnectionLost, RelayRefusal, RelayTimeout } from '../../src/core/nostr';
import { ImportFailed } from '../../src/core/sync/import-pipe';
import { reason, textReason } from '../../src/shared/i18n';

const at = (why: ReturnType<typeof reason>) => reason('relay.at', { url, why });

const url = 'ws://127.0.0.1:4001';

describe('retry: only failures that may pass are tried again', () => {
  it('retries a reset or a close in the middle of a transfer, and a silence after data flowed', () => {
    expect(mayPass(new ConnectionLost(at(reason('relay.reset')), false), true)).toBe(true);
    expect(mayPass(new RelayTimeout(at(reason('relay.silent', { eose: true, ms: 20000, notice: null }))), true)).toBe(true);
    expect(mayPass(new RelayRefusal(url, 'CLOSED', 'rate-limited: slow down'), true)).toBe(true);
  });

  it('says once and leaves for the next run: nothing came back at all (refused, closed on the first byte, no answer)', () => {
    expect(mayPass(new Error(`${url}: cannot connect: connection refused (nothing listens there: relay down or tunnel closed)`), false)).toBe(false);
    expect(mayPass(new ConnectionLost(at(reason('relay.closedAbruptly')), false), false)).toBe(false);
    expect(mayPass(new RelayTimeout(at(reason('relay.noConnection', { ms: 8000 }))), false)).toBe(false);
  });

  it('never retries a refusal, a broken rule, the peer time limit, or the local store', () => {
    expect(mayPass(new RelayRefusal(url, 'CLOSED', 'auth-required: this relay only serves authenticated users'), true)).toBe(false);
    expect(mayPass(new RelayRefusal(url, 'NOTICE', 'ERROR: blocked: go away'), true)).toBe(false);
    expect(mayPass(new ConnectionLost(at(reason('relay.tooLargeMessage', { max: 1048576 })), true), true)).toBe(false);
    expect(mayPass(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), true)).toBe(false);
    expect(mayPass(new ImportFailed(reason('import.failed', { why: textReason('strfry exited with code 1') })), true)).toBe(false);
  });
});
