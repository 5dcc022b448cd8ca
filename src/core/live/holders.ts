/**
 * Which peers are known to hold a recent event: it came from them (down stream, catch-up) or they accepted it
 * (OK true, duplicate included). The up path never sends a peer an event it holds — in particular never echoes
 * to a peer what came from it. Bounded: the oldest entries go first (an event that old is settled by the
 * catch-up and the hourly reconciliation, which ask the peer itself).
 */
export class Holders {
  private readonly map = new Map<string, string[]>();

  constructor(private readonly max = 50_000) {}

  add(id: string, peer: string): void {
    const list = this.map.get(id);
    if (list) {
      if (!list.includes(peer)) list.push(peer);
      return;
    }
    this.map.set(id, [peer]);
    if (this.map.size > this.max) {
      // Map iterates in insertion order: the first key is the oldest
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  /** Whether any peer is known to hold it (it came from a peer). */
  any(id: string): boolean {
    return this.map.has(id);
  }

  has(id: string, peer: string): boolean {
    return this.map.get(id)?.includes(peer) ?? false;
  }

  get size(): number {
    return this.map.size;
  }
}
