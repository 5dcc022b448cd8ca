/** The Nostr client side: relay connection, NIP-11, REQ pager, NIP-77 session, event checks, compact id sets. */
export * from './relay';
export * from './nip11';
export * from './pager';
export * from './negentropy';
export * from './negentropy-client';
export * from './ids';
export * from './verify';
