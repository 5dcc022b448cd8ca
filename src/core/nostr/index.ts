/** The Nostr client side: relay connection, NIP-11, REQ pager, NIP-77 session, event checks. */
export * from './relay';
export * from './nip11';
export * from './pager';
export * from './negentropy';
export * from './verify';
