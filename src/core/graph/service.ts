/**
 * The GraphService: computes the reach from the local relay (never the network), keeps the last result in memory
 * and in `<dataDir>/graph.json` (so the window shows a reach before the first sync), coalesces concurrent
 * recomputes, and emits `graph.changed` when a result is ready. Heavy steps go to a worker when large.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Reach, Subgraph, type GraphProgress, type Neighbors, type StationSnapshot } from '../../shared/schemas';
import type { EngineContext, GraphService } from '../services';
import { writeFileAtomic } from '../util/fs';
import type { Analysis } from './analyze';
import { DEFAULT_FOLLOW_LIST_CAP, localUsersFollows, memberKeys, ReachBuilder, type BuiltGraph } from './build';
import { collectCoverage, collectFollowLists } from './collect';
import { reachFigures } from './figures';
import { layoutIterations } from './layout';
import { normalizeKey, reverse, type FollowListEvent } from './model';
import { runJob } from './runner';
import { selectSubgraph, withPositions, type StationNode, type SubgraphSource } from './subgraph';
import { reason, ReasonError, reasonOf } from '../../shared/i18n';

export interface GraphOptions {
  followListCap: number;
  /** edges above which the analysis runs in a worker thread */
  analyzeInWorkerAbove: number;
  /** nodes + edges above which the layout runs in a worker thread */
  layoutInWorkerAbove: number;
  /** the subgraph computed with each recompute and saved in graph.json */
  defaultDepth: number;
  defaultLimit: number;
  /** recompute after each sync run (the CLI's one-shot `sync` does not want a computation after its run) */
  recomputeAfterSync: boolean;
  /**
   * Draw the default subgraph in the background after each computation and save it in graph.json. The CLI's
   * one-shot `reach` does not (its process would wait for the layout).
   */
  drawAfterCompute: boolean;
}

export const GRAPH_FILE = 'graph.json';
const FILE_VERSION = 1;

/** What one computation leaves in memory for subgraph() and neighbors(). */
interface Computed {
  reach: Reach;
  built: BuiltGraph;
  analysis: Analysis;
  names: Map<string, string>;
  stations: StationNode[];
  localUsers: Set<string>;
  reverse?: ReturnType<typeof reverse>;
  subgraphs: Map<string, Promise<Subgraph>>;
}

/** The stations of the snapshot (this one and its peers) as drawable nodes linked to their keys. */
export function stationsOf(snap: StationSnapshot): StationNode[] {
  const out = new Map<string, StationNode>();
  const label = (host: string | null, id: string): string => host || (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id);
  const keys = (...hexes: Array<string | null>): string[] => hexes.map((h) => normalizeKey(h)).filter((h): h is string => h !== null);
  if (snap.self.peerId) {
    out.set(`station:${snap.self.peerId}`, { id: `station:${snap.self.peerId}`, label: label(snap.self.hostname, snap.self.peerId), links: keys(snap.self.captainHex), self: true });
  }
  for (const p of snap.peers) {
    const id = `station:${p.peerId ?? p.id}`;
    if (!out.has(id)) out.set(id, { id, label: label(p.hostname, p.peerId ?? p.id), links: keys(p.captainHex, p.nodeHex) });
  }
  return [...out.values()];
}

