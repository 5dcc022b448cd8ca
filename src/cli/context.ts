import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { LogLine, Settings, SettingsPatch } from '../shared/schemas';
import type { Engine } from '../core/engine';
import { isLang } from '../shared/i18n';
import { appRoot } from './root';
import { Spinner } from './terminal';
import { cliLanguage, voiceOf, type Voice } from './voice';

export interface GlobalOptions {
  zenRoot?: string;
  dataDir?: string;
  strfryBin?: string;
  strfryConf?: string;
  relayUrl?: string;
  kuboApi?: string;
  demo?: boolean;
  lang?: string;
}

/** Exit codes: 0 all well, 1 something failed, 2 bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/**
 * The voice to print with: `--lang`, else the engine's `language` setting (once it is started), else the locale
 * environment. A `--lang` Constellation does not speak is bad usage.
 */
export function voiceFor(opts: GlobalOptions, engine?: Engine | null): Voice {
  if (opts.lang !== undefined && !isLang(opts.lang)) throw new UsageError(voiceOf(cliLanguage(null)).w.usage.lang(opts.lang));
  let setting: Settings['language'] | null = null;
  try {
    setting = engine ? engine.settings().language : null;
  } catch {
    // not started yet: the flag and the environment decide
  }
  return voiceOf(cliLanguage(opts.lang, setting));
}

/**
 * Builds an engine from the global options (flags and environment win over saved settings). The engine's
 * modules are loaded here, not when the command starts: `--version` and `--help` need none of them.
 */
export async function engineFrom(
  opts: GlobalOptions,
  host = 'cli',
  extra: {
    schedule?: boolean;
    quiet?: boolean;
    live?: 'off' | 'setting' | 'always';
    /** every log line, instead of the warnings on stderr (`constellation live` prints its own) */
    log?: (line: LogLine) => void;
    /** a peer's failure is left to the run's summary, which names each peer's outcome once */
    peersInSummary?: boolean;
    demoHooks?: { onStart?: () => void; onReady?: () => void };
  } = {},
): Promise<Engine> {
  const [{ makeConfig }, { Engine }, { demoLaunch }] = await Promise.all([
    import('../core/config'),
    import('../core/engine'),
    import('../demo/launch'),
  ]);
  const overrides: SettingsPatch = {};
  if (opts.zenRoot) overrides.zenRoot = resolve(opts.zenRoot);
  if (opts.strfryBin) overrides.strfryBin = resolve(opts.strfryBin);
  if (opts.strfryConf) overrides.strfryConf = resolve(opts.strfryConf);
  if (opts.relayUrl) overrides.relayUrl = opts.relayUrl;
  if (opts.kuboApi) overrides.kuboApi = opts.kuboApi;
  const { config, demo } = demoLaunch(
    makeConfig({
      ...(opts.dataDir ? { dataDir: resolve(opts.dataDir) } : {}),
      overrides,
      host,
      demo: opts.demo ?? false,
      version: packageVersion(),
    }),
    extra.demoHooks ?? demoSpinner(() => voiceFor(opts, null).w.sync.demo),
  );
  // The engine's warnings and errors on stderr, in the captain's language (the log itself stays English).
  const engine: Engine = new Engine(config, {
    schedule: extra.schedule ?? false,
    live: extra.live ?? 'off',
    demo,
    echo:
      extra.log ??
      (extra.quiet
        ? undefined
        : (line) => {
            if (line.level !== 'warn' && line.level !== 'error') return;
            if (extra.peersInSummary && PEER_LINES.has(line.why?.code ?? '')) return;
            const v = voiceFor(opts, engine);
            warnLine(`${v.w.level[line.level] ?? line.level}: ${v.say(line.msg, line.why)}`);
          }),
  });
  return engine;
}

/** Log lines about one peer of a sync (its failure, a retry, a note): the summary says them. */
const PEER_LINES = new Set(['peer.named', 'peer.willRetry']);

/** While the demo starts (it may generate a constellation first): a spinner with a word, on a terminal only. */
function demoSpinner(word: () => string): { onStart: () => void; onReady: () => void } {
  let spinner: Spinner | null = null;
  return {
    onStart: () => {
      if (!process.stderr.isTTY) return;
      spinner = new Spinner(process.stderr, word());
      setWarnSink((line) => spinner?.log(line));
    },
    onReady: () => {
      spinner?.stop();
      if (spinner) setWarnSink(null);
      spinner = null;
    },
  };
}

/**
 * Where warnings go: stderr, through the terminal view when one is drawing (sync's progress bars), so a warning is
 * printed whole above the bars instead of being cut by their redraw.
 */
let warnSink: ((line: string) => void) | null = null;
export function setWarnSink(sink: ((line: string) => void) | null): void {
  warnSink = sink;
}
export function warnLine(line: string): void {
  if (warnSink) warnSink(line);
  else process.stderr.write(`${line}\n`);
}

/** Runs fn with a started engine (and the voice its settings give) and always stops it. */
export async function withEngine<T>(opts: GlobalOptions, fn: (engine: Engine, v: Voice) => Promise<T>, host = 'cli'): Promise<T> {
  voiceFor(opts); // a bad --lang is bad usage before anything starts
  const engine = await engineFrom(opts, host);
  try {
    await engine.start();
    return await fn(engine, voiceFor(opts, engine));
  } finally {
    await engine.stop();
  }
}
