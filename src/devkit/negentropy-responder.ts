// The NIP-77 responder of the devkit relays, faithful to strfry's (hoytech/negentropy's C++ `reconcile`).
//
// @nostr-dev-kit/sync's `Negentropy` cuts an IdList answer at the frame size limit but then fingerprints the
// remaining range from the END of the cut range, not from where the cut happened: the ids past the cut are
// covered by no range at all, and an initiator holding none of them sees matching fingerprints and stops —
// those ids are silently lost (a cold 100,000-event sync ended 78% complete). The C++ reference shrinks
// `upper` to the cut index, so the closing `(cut, ∞)` Fingerprint covers the rest and the initiator goes on
// reconciling it in the next round. This class keeps the library's encoding helpers and storage and only
// replaces the responder's loop with the reference one.
import { createHash } from 'node:crypto';
import {
  FINGERPRINT_SIZE,
  ID_SIZE,
  Negentropy,
  NegentropyMode,
  NegentropyStorage,
  PROTOCOL_VERSION,
  WrappedBuffer,
  compareUint8Array,
  decodeVarInt,
  encodeVarInt,
  type Bound,
  type StorageItem,
} from '@nostr-dev-kit/sync';

/** The library's helpers this class drives (declared private in its types, plain methods at run time). */
interface Internals {
  storage: NegentropyStorage;
  lastTimestampIn: number;
  lastTimestampOut: number;
  bound(timestamp: number, id?: Uint8Array): Bound;
  decodeBound(buf: WrappedBuffer): Bound;
  encodeBound(b: Bound): Uint8Array;
  splitRange(lower: number, upper: number, upperBound: Bound, o: WrappedBuffer): Promise<void>;
  exceededFrameSizeLimit(n: number): boolean;
}

const MAX_BOUND_TIMESTAMP = Number.MAX_VALUE;

function take(buf: WrappedBuffer, n: number): Uint8Array {
  if (buf.length < n) throw new Error('negentropy: unexpected end of message');
  return (buf as unknown as { shiftN(n: number): Uint8Array }).shiftN(n);
}

/** strfry's relay side: `new StrfryNegentropy(storage, 500_000)`; one instance per NEG-OPEN. */
export class StrfryNegentropy extends Negentropy {
  private get x(): Internals {
    return this as unknown as Internals;
  }

  /** The responder's answer to one NEG-OPEN/NEG-MSG payload (no have/need: the responder reports none). */
  override async reconcile(query: Uint8Array): Promise<{ nextMessage: Uint8Array | undefined; have: Uint8Array[]; need: Uint8Array[] }> {
    const x = this.x;
    const queryBuf = new WrappedBuffer(query);
    x.lastTimestampIn = x.lastTimestampOut = 0;
    const fullOutput = new WrappedBuffer();
    fullOutput.set([PROTOCOL_VERSION]);

    const version = take(queryBuf, 1)[0] as number;
    if (version < 0x60 || version > 0x6f) throw new Error('invalid negentropy protocol version byte');
    // A version we do not speak: answer with our version byte alone (the initiator then knows).
    if (version !== PROTOCOL_VERSION) return { nextMessage: fullOutput.unwrap().slice(), have: [], need: [] };

    const storageSize = x.storage.size();
    let prevBound = x.bound(0);
    let prevIndex = 0;
    let skip = false;

    while (queryBuf.length !== 0) {
      const o = new WrappedBuffer();
      const doSkip = (): void => {
        if (!skip) return;
        skip = false;
        o.append(x.encodeBound(prevBound));
        o.append(encodeVarInt(NegentropyMode.Skip));
      };

      const currBound = x.decodeBound(queryBuf);
      const mode = decodeVarInt(queryBuf);
      const lower = prevIndex;
      let upper = x.storage.findLowerBound(prevIndex, storageSize, currBound);

      if (mode === NegentropyMode.Skip) {
        skip = true;
      } else if (mode === NegentropyMode.Fingerprint) {
        const theirs = take(queryBuf, FINGERPRINT_SIZE);
        const ours = await x.storage.fingerprint(lower, upper);
        if (compareUint8Array(theirs, ours) !== 0) {
          doSkip();
          await x.splitRange(lower, upper, currBound, o);
        } else {
          skip = true;
        }
      } else if (mode === NegentropyMode.IdList) {
        // The initiator's ids for this range do not change what a responder sends: its own ids.
        const numIds = decodeVarInt(queryBuf);
        take(queryBuf, numIds * ID_SIZE);
        doSkip();
        const responseIds = new WrappedBuffer();
        let numResponseIds = 0;
        let endBound: Bound = currBound;
        x.storage.iterate(lower, upper, (item: StorageItem, index: number) => {
          if (x.exceededFrameSizeLimit(fullOutput.length + responseIds.length)) {
            endBound = item;
            upper = index; // the cut: the remaining range starts here and gets the closing fingerprint
            return false;
          }
          responseIds.append(item.id);
          numResponseIds++;
          return true;
        });
        o.append(x.encodeBound(endBound));
        o.append(encodeVarInt(NegentropyMode.IdList));
        o.append(encodeVarInt(numResponseIds));
        o.append(responseIds.unwrap());
        fullOutput.append(o.unwrap());
        o.clear();
      } else {
        throw new Error('negentropy: unexpected mode');
      }

      if (x.exceededFrameSizeLimit(fullOutput.length + o.length)) {
        // Frame full: stop here and fingerprint everything from `upper` on; the initiator reconciles it next round.
        const remaining = await x.storage.fingerprint(upper, storageSize);
        fullOutput.append(x.encodeBound(x.bound(MAX_BOUND_TIMESTAMP)));
        fullOutput.append(encodeVarInt(NegentropyMode.Fingerprint));
        fullOutput.append(remaining);
        break;
      }
      fullOutput.append(o.unwrap());
      prevIndex = upper;
      prevBound = currBound;
    }
    // A responder always answers (an empty answer of the version byte alone ends the initiator's side).
    return { nextMessage: fullOutput.unwrap().slice(), have: [], need: [] };
  }
}