export function createGraphService(ctx: EngineContext, options: Partial<GraphOptions> = {}): GraphService {
  const opts: GraphOptions = {
    followListCap: DEFAULT_FOLLOW_LIST_CAP,
    analyzeInWorkerAbove: 200_000,
    layoutInWorkerAbove: 5_000,
    defaultDepth: 2,
    defaultLimit: 20_000,
    recomputeAfterSync: ctx.config.host !== 'cli',
    drawAfterCompute: ctx.config.host !== 'cli',
    ...options,
  };
  const file = join(ctx.config.dataDir, GRAPH_FILE);
  let current: Computed | null = null;
  let saved: Promise<{ reach: Reach | null; subgraph: Subgraph | null }> | null = null;
  let saving: Promise<void> = Promise.resolve();
  let running: Promise<Reach> | null = null;
  let queued: Promise<Reach> | null = null;
  /** performance.now() at the start of the latest computation (-1: none yet). */
  let lastStartedAt = -1;
  /** When the computation the window waits for began (clock time), for graph.progress. */
  let progressStartedAt = 0;
  let lastProgressAt = 0;
  /** Tells the window which step a computation is at; the count of lists read goes at most 4 times a second. */
  const progress = (step: GraphProgress['step'], count = 0, throttle = false): void => {
    const now = Date.now();
    if (throttle && now - lastProgressAt < 250) return;
    lastProgressAt = now;
    ctx.events.emit('graph.progress', { step, count, startedAt: progressStartedAt });
  };

  const loadSaved = (): Promise<{ reach: Reach | null; subgraph: Subgraph | null }> => {
    saved ??= readFile(file, 'utf8').then(
      (text) => {
        const data = JSON.parse(text) as { version?: number; reach?: unknown; subgraph?: unknown };
        const reach = Reach.safeParse(data.reach);
        const sub = Subgraph.safeParse(data.subgraph);
        if (data.version !== FILE_VERSION || !reach.success) {
          ctx.log.warn(reason('graph.savedOld', { file }));
          return { reach: null, subgraph: null };
        }
        return { reach: reach.data, subgraph: sub.success ? sub.data : null };
      },
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') ctx.log.warn(reason('graph.cannotRead', { file, detail: err.message }));
        return { reach: null, subgraph: null };
      },
    ).catch((err: Error) => {
      ctx.log.warn(reason('graph.unreadable', { file, detail: err.message }));
      return { reach: null, subgraph: null };
    });
    return saved;
  };

  /** Saves in order (a reach-only save never lands after the save that adds its subgraph). */
  const save = (reach: Reach, subgraph: Subgraph | null): Promise<void> => {
    saved = Promise.resolve({ reach, subgraph });
    saving = saving.then(() =>
      writeFileAtomic(file, JSON.stringify({ version: FILE_VERSION, reach, subgraph })).catch((err: Error) =>
        ctx.log.warn(reason('graph.cannotSave', { file, detail: err.message })),
      ),
    );
    return saving;
  };

  const sourceOf = (c: Computed): SubgraphSource => {
    c.reverse ??= reverse(c.built.graph);
    return {
      graph: c.built.graph,
      reverse: c.reverse,
      analysis: c.analysis,
      names: c.names,
      stations: c.stations,
      localUsers: c.localUsers,
      indexOf: (hex) => c.built.index.get(hex),
    };
  };

  const drawSubgraph = async (c: Computed, depth: number, limit: number): Promise<Subgraph> => {
    const sel = selectSubgraph(sourceOf(c), depth, limit);
    const edges = sel.layout.edges.length / 2;
    const iterations = layoutIterations(sel.nodes.length, edges);
    const large = sel.nodes.length + edges > opts.layoutInWorkerAbove;
    progress('layout', sel.nodes.length);
    const xy = (await runJob({ type: 'layout', input: { ...sel.layout, iterations } }, large)) as Float64Array;
    progress('done', sel.nodes.length);
    return withPositions(sel, xy, c.reach.computedAt);
  };

  const subgraphOf = (c: Computed, depth: number, limit: number): Promise<Subgraph> => {
    const key = `${depth}:${limit}`;
    let p = c.subgraphs.get(key);
    if (!p) {
      p = drawSubgraph(c, depth, limit);
      if (depth === opts.defaultDepth && limit === opts.defaultLimit) {
        // The default picture goes to graph.json with its reach, for the window's next start.
        p = p.then(async (sub) => {
          if (current === c) await save(c.reach, sub);
          return sub;
        });
      }
      // A failed layout is not cached: the next call tries again.
      p.catch(() => c.subgraphs.delete(key));
      if (c.subgraphs.size >= 4) c.subgraphs.delete(c.subgraphs.keys().next().value as string);
      c.subgraphs.set(key, p);
    }
    return p;
  };

  const computeOnce = async (): Promise<Reach> => {
    const started = performance.now();
    lastStartedAt = started;
    progressStartedAt = ctx.config.clock();
    progress('lists');
    const state = await ctx.station.state();
    const store = ctx.store();
    const cap = opts.followListCap;
    const members = memberKeys(state.members.keys(), state.blacklist);
    const localUsers = memberKeys(state.localUsers);

    // Members' lists first (they define N1), then N1's; each list goes into the graph as its batch arrives.
    const builder = new ReachBuilder(members, cap, state.blacklist);
    const isLocalUser = new Set(localUsers);
    const localLists = new Map<string, FollowListEvent>();
    let lists = 0;
    const sink = (ev: FollowListEvent): void => {
      builder.add(ev);
      if (isLocalUser.has(ev.pubkey)) localLists.set(ev.pubkey, ev);
      progress('lists', ++lists, true);
    };
    // One COUNT of the whole relay, asked while the members' lists are read, decides every one-pass reading.
    const relayTotal = store.count({}).catch(() => null);
    const tuning = { relayTotal };
    await collectFollowLists(store, [...new Set([...members, ...localUsers])], sink, undefined, tuning);
    await collectFollowLists(store, builder.n1Keys(), sink, undefined, tuning);
    const built = builder.finish();
    const listsMs = performance.now() - started;
    const { graph } = built;
    progress('analysis');
    const analysis = (await runJob(
      { type: 'analyze', nodes: graph.keys.length, offsets: graph.offsets, targets: graph.targets, members: built.members },
      graph.targets.length > opts.analyzeInWorkerAbove,
    )) as Analysis;

    const analysisMs = performance.now() - started - listsMs;
    const reached: string[] = [];
    for (let i = 0; i < graph.keys.length; i++) {
      const d = analysis.distance[i];
      if (d === 1 || d === 2) reached.push(graph.keys[i] as string);
    }
    const known = builder.authors;
    const now = ctx.config.clock();
    progress('coverage');
    const coverage = await collectCoverage(store, { keys: reached, alsoNames: members, known, nowSeconds: Math.floor(now / 1000), tuning });

    const reach = reachFigures({
      built,
      analysis,
      coverage,
      names: coverage.names,
      localUsersN1: localUsersFollows(localUsers, (a) => localLists.get(a)),
      amisOfAmis: state.amisOfAmis,
      followListCap: cap,
      computedAt: ctx.config.clock(),
      durationMs: Math.round(performance.now() - started),
    });
    const computed: Computed = {
      reach,
      built,
      analysis,
      names: coverage.names,
      stations: stationsOf(state.snapshot),
      localUsers: isLocalUser,
      subgraphs: new Map(),
    };
    current = computed;
    await save(reach, null);
    ctx.log.info(
      reason('graph.computed', {
        members: reach.members, n1: reach.n1, n2: reach.n2, edges: reach.edges, ms: reach.durationMs,
        listsMs: Math.round(listsMs), analysisMs: Math.round(analysisMs), coverageMs: Math.round(reach.durationMs - listsMs - analysisMs),
        overCap: reach.caps.listsOverCap, cap,
      }),
    );
    ctx.events.emit('graph.changed', { computedAt: reach.computedAt });
    if (!opts.drawAfterCompute) progress('done');
    if (opts.drawAfterCompute) {
      subgraphOf(computed, opts.defaultDepth, opts.defaultLimit).catch((err: unknown) => ctx.log.warn(reason('graph.subgraphFailed', { why: reasonOf(err) })));
    }
    return reach;
  };

  /** One computation at a time; calls made during one share a single follow-up (the data may have changed). */
  const recompute = (): Promise<Reach> => {
    if (!running) {
      running = computeOnce().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return recompute();
      });
    return queued;
  };

  const ensure = async (): Promise<Computed> => {
    if (!current) await recompute();
    if (!current) throw new ReasonError(reason('graph.noResult'));
    return current;
  };

  if (opts.recomputeAfterSync) {
    // A run that reaches its 'graph' stage (imports over) recomputes itself: a computation started since then
    // already saw everything the run brought, and a second one would only repeat it. A run that stopped
    // earlier (failed, cancelled) is followed by one here.
    let graphStageAt: { runId: string; at: number } | null = null;
    ctx.events.on('sync.progress', (p) => {
      if (p.stage === 'graph' && graphStageAt?.runId !== p.runId) graphStageAt = { runId: p.runId, at: performance.now() };
    });
    ctx.events.on('sync.finished', (report) => {
      const stage = graphStageAt;
      graphStageAt = null;
      if (stage && stage.runId === report.id && lastStartedAt >= stage.at) {
        ctx.log.debug(`graph: run ${report.id} already recomputed the reach after its imports`);
        return;
      }
      recompute().catch((err: unknown) => ctx.log.warn(reason('graph.recomputeFailed', { why: reasonOf(err) })));
    });
  }

  return {
    async reach() {
      if (current) return current.reach;
      return (await loadSaved()).reach;
    },
    async subgraph(depth, limit) {
      if (!current && depth === opts.defaultDepth && limit === opts.defaultLimit) {
        const s = (await loadSaved()).subgraph;
        if (s) return s;
      }
      return subgraphOf(await ensure(), depth, limit);
    },
    async neighbors(hex): Promise<Neighbors> {
      const key = normalizeKey(hex.trim());
      if (!key) throw new ReasonError(reason('graph.notHex', { value: hex.slice(0, 80) }));
      const c = await ensure();
      const i = c.built.index.get(key);
      if (i === undefined) return { hex: key, follows: [], followers: [] };
      const { keys, offsets, targets } = c.built.graph;
      c.reverse ??= reverse(c.built.graph);
      const rev = c.reverse;
      const follows: string[] = [];
      for (let e = offsets[i] as number; e < (offsets[i + 1] as number); e++) follows.push(keys[targets[e] as number] as string);
      const followers: string[] = [];
      for (let e = rev.offsets[i] as number; e < (rev.offsets[i + 1] as number); e++) followers.push(keys[rev.sources[e] as number] as string);
      return { hex: key, follows, followers };
    },
    recompute,
  };
}
