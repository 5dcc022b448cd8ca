/**
 * Event checks: the id (sha256 of the serialised event) and the signature.
 *
 * Public API:
 *   hasValidId(event) → boolean                      // nostr-tools getEventHash
 *   isWellFormed(event) → boolean                    // field types and hex lengths
 *   await loadVerifier() → { name, verify(event) }   // nostr-wasm (libsecp256k1) when it loads, else nostr-tools
 */
import { createHash } from 'node:crypto';
import { verifyEvent as jsVerify } from 'nostr-tools/pure';
import type { Event as NostrEvent } from 'nostr-tools';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;

export function isWellFormed(e: unknown): e is NostrEvent {
  if (!e || typeof e !== 'object') return false;
  const v = e as Record<string, unknown>;
  return (
    typeof v.id === 'string' && HEX64.test(v.id) &&
    typeof v.pubkey === 'string' && HEX64.test(v.pubkey) &&
    typeof v.sig === 'string' && HEX128.test(v.sig) &&
    typeof v.kind === 'number' && Number.isInteger(v.kind) && v.kind >= 0 && v.kind <= 65535 &&
    typeof v.created_at === 'number' && Number.isInteger(v.created_at) && v.created_at >= 0 &&
    typeof v.content === 'string' &&
    Array.isArray(v.tags) && v.tags.every((t) => Array.isArray(t) && t.every((x) => typeof x === 'string'))
  );
}

/** NIP-01 id: sha256 of [0,pubkey,created_at,kind,tags,content]. node:crypto (native) rather than the pure-JS hash:
 * this runs on every fetched event. */
export function hasValidId(e: NostrEvent): boolean {
  try {
    const h = createHash('sha256').update(JSON.stringify([0, e.pubkey, e.created_at, e.kind, e.tags, e.content])).digest('hex');
    return h === e.id;
  } catch {
    return false;
  }
}

export interface Verifier {
  readonly name: 'nostr-wasm' | 'nostr-tools';
  /** true when id and signature are valid */
  verify(e: NostrEvent): boolean;
}

let loading: Promise<Verifier> | null = null;

export function loadVerifier(): Promise<Verifier> {
  loading ??= (async (): Promise<Verifier> => {
    try {
      const { initNostrWasm } = await import('nostr-wasm');
      const nw = await initNostrWasm();
      return {
        name: 'nostr-wasm',
        verify: (e) => {
          try {
            // nostr-wasm checks the id and the signature; it throws on either failing
            nw.verifyEvent(e);
            return true;
          } catch {
            return false;
          }
        },
      };
    } catch {
      return { name: 'nostr-tools', verify: (e) => jsVerify({ ...e }) };
    }
  })();
  return loading;
}
