// Which failed attempts at a peer are tried again in the same run (src/core/sync/retry.ts).
import { describe, expect, it } from 'vitest';
import { mayPass } from '../../src/core/sync/retry';
import { ConnectionLost, RelayRefusal, RelayTimeout } from '../../src/core/nostr';
import { ImportFailed } from '../../src/core/sync/import-pipe';

const url = 'ws://127.0.0.1:4001';

describe('retry: only failures that may pass are tried again', () => {
  it('retries a reset or a close in the middle of a transfer, and a silence after data flowed', () => {
    expect(mayPass(new ConnectionLost(`${url}: connection reset by the other end`, false), true)).toBe(true);
    expect(mayPass(new RelayTimeout(`${url}: relay went silent: no EOSE for 20000 ms`), true)).toBe(true);
    expect(mayPass(new RelayRefusal(url, 'CLOSED', 'rate-limited: slow down'), true)).toBe(true);
  });

  it('says once and leaves for the next run: nothing came back at all (refused, closed on the first byte, no answer)', () => {
    expect(mayPass(new Error(`${url}: cannot connect: connection refused (nothing listens there: relay down or tunnel closed)`), false)).toBe(false);
    expect(mayPass(new ConnectionLost(`${url}: connection closed abruptly`, false), false)).toBe(false);
    expect(mayPass(new RelayTimeout(`${url}: no connection after 8000 ms`), false)).toBe(false);
  });

  it('never retries a refusal, a broken rule, the peer time limit, or the local store', () => {
    expect(mayPass(new RelayRefusal(url, 'CLOSED', 'auth-required: this relay only serves authenticated users'), true)).toBe(false);
    expect(mayPass(new RelayRefusal(url, 'NOTICE', 'ERROR: blocked: go away'), true)).toBe(false);
    expect(mayPass(new ConnectionLost(`${url}: relay sent a message larger than 1048576 bytes (our limit), connection dropped`, true), true)).toBe(false);
    expect(mayPass(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), true)).toBe(false);
    expect(mayPass(new ImportFailed('import into the local relay failed: strfry exited with code 1'), true)).toBe(false);
  });
});
