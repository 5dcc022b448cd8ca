import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { SettingsPatch } from '../shared/schemas';
import type { Engine } from '../core/engine';
import { appRoot } from './root';

export interface GlobalOptions {
  zenRoot?: string;
  dataDir?: string;
  strfryBin?: string;
  strfryConf?: string;
  relayUrl?: string;
  kuboApi?: string;
  demo?: boolean;
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
 * Builds an engine from the global options (flags and environment win over saved settings). The engine's
 * modules are loaded here, not when the command starts: `--version` and `--help` need none of them.
 */
export async function engineFrom(opts: GlobalOptions, host = 'cli', extra: { schedule?: boolean; quiet?: boolean } = {}): Promise<Engine> {
  const [{ makeConfig }, { Engine }] = await Promise.all([import('../core/config'), import('../core/engine')]);
  const overrides: SettingsPatch = {};
  if (opts.zenRoot) overrides.zenRoot = resolve(opts.zenRoot);
  if (opts.strfryBin) overrides.strfryBin = resolve(opts.strfryBin);
  if (opts.strfryConf) overrides.strfryConf = resolve(opts.strfryConf);
  if (opts.relayUrl) overrides.relayUrl = opts.relayUrl;
  if (opts.kuboApi) overrides.kuboApi = opts.kuboApi;
  const config = makeConfig({
    ...(opts.dataDir ? { dataDir: resolve(opts.dataDir) } : {}),
    overrides,
    host,
    demo: opts.demo ?? false,
    version: packageVersion(),
  });
  return new Engine(config, {
    schedule: extra.schedule ?? false,
    echo: extra.quiet
      ? undefined
      : (line) => {
          if (line.level === 'warn' || line.level === 'error') process.stderr.write(`${line.level}: ${line.msg}\n`);
        },
  });
}

/** Runs fn with a started engine and always stops it. */
export async function withEngine<T>(opts: GlobalOptions, fn: (engine: Engine) => Promise<T>, host = 'cli'): Promise<T> {
  const engine = await engineFrom(opts, host);
  try {
    await engine.start();
    return await fn(engine);
  } finally {
    await engine.stop();
  }
}
