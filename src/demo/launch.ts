/**
 * How a host (the CLI, the web host, the desktop app) runs its engine on the demo: it decides here, before
 * building the engine, and hands the engine a launcher. The engine never imports the demo: the demo is made of
 * the devkit's stand-ins (a relay, a kubo RPC stand-in, a strfry CLI stand-in), which a station's engine must
 * not carry (DESIGN.md, lint: src/core ↛ src/devkit, src/demo).
 *
 * Light on purpose: this module only decides; the demo itself (./index, with the relay implementation) is
 * loaded when the engine starts it, so a host on a real station never loads it.
 */
import type { DemoLauncher, EngineConfig } from '../core/config';
import { demoAppDir, demoWanted } from './decide';

export interface DemoLaunch {
  /** The engine's config: in demo mode its data folder is the demo's own (`<dataDir>/demo/app`). */
  config: EngineConfig;
  /** Given to the Engine (`new Engine(config, { demo })`) when the demo runs; else undefined. */
  demo: DemoLauncher | undefined;
}

/**
 * The engine's config and demo launcher for a host's config. In demo mode the engine lives in
 * `<dataDir>/demo/app`, so the captain's own settings, history and sync memory are never touched.
 * `hooks` are told when the demo starts and when it is ready (the CLI shows a spinner meanwhile).
 */
export function demoLaunch(config: EngineConfig, hooks: { onStart?: () => void; onReady?: () => void } = {}): DemoLaunch {
  if (!demoWanted(config)) return { config: { ...config, demo: false }, demo: undefined };
  const home = config.dataDir;
  return {
    config: { ...config, demo: true, dataDir: demoAppDir(home) },
    demo: {
      async start(ctx) {
        hooks.onStart?.();
        try {
          const { startDemo } = await import('./index');
          return await startDemo({ dataDir: home, log: ctx.log, clock: ctx.clock });
        } finally {
          hooks.onReady?.();
        }
      },
    },
  };
}
