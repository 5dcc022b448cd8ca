// Placeholder until issue 5 lands.
import type { EngineContext, ProfileService } from '../services';
export function createProfileService(_ctx: EngineContext): ProfileService {
  const no = (): never => { throw new Error('profiles are not built yet (issue 5)'); };
  return { search: async () => no(), get: async () => no(), missing: async () => no(), refresh: async () => undefined, recover: async () => no() };
}
