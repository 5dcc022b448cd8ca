// Placeholder until issue 6 lands.
import type { EngineContext, GraphService } from '../services';
export function createGraphService(_ctx: EngineContext): GraphService {
  const no = (): never => { throw new Error('the graph is not built yet (issue 6)'); };
  return { reach: async () => null, subgraph: async () => no(), neighbors: async () => no(), recompute: async () => no() };
}
