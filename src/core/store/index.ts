// Placeholder until issue 4 lands: the local store.
import type { EngineContext, LocalStore } from '../services';
export function openLocalStore(_ctx: EngineContext): LocalStore {
  throw new Error('the local store is not built yet (issue 4)');
}
