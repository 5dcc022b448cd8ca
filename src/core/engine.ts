/**
 * The Engine: the one facade that implements the contract. Electron main, the CLI and the web host all bind
 * this same object; it never imports electron.
 */
import { calls, parseInput, parseOutput, ContractError } from '../shared/api';
import type { CallName, CallOutput, EventName, EventPayload, Handlers } from '../shared/api';
import type { Settings } from '../shared/schemas';
import type { EngineConfig } from './config';
import { EngineEvents } from './events';
import { Logger } from './log';
import { SettingsStore } from './settings';
import { appInfo } from './info';
import type {
  EngineContext,
  GraphService,
  HistoryStore,
  LocalStore,
  ProfileService,
  Scheduler,
  StationService,
  SyncService,
  TunnelManager,
} from './services';
import { createStationService } from './station';
import { createTunnelManager } from './kubo';
import { openLocalStore } from './store';
import { createProfileService } from './profiles';
import { createGraphService } from './graph';
import { createSyncService, createHistoryStore, renderReportHtml } from './sync';
import { reportLanguage } from './sync/report-html';
import { createScheduler } from './sync/scheduler';
import { demoAppDir, demoWanted } from './demo/decide';
import type { DemoHandle } from './demo';
import { sweepLeftovers } from './leftovers';

export class Engine implements EngineContext {
  readonly events = new EngineEvents();
  readonly log: Logger;
  readonly config: EngineConfig;
  /** Replaced at start in demo mode, to carry the demo's overrides. */
  settingsStore: SettingsStore;
  readonly station: StationService;
  readonly tunnels: TunnelManager;
  readonly profiles: ProfileService;
  readonly graph: GraphService;
  readonly sync: SyncService;
  readonly history: HistoryStore;
  private scheduler: Scheduler | null = null;
  private current: Settings | null = null;
  private localStore: LocalStore | null = null;
  private started = false;
  /** The data folder the demo lives in (the captain's), when this engine runs the demo; else null. */
  private readonly demoHome: string | null;
  private demo: DemoHandle | null = null;
  readonly handlers: Handlers;

  constructor(
    config: EngineConfig,
    opts: { echo?: (line: { level: string; msg: string }) => void; schedule?: boolean } = {},
  ) {
    // Demo mode (--demo, or a newcomer without a station): the engine lives in <dataDir>/demo/app, so the
    // captain's own settings, history and sync memory are never touched. Decided here: the parts below are
    // built on the data folder.
    const demo = demoWanted(config);
    this.demoHome = demo ? config.dataDir : null;
    this.config = demo ? { ...config, demo: true, dataDir: demoAppDir(config.dataDir) } : config;
    config = this.config;
    this.log = new Logger(this.events, config.clock, opts.echo);
    this.settingsStore = new SettingsStore(config.dataDir, config.home, config.overrides);
    this.history = createHistoryStore(this);
    this.station = createStationService(this);
    this.tunnels = createTunnelManager(this);
    this.profiles = createProfileService(this);
    this.graph = createGraphService(this);
    this.sync = createSyncService(this);
    this.wantSchedule = opts.schedule ?? false;
    this.handlers = this.makeHandlers();
  }
  private readonly wantSchedule: boolean;

  settings(): Settings {
    if (!this.current) throw new Error('the engine is not started');
    return this.current;
  }

  store(): LocalStore {
    this.localStore ??= openLocalStore(this);
    return this.localStore;
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (this.demoHome !== null && !this.demo) {
      // Loaded only when wanted: the demo brings the relay implementation, which a station never needs.
      const { startDemo } = await import('./demo');
      this.demo = await startDemo({ dataDir: this.demoHome, log: this.log, clock: this.config.clock });
      // The demo's overrides win over the launch ones (a demo never points at the captain's station).
      this.settingsStore = new SettingsStore(this.config.dataDir, this.config.home, { ...this.config.overrides, ...this.demo.overrides });
    }
    this.current = await this.settingsStore.load();
    if (this.settingsStore.loadProblem) this.log.warn(this.settingsStore.loadProblem);
    if (this.settingsStore.tightened) this.log.info(`${this.settingsStore.path} was readable by other users (it holds kuboAuth): made private (0600)`);
    await sweepLeftovers(this.config.dataDir, this.current.zenRoot, this.log);
    await this.station.start();
    await this.tunnels.cleanupLeftovers().catch((err: unknown) => this.log.warn(`leftover tunnels: ${(err as Error).message}`));
    if (this.wantSchedule) this.scheduler = createScheduler(this);
    this.started = true;
  }

