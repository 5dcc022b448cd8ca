/**
 * The Engine: the one facade that implements the contract. Electron main, the CLI and the web host all bind
 * this same object; it never imports electron.
 */
import { calls, parseInput, parseOutput, ContractError } from '../shared/api';
import type { CallName, CallOutput, EventName, EventPayload, Handlers } from '../shared/api';
import type { LogLine, Settings } from '../shared/schemas';
import { pickLanguage, reason, ReasonError, reasonOf, reasonText } from '../shared/i18n';
import type { DemoLauncher, EngineConfig, RunningDemo } from './config';
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
import { createScheduler } from './sync/scheduler';
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
  /** Starts the demo constellation, when this engine runs on it (given by the host); else null. */
  private readonly demoLauncher: DemoLauncher | null;
  private demo: RunningDemo | null = null;
  readonly handlers: Handlers;

  constructor(
    config: EngineConfig,
    opts: { echo?: (line: LogLine) => void; schedule?: boolean; demo?: DemoLauncher } = {},
  ) {
    // Demo mode: the host decided it (src/demo/launch.ts) and already pointed the data folder at the demo's own.
    this.demoLauncher = opts.demo ?? null;
    this.config = { ...config, demo: this.demoLauncher !== null };
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
    if (!this.current) throw new ReasonError(reason('engine.notStarted'));
    return this.current;
  }

  store(): LocalStore {
    this.localStore ??= openLocalStore(this);
    return this.localStore;
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (this.demoLauncher && !this.demo) {
      this.demo = await this.demoLauncher.start({ log: this.log, clock: this.config.clock });
      // The demo's overrides win over the launch ones (a demo never points at the captain's station).
      this.settingsStore = new SettingsStore(this.config.dataDir, this.config.home, { ...this.config.overrides, ...this.demo.overrides });
    }
    this.current = await this.settingsStore.load();
    if (this.settingsStore.loadProblem) this.log.warn(this.settingsStore.loadProblem);
    if (this.settingsStore.tightened) this.log.info(reason('settings.tightened', { path: this.settingsStore.path }));
    await sweepLeftovers(this.config.dataDir, this.current.zenRoot, this.log);
    await this.station.start();
    await this.tunnels.cleanupLeftovers().catch((err: unknown) => this.log.warn(reason('engine.leftoverTunnels', { why: reasonOf(err) })));
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
    await this.demo?.stop().catch((err: unknown) => this.log.warn(reason('engine.demoStop', { why: reasonOf(err) })));
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
    if (!Object.prototype.hasOwnProperty.call(calls, name)) throw ContractError.of(reason('contract.unknownCall', { call: String(name) }), 'unknown-call');
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
      'history.exportHtml': async ({ id, lang }) => {
        const report = await this.history.get(id);
        if (!report) throw ContractError.of(reason('history.noRun', { id }), 'failed');
        const language = pickLanguage({ flag: lang, setting: this.settings().language, env: process.env });
        return { filename: `constellation-run-${report.id}.html`, html: renderReportHtml(report, language) };
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
    const why = reason('schedule.noHost');
    const idle = {
      enabled: false,
      paused: false,
      intervalMinutes: this.settings().scheduleMinutes,
      nextRunAt: null,
      lastDecision: reasonText(why),
      lastDecisionWhy: why,
    };
    return { status: () => idle, pause: () => idle, resume: () => idle, stop: () => undefined };
  }
}
