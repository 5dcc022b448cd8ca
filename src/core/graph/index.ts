/**
 * The social graph (issue 6): the N1/N2 reach of the constellation, from the local relay's kind 3 lists.
 * The pure parts (model, build, analyze, figures, subgraph, layout) take plain data; service.ts reads the relay.
 */
export { createGraphService, stationsOf, GRAPH_FILE, type GraphOptions } from './service';
export { reachFromData, type ReachData } from './pure';
export { DEFAULT_FOLLOW_LIST_CAP } from './build';
