/**
 * Live sync (src/core/live): the public face is `createLiveService(ctx)` (services.ts `LiveService`), and
 * `offerMissing()` for the hourly reconciliation's share side. See live.ts for the shape and the lock.
 */
import type { EngineContext } from '../services';
import { Live } from './live';

export { offerMissing, shareable, type OfferInput, type OfferResult } from './offer';
export { DEFAULT_LIVE_TIMING, type LiveTiming } from './timing';
export { Live };

export function createLiveService(ctx: EngineContext): Live {
  return new Live(ctx);
}
