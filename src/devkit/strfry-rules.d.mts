/** See strfry-rules.mjs. */
import type { NostrEvent } from 'nostr-tools';

export declare const MAX_INDEXED_TAG_VAL_SIZE: number;
export declare function isReplaceableKind(kind: number): boolean;
export declare function isAddressableKind(kind: number): boolean;
export declare function isEphemeralKind(kind: number): boolean;
export declare function parseATag(value: string): { kind: number; pubkey: string; d: string } | null;
export declare function checkEvent(event: unknown, limits: { maxNumTags: number; maxTagValSize: number }): string | null;
export declare function makeVerifier(): Promise<(event: NostrEvent) => string | null>;
export declare function indexedTags(event: NostrEvent): Array<[string, string]>;
export declare function addressOf(event: NostrEvent): string | null;

export type WriteStatus = 'written' | 'duplicate' | 'deleted' | 'replaced';

/** The part of a better-sqlite3 database the writer uses. */
export interface WriterDb {
  prepare(sql: string): unknown;
}

export declare function strfryWriter(db: WriterDb): {
  writeEvents(batch: readonly NostrEvent[], log?: (msg: string) => void, opts?: { fresh?: boolean }): WriteStatus[];
  stored(id: string): boolean;
};
