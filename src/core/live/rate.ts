/**
 * A count over the last minute, in twelve 5-second buckets: no timer, no list of timestamps (cheap at any rate).
 */
const BUCKET_MS = 5_000;
const BUCKETS = 12;

export class PerMinute {
  private readonly counts = new Float64Array(BUCKETS);
  /** the bucket number (time / BUCKET_MS) each slot holds */
  private readonly epochs = new Float64Array(BUCKETS).fill(-1);

  add(n: number, nowMs: number): void {
    const epoch = Math.floor(nowMs / BUCKET_MS);
    const slot = epoch % BUCKETS;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + n;
  }

  /** What was added within the last 60 s (to the 5-second bucket). */
  value(nowMs: number): number {
    const epoch = Math.floor(nowMs / BUCKET_MS);
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const e = this.epochs[i] ?? -1;
      if (e > epoch - BUCKETS && e <= epoch) sum += this.counts[i] ?? 0;
    }
    return sum;
  }
}