/**
 * The library's storage with strfry-like speed where it matters for a relay answering 100,000-id
 * reconciliations: ids parsed natively from hex, and range fingerprints from prefix sums (the sum of a range
 * mod 2^256 is prefix[end] − prefix[begin]; the library adds the range item by item through DataViews, which
 * made a 100,000-id cold reconciliation cost seconds of the bench peer's time). Same fingerprints: SHA-256 of
 * the 32-byte little-endian sum followed by the varint count, first 16 bytes.
 */
export class FastNegentropyStorage extends NegentropyStorage {
  /** (size + 1) × 8 little-endian uint32 lanes: prefix[i] = sum of the first i ids */
  private prefix: Uint32Array | null = null;

  override insert(timestamp: number, id: string | Uint8Array): void {
    // a fresh Uint8Array (not a slice of Buffer's shared pool): the library reads ids through their .buffer
    super.insert(timestamp, typeof id === 'string' ? new Uint8Array(Buffer.from(id, 'hex')) : id);
  }

  override seal(): void {
    super.seal();
    const n = this.size();
    const prefix = new Uint32Array((n + 1) * 8);
    const lane = new Uint32Array(8);
    this.iterate(0, n, (item, i) => {
      const id = item.id;
      let carry = 0;
      for (let k = 0; k < 8; k++) {
        const o = k * 4;
        const v = ((id[o] as number) | ((id[o + 1] as number) << 8) | ((id[o + 2] as number) << 16) | ((id[o + 3] as number) << 24)) >>> 0;
        const sum = (lane[k] as number) + v + carry;
        lane[k] = sum >>> 0;
        carry = sum > 0xffffffff ? 1 : 0;
      }
      prefix.set(lane, (i + 1) * 8);
      return true;
    });
    this.prefix = prefix;
  }

  override unseal(): void {
    this.prefix = null;
    super.unseal();
  }

  override async fingerprint(begin: number, end: number): Promise<Uint8Array> {
    const prefix = this.prefix;
    if (!prefix) return super.fingerprint(begin, end);
    if (begin > end || end > this.size()) throw new Error('negentropy: bad range');
    const out = Buffer.alloc(32);
    let borrow = 0;
    for (let k = 0; k < 8; k++) {
      const d = (prefix[end * 8 + k] as number) - (prefix[begin * 8 + k] as number) - borrow;
      borrow = d < 0 ? 1 : 0;
      out.writeUInt32LE(d < 0 ? d + 0x100000000 : d, k * 4);
    }
    const hash = createHash('sha256').update(out).update(encodeVarInt(end - begin)).digest();
    return new Uint8Array(hash.subarray(0, FINGERPRINT_SIZE));
  }
}