  async stop(): Promise<void> {
    this.scheduler?.stop();
    await this.sync.cancel().catch(() => false);
    await this.tunnels.closeAll().catch(() => undefined);
    await this.station.stop().catch(() => undefined);
    await this.localStore?.close().catch(() => undefined);
    this.localStore = null;
    // The demo's relays stop with the engine (the app quits, the command ends).
    await this.demo?.stop().catch((err: unknown) => this.log.warn(`demo: ${(err as Error).message}`));
    this.demo = null;
    this.started = false;
  }

  /** The machine woke from sleep (Electron's powerMonitor): the schedule re-evaluates. */
  wake(): void {
    this.scheduler?.onResume?.();
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Runs a call of the contract: validates input, runs the handler, validates output. */
  async call<K extends CallName>(name: K, input: unknown): Promise<CallOutput<K>> {
    if (!Object.prototype.hasOwnProperty.call(calls, name)) throw new ContractError(`unknown call ${String(name)}`, 'unknown-call');
    const parsed = parseInput(name, input);
    const handler = this.handlers[name] as (i: unknown) => Promise<unknown>;
    const out = await handler(parsed);
    return parseOutput(name, out);
  }

  private async applySettings(next: Settings): Promise<void> {
    const prev = this.current;
    this.current = next;
    this.events.emit('settings.changed', next);
    if (!prev) return;
    if (prev.relayUrl !== next.relayUrl || prev.strfryBin !== next.strfryBin || prev.strfryConf !== next.strfryConf) {
      const old = this.localStore;
      this.localStore = null;
      await old?.close().catch(() => undefined);
    }
    if (prev.zenRoot !== next.zenRoot || prev.staleHours !== next.staleHours || prev.directRelays.join() !== next.directRelays.join()) {
      await this.station.stop();
      await this.station.start();
    }
  }

  private makeHandlers(): Handlers {
    return {
      'app.info': async () =>
        appInfo({
          version: this.config.version,
          host: this.config.host,
          demo: this.config.demo,
          dataDir: this.config.dataDir,
          settings: this.settings(),
          timeoutMs: this.config.timeouts.serviceCheck,
          selfPeerId: async () => {
            const s = await this.station.snapshot();
            return { peerId: s.self.peerId, source: s.self.source };
          },
        }),
      'settings.get': async () => this.settings(),
      'settings.set': async (patch) => {
        const next = await this.settingsStore.set(patch);
        await this.applySettings(next);
        return next;
      },
      'log.tail': async (i) => this.log.recent(i?.limit ?? 200),
      'station.snapshot': async () => this.station.snapshot(),
      'station.members': async () => this.station.members(),
      'station.stats': async () => this.station.stats(),
      'tunnels.list': async () => this.tunnels.list(),
      'sync.start': async (opts) => {
        const { runId } = await this.sync.start({ trigger: 'manual', ...(opts ?? {}) });
        return { runId };
      },
      'sync.cancel': async () => ({ cancelled: await this.sync.cancel() }),
      'sync.status': async () => this.sync.status(),
      'history.list': async (i) => this.history.list(i?.limit ?? 100),
      'history.get': async ({ id }) => this.history.get(id),
      'history.exportHtml': async ({ id }) => {
        const report = await this.history.get(id);
        if (!report) throw new ContractError(`no run ${id} in the history`, 'failed');
        return { filename: `constellation-run-${report.id}.html`, html: renderReportHtml(report, reportLanguage(this.settings().language)) };
      },
      'schedule.status': async () => this.schedulerOrIdle().status(),
      'schedule.pause': async () => this.schedulerOrIdle().pause(),
      'schedule.resume': async () => this.schedulerOrIdle().resume(),
      'profiles.search': async (i) => this.profiles.search(i?.query ?? '', i?.offset ?? 0, i?.limit ?? 50),
      'profiles.get': async ({ hex }) => this.profiles.get(hex),
      'profiles.missing': async () => ({ hexes: await this.profiles.missing() }),
      'graph.reach': async () => this.graph.reach(),
      'graph.subgraph': async (i) => this.graph.subgraph(i?.depth ?? 2, i?.limit ?? 20000),
      'graph.neighbors': async ({ hex }) => this.graph.neighbors(hex),
    };
  }

  private schedulerOrIdle(): Scheduler {
    if (this.scheduler) return this.scheduler;
    const idle = {
      enabled: false,
      paused: false,
      intervalMinutes: this.settings().scheduleMinutes,
      nextRunAt: null,
      lastDecision: 'no schedule in this host (the desktop app and `serve --schedule` run one)',
    };
    return { status: () => idle, pause: () => idle, resume: () => idle, stop: () => undefined };
  }
}
